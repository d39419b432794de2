//! The two clocks the sandbox reads, taken together once per request.
//!
//! - `wall` ([`SystemTime`]) for instants that clients also name on the wire: HAWK `ts`,
//!   Cloud Pay's absolute `time_expire`, and the QR expiry that stands in for it.
//! - `tick` ([`tokio::time::Instant`]) for durations the sandbox itself plays out: how long a
//!   customer takes to type a password, like the fault delays. On a normal runtime it runs
//!   with real time; on tokio's paused clock (the client tests) it follows the test's virtual
//!   time, so a 45-second poll against the sandbox takes no real time.

use std::time::SystemTime;

use tokio::time::Instant;

#[derive(Debug, Clone, Copy)]
pub struct Now {
    pub wall: SystemTime,
    pub tick: Instant,
}

impl Now {
    pub fn get() -> Now {
        Now {
            wall: SystemTime::now(),
            tick: Instant::now(),
        }
    }
}
