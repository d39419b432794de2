//! Refunds in parts. Each part is journalled before its call leaves, like a payment, so a
//! refund whose answer was lost is continued with the same refund number, never sent twice.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde::Serialize;

use super::seal::{self, SealKind};
use super::{Change, Journal, JournalError, read, ts, write};
use crate::order_no;
use crate::{Attempt, AttemptId, AttemptState, Fen, RefundState};

fn parse_state(s: &str, id: i64) -> Result<RefundState, JournalError> {
    RefundState::ALL
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| JournalError::Corrupt(format!("refund {id}: state {s:?}")))
}

/// One part of a refund, as journalled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refund {
    pub id: i64,
    pub attempt_id: AttemptId,
    pub part: u32,
    pub refund_no: String,
    pub amount: Fen,
    pub state: RefundState,
    pub reason: Option<String>,
    pub manager: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const REFUND_COLUMNS: &str = "id, attempt_id, part, refund_no, amount_fen, state, reason, manager, note, created_at, updated_at";

impl Journal {
    /// Journals the next part of a refund of a paid attempt: call this *before* the refund
    /// request. Refuses more than is left to refund, and a new part while an earlier one has
    /// not ended (that one must be continued first, with its own number).
    pub fn begin_refund(
        &self,
        id: AttemptId,
        amount: Fen,
        manager: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<Refund, JournalError> {
        let (manager, note) = (manager.trim(), note.trim());
        if manager.is_empty() || note.is_empty() {
            return Err(JournalError::BadResolve(
                "a refund needs the manager's name and a note".into(),
            ));
        }
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let a = read::attempt_by_id(&tx, id)?.ok_or(JournalError::NotFound(id))?;
        if !matches!(a.state, AttemptState::Paid | AttemptState::PartRefunded) {
            return Err(JournalError::NotRefundable(a.state));
        }
        if let Some(open) = open_part(&tx, id)? {
            return Err(JournalError::RefundOpen(open.refund_no));
        }
        let left = a.amount.checked_sub(a.refunded).unwrap_or(Fen::ZERO);
        if amount.0 == 0 || amount > left {
            return Err(JournalError::RefundTooLarge { left });
        }
        let part: u32 = tx.query_row(
            "SELECT COALESCE(MAX(part), 0) + 1 FROM refunds WHERE attempt_id = ?1",
            [id.0],
            |r| r.get(0),
        )?;
        let refund_no = order_no::refund_no(&a.order_no, part)?;
        let at = ts(now);
        tx.execute(
            "INSERT INTO refunds (attempt_id, part, refund_no, amount_fen, state, manager, note,
                 created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, 'requested', ?5, ?6, ?7, ?7)",
            params![
                id.0,
                part,
                refund_no,
                i64::try_from(amount.0).map_err(|_| JournalError::BadAmount(amount))?,
                manager,
                note,
                at
            ],
        )?;
        let refund_id = tx.last_insert_rowid();
        seal::seal(&tx, SealKind::Refund, refund_id)?;
        write::apply(
            &tx,
            id,
            Change {
                reason: a.reason.clone(),
                actor: Some(manager.to_string()),
                note: Some(note.to_string()),
                ..Change::new(
                    a.state,
                    format!("refund {refund_no} of ¥{amount} requested"),
                )
            },
            now,
            false,
        )?;
        let refund = refund_by_id(&tx, refund_id)?;
        tx.commit()?;
        Ok(refund)
    }

