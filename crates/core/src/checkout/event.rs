//! The status stream the UI and the CLI follow: one event per state change and per poll.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Attempt, AttemptId, AttemptState};

/// Which attempt changed, to what, and where it stands in time. The journal holds the rest of
/// the attempt: a front end reads it from there (the till's views do), so it is never told
/// twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutEvent {
    pub attempt_id: AttemptId,
    pub state: AttemptState,
    /// Set while a QR code is on screen.
    pub code_url: Option<String>,
    #[serde(flatten)]
    pub progress: Progress,
}

/// Where a payment being followed stands in time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Progress {
    #[ts(type = "number")]
    pub elapsed_ms: u64,
    /// Time left before the attempt gives up (barcode → Unknown, QR → expired); none once it
    /// has ended.
    #[ts(type = "number | null")]
    pub remaining_ms: Option<u64>,
    /// An attempt the till had stopped following (an abandoned QR code, one a crash left
    /// behind) turned out paid: tell the cashier, even if another customer is at the till.
    pub late: bool,
}

impl CheckoutEvent {
    pub fn of(a: &Attempt, progress: Progress) -> CheckoutEvent {
        CheckoutEvent {
            attempt_id: a.id,
            state: a.state,
            code_url: if a.state == AttemptState::Shown {
                a.code_url.clone()
            } else {
                None
            },
            progress,
        }
    }
}
