//! The journal's write connection, lent out one writer at a time, and the signal that a write
//! ended: whoever ships the journal (the till's store worker) waits on it instead of polling.

use std::ops::{Deref, DerefMut};
use std::sync::MutexGuard;

use rusqlite::Connection;
use tokio::sync::Notify;

/// The write connection while one write holds it. When the write lets it go, its transaction
/// has been committed (or rolled back: a `Transaction` borrows the connection, so it ends
/// first), and the journal's write signal is raised.
pub(super) struct Writer<'a> {
    pub(super) conn: MutexGuard<'a, Connection>,
    pub(super) signal: &'a Notify,
}

impl Deref for Writer<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl DerefMut for Writer<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        // One stored permit: a worker busy shipping when this write ended ships again after,
        // and a burst of writes wakes it once.
        self.signal.notify_one();
    }
}
