//! The payment journal: every attempt is on disk, committed, *before* its network call.
//!
//! A crash, a power cut or a lost answer therefore leaves a row that recovery queries with the
//! same order number, so a payment is never lost and never charged twice. One SQLite file,
//! shared by the CLI and a recovering CLI; the invariants that matter between them (one live
//! attempt per bill, append-only transitions, fixed order numbers) are enforced by SQLite.

mod audit;
mod chain;
pub(crate) mod closing_reads;
mod error;
/// The row decoders for the fuzz targets (`fuzz/`): not an API.
#[doc(hidden)]
pub mod fuzzing;
mod managers;
mod outbox;
mod page;
#[cfg(test)]
mod plans;
mod print_jobs;
mod print_queue;
mod read;
mod refund;
mod row;
mod schema;
mod seal;
mod verify;
mod write;
mod written;
pub(crate) mod z;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};
use serde::Serialize;

use crate::order_no::OrderScheme;
use crate::{AttemptId, AttemptState, BillNo, Channel, Fen};

pub use crate::RefundState;
pub use audit::AuditRecord;
/// The `prev_hash` of a chain's first row.
pub(crate) use chain::GENESIS as GENESIS_HASH;
pub use error::{JournalError, state_zh};
pub use managers::NewManager;
pub use outbox::{ShippedAudit, ShippedSeal, seal_hash};
pub use page::{PageFilter, PageGroup, PageOrder, is_last_four};
pub use print_jobs::PrintJob;
pub use read::Selection;
pub use refund::Refund;
pub use row::AttemptRow;
pub use verify::{Break, Chain, Integrity};
pub use z::ZRequest;

/// The journal's schema version (`PRAGMA user_version` once migrated): what a cache of a
/// journal file, such as the benches' million-attempt one, must be rebuilt for.
pub const SCHEMA_VERSION: usize = schema::VERSION;

/// Another process may hold the write lock for a moment (a recovering CLI next to the till).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite's page cache per connection, in KiB (`PRAGMA cache_size` takes it negative): its own
/// default, written down so the bound is ours. It is most of a till's heap and fills as the
/// journal grows, then stops: the soak measured a till's anonymous memory climbing about 0.1 MB
/// a minute until its writer's cache held 2 MB, then flat, and the same till with a 256 KB cache
/// flat after ten minutes (docs/soak.md, "Memory").
const CACHE_KIB: i64 = 2000;

/// How hard each commit is pushed to disk. Only the benchmark should want anything but `Full`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous=FULL`: the WAL is fsynced at every commit.
    #[default]
    Full,
    /// `synchronous=NORMAL`: fsync only at checkpoints; a power cut may lose the last commits.
    Normal,
}

impl Durability {
    fn pragma_value(self) -> &'static str {
        match self {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        }
    }
}

/// What the till knows before it asks a backend to take money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttempt {
    pub bill: BillNo,
    pub amount: Fen,
    pub channel: Channel,
    pub wallet: Option<String>,
    /// Must already be masked; the schema refuses anything that looks like a clear code.
    pub code_masked: Option<String>,
    pub operator: String,
    /// Makes the order number (and gives the till id the row records).
    pub scheme: OrderScheme,
    /// POS sale bills: what the back office said the bill had been paid before this attempt.
    pub bill_paid_before: Option<Fen>,
}

/// One observed change of an attempt: a backend answer, a timeout, a cashier action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub to: AttemptState,
    /// The backend's raw status or a short summary of its answer, kept for disputes.
    pub raw_status: String,
    /// Replaces the attempt's reason (None clears it).
    pub reason: Option<String>,
    /// Written only when Some: a later answer without a reference must not erase it.
    pub reference: Option<String>,
    /// Written only when Some.
    pub code_url: Option<String>,
    /// Written only when Some: until when an abandoned QR code stays payable.
    pub watch_until: Option<DateTime<Utc>>,
    pub actor: Option<String>,
    pub note: Option<String>,
}

