//! The audit trail's table: rows appended with their hash chained to the row before
//! (`chain::link`), read a page at a time, and the chain walked again to verify it.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, TransactionBehavior, params};
use serde::Serialize;

use super::chain::{GENESIS, link};
use super::{Journal, JournalError, ts};
use crate::audit::AuditEntry;

/// One stored row of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub till: String,
    pub asked_by: Option<String>,
    pub approved_by: Option<String>,
    /// `AuditAction` and `AuditResult` as serde writes them (snake_case).
    pub action: String,
    pub subject: Option<String>,
    pub result: String,
    pub note: Option<String>,
    pub answer: Option<String>,
}

/// What a row's hash covers: every field but the hashes, in this fixed order.
#[derive(Serialize)]
struct Body<'a> {
    seq: i64,
    at: &'a str,
    till: &'a str,
    asked_by: Option<&'a str>,
    approved_by: Option<&'a str>,
    action: &'a str,
    subject: Option<&'a str>,
    result: &'a str,
    note: Option<&'a str>,
    answer: Option<&'a str>,
}

/// A row as stored (text), hashes included.
struct Stored {
    seq: i64,
    at: String,
    till: String,
    asked_by: Option<String>,
    approved_by: Option<String>,
    action: String,
    subject: Option<String>,
    result: String,
    note: Option<String>,
    answer: Option<String>,
    prev_hash: String,
    hash: String,
}

const COLUMNS: &str =
    "seq, at, till, asked_by, approved_by, action, subject, result, note, answer, prev_hash, hash";

fn stored(r: &Row<'_>) -> rusqlite::Result<Stored> {
    Ok(Stored {
        seq: r.get(0)?,
        at: r.get(1)?,
        till: r.get(2)?,
        asked_by: r.get(3)?,
        approved_by: r.get(4)?,
        action: r.get(5)?,
        subject: r.get(6)?,
        result: r.get(7)?,
        note: r.get(8)?,
        answer: r.get(9)?,
        prev_hash: r.get(10)?,
        hash: r.get(11)?,
    })
}

impl Stored {
    fn canonical(&self) -> String {
        let body = Body {
            seq: self.seq,
            at: &self.at,
            till: &self.till,
            asked_by: self.asked_by.as_deref(),
            approved_by: self.approved_by.as_deref(),
            action: &self.action,
            subject: self.subject.as_deref(),
            result: &self.result,
            note: self.note.as_deref(),
            answer: self.answer.as_deref(),
        };
        // Strings and numbers only: serialising cannot fail.
        serde_json::to_string(&body).unwrap_or_default()
    }

    fn record(self) -> Result<AuditRecord, JournalError> {
        Ok(AuditRecord {
            seq: self.seq,
            at: crate::timestamp::parse(&self.at).map_err(JournalError::Corrupt)?,
            till: self.till,
            asked_by: self.asked_by,
            approved_by: self.approved_by,
            action: self.action,
            subject: self.subject,
            result: self.result,
            note: self.note,
            answer: self.answer,
        })
    }
}

/// The audit rows after `after`, oldest first, at most `limit`, each with the canonical text its
/// hash is over: what a store receives ([`super::ShippedAudit`]).
pub(crate) fn shipped_after(
    conn: &Connection,
    after: i64,
    limit: u32,
) -> Result<Vec<super::ShippedAudit>, JournalError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![after, limit], stored)?;
    let mut out = Vec::new();
    for row in rows {
        let row = row?;
        out.push(super::ShippedAudit {
            seq: row.seq,
            body: row.canonical(),
            at: crate::timestamp::parse(&row.at).map_err(JournalError::Corrupt)?,
            prev_hash: row.prev_hash,
            hash: row.hash,
        });
    }
    Ok(out)
}

/// An enum's serde name (`AuditAction::OpenDesk` → `open_desk`).
fn wire<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

