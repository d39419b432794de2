//! Closing a business day: the X report (a snapshot, never stored) and the Z report (closes
//! the day, numbered without gaps, chained by hash), both from one function (docs/desk.md).
//!
//! [`compute`] reads one connection, so that a Z computes inside the transaction that stores
//! it ([`crate::journal::Journal::take_z`]); an X reads a snapshot of its own.

mod compute;
mod view;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::receipts::Outcome;
use crate::{AttemptState, Channel, Fen};

pub(crate) use compute::{ClosingInput, compute};
pub use view::COPY_WORDS;
pub use view::{ClosingView, CorrectionView, OpenItemView, OperatorView, ZSummary};

/// An X (a snapshot) or a Z (the day closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum ReportKind {
    X,
    Z,
}

/// Collected money on one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelLine {
    pub channel: Channel,
    pub count: u64,
    pub amount: Fen,
}

/// Every attempt of the day by how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeLine {
    #[serde(with = "outcome_text")]
    pub outcome: Outcome,
    pub count: u64,
    pub amount: Fen,
}

/// One operator's attempts and what they collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorLine {
    pub operator: String,
    pub count: u64,
    pub collected: Fen,
}

/// An attempt left open at the close (Unknown, or an abandoned QR code still payable): listed,
/// not counted as collected; when it ends, it lands on a later Z as a correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenItem {
    pub order_no: String,
    pub amount: Fen,
    pub state: AttemptState,
}

/// What changed on an already-closed day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionKind {
    /// A payment of the day became paid after its Z: added.
    Paid,
    /// A payment of the day was refunded after its Z: taken off.
    Refunded,
}

/// A payment of a closed day that changed after that day's Z, seen in this report's seals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub order_no: String,
    /// The payment's business day, `YYYY-MM-DD`.
    pub day: String,
    pub kind: CorrectionKind,
    pub amount: Fen,
    /// The seal that recorded the change.
    pub seq: i64,
}

/// What an X or a Z says; a Z's is stored as it is (its canonical JSON, what a copy
/// reprints) and its hash is taken over it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportBody {
    pub kind: ReportKind,
    /// A Z's number; an X's is the number the next Z would get.
    pub number: u64,
    /// The business day, `YYYY-MM-DD`.
    pub day: String,
    /// When the Z closed the day, or when the X was taken (journal timestamp text, UTC).
    pub at: String,
    pub till: String,
    /// The manager who approved the Z (an X: the manager at the desk).
    pub approved_by: Option<String>,
    /// The journal's seals covered: after the previous Z's last one, up to the last written.
    pub first_seq: i64,
    pub last_seq: i64,
    /// The hash of the seal at `last_seq` (the chain's anchor).
    pub last_seal: String,
    /// Collected money per channel (paid less refunded).
    pub channels: Vec<ChannelLine>,
    pub outcomes: Vec<OutcomeLine>,
    /// Attempts of the day.
    pub count: u64,
    /// Refunded of the day's payments.
    pub refunded: Fen,
    pub operators: Vec<OperatorLine>,
    pub open_items: Vec<OpenItem>,
    pub corrections: Vec<Correction>,
    /// The corrections' payments added and refunds taken off.
    pub corrections_added: Fen,
    pub corrections_taken: Fen,
    /// The day's collected money: paid less refunded of the day's payments.
    pub net: Fen,
    /// The previous Z's grand total plus the net plus the corrections.
    pub grand_total: Fen,
    /// The previous Z's hash (the first Z's: 64 zeros).
    pub prev_hash: String,
}

/// A report with its hash (an X's is empty: it is never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClosingReport {
    #[serde(flatten)]
    pub body: ReportBody,
    pub hash: String,
}

/// `Outcome` by its text, which is what a stored Z holds.
mod outcome_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::receipts::Outcome;

    const ALL: [Outcome; 5] = [
        Outcome::Paid,
        Outcome::Failed,
        Outcome::Cancelled,
        Outcome::Unknown,
        Outcome::Refunded,
    ];

    pub fn serialize<S: Serializer>(o: &Outcome, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(o.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Outcome, D::Error> {
        let text = String::deserialize(d)?;
        ALL.into_iter()
            .find(|o| o.as_str() == text)
            .ok_or_else(|| serde::de::Error::custom(format!("outcome {text:?}")))
    }
}
