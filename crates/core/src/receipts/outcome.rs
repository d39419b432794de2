//! How an attempt ended, as a manager counts it: the one reading of an attempt's state that the
//! day's report, the receipts, the labels and the CLI's exit code share.

use serde::{Deserialize, Serialize};

use crate::AttemptState;

/// How an attempt ended, as a manager counts it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Money received (fully or as part of the bill).
    Paid,
    Failed,
    /// Closed without payment: by the cashier, or a QR code that ran out of time.
    Cancelled,
    /// Not known to have ended: may still have been charged, needs follow-up.
    Unknown,
    Refunded,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Paid,
        Outcome::Failed,
        Outcome::Cancelled,
        Outcome::Unknown,
        Outcome::Refunded,
    ];

    /// The states that end this way, in `AttemptState::ALL`'s order: read off [`Outcome::of`],
    /// so there is no second list to keep in step.
    pub fn states(self) -> Vec<AttemptState> {
        AttemptState::ALL
            .into_iter()
            .filter(|s| Outcome::of(*s) == self)
            .collect()
    }

    pub fn of(state: AttemptState) -> Outcome {
        match state {
            AttemptState::Paid | AttemptState::PartlyPaid | AttemptState::PartRefunded => {
                Outcome::Paid
            }
            AttemptState::Failed => Outcome::Failed,
            // Not paid so far; a late payment of an abandoned code turns it paid.
            AttemptState::Cancelled | AttemptState::Expired | AttemptState::Abandoned => {
                Outcome::Cancelled
            }
            AttemptState::Refunded => Outcome::Refunded,
            AttemptState::Sending
            | AttemptState::Pending
            | AttemptState::Issuing
            | AttemptState::Shown
            | AttemptState::Unknown => Outcome::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Paid => "paid",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
            Outcome::Unknown => "unknown",
            Outcome::Refunded => "refunded",
        }
    }
}
