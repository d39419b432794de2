//! The Z reports in the journal: storing one (computed inside the same IMMEDIATE transaction,
//! so two processes cannot both write number n), listing them, reading one; and the reads the
//! closing computation makes on its connection.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::chain::link;
use super::row::AttemptRow;
use super::schema::live_states;
use super::verify::{Anchor, Break};
use super::{Journal, JournalError, read, seal};
use crate::closing::{self, ClosingInput, ClosingReport, ReportBody, ReportKind};
use crate::{AttemptState, Error, Fen, timestamp};

/// The last Z: where the next one starts.
#[derive(Debug, Clone)]
pub(crate) struct LastZ {
    pub number: u64,
    pub day: NaiveDate,
    pub anchor: Anchor,
    pub grand_total: Fen,
    pub hash: String,
}

/// Who closes which day, and when.
#[derive(Debug, Clone)]
pub struct ZRequest<'a> {
    pub day: NaiveDate,
    pub now: DateTime<Utc>,
    /// Today in the business zone: a later day has not begun.
    pub today: NaiveDate,
    pub till: &'a str,
    pub approved_by: &'a str,
}

impl Journal {
    /// Closes `day` with a Z: computed and stored in one IMMEDIATE transaction, so that it
    /// is numbered after the Z last stored by any process, and a failure leaves nothing.
    pub fn take_z(&self, z: &ZRequest<'_>) -> Result<ClosingReport, Error> {
        let mut conn = self.writer();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(JournalError::from)?;
        let report = closing::compute(
            &tx,
            &ClosingInput {
                kind: ReportKind::Z,
                day: z.day,
                now: z.now,
                today: z.today,
                till: z.till,
                approved_by: Some(z.approved_by),
            },
        )?;
        let body = &report.body;
        let text = body_text(body)?;
        let hash = link(&body.prev_hash, &text);
        tx.prepare_cached(
            "INSERT INTO z_reports (number, till, business_day, closed_at, approved_by,
                 first_seq, last_seq, last_seal, grand_total_fen, body, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .and_then(|mut s| {
            s.execute(params![
                body.number as i64,
                body.till,
                body.day,
                body.at,
                z.approved_by,
                body.first_seq,
                body.last_seq,
                body.last_seal,
                i64::try_from(body.grand_total.0).unwrap_or(i64::MAX),
                text,
                body.prev_hash,
                hash
            ])
        })
        .map_err(JournalError::from)?;
        tx.commit().map_err(JournalError::from)?;
        Ok(ClosingReport {
            body: report.body,
            hash,
        })
    }

    /// An X report of `day`: what a Z would say now, stored nowhere.
    pub fn x_report(
        &self,
        day: NaiveDate,
        now: DateTime<Utc>,
        today: NaiveDate,
        till: &str,
        asked_by: Option<&str>,
    ) -> Result<ClosingReport, Error> {
        self.read_as(|conn| {
            // One snapshot: the totals and the range of seals must be of the same moment.
            let tx = conn.unchecked_transaction().map_err(JournalError::from)?;
            let report = closing::compute(
                &tx,
                &ClosingInput {
                    kind: ReportKind::X,
                    day,
                    now,
                    today,
                    till,
                    approved_by: asked_by,
                },
            )?;
            tx.finish().map_err(JournalError::from)?;
            Ok(report)
        })
    }

    /// Every Z, oldest first.
    pub fn z_reports(&self) -> Result<Vec<ClosingReport>, JournalError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT number, body, hash FROM z_reports ORDER BY number")?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(report_of(
                    row.get(0)?,
                    &row.get::<_, String>(1)?,
                    row.get(2)?,
                )?);
            }
            Ok(out)
        })
    }

    /// Z number `number`, as stored.
    pub fn z_report(&self, number: u64) -> Result<Option<ClosingReport>, JournalError> {
        self.read(|conn| {
            let found: Option<(String, String)> = conn
                .prepare_cached("SELECT body, hash FROM z_reports WHERE number = ?1")?
                .query_row([number as i64], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            found
                .map(|(body, hash)| report_of(number as i64, &body, hash))
                .transpose()
        })
    }
}

fn body_text(body: &ReportBody) -> Result<String, JournalError> {
    serde_json::to_string(body).map_err(|e| JournalError::Corrupt(format!("Z body: {e}")))
}

fn report_of(number: i64, body: &str, hash: String) -> Result<ClosingReport, JournalError> {
    let body: ReportBody = serde_json::from_str(body)
        .map_err(|e| JournalError::Corrupt(format!("Z {number}: {e}")))?;
    Ok(ClosingReport { body, hash })
}

// —— the reads of the closing computation, on its connection ——