impl Change {
    /// A change to `to` with nothing but the backend's raw status; set the other fields with
    /// struct update syntax: `Change { reference: Some(r), ..Change::new(to, raw) }`.
    pub fn new(to: AttemptState, raw_status: impl Into<String>) -> Change {
        Change {
            to,
            raw_status: raw_status.into(),
            reason: None,
            reference: None,
            code_url: None,
            watch_until: None,
            actor: None,
            note: None,
        }
    }
}

/// `to` defaults to `Unknown`: a change built without saying where it goes must not pass for a
/// definite outcome; an unknown attempt blocks its bill until someone looks at it.
impl Default for Change {
    fn default() -> Change {
        Change::new(AttemptState::Unknown, "")
    }
}

/// Storage settings in force, as SQLite reports them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Storage {
    pub journal_mode: String,
    pub synchronous: &'static str,
}

/// Proof that this process is the till's checkout (or its printer); see [`Journal::claim_till`].
#[derive(Debug)]
pub struct TillClaim {
    _file: std::fs::File,
}

/// One line of an attempt's audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub id: i64,
    pub attempt_id: AttemptId,
    pub at: DateTime<Utc>,
    /// None for the first line, written when the attempt was created.
    pub from_state: Option<AttemptState>,
    pub to_state: AttemptState,
    pub raw_status: String,
    pub reason: Option<String>,
    pub actor: Option<String>,
    pub note: Option<String>,
}

/// The journal file. Cheap to share between threads; each call is one short transaction.
///
/// Writes go through one connection; reads through read-only ones of their own, so that in
/// WAL mode a read never waits for a write's fsync (nor for another read, such as a day
/// report). The checkout engine makes its journal calls through [`Journal::blocking`], off
/// the async runtime's worker threads.
#[derive(Debug)]
pub struct Journal {
    /// Idle read-only connections; a read takes one (or opens one) and puts it back.
    /// Declared, and so dropped, before the writer: the last connection to close checkpoints
    /// the WAL into the file and deletes it, which a read-only one cannot do, and a WAL left
    /// behind is read through again by the next process to open the journal.
    readers: Mutex<Vec<Connection>>,
    writer: Mutex<Connection>,
    path: PathBuf,
    /// Notified when this process queues a print job (a slip owed by a paid payment, a reprint,
    /// a report): the till's print worker waits on it.
    print_signal: tokio::sync::Notify,
    /// Raised after every write this process makes (seals included): the store worker waits on it.
    write_signal: tokio::sync::Notify,
}

