//! The journal's writes. Each public call is one IMMEDIATE transaction, committed before it
//! returns, so what the caller does next (a network call) happens after the row is durable.

use crate::code::redact_codes;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};

use super::print_queue;
use super::schema::{UNASSIGNED_ORDER_NO, live_states};
use super::seal::{self, SealKind};
use super::{Change, Journal, JournalError, NewAttempt, read, ts};
use crate::{Attempt, AttemptId, AttemptState, BillNo, ManagerDecision};

/// `raw_status` of a manager's resolution: there was no backend answer to keep.
const RESOLVED_BY_HAND: &str = "resolved_by_hand";

pub(super) const PAID_ON_BILL: &str =
    "SELECT EXISTS (SELECT 1 FROM attempts WHERE bill = ?1 AND state = 'paid')";
pub(super) const LIVE_ON_BILL: &str = concat!(
    "SELECT id, state FROM attempts WHERE bill = ?1 AND state IN ",
    live_states!(),
    " ORDER BY id LIMIT 1"
);

impl Journal {
    /// Journals a new attempt and commits it: call this *before* the payment request.
    ///
    /// Refuses a bill that has a live attempt (it may still take money) or a paid one.
    pub fn begin(
        &self,
        new: NewAttempt,
        now: DateTime<Utc>,
        business_day: NaiveDate,
        nonce: u32,
    ) -> Result<Attempt, JournalError> {
        let amount = i64::try_from(new.amount.0)
            .ok()
            .filter(|a| *a > 0)
            .ok_or(JournalError::BadAmount(new.amount))?;
        let state = if new.channel.is_qr() {
            AttemptState::Issuing
        } else {
            AttemptState::Sending
        };
        let at = ts(now);
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        refuse_busy_or_paid(&tx, &new.bill)?;
        tx.prepare_cached(
            "INSERT INTO attempts (bill, amount_fen, channel, order_no, wallet, code_masked,
                 operator, till, state, created_at, updated_at, business_day,
                 bill_paid_before_fen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12)",
        )?
        .execute(params![
            new.bill.as_str(),
            amount,
            new.channel.as_str(),
            UNASSIGNED_ORDER_NO,
            new.wallet,
            new.code_masked,
            new.operator,
            new.scheme.till(),
            state.as_str(),
            at,
            crate::timestamp::day_text(business_day),
            new.bill_paid_before
                .map(|f| i64::try_from(f.0).unwrap_or(i64::MAX)),
        ])
        .map_err(|e| live_conflict(&tx, &new.bill, e))?;
        let id = tx.last_insert_rowid();
        let order_no = new.scheme.order_no(AttemptId(id), now, nonce)?;
        tx.prepare_cached("UPDATE attempts SET order_no = ?1 WHERE id = ?2")?
            .execute(params![order_no, id])?;
        // Sealed once the order number is set: the seal holds what identifies the payment.
        seal::seal(&tx, SealKind::Attempt, id)?;
        let first = Change {
            actor: Some(new.operator),
            // No backend has answered yet: an empty raw status says so.
            ..Change::new(state, "")
        };
        append_transition(&tx, id, &at, None, &first)?;
        let attempt = read::attempt_by_id(&tx, AttemptId(id))?
            .ok_or(JournalError::NotFound(AttemptId(id)))?;
        tx.commit()?;
        Ok(attempt)
    }

    /// Records what was learnt about an attempt. Repeating what the journal already says
    /// (same state, reason, raw status, reference and code URL) writes nothing, so polling
    /// does not flood the audit trail.
    pub fn record(
        &self,
        id: AttemptId,
        change: Change,
        now: DateTime<Utc>,
    ) -> Result<Attempt, JournalError> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let applied = apply(&tx, id, change, now, false)?;
        tx.commit()?;
        drop(conn);
        Ok(self.applied(applied))
    }

    /// A manager settles a live attempt (usually `unknown`) as `Paid` or `Failed` after
    /// checking the backend's records by other means. The note saying how is mandatory.
    pub fn resolve(
        &self,
        id: AttemptId,
        to: ManagerDecision,
        note: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Attempt, JournalError> {
        let note = note.trim();
        if note.is_empty() {
            return Err(JournalError::BadResolve(
                "a note saying how the outcome was established is required".into(),
            ));
        }
        let actor = actor.trim();
        if actor.is_empty() {
            return Err(JournalError::BadResolve(
                "who resolves the attempt must be recorded".into(),
            ));
        }
        let change = Change {
            reason: Some(note.to_string()),
            actor: Some(actor.to_string()),
            note: Some(note.to_string()),
            ..Change::new(to.state(), RESOLVED_BY_HAND)
        };
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let applied = apply(&tx, id, change, now, true)?;
        tx.commit()?;
        drop(conn);
        Ok(self.applied(applied))
    }

    /// The attempt a committed transition left, the printer woken if it owes a slip.
    pub(super) fn applied(&self, applied: Applied) -> Attempt {
        if applied.slip_owed {
            self.print_jobs_added();
        }
        applied.attempt
    }
}

/// What a transition wrote: the attempt as it is now, and whether a slip is owed for it.
pub(super) struct Applied {
    pub attempt: Attempt,
    pub slip_owed: bool,
}

