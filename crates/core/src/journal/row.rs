//! One attempt as a journal row holds it, and the reading of it. A row that does not parse
//! back is reported as `Corrupt`, never a panic: the journal may have been written by another
//! version or touched by hand.
//!
//! [`AttemptRow`] borrows its text from SQLite, so that a day's 10,000 attempts can be totalled
//! and written out (JSON, CSV) without ten heap strings per attempt: materialising them as
//! [`Attempt`]s was half the cost of a day report (benches/journal.rs). Every read of an
//! attempt, borrowed or owned, goes through [`AttemptRow::read`].

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Row;
use rusqlite::types::{FromSqlError, ValueRef};
use serde::Serialize;

use super::JournalError;
use crate::{Attempt, AttemptId, AttemptState, BillNo, Channel, Fen, timestamp};

/// `SELECT` of every attempt column, in the order [`AttemptRow::read`] reads them.
macro_rules! select_attempts {
    ($($rest:tt)+) => {
        concat!(
            "SELECT id, bill, amount_fen, channel, order_no, reference, wallet, code_masked, \
             code_url, operator, till, state, reason, created_at, updated_at, business_day, \
             bill_paid_before_fen, watch_until, refunded_fen FROM attempts ",
            $($rest)+
        )
    };
}
pub(super) use select_attempts;

/// An attempt borrowed from the row it was read from. Its fields are [`Attempt`]'s; its
/// serde shape is the one both have (`Attempt` serialises through `as_row`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AttemptRow<'r> {
    pub id: AttemptId,
    pub bill: &'r str,
    pub amount: Fen,
    pub channel: Channel,
    pub order_no: &'r str,
    pub reference: Option<&'r str>,
    pub wallet: Option<&'r str>,
    pub code_masked: Option<&'r str>,
    pub code_url: Option<&'r str>,
    pub operator: &'r str,
    pub till: &'r str,
    pub state: AttemptState,
    pub reason: Option<&'r str>,
    #[serde(serialize_with = "crate::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::timestamp::serialize")]
    pub updated_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::timestamp::serialize_day")]
    pub business_day: NaiveDate,
    pub bill_paid_before: Option<Fen>,
    #[serde(serialize_with = "crate::timestamp::serialize_opt")]
    pub watch_until: Option<DateTime<Utc>>,
    pub refunded: Fen,
}

impl<'r> AttemptRow<'r> {
    /// Reads the columns of `select_attempts!`, by position.
    pub(super) fn read(row: &'r Row<'_>) -> Result<AttemptRow<'r>, JournalError> {
        let id: i64 = row.get(0)?;
        let corrupt =
            |what: &str, e: String| JournalError::Corrupt(format!("attempt {id}: {what}: {e}"));
        let bill = text(row, 1)?;
        BillNo::check(bill).map_err(|e| corrupt("bill", e.to_string()))?;
        let amount: i64 = row.get(2)?;
        let created_at = text(row, 13)?;
        let updated_at = text(row, 14)?;
        let business_day = text(row, 15)?;
        let paid_before: Option<i64> = row.get(16)?;
        let refunded: i64 = row.get(18)?;
        Ok(AttemptRow {
            id: AttemptId(id),
            bill,
            amount: u64::try_from(amount)
                .map(Fen)
                .map_err(|e| corrupt("amount_fen", e.to_string()))?,
            channel: text(row, 3)?.parse().map_err(|e| corrupt("channel", e))?,
            order_no: text(row, 4)?,
            reference: opt_text(row, 5)?,
            wallet: opt_text(row, 6)?,
            code_masked: opt_text(row, 7)?,
            code_url: opt_text(row, 8)?,
            operator: text(row, 9)?,
            till: text(row, 10)?,
            state: parse_state(text(row, 11)?, id)?,
            reason: opt_text(row, 12)?,
            created_at: parse_time(created_at).map_err(|e| corrupt("created_at", e))?,
            updated_at: parse_time(updated_at).map_err(|e| corrupt("updated_at", e))?,
            // The schema holds it to NNNN-NN-NN.
            business_day: timestamp::parse_day(business_day)
                .ok_or_else(|| corrupt("business_day", format!("{business_day:?}: not a date")))?,
            bill_paid_before: paid_before
                .map(|f| u64::try_from(f).map(Fen))
                .transpose()
                .map_err(|e| corrupt("bill_paid_before_fen", e.to_string()))?,
            watch_until: opt_text(row, 17)?
                .map(parse_time)
                .transpose()
                .map_err(|e| corrupt("watch_until", e))?,
            refunded: u64::try_from(refunded)
                .map(Fen)
                .map_err(|e| corrupt("refunded_fen", e.to_string()))?,
        })
    }

    /// The owned attempt, its text copied out of the row.
    pub fn to_attempt(&self) -> Attempt {
        let own = |s: Option<&str>| s.map(str::to_string);
        Attempt {
            id: self.id,
            bill: BillNo::checked(self.bill),
            amount: self.amount,
            channel: self.channel,
            order_no: self.order_no.to_string(),
            reference: own(self.reference),
            wallet: own(self.wallet),
            code_masked: own(self.code_masked),
            code_url: own(self.code_url),
            operator: self.operator.to_string(),
            till: self.till.to_string(),
            state: self.state,
            reason: own(self.reason),
            created_at: self.created_at,
            updated_at: self.updated_at,
            business_day: self.business_day,
            bill_paid_before: self.bill_paid_before,
            watch_until: self.watch_until,
            refunded: self.refunded,
        }
    }
}

impl Attempt {
    /// The attempt as a row, borrowing its text: what totals and exports take, so that an
    /// attempt in memory and one streamed from the journal are counted and written alike.
    pub fn as_row(&self) -> AttemptRow<'_> {
        AttemptRow {
            id: self.id,
            bill: self.bill.as_str(),
            amount: self.amount,
            channel: self.channel,
            order_no: &self.order_no,
            reference: self.reference.as_deref(),
            wallet: self.wallet.as_deref(),
            code_masked: self.code_masked.as_deref(),
            code_url: self.code_url.as_deref(),
            operator: &self.operator,
            till: &self.till,
            state: self.state,
            reason: self.reason.as_deref(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            business_day: self.business_day,
            bill_paid_before: self.bill_paid_before,
            watch_until: self.watch_until,
            refunded: self.refunded,
        }
    }
}

/// Text borrowed from the row, without a copy.
pub(super) fn text<'r>(row: &'r Row<'_>, i: usize) -> Result<&'r str, JournalError> {
    row.get_ref(i)?.as_str().map_err(|e| wrong_type(row, i, e))
}

pub(super) fn opt_text<'r>(row: &'r Row<'_>, i: usize) -> Result<Option<&'r str>, JournalError> {
    match row.get_ref(i)? {
        ValueRef::Null => Ok(None),
        value => value.as_str().map(Some).map_err(|e| wrong_type(row, i, e)),
    }
}

/// SQLite keeps what it is given whatever the column says: not text is a corrupt row.
fn wrong_type(row: &Row<'_>, i: usize, e: FromSqlError) -> JournalError {
    let column = row.as_ref().column_name(i).unwrap_or("?");
    JournalError::Corrupt(format!("{column}: {e}"))
}

pub(super) fn parse_state(s: &str, attempt_id: i64) -> Result<AttemptState, JournalError> {
    s.parse()
        .map_err(|e| JournalError::Corrupt(format!("attempt {attempt_id}: {e}")))
}

/// A time as the journal writes it ([`crate::timestamp`]), or as another version did.
pub(super) fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    timestamp::parse(s)
}
