//! Day reports for managers: what was attempted, what was collected, and a CSV to hand on.
//!
//! All sums are integer fen; yuan appear only as text from `Fen`'s `Display` (`12.30`).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::{Attempt, AttemptState, Channel, Error, Fen};

/// The business day `now` falls on in the shop's zone (a sale at 00:30 Beijing time belongs
/// to that Beijing date, not to the UTC date).
pub fn business_day(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// How an attempt ended, as a manager counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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

impl From<AttemptState> for Outcome {
    fn from(state: AttemptState) -> Outcome {
        Outcome::of(state)
    }
}

/// A number of attempts and their amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    pub count: u64,
    pub amount: Fen,
}

impl Totals {
    fn add(&mut self, amount: Fen) {
        self.count += 1;
        self.amount = self.amount.saturating_add(amount);
    }
}

/// One business day's attempts with their totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayReport {
    pub day: NaiveDate,
    pub attempts: Vec<Attempt>,
    /// Collected money only (paid and partly paid), per channel: what each backend's own
    /// statement for the day should show, so the sum over channels equals `collected`.
    pub by_channel: BTreeMap<Channel, Totals>,
    /// Every attempt, by how it ended.
    pub by_outcome: BTreeMap<Outcome, Totals>,
    /// Received and kept: what was paid, less what was refunded of it.
    pub collected: Fen,
    /// Refunded of the day's payments (whole and part refunds).
    pub refunded: Fen,
}

impl DayReport {
    /// Totals over `attempts`, which should be that day's, as `Journal::day` returns them.
    pub fn build(day: NaiveDate, attempts: Vec<Attempt>) -> DayReport {
        let mut by_channel: BTreeMap<Channel, Totals> = BTreeMap::new();
        let mut by_outcome: BTreeMap<Outcome, Totals> = BTreeMap::new();
        let mut collected = Fen::ZERO;
        let mut refunded = Fen::ZERO;
        for a in &attempts {
            by_outcome
                .entry(Outcome::of(a.state))
                .or_default()
                .add(a.amount);
            refunded = refunded.saturating_add(a.refunded);
            if a.state.is_collected() {
                let kept = a.amount.checked_sub(a.refunded).unwrap_or(Fen::ZERO);
                by_channel.entry(a.channel).or_default().add(kept);
                collected = collected.saturating_add(kept);
            }
        }
        DayReport {
            day,
            attempts,
            by_channel,
            by_outcome,
            collected,
            refunded,
        }
    }
}

pub const CSV_HEADER: [&str; 14] = [
    "business_day",
    "created_at",
    "bill",
    "order_no",
    "channel",
    "amount_yuan",
    "refunded_yuan",
    "state",
    "outcome",
    "reference",
    "code_masked",
    "operator",
    "till",
    "reason",
];

/// The attempts as CSV, one row each after a header row. Times are RFC 3339 UTC next to the
/// business day, so the file means the same wherever it is opened.
///
/// Files meant for Excel should be written with a UTF-8 byte-order mark in front, or it reads
/// Chinese reasons as GBK.
pub fn to_csv(attempts: &[Attempt]) -> Result<String, Error> {
    let csv_err = |e: &dyn std::fmt::Display| Error::Csv(e.to_string());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER).map_err(|e| csv_err(&e))?;
    for a in attempts {
        let opt = |v: &Option<String>| spreadsheet_safe(v.as_deref().unwrap_or(""));
        w.write_record([
            a.business_day.format("%Y-%m-%d").to_string(),
            a.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            spreadsheet_safe(a.bill.as_str()),
            spreadsheet_safe(&a.order_no),
            a.channel.as_str().to_string(),
            a.amount.to_string(),
            a.refunded.to_string(),
            a.state.as_str().to_string(),
            Outcome::of(a.state).as_str().to_string(),
            opt(&a.reference),
            opt(&a.code_masked),
            spreadsheet_safe(&a.operator),
            spreadsheet_safe(&a.till),
            opt(&a.reason),
        ])
        .map_err(|e| csv_err(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| csv_err(&e))?;
    String::from_utf8(bytes).map_err(|e| csv_err(&e))
}

/// Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula; bill numbers,
/// references and backend reasons come from outside, so such a cell is prefixed with `'`.
fn spreadsheet_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}
