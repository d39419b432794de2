//! What becomes of a print job: `waiting` → `printing` (claimed and committed before its first
//! byte is sent) → `printed`, or back to `waiting` with the fault, or `unprintable`; a job left
//! `printing` by a stopped process waits again marked as a reprint. And the queue's reads.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Journal, JournalError, ts};
use crate::AttemptId;
use crate::print::{PrintJobState, PrintKind};

/// One job of the print queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintJob {
    pub id: i64,
    pub kind: PrintKind,
    /// A slip's payment (a refund slip's too).
    pub attempt_id: Option<AttemptId>,
    /// A refund slip's part.
    pub refund_id: Option<i64>,
    /// A Z report's number.
    pub z_number: Option<u64>,
    /// An X report's business day.
    pub day: Option<NaiveDate>,
    /// Printed marked 重印 / REPRINT.
    pub reprint: bool,
    pub state: PrintJobState,
    /// How many times it was sent.
    pub tries: u32,
    /// The last fault, in the printer driver's words.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub printed_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, kind, attempt_id, refund_id, z_number, day, reprint, state, tries, \
     last_error, created_at, printed_at";

impl Journal {
    /// The oldest job waiting to print.
    pub fn next_print_job(&self) -> Result<Option<PrintJob>, JournalError> {
        self.read(|conn| {
            let sql = format!(
                "SELECT {COLUMNS} FROM print_jobs INDEXED BY print_jobs_waiting
                 WHERE state = 'waiting' ORDER BY id LIMIT 1"
            );
            conn.prepare_cached(&sql)?
                .query_row([], |r| Ok(job_from_row(r)))
                .optional()?
                .transpose()
        })
    }

    /// Claims a waiting job for printing, committed before anything is sent: false when it is
    /// no longer waiting (another process took it).
    pub fn claim_print_job(&self, id: i64) -> Result<bool, JournalError> {
        let n = self.writer().execute(
            "UPDATE print_jobs SET state = 'printing', tries = tries + 1
             WHERE id = ?1 AND state = 'waiting'",
            [id],
        )?;
        Ok(n == 1)
    }

    /// The printer took the whole job.
    pub fn print_job_printed(&self, id: i64, now: DateTime<Utc>) -> Result<(), JournalError> {
        self.writer().execute(
            "UPDATE print_jobs SET state = 'printed', printed_at = ?1, last_error = NULL
             WHERE id = ?2",
            params![ts(now), id],
        )?;
        Ok(())
    }

    /// The job did not reach the paper (offline, out of paper): it waits again, whole, with
    /// the fault's words.
    pub fn print_job_failed(&self, id: i64, fault: &str) -> Result<(), JournalError> {
        self.writer().execute(
            "UPDATE print_jobs SET state = 'waiting', last_error = ?1 WHERE id = ?2",
            params![fault, id],
        )?;
        Ok(())
    }

    /// The job can never print: kept, said, never retried.
    pub fn print_job_unprintable(&self, id: i64, why: &str) -> Result<(), JournalError> {
        self.writer().execute(
            "UPDATE print_jobs SET state = 'unprintable', last_error = ?1 WHERE id = ?2",
            params![why, id],
        )?;
        Ok(())
    }

    /// At the worker's start: jobs left `printing` by a process that stopped between sending
    /// and marking may already be on paper, so they wait again marked 重印 / REPRINT. How many.
    pub fn requeue_interrupted_prints(&self) -> Result<u64, JournalError> {
        let n = self.writer().execute(
            "UPDATE print_jobs SET state = 'waiting', reprint = 1 WHERE state = 'printing'",
            [],
        )?;
        Ok(u64::try_from(n).unwrap_or(u64::MAX))
    }

    /// How many jobs wait.
    pub fn waiting_print_jobs(&self) -> Result<u64, JournalError> {
        self.read(|conn| {
            let n: i64 = conn
                .prepare_cached(
                    "SELECT COUNT(*) FROM print_jobs INDEXED BY print_jobs_waiting
                     WHERE state = 'waiting'",
                )?
                .query_row([], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    /// A payment's print jobs (its slips and refund slips), oldest first.
    pub fn print_jobs_of(&self, id: AttemptId) -> Result<Vec<PrintJob>, JournalError> {
        let sql = format!("SELECT {COLUMNS} FROM print_jobs WHERE attempt_id = ?1 ORDER BY id");
        self.read(|conn| super::read::rows_of(conn, &sql, id, job_from_row))
    }

    pub fn print_job(&self, id: i64) -> Result<Option<PrintJob>, JournalError> {
        self.read(|conn| job_by_id(conn, id))
    }

    /// Whether an earlier job of the same Z will have printed it (or did): this one is then a
    /// copy, marked as such.
    pub fn z_printed_before(&self, number: u64, job_id: i64) -> Result<bool, JournalError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM print_jobs WHERE kind = 'z_report'
                         AND z_number = ?1 AND id < ?2 AND state <> 'unprintable')",
                )?
                .query_row(
                    params![i64::try_from(number).unwrap_or(i64::MAX), job_id],
                    |r| r.get(0),
                )?)
        })
    }

    /// Wakes whoever prints the queue in this process (the till's worker).
    pub(super) fn print_jobs_added(&self) {
        self.print_signal.notify_one();
    }

    /// Notified when this process adds a job to the queue: the till's worker waits on it.
    pub fn print_signal(&self) -> &tokio::sync::Notify {
        &self.print_signal
    }
}

pub(super) fn job_by_id(conn: &Connection, id: i64) -> Result<Option<PrintJob>, JournalError> {
    let sql = format!("SELECT {COLUMNS} FROM print_jobs WHERE id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id], |r| Ok(job_from_row(r)))
        .optional()?
        .transpose()
}

pub(super) fn corrupt(id: i64, what: &str) -> JournalError {
    JournalError::Corrupt(format!("print job {id}: {what}"))
}

fn job_from_row(row: &Row<'_>) -> Result<PrintJob, JournalError> {
    let id: i64 = row.get(0)?;
    let kind: String = row.get(1)?;
    let state: String = row.get(7)?;
    let time = |i: usize| -> Result<Option<DateTime<Utc>>, JournalError> {
        row.get::<_, Option<String>>(i)?
            .map(|t| super::row::parse_time(&t).map_err(|e| corrupt(id, &e)))
            .transpose()
    };
    let day: Option<String> = row.get(5)?;
    Ok(PrintJob {
        id,
        kind: PrintKind::ALL
            .into_iter()
            .find(|k| k.as_str() == kind)
            .ok_or_else(|| corrupt(id, &format!("kind {kind:?}")))?,
        attempt_id: row.get::<_, Option<i64>>(2)?.map(AttemptId),
        refund_id: row.get(3)?,
        z_number: row
            .get::<_, Option<i64>>(4)?
            .map(|n| u64::try_from(n).map_err(|_| corrupt(id, "z_number")))
            .transpose()?,
        day: day
            .map(|d| crate::timestamp::parse_day(&d).ok_or_else(|| corrupt(id, "day")))
            .transpose()?,
        reprint: row.get::<_, i64>(6)? == 1,
        state: PrintJobState::ALL
            .into_iter()
            .find(|s| s.as_str() == state)
            .ok_or_else(|| corrupt(id, &format!("state {state:?}")))?,
        tries: u32::try_from(row.get::<_, i64>(8)?).unwrap_or(u32::MAX),
        last_error: row.get(9)?,
        created_at: time(10)?.ok_or_else(|| corrupt(id, "created_at"))?,
        printed_at: time(11)?,
    })
}