impl Journal {
    /// Appends one row after the last, its hash chained to that row's, in one IMMEDIATE
    /// transaction (two appends at once cannot both chain to the same row). The entry's
    /// answer must already have its codes masked. Returns the row's sequence.
    pub fn append_audit(
        &self,
        till: &str,
        at: DateTime<Utc>,
        e: &AuditEntry,
    ) -> Result<i64, JournalError> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last: Option<(i64, String)> = rusqlite::OptionalExtension::optional(tx.query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        ))?;
        let (seq, prev_hash) = match last {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, GENESIS.to_string()),
        };
        let row = Stored {
            seq,
            at: ts(at),
            till: till.to_string(),
            asked_by: e.asked_by.clone(),
            approved_by: e.approved_by.clone(),
            action: e.action.as_ref().map(wire).unwrap_or_default(),
            subject: e.subject.clone(),
            result: e.result.as_ref().map(wire).unwrap_or_default(),
            note: e.note.clone(),
            answer: e.answer.clone(),
            hash: String::new(),
            prev_hash,
        };
        let hash = link(&row.prev_hash, &row.canonical());
        tx.execute(
            &format!("INSERT INTO audit ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
            params![
                row.seq,
                row.at,
                row.till,
                row.asked_by,
                row.approved_by,
                row.action,
                row.subject,
                row.result,
                row.note,
                row.answer,
                row.prev_hash,
                hash
            ],
        )?;
        tx.commit()?;
        Ok(seq)
    }

    /// A page of the trail, newest first: all of it, or the rows at or after `from` and
    /// before `to` (a business day's bounds). Returns the rows matched in all and the page.
    pub fn audit_page(
        &self,
        range: Option<(DateTime<Utc>, DateTime<Utc>)>,
        offset: u32,
        limit: u32,
    ) -> Result<(u64, Vec<AuditRecord>), JournalError> {
        let (from, to) = match range {
            Some((from, to)) => (ts(from), ts(to)),
            // Every stored time is a fixed-width RFC 3339 text, inside these.
            None => (String::new(), "~".to_string()),
        };
        self.read(|conn| {
            let total: i64 = conn.query_row(
                "SELECT count(*) FROM audit WHERE at >= ?1 AND at < ?2",
                params![from, to],
                |r| r.get(0),
            )?;
            let mut stmt = conn.prepare(&format!(
                "SELECT {COLUMNS} FROM audit WHERE at >= ?1 AND at < ?2
                 ORDER BY seq DESC LIMIT ?3 OFFSET ?4"
            ))?;
            let rows = stmt
                .query_map(params![from, to, limit, offset], stored)?
                .collect::<Result<Vec<_>, _>>()?;
            let rows = rows
                .into_iter()
                .map(Stored::record)
                .collect::<Result<_, _>>()?;
            Ok((u64::try_from(total).unwrap_or(0), rows))
        })
    }
}

/// Walks the audit chain from its first row and recomputes every hash: the rows checked, or
/// the first break's sequence and what is wrong there (a gap, a wrong link, a wrong hash).
pub(crate) fn verify_audit(conn: &Connection) -> Result<u64, (i64, String)> {
    let failed = |e: rusqlite::Error| (0, format!("reading the audit trail: {e}"));
    let mut stmt = conn
        .prepare(&format!("SELECT {COLUMNS} FROM audit ORDER BY seq"))
        .map_err(failed)?;
    let rows = stmt.query_map([], stored).map_err(failed)?;
    let (mut prev, mut checked) = (GENESIS.to_string(), 0u64);
    for (expected, row) in (1i64..).zip(rows) {
        let row = row.map_err(failed)?;
        if row.seq != expected {
            return Err((expected, format!("audit row {expected} is missing")));
        }
        if row.prev_hash != prev {
            return Err((
                row.seq,
                "audit row does not follow the row before it".into(),
            ));
        }
        if link(&prev, &row.canonical()) != row.hash {
            return Err((row.seq, "audit row was changed after it was written".into()));
        }
        prev = row.hash;
        checked += 1;
    }
    Ok(checked)
}

impl Journal {
    /// [`verify_audit`] on a read connection of the journal's own (the desk's check; the
    /// whole journal's verification calls `verify_audit` itself).
    pub fn verify_audit_trail(&self) -> Result<Result<u64, (i64, String)>, JournalError> {
        self.read(|conn| Ok(verify_audit(conn)))
    }
}
