//! What the till reads back: one attempt, lists, the day's report for a screen, and
//! receipts streamed out for export.
//!
//! The front ends' reads are async and run on tokio's blocking threads ([`Till::blocking`]):
//! a day's report reads thousands of rows, and in the desktop app a command that is not async
//! runs on the window's main thread.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{AttemptView, Progress, Till};
use crate::error::Field;
use crate::journal::{AttemptRow, Selection};
use crate::receipts::{self, DayReport, DayTotals};
use crate::{Attempt, AttemptId, AttemptState, Error};

/// Which attempts a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AttemptFilter {
    /// Only attempts not known to have ended (and abandoned codes still watched).
    pub live_only: bool,
    /// A business day, `YYYY-MM-DD`.
    pub day: Option<String>,
    /// Bill or order number, or its beginning.
    pub search: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReportRow {
    pub label: String,
    #[ts(type = "number")]
    pub count: u64,
    pub amount_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DayReportView {
    pub day: String,
    pub collected_text: String,
    #[ts(type = "number")]
    pub collected_fen: u64,
    #[ts(type = "number")]
    pub count: u64,
    pub rows: Vec<ReportRow>,
    pub attempts: Vec<AttemptView>,
}

impl Till {
    /// Runs `work` with this till on tokio's blocking threads, for reads that take more than
    /// a moment; a panic in it is the caller's panic.
    pub async fn blocking<T, F>(&self, work: F) -> Result<T, Error>
    where
        F: FnOnce(&Till) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let till = self.clone();
        crate::journal::off_workers(move || work(&till))
            .await
            .map_err(|e| Error::Internal(format!("till work not run: {e}")))?
    }

    /// One attempt as the screen shows it.
    pub async fn attempt(&self, id: AttemptId) -> Result<AttemptView, Error> {
        self.blocking(move |t| t.attempt_now(id)).await
    }

    fn attempt_now(&self, id: AttemptId) -> Result<AttemptView, Error> {
        let a = self
            .inner
            .journal
            .get(id)?
            .ok_or_else(|| Error::NotFound(format!("no attempt {id}")))?;
        self.view(&a, None)
    }

    /// The attempt with this order number (the number on a receipt or in the back office).
    pub fn find_order(&self, order_no: &str) -> Result<Attempt, Error> {
        self.inner
            .journal
            .by_order_no(order_no.trim())?
            .ok_or_else(|| Error::NotFound(format!("no attempt with order number {order_no:?}")))
    }

    /// The attempts a list shows, oldest first.
    pub async fn attempts(&self, filter: AttemptFilter) -> Result<Vec<AttemptView>, Error> {
        self.blocking(move |t| t.attempts_now(&filter)).await
    }

    pub(super) fn attempts_now(&self, filter: &AttemptFilter) -> Result<Vec<AttemptView>, Error> {
        let j = &self.inner.journal;
        let found = if filter.live_only {
            let mut live = j.live()?;
            live.extend(j.watched()?);
            live
        } else if let Some(q) = filter.search.as_deref().filter(|q| !q.trim().is_empty()) {
            j.search(q)?
        } else {
            j.day(self.day(filter.day.as_deref())?)?
        };
        found.iter().map(|a| self.view(a, None)).collect()
    }

    /// The business day `day` (`YYYY-MM-DD`), or today in the till's zone.
    pub fn day(&self, day: Option<&str>) -> Result<NaiveDate, Error> {
        match day.map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                Error::input(
                    Field::Settings,
                    format!("day {d:?}: YYYY-MM-DD"),
                    format!("日期 {d:?} 应为 YYYY-MM-DD"),
                )
            }),
            None => Ok(crate::receipts::business_day(
                self.inner.clock.now(),
                self.zone()?,
            )),
        }
    }

    /// The day's receipts as numbers: totals per channel and outcome, and every attempt.
    pub fn report(&self, day: NaiveDate) -> Result<DayReport, Error> {
        Ok(DayReport::build(day, self.inner.journal.day(day)?))
    }

    /// Hands each selected attempt to `visit` straight from the journal, oldest first, and
    /// returns their totals: a day of any size, never all in memory.
    pub fn receipts(
        &self,
        selection: &Selection,
        visit: impl FnMut(&AttemptRow<'_>) -> Result<(), Error>,
    ) -> Result<DayTotals, Error> {
        receipts::total(&self.inner.journal, selection, visit)
    }

    /// Writes the selected attempts and their totals to `out` as `format` says, while the
    /// journal is read.
    pub fn write_receipts(
        &self,
        selection: &Selection,
        format: receipts::Format,
        out: impl std::io::Write,
    ) -> Result<DayTotals, Error> {
        receipts::write(&self.inner.journal, selection, format, out)
    }

    /// The day's receipts as the screen shows them.
    pub async fn day_report(&self, day: Option<String>) -> Result<DayReportView, Error> {
        self.blocking(move |t| t.day_report_now(day.as_deref()))
            .await
    }

    fn day_report_now(&self, day: Option<&str>) -> Result<DayReportView, Error> {
        let report = self.report(self.day(day)?)?;
        let lang = self.lang();
        let mut rows: Vec<ReportRow> = report
            .totals
            .by_channel
            .iter()
            .map(|(c, t)| ReportRow {
                label: crate::labels::channel_label(*c, lang).to_string(),
                count: t.count,
                amount_text: crate::labels::amount_text(t.amount),
            })
            .collect();
        rows.extend(report.totals.by_outcome.iter().map(|(o, t)| ReportRow {
            label: crate::labels::outcome_label(*o, lang).to_string(),
            count: t.count,
            amount_text: crate::labels::amount_text(t.amount),
        }));
        let view = DayReportView {
            day: crate::timestamp::day_text(report.day),
            collected_text: crate::labels::amount_text(report.totals.collected),
            collected_fen: report.totals.collected.0,
            count: u64::try_from(report.attempts.len()).unwrap_or(u64::MAX),
            rows,
            attempts: report
                .attempts
                .iter()
                .map(|a| self.view(a, None))
                .collect::<Result<_, _>>()?,
        };
        Ok(view)
    }

    /// The view of an attempt as the screen shows it now.
    pub fn view(&self, a: &Attempt, progress: Option<Progress>) -> Result<AttemptView, Error> {
        let remainder = if a.state == AttemptState::PartlyPaid {
            self.inner
                .journal
                .transitions(a.id)?
                .iter()
                .rev()
                .find_map(|t| crate::checkout::remainder_of(&t.raw_status))
        } else {
            None
        };
        let can_refund = a.channel.can_refund();
        let tz = self.zone()?;
        Ok(AttemptView::of(
            a,
            progress,
            remainder,
            can_refund,
            self.lang(),
            tz,
            self.inner.clock.now(),
        ))
    }
}
