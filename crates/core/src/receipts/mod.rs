//! Day reports for managers: what was attempted, what was collected, and the attempts as
//! JSON or CSV to hand on (`export`).
//!
//! All sums are integer fen; yuan appear only as text from `Fen`'s `Display` (`12.30`).

mod export;
pub mod outcome;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::journal::{AttemptRow, Journal, JournalError, Selection};
use crate::{Attempt, Channel, Fen};

pub use export::{CSV_HEADER, Format, to_csv, write};
pub use outcome::Outcome;

/// The business day `now` falls on in the shop's zone (a sale at 00:30 Beijing time belongs
/// to that Beijing date, not to the UTC date).
pub fn business_day(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// A number of attempts and their amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    pub count: u64,
    pub amount: Fen,
}

impl Totals {
    fn add(&mut self, amount: Fen) {
        self.count = self.count.saturating_add(1);
        self.amount = self.amount.saturating_add(amount);
    }
}

/// What a set of attempts adds up to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct DayTotals {
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

impl DayTotals {
    /// Counts one more attempt.
    pub fn add(&mut self, a: &AttemptRow<'_>) {
        self.by_outcome
            .entry(Outcome::of(a.state))
            .or_default()
            .add(a.amount);
        self.refunded = self.refunded.saturating_add(a.refunded);
        if a.state.is_collected() {
            let kept = a.amount.checked_sub(a.refunded).unwrap_or(Fen::ZERO);
            self.by_channel.entry(a.channel).or_default().add(kept);
            self.collected = self.collected.saturating_add(kept);
        }
    }

    /// How many attempts were counted.
    pub fn count(&self) -> u64 {
        self.by_outcome.values().map(|t| t.count).sum()
    }
}

/// One business day's attempts with their totals, held in memory: for a screen. An export
/// of the day streams instead ([`write`]), in the same JSON shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayReport {
    pub day: NaiveDate,
    pub attempts: Vec<Attempt>,
    #[serde(flatten)]
    pub totals: DayTotals,
}

impl DayReport {
    /// Totals over `attempts`, which should be that day's, as `Journal::day` returns them.
    pub fn build(day: NaiveDate, attempts: Vec<Attempt>) -> DayReport {
        let mut totals = DayTotals::default();
        for a in &attempts {
            totals.add(&a.as_row());
        }
        DayReport {
            day,
            attempts,
            totals,
        }
    }
}

/// Hands each selected attempt to `visit`, oldest first, straight from the journal, and
/// returns what they add up to.
pub fn total<E: From<JournalError>>(
    journal: &Journal,
    selection: &Selection,
    mut visit: impl FnMut(&AttemptRow<'_>) -> Result<(), E>,
) -> Result<DayTotals, E> {
    let mut totals = DayTotals::default();
    journal.each(selection, |row| {
        visit(&row)?;
        totals.add(&row);
        Ok::<(), E>(())
    })?;
    Ok(totals)
}