impl Journal {
    /// Opens (or creates) the journal at `path` with full durability.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        Journal::open_with(path, Durability::Full)
    }

    /// Opens with a chosen durability; exists for the benchmark that justifies `Full`.
    pub fn open_with(path: &Path, durability: Durability) -> Result<Journal, JournalError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| JournalError::Io(format!("{}: {e}", parent.display())))?;
        }
        let mut conn = Connection::open(path)?;
        // Before anything else: any later statement may meet the other process's lock.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Before anything writes: a database that is not a journal is left exactly as it was.
        refuse_foreign(&conn, path)?;
        let mode = switch_to_wal(&conn)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(JournalError::Sqlite(format!(
                "{}: journal_mode is {mode}, WAL is required",
                path.display()
            )));
        }
        // FULL, by measurement (benches/journal.rs: `begin` + one `record` per attempt, i.e.
        // two fsynced commits, real file, 2-core VM on a virtio disk, three runs):
        //   FULL   0.38-0.74 ms per attempt, 1.3k-2.6k attempts/s
        //   NORMAL 0.12-0.14 ms per attempt, 7.0k-8.5k attempts/s
        // NORMAL is 3-5x faster, but in WAL mode it fsyncs only at checkpoints, so a power cut
        // can lose the last commits, and the last commit is exactly the `sending` row written
        // just before money moved: losing it loses a payment from the journal, and recovery
        // would never query it. Under a millisecond next to a network round trip of hundreds
        // of milliseconds, with one customer at the till, costs nothing anyone can notice.
        conn.pragma_update(None, "synchronous", durability.pragma_value())?;
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // IMMEDIATE for every transaction, the migrations' included: take the write lock up
        // front, so a read-check-write sequence cannot be overtaken by the other process and
        // waits at its start instead of failing with SQLITE_BUSY half-way through.
        conn.set_transaction_behavior(TransactionBehavior::Immediate);
        // rusqlite_migration reads `user_version` outside its transaction, so when two
        // processes open a new (or older) file together, the second one may run a migration
        // the first has just committed, and fail with "table already exists". By then the
        // first one's work is committed, and a second pass finds nothing left to do.
        if let Err(first) = schema::MIGRATIONS.to_latest(&mut conn) {
            tracing::debug!(error = %first, "journal migration raced, trying again");
            schema::MIGRATIONS.to_latest(&mut conn)?;
        }
        // A journal from before the seals is sealed once, as it stands (docs/desk.md).
        seal::seal_old_rows(&mut conn)?;
        // Only when missing: writing the header is a commit, an fsync on every open.
        let id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        if id != APPLICATION_ID {
            conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        }
        Ok(Journal {
            readers: Mutex::new(Vec::new()),
            writer: Mutex::new(conn),
            path: path.to_path_buf(),
            print_signal: tokio::sync::Notify::new(),
            write_signal: tokio::sync::Notify::new(),
        })
    }

    /// Runs journal work on tokio's blocking threads and waits for it without holding up a
    /// worker thread: a write waits for its fsync (0.2-0.8 ms, a few ms on a busy disk), and
    /// the runtime it would stall is the one the UI and the embedded sandbox share. Work
    /// already started finishes even if the caller stops waiting, exactly as a synchronous
    /// call would have; a panic in it is the caller's panic.
    pub async fn blocking<T, F>(self: &Arc<Self>, work: F) -> Result<T, JournalError>
    where
        F: FnOnce(&Journal) -> Result<T, JournalError> + Send + 'static,
        T: Send + 'static,
    {
        let journal = Arc::clone(self);
        off_workers(move || work(&journal))
            .await
            .map_err(|e| JournalError::Io(format!("journal work not run: {e}")))?
    }

    /// Claims this till for the calling process: an exclusive OS lock on `<journal>.till`,
    /// held until the claim is dropped or the process dies (a SIGKILL or a power cut releases
    /// it too). Only the claimant recovers unfinished attempts, so a second `cashier` process
    /// on the same journal never "recovers" a payment the first one is still following.
    /// `None`: another live process holds the till.
    pub fn claim_till(&self) -> Result<Option<TillClaim>, JournalError> {
        self.claim("till")
    }

    /// Claims the print queue for the calling process, as [`Journal::claim_till`] claims the
    /// till (`<journal>.print`): only the claimant prints the queue and takes back the jobs a
    /// stopped process left half-sent, so a second process beside the app (`cashier print`)
    /// never prints again a slip the app is printing. `None`: another live process holds it.
    pub fn claim_print_queue(&self) -> Result<Option<TillClaim>, JournalError> {
        self.claim("print")
    }

    fn claim(&self, what: &str) -> Result<Option<TillClaim>, JournalError> {
        let mut name = self.path.clone().into_os_string();
        name.push(".");
        name.push(what);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&name)
            .map_err(|e| JournalError::Io(format!("{}: {e}", PathBuf::from(&name).display())))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(TillClaim { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(JournalError::Io(format!("locking the {what} claim: {e}")))
            }
        }
    }

    /// What SQLite reports in force on the journal's own connection: the durability the
    /// README promises (WAL, `synchronous=FULL`) is a property of the connection, not the file.
    pub fn storage(&self) -> Result<Storage, JournalError> {
        let conn = self.writer();
        let journal_mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        let synchronous: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
        Ok(Storage {
            journal_mode,
            synchronous: match synchronous {
                0 => "OFF",
                1 => "NORMAL",
                2 => "FULL",
                3 => "EXTRA",
                _ => "unknown",
            },
        })
    }

    /// The write connection. A panic while it was held cannot have left a transaction
    /// half-done (rusqlite rolls back on drop), so a poisoned lock is still safe to use.
    fn writer(&self) -> written::Writer<'_> {
        written::Writer {
            conn: self.writer.lock().unwrap_or_else(PoisonError::into_inner),
            signal: &self.write_signal,
        }
    }

    /// Raised after each write this process makes to the journal (a payment's transition, a
    /// refund, a Z: anything that seals), once for a burst: what wakes the till's store worker.
    /// Writes by another process on the same file do not raise it.
    pub fn write_signal(&self) -> &tokio::sync::Notify {
        &self.write_signal
    }

    /// Runs `read` on a read-only connection of its own, which goes back to the idle ones
    /// afterwards (unless `read` panicked).
    fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, JournalError>,
    ) -> Result<T, JournalError> {
        self.read_as(read)
    }

    /// [`Journal::read`] for work whose own errors are wider than the journal's (a visitor
    /// writing an export).
    fn read_as<T, E: From<JournalError>>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let idle = self
            .readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => open_reader(&self.path)?,
        };
        let result = read(&conn);
        self.readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(conn);
        result
    }
}