    /// Records what the backend said of a refund part. When it ended refunded, the attempt's
    /// refunded total grows and the attempt becomes part-refunded or refunded.
    pub fn record_refund(
        &self,
        refund_id: i64,
        state: RefundState,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<(Refund, Attempt), JournalError> {
        let reason = reason.as_deref().map(crate::code::redact_codes);
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before = refund_by_id(&tx, refund_id)?;
        let a = read::attempt_by_id(&tx, before.attempt_id)?
            .ok_or(JournalError::NotFound(before.attempt_id))?;
        if before.state.is_final() {
            // An ended part never changes again: a late answer cannot undo or repeat it.
            return Ok((before, a));
        }
        tx.execute(
            "UPDATE refunds SET state = ?1, reason = ?2, updated_at = ?3 WHERE id = ?4",
            params![state.as_str(), reason, ts(now), refund_id],
        )?;
        seal::seal(&tx, SealKind::RefundState, refund_id)?;
        let (attempt, owed) = if state.is_final() {
            let refunded = if state == RefundState::Refunded {
                a.refunded.saturating_add(before.amount)
            } else {
                a.refunded
            };
            tx.execute(
                "UPDATE attempts SET refunded_fen = ?1 WHERE id = ?2",
                params![i64::try_from(refunded.0).unwrap_or(i64::MAX), a.id.0],
            )?;
            let refund_slip = state == RefundState::Refunded
                && super::print_queue::owe_refund_slip(&tx, a.id, refund_id, &ts(now))?;
            let to = match (state, refunded >= a.amount) {
                (RefundState::Refunded, true) => AttemptState::Refunded,
                (RefundState::Refunded, false) => AttemptState::PartRefunded,
                _ => a.state,
            };
            let applied = write::apply(
                &tx,
                a.id,
                Change {
                    reason: reason.clone().or(a.reason.clone()),
                    actor: Some(before.manager.clone()),
                    note: Some(before.note.clone()),
                    ..Change::new(
                        to,
                        format!("refund {} {}", before.refund_no, state.as_str()),
                    )
                },
                now,
                false,
            )?;
            (applied.attempt, refund_slip || applied.slip_owed)
        } else {
            (a, false)
        };
        let refund = refund_by_id(&tx, refund_id)?;
        tx.commit()?;
        drop(conn);
        if owed {
            self.print_jobs_added();
        }
        Ok((refund, attempt))
    }

    /// The attempt's refund parts, oldest first.
    pub fn refunds(&self, id: AttemptId) -> Result<Vec<Refund>, JournalError> {
        let sql =
            format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE attempt_id = ?1 ORDER BY part");
        self.read(|conn| read::rows_of(conn, &sql, id, refund_from_row))
    }

    /// The part of a refund of this attempt that has not ended, if any.
    pub fn open_refund(&self, id: AttemptId) -> Result<Option<Refund>, JournalError> {
        self.read(|conn| open_part(conn, id))
    }
}

fn open_part(conn: &Connection, id: AttemptId) -> Result<Option<Refund>, JournalError> {
    conn.query_row(
        &format!(
            "SELECT {REFUND_COLUMNS} FROM refunds
             WHERE attempt_id = ?1 AND state NOT IN ('refunded', 'failed')
             ORDER BY part LIMIT 1"
        ),
        [id.0],
        |row| Ok(refund_from_row(row)),
    )
    .optional()?
    .transpose()
}

fn refund_by_id(conn: &Connection, id: i64) -> Result<Refund, JournalError> {
    conn.query_row(
        &format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE id = ?1"),
        [id],
        |row| Ok(refund_from_row(row)),
    )?
}

pub(super) fn refund_from_row(row: &Row<'_>) -> Result<Refund, JournalError> {
    let id: i64 = row.get(0)?;
    let corrupt =
        |what: &str, e: String| JournalError::Corrupt(format!("refund {id}: {what}: {e}"));
    let amount: i64 = row.get(4)?;
    let state: String = row.get(5)?;
    let created_at: String = row.get(9)?;
    let updated_at: String = row.get(10)?;
    Ok(Refund {
        id,
        attempt_id: AttemptId(row.get(1)?),
        part: row.get(2)?,
        refund_no: row.get(3)?,
        amount: u64::try_from(amount)
            .map(Fen)
            .map_err(|e| corrupt("amount_fen", e.to_string()))?,
        state: parse_state(&state, id)?,
        reason: row.get(6)?,
        manager: row.get(7)?,
        note: row.get(8)?,
        created_at: super::row::parse_time(&created_at).map_err(|e| corrupt("created_at", e))?,
        updated_at: super::row::parse_time(&updated_at).map_err(|e| corrupt("updated_at", e))?,
    })
}
