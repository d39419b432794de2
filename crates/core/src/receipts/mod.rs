//! Day reports for managers: what was attempted, what was collected, and the attempts as
//! JSON or CSV to hand on (`export`).
//!
//! All sums are integer fen; yuan appear only as text from `Fen`'s `Display` (`12.30`).

mod export;
pub mod outcome;
pub mod page;
pub mod timeline;
pub mod worklist;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::journal::{AttemptRow, Journal, JournalError, Selection};
use crate::{Attempt, AttemptState, Channel, Fen};

pub use export::{CSV_HEADER, Format, to_csv, to_csv_for, write};
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
    fn add(&mut self, count: u64, amount: Fen) {
        self.count = self.count.saturating_add(count);
        self.amount = self.amount.saturating_add(amount);
    }
}

/// Attempts of one channel and state counted together: one attempt, or a group of the
/// journal's aggregate ([`crate::journal::PageGroup`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub channel: Channel,
    pub state: AttemptState,
    pub count: u64,
    pub amount: Fen,
    pub refunded: Fen,
    /// What was kept of each attempt, amount less refunded but never below zero, summed.
    pub kept: Fen,
}

impl Counted {
    pub fn of(a: &AttemptRow<'_>) -> Counted {
        Counted {
            channel: a.channel,
            state: a.state,
            count: 1,
            amount: a.amount,
            refunded: a.refunded,
            kept: a.amount.checked_sub(a.refunded).unwrap_or(Fen::ZERO),
        }
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
        self.add_counted(&Counted::of(a));
    }

    /// Counts attempts of one channel and state at once: the one place the rules are.
    pub fn add_counted(&mut self, c: &Counted) {
        self.by_outcome
            .entry(Outcome::of(c.state))
            .or_default()
            .add(c.count, c.amount);
        self.refunded = self.refunded.saturating_add(c.refunded);
        if c.state.is_collected() {
            self.by_channel
                .entry(c.channel)
                .or_default()
                .add(c.count, c.kept);
            self.collected = self.collected.saturating_add(c.kept);
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
