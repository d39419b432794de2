//! The two clocks the sandbox reads, taken together once per request.
//!
//! - `wall` ([`SystemTime`]) for instants that clients also name on the wire: HAWK `ts`,
//!   `ServerTime`, Cloud Pay's absolute `time_expire`, and the QR expiry that stands in for
//!   it. It is the sandbox's own clock: the system's moved by `clock_offset_secs`, so that a
//!   test can run a back office whose clock is away from the till's, as a real one may be.
//! - `tick` ([`tokio::time::Instant`]) for durations the sandbox itself plays out: how long a
//!   customer takes to type a password, like the fault delays. On a normal runtime it runs
//!   with real time; on tokio's paused clock (the client tests) it follows the test's virtual
//!   time, so a 45-second poll against the sandbox takes no real time.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, FixedOffset, Utc};
use tokio::time::Instant;

#[derive(Debug, Clone, Copy)]
pub struct Now {
    pub wall: SystemTime,
    pub tick: Instant,
}

impl Now {
    /// Unix seconds of `wall`; a wall before 1970 (only with an absurd offset, which
    /// [`WallClock::new`] refuses) reads as 0.
    pub fn unix_secs(&self) -> u64 {
        self.wall
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    /// The back office's local time: China Standard Time.
    pub fn china(&self) -> DateTime<FixedOffset> {
        DateTime::<Utc>::from(self.wall).with_timezone(&CHINA)
    }
}

/// The back office's clock is China Standard Time.
const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// The sandbox's wall clock: the system clock plus a fixed offset in seconds.
#[derive(Debug, Clone, Copy)]
pub struct WallClock {
    offset_secs: i64,
}

impl WallClock {
    /// Ten years either way: far beyond any clock error worth testing, and near enough that
    /// no instant the sandbox computes from it can leave what [`SystemTime`] holds.
    pub const MAX_OFFSET_SECS: i64 = 10 * 366 * 24 * 3600;

    pub fn new(offset_secs: i64) -> Result<WallClock, String> {
        if offset_secs.unsigned_abs() > Self::MAX_OFFSET_SECS.unsigned_abs() {
            return Err(format!(
                "the sandbox clock offset {offset_secs} s is more than ten years ({} s)",
                Self::MAX_OFFSET_SECS
            ));
        }
        Ok(WallClock { offset_secs })
    }

    pub fn now(&self) -> Now {
        let system = SystemTime::now();
        let shift = Duration::from_secs(self.offset_secs.unsigned_abs());
        let shifted = if self.offset_secs >= 0 {
            system.checked_add(shift)
        } else {
            system.checked_sub(shift)
        };
        Now {
            // Within ten years of now, so never out of range; the system time is the safe
            // fallback were it ever to be.
            wall: shifted.unwrap_or(system),
            tick: Instant::now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::WallClock;

    #[test]
    fn offset_moves_the_wall_clock_both_ways() {
        let plain = WallClock::new(0).map(|c| c.now().unix_secs());
        let ahead = WallClock::new(7200).map(|c| c.now().unix_secs());
        let behind = WallClock::new(-90).map(|c| c.now().unix_secs());
        let (Ok(plain), Ok(ahead), Ok(behind)) = (plain, ahead, behind) else {
            panic!("offsets within ten years are fine");
        };
        assert!(
            (7199..=7201).contains(&ahead.abs_diff(plain)),
            "{ahead} {plain}"
        );
        assert!(
            (89..=91).contains(&plain.abs_diff(behind)),
            "{behind} {plain}"
        );
        assert!(ahead > plain && behind < plain);
    }

    #[test]
    fn absurd_offsets_are_refused() {
        for bad in [i64::MAX, i64::MIN, WallClock::MAX_OFFSET_SECS + 1] {
            assert!(WallClock::new(bad).is_err(), "{bad}");
        }
        assert!(WallClock::new(-WallClock::MAX_OFFSET_SECS).is_ok());
    }
}
