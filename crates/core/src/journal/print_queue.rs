//! The print queue (docs/printing.md): the jobs owed to the printer. A slip is owed in the very
//! transaction that records a payment's paid transition (and a refund slip in the one that records
//! a refund part refunded), so a paid payment can never be left without its slip by a crash.
//! Reprints and reports are queued by the till. Print jobs are not money: nothing here is sealed.
//! What becomes of a job once queued is in `print_jobs.rs`.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::print_jobs::{PrintJob, corrupt, job_by_id};
use super::{Journal, JournalError, ts};
use crate::print::{PrintJobState, PrintKind};
use crate::{AttemptId, AttemptState};

/// What a new job names.
#[derive(Debug, Clone, Copy, Default)]
struct Target {
    attempt_id: Option<AttemptId>,
    refund_id: Option<i64>,
    z_number: Option<u64>,
    day: Option<NaiveDate>,
}

/// Whether slips are owed (the one row of `print_setup`).
fn slips_on(conn: &Connection) -> Result<bool, JournalError> {
    Ok(conn
        .prepare_cached("SELECT slips FROM print_setup WHERE one = 1")?
        .query_row([], |r| r.get::<_, i64>(0))
        .optional()?
        == Some(1))
}

/// Owes the customer's slip when an attempt moves *into* paid or partly paid from a state that
/// had not been paid, and slips are on. Called by the one transition writer inside its
/// transaction; true when a job was written.
pub(super) fn owe_slip(
    conn: &Connection,
    id: AttemptId,
    from: AttemptState,
    to: AttemptState,
    at: &str,
) -> Result<bool, JournalError> {
    let into_paid = matches!(to, AttemptState::Paid | AttemptState::PartlyPaid);
    if !into_paid || from.was_paid() || !slips_on(conn)? {
        return Ok(false);
    }
    insert(
        conn,
        PrintKind::Slip,
        Target {
            attempt_id: Some(id),
            ..Target::default()
        },
        false,
        PrintJobState::Waiting,
        at,
    )?;
    Ok(true)
}

/// Owes a refund slip for a part that ended refunded, when slips are on; inside the
/// transaction that records it. True when a job was written.
pub(super) fn owe_refund_slip(
    conn: &Connection,
    id: AttemptId,
    refund_id: i64,
    at: &str,
) -> Result<bool, JournalError> {
    if !slips_on(conn)? {
        return Ok(false);
    }
    insert(
        conn,
        PrintKind::RefundSlip,
        Target {
            attempt_id: Some(id),
            refund_id: Some(refund_id),
            ..Target::default()
        },
        false,
        PrintJobState::Waiting,
        at,
    )?;
    Ok(true)
}

fn insert(
    conn: &Connection,
    kind: PrintKind,
    t: Target,
    reprint: bool,
    state: PrintJobState,
    at: &str,
) -> Result<i64, JournalError> {
    let printed_at = (state == PrintJobState::Printed).then_some(at);
    conn.prepare_cached(
        "INSERT INTO print_jobs (kind, attempt_id, refund_id, z_number, day, reprint, state,
             tries, created_at, printed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        kind.as_str(),
        t.attempt_id.map(|a| a.0),
        t.refund_id,
        t.z_number.map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
        t.day.map(crate::timestamp::day_text),
        reprint,
        state.as_str(),
        i64::from(state == PrintJobState::Printed),
        at,
        printed_at,
    ])?;
    Ok(conn.last_insert_rowid())
}

impl Journal {
    /// Whether a slip is owed after each paid payment and each refund from now on, in every
    /// process that writes to this journal. Writes only when it changes.
    pub fn set_slips(&self, on: bool) -> Result<(), JournalError> {
        if self.read(slips_on)? == on {
            return Ok(());
        }
        self.writer().execute(
            "UPDATE print_setup SET slips = ?1 WHERE one = 1",
            [i64::from(on)],
        )?;
        Ok(())
    }

    /// Whether slips are owed.
    pub fn slips(&self) -> Result<bool, JournalError> {
        self.read(slips_on)
    }

    /// Queues a reprint of a payment's slip, marked 重印 / REPRINT.
    pub fn queue_reprint(
        &self,
        id: AttemptId,
        now: DateTime<Utc>,
    ) -> Result<PrintJob, JournalError> {
        let target = Target {
            attempt_id: Some(id),
            ..Target::default()
        };
        self.queue(PrintKind::Slip, target, true, PrintJobState::Waiting, now)
    }

    /// Queues an X report of `day`, composed when it prints.
    pub fn queue_x_report(
        &self,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<PrintJob, JournalError> {
        let target = Target {
            day: Some(day),
            ..Target::default()
        };
        self.queue(
            PrintKind::XReport,
            target,
            false,
            PrintJobState::Waiting,
            now,
        )
    }

    /// Queues stored Z `number`.
    pub fn queue_z_report(
        &self,
        number: u64,
        now: DateTime<Utc>,
    ) -> Result<PrintJob, JournalError> {
        let target = Target {
            z_number: Some(number),
            ..Target::default()
        };
        self.queue(
            PrintKind::ZReport,
            target,
            false,
            PrintJobState::Waiting,
            now,
        )
    }

    /// Records a reprint of a payment's slip that was printed at once, outside the queue
    /// (`cashier print --order`).
    pub fn record_printed_reprint(
        &self,
        id: AttemptId,
        now: DateTime<Utc>,
    ) -> Result<PrintJob, JournalError> {
        let target = Target {
            attempt_id: Some(id),
            ..Target::default()
        };
        self.queue(PrintKind::Slip, target, true, PrintJobState::Printed, now)
    }

    fn queue(
        &self,
        kind: PrintKind,
        target: Target,
        reprint: bool,
        state: PrintJobState,
        now: DateTime<Utc>,
    ) -> Result<PrintJob, JournalError> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(id) = target.attempt_id
            && super::read::attempt_by_id(&tx, id)?.is_none()
        {
            return Err(JournalError::NotFound(id));
        }
        let id = insert(&tx, kind, target, reprint, state, &ts(now))?;
        let job = job_by_id(&tx, id)?.ok_or_else(|| corrupt(id, "gone after its insert"))?;
        tx.commit()?;
        drop(conn);
        if state == PrintJobState::Waiting {
            self.print_jobs_added();
        }
        Ok(job)
    }
}
