//! The Z reports in the journal: storing one (computed inside the same IMMEDIATE transaction,
//! so two processes cannot both write number n), listing them, reading one. The reads the
//! computation makes are in `closing_reads.rs`.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::chain::link;
use super::seal::{self, SealKind};
use super::{Journal, JournalError};
use crate::Error;
use crate::closing::{self, ClosingInput, ClosingReport, ReportBody, ReportKind};

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
        seal::seal(&tx, SealKind::Z, body.number as i64)?;
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