/// Whether an attempt in `from` may be recorded as `to`.
///
/// Live attempts may go anywhere (the backend decides). A final state stays final, except that
/// collected money can be refunded; restating the same final state is allowed, as a late
/// answer that confirms it is worth keeping in the trail.
fn may_move(from: AttemptState, to: AttemptState) -> bool {
    use AttemptState as S;
    from.is_live()
        || from == to
        || matches!(
            (from, to),
            (S::Paid | S::PartlyPaid | S::PartRefunded, S::PartRefunded | S::Refunded)
            // A QR code the back office cannot close stays payable after the till stopped
            // showing it; when the backend later says it was paid (or that it is over), the
            // backend is right. Cancelled and expired are how older journals left them.
            | (S::Abandoned, S::Paid | S::PartlyPaid | S::Expired | S::Failed)
            | (S::Expired | S::Cancelled, S::Paid | S::PartlyPaid)
        )
}

pub(super) fn apply(
    conn: &Connection,
    id: AttemptId,
    mut change: Change,
    now: DateTime<Utc>,
    only_live: bool,
) -> Result<Applied, JournalError> {
    // Backend text can echo a payment code; the journal never keeps one in clear.
    change.reason = change.reason.as_deref().map(redact_codes);
    change.raw_status = redact_codes(&change.raw_status);
    change.note = change.note.as_deref().map(redact_codes);
    let current = read::attempt_by_id(conn, id)?.ok_or(JournalError::NotFound(id))?;
    let from = current.state;
    if (only_live && !from.is_live()) || !may_move(from, change.to) {
        return Err(JournalError::IllegalTransition {
            from,
            to: change.to,
        });
    }
    let reference = change
        .reference
        .clone()
        .or_else(|| current.reference.clone());
    let code_url = change.code_url.clone().or_else(|| current.code_url.clone());
    let watch_until = change.watch_until.or(current.watch_until);
    let last_raw = read::last_raw_status(conn, id)?;
    if from == change.to
        && change.reason == current.reason
        && last_raw.as_deref() == Some(change.raw_status.as_str())
        && reference == current.reference
        && code_url == current.code_url
        && watch_until == current.watch_until
    {
        return Ok(Applied {
            attempt: current,
            slip_owed: false,
        });
    }
    let at = ts(now);
    conn.prepare_cached(
        "UPDATE attempts SET state = ?1, reason = ?2, reference = ?3, code_url = ?4,
             updated_at = ?5, watch_until = ?6
         WHERE id = ?7",
    )?
    .execute(params![
        change.to.as_str(),
        change.reason,
        reference,
        code_url,
        at,
        watch_until.map(ts),
        id.0
    ])
    .map_err(|e| live_conflict(conn, &current.bill, e))?;
    append_transition(conn, id.0, &at, Some(from), &change)?;
    // The slip is owed in the transaction of the paid transition itself: a crash can leave a
    // payment paid only with its slip owed.
    let slip_owed = print_queue::owe_slip(conn, id, from, change.to, &at)?;
    let attempt = read::attempt_by_id(conn, id)?.ok_or(JournalError::NotFound(id))?;
    Ok(Applied { attempt, slip_owed })
}

fn append_transition(
    conn: &Connection,
    attempt_id: i64,
    at: &str,
    from: Option<AttemptState>,
    change: &Change,
) -> Result<(), JournalError> {
    conn.prepare_cached(
        "INSERT INTO transitions (attempt_id, at, from_state, to_state, raw_status, reason,
             actor, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        attempt_id,
        at,
        from.map(AttemptState::as_str),
        change.to.as_str(),
        change.raw_status,
        change.reason,
        change.actor,
        change.note
    ])?;
    seal::seal(conn, SealKind::Transition, conn.last_insert_rowid())?;
    Ok(())
}

fn refuse_busy_or_paid(conn: &Connection, bill: &BillNo) -> Result<(), JournalError> {
    if let Some(busy) = live_attempt_error(conn, bill)? {
        return Err(busy);
    }
    let paid: bool = conn
        .prepare_cached(PAID_ON_BILL)?
        .query_row([bill.as_str()], |r| r.get(0))?;
    if paid {
        return Err(JournalError::BillPaid);
    }
    Ok(())
}

/// `BillBusy` for the bill's live attempt, if it has one.
fn live_attempt_error(
    conn: &Connection,
    bill: &BillNo,
) -> Result<Option<JournalError>, JournalError> {
    let live: Option<(i64, String)> = conn
        .prepare_cached(LIVE_ON_BILL)?
        .query_row([bill.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    live.map(|(id, state)| {
        let state = super::row::parse_state(&state, id)?;
        Ok(JournalError::BillBusy {
            attempt: AttemptId(id),
            state,
        })
    })
    .transpose()
}

/// Turns SQLite's refusal by the one-live-attempt-per-bill index into `BillBusy`, so callers
/// see the same error whether the check or the index caught it (another process can only be
/// caught by the index).
fn live_conflict(conn: &Connection, bill: &BillNo, e: rusqlite::Error) -> JournalError {
    let is_live_index = matches!(
        &e,
        rusqlite::Error::SqliteFailure(f, Some(msg))
            if f.code == ErrorCode::ConstraintViolation
                && f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                && msg.contains("attempts.bill")
    );
    if is_live_index && let Ok(Some(busy)) = live_attempt_error(conn, bill) {
        return busy;
    }
    e.into()
}