pub(crate) fn last_z(conn: &Connection) -> Result<Option<LastZ>, JournalError> {
    let row: Option<(i64, String, i64, String, i64, String)> = conn
        .prepare_cached(
            "SELECT number, business_day, last_seq, last_seal, grand_total_fen, hash
             FROM z_reports ORDER BY number DESC LIMIT 1",
        )?
        .query_row([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    row.map(|(number, day, last_seq, last_seal, grand, hash)| {
        let corrupt = |what: &str| JournalError::Corrupt(format!("Z {number}: {what}"));
        Ok(LastZ {
            number: u64::try_from(number).map_err(|_| corrupt("number"))?,
            day: timestamp::parse_day(&day).ok_or_else(|| corrupt("business_day"))?,
            anchor: Anchor {
                last_seq,
                last_seal,
            },
            grand_total: u64::try_from(grand)
                .map(Fen)
                .map_err(|_| corrupt("grand_total"))?,
            hash,
        })
    })
    .transpose()
}

/// The number of the Z that closed `day`, if one did.
pub(crate) fn z_of_day(conn: &Connection, day: &str) -> Result<Option<u64>, JournalError> {
    let n: Option<i64> = conn
        .prepare_cached("SELECT number FROM z_reports WHERE business_day = ?1")?
        .query_row([day], |r| r.get(0))
        .optional()?;
    Ok(n.and_then(|n| u64::try_from(n).ok()))
}

/// The first day after `after` and before `before` with attempts.
pub(crate) fn first_day_between(
    conn: &Connection,
    after: &str,
    before: &str,
) -> Result<Option<String>, JournalError> {
    Ok(conn
        .prepare_cached(
            "SELECT business_day FROM attempts WHERE business_day > ?1 AND business_day < ?2
             ORDER BY business_day LIMIT 1",
        )?
        .query_row([after, before], |r| r.get(0))
        .optional()?)
}

/// Live attempts of days up to `day` (order number, state), from the live index.
pub(crate) fn live_up_to(
    conn: &Connection,
    day: &str,
) -> Result<Vec<(String, AttemptState)>, JournalError> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT id, order_no, state, business_day FROM attempts ",
        "INDEXED BY attempts_one_live_per_bill WHERE state IN ",
        live_states!(),
        " ORDER BY id"
    ))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let state = super::row::parse_state(&row.get::<_, String>(2)?, id)?;
        if row.get::<_, String>(3)?.as_str() <= day {
            out.push((row.get(1)?, state));
        }
    }
    Ok(out)
}

/// Hands each attempt of `day` to `visit`, oldest first.
pub(crate) fn each_of_day(
    conn: &Connection,
    day: &str,
    mut visit: impl FnMut(&AttemptRow<'_>),
) -> Result<(), JournalError> {
    let mut stmt = conn.prepare_cached(read::BY_DAY)?;
    let mut rows = stmt.query([day])?;
    while let Some(row) = rows.next()? {
        visit(&AttemptRow::read(row)?);
    }
    Ok(())
}

/// The last seal's number and hash.
pub(crate) fn last_seal(conn: &Connection) -> Result<(i64, String), JournalError> {
    seal::last_seal(conn)
}

pub(crate) fn verify_since(
    conn: &Connection,
    last: Option<&LastZ>,
) -> Result<Option<Break>, JournalError> {
    super::verify::verify_since(conn, last.map(|z| (z.number, &z.anchor)))
}

/// A change of money in the seals `first..=last`: a transition into a collected state from
/// one that was not, or a refund part that ended refunded.
#[derive(Debug, Clone)]
pub(crate) struct MoneyChange {
    pub seq: i64,
    pub paid: bool,
    pub order_no: String,
    pub day: String,
    pub amount: Fen,
}

pub(crate) fn money_changes(
    conn: &Connection,
    first: i64,
    last: i64,
) -> Result<Vec<MoneyChange>, JournalError> {
    let mut stmt = conn.prepare_cached(
        // `+kind`: not from the index on kind, which the planner otherwise takes, reading every
        // transition's seal of the journal (0.36 s at 1,000,000 attempts) for a day's range.
        "SELECT seq, kind, body FROM seals
         WHERE seq BETWEEN ?1 AND ?2 AND +kind IN ('transition', 'refund_state') ORDER BY seq",
    )?;
    let mut rows = stmt.query([first, last])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let (seq, kind, body): (i64, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        let body: serde_json::Value = serde_json::from_str(&body)
            .map_err(|e| JournalError::Corrupt(format!("seal {seq}: {e}")))?;
        let text = |k: &str| body.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let collected = |s: Option<String>| {
            s.and_then(|s| s.parse::<AttemptState>().ok())
                .is_some_and(|s| matches!(s, AttemptState::Paid | AttemptState::PartlyPaid))
        };
        let was_collected = |s: Option<String>| {
            s.and_then(|s| s.parse::<AttemptState>().ok())
                .is_some_and(AttemptState::is_collected)
        };
        let change = if kind == "transition" {
            let attempt = body.get("attempt_id").and_then(|v| v.as_i64());
            match attempt {
                Some(a) if collected(text("to_state")) && !was_collected(text("from_state")) => {
                    brief(conn, a, None)?
                }
                _ => None,
            }
        } else if text("state").as_deref() == Some("refunded") {
            let refund = body.get("id").and_then(|v| v.as_i64()).unwrap_or(0);
            let found: Option<(i64, i64)> = conn
                .prepare_cached("SELECT attempt_id, amount_fen FROM refunds WHERE id = ?1")?
                .query_row([refund], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            match found {
                Some((a, amount)) => brief(conn, a, Some(amount))?,
                None => None,
            }
        } else {
            None
        };
        if let Some((order_no, day, amount)) = change {
            out.push(MoneyChange {
                seq,
                paid: kind == "transition",
                order_no,
                day,
                amount: Fen(u64::try_from(amount).unwrap_or(0)),
            });
        }
    }
    Ok(out)
}

/// An attempt's order number, day and amount (or `amount` instead, a refund's).
fn brief(
    conn: &Connection,
    attempt: i64,
    amount: Option<i64>,
) -> Result<Option<(String, String, i64)>, JournalError> {
    Ok(conn
        .prepare_cached("SELECT order_no, business_day, amount_fen FROM attempts WHERE id = ?1")?
        .query_row([attempt], |r| {
            Ok((r.get(0)?, r.get(1)?, amount.unwrap_or(r.get(2)?)))
        })
        .optional()?)
}