/// How much of the journal file a read connection maps: a year of a busy shop (1,000,000
/// attempts) is about a gigabyte; the reads touch only the pages of what they read.
const READ_MAP_BYTES: i64 = 1 << 30;

/// Runs `work` on tokio's blocking threads and waits for it; a panic in it is the caller's
/// panic. `Err` only when the runtime is shutting down, which cancels blocking work before
/// it begins. What [`Journal::blocking`] and the till's slow reads run on.
pub(crate) async fn off_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    match tokio::task::spawn_blocking(work).await {
        Ok(done) => Ok(done),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(e.to_string()),
    }
}

/// Opens a read-only connection to a journal the write connection has already opened (and
/// so migrated and switched to WAL).
fn open_reader(path: &Path) -> Result<Connection, JournalError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // A reader waits only while another process checkpoints or recovers the WAL.
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Pages read straight from the OS's cache instead of copied into SQLite's own, which a
    // write by the till empties anyway: 1.5 of a day report's 14 ms (benches/journal.rs).
    // Only reads map the file; the journal never shrinks, so no mapped page goes away.
    conn.pragma_update(None, "mmap_size", READ_MAP_BYTES)?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    Ok(conn)
}

/// `PRAGMA application_id` of a Cashier journal ("CSHR"), so that no other program's database
/// is ever mistaken for one, nor one for another program's.
const APPLICATION_ID: i32 = 0x4353_4852;

/// Tables the journal's migrations create. A file holding only these and no application id yet is
/// a journal: one written before the id was set, or one another connection is creating right now
/// (it sets the id after the migrations, so every table a migration adds must be listed here, or
/// a second till opening a new file at that moment takes it for another program's).
const JOURNAL_TABLES: [&str; 9] = [
    "attempts",
    "transitions",
    "refunds",
    "managers",
    "audit",
    "seals",
    "z_reports",
    "print_jobs",
    "print_setup",
];

/// Refuses, without writing anything, a database that belongs to another program.
fn refuse_foreign(conn: &Connection, path: &Path) -> Result<(), JournalError> {
    let id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if id == APPLICATION_ID {
        return Ok(());
    }
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )?;
    let tables = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let ours = tables.iter().all(|t| JOURNAL_TABLES.contains(&t.as_str()))
        && (tables.is_empty() || tables.iter().any(|t| t == "attempts"));
    if id == 0 && ours {
        return Ok(());
    }
    Err(JournalError::Foreign(format!(
        "{}: application id {id:#x}, tables {tables:?}",
        path.display()
    )))
}

/// Sets WAL mode and returns the mode in force. SQLite answers "database is locked" at once,
/// without its busy handler, while another connection is creating or converting the same file,
/// so this waits here (found by opening one new file from four threads at once).
fn switch_to_wal(conn: &Connection) -> Result<String, JournalError> {
    let started = Instant::now();
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)) {
            Err(e)
                if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return Ok(other?),
        }
    }
}

/// Timestamps as fixed-width RFC 3339 UTC, so text order is time order.
fn ts(t: DateTime<Utc>) -> String {
    crate::timestamp::text(t)
}
