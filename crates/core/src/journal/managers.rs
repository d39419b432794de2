//! The `managers` table: accounts, their PIN hashes, and the wrong-PIN count and lock, kept
//! here so that a restart does not reset a lock (docs/desk.md).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::{Journal, JournalError, ts};
use crate::managers::ManagerId;
use crate::managers::ManagerRow;
use crate::managers::lock::PinCount;

const COLUMNS: &str = "id, name, pin_hash, staff_id, demo, active, failed_pins, lockouts, \
                       locked_until";

fn manager_row(r: &Row<'_>) -> rusqlite::Result<(ManagerRow, Option<String>)> {
    Ok((
        ManagerRow {
            id: ManagerId(r.get(0)?),
            name: r.get(1)?,
            pin_hash: r.get(2)?,
            staff_id: r.get(3)?,
            demo: r.get::<_, i64>(4)? == 1,
            active: r.get::<_, i64>(5)? == 1,
            count: PinCount {
                failed: r.get(6)?,
                lockouts: r.get(7)?,
                locked_until: None,
            },
        },
        r.get(8)?,
    ))
}

/// The row with its lock's end read back (a text the journal wrote).
fn finish((mut row, until): (ManagerRow, Option<String>)) -> Result<ManagerRow, JournalError> {
    row.count.locked_until = until
        .map(|u| crate::timestamp::parse(&u))
        .transpose()
        .map_err(JournalError::Corrupt)?;
    Ok(row)
}

fn get(conn: &Connection, id: ManagerId) -> Result<Option<ManagerRow>, JournalError> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM managers WHERE id = ?1"),
        [id.0],
        manager_row,
    )
    .optional()?
    .map(finish)
    .transpose()
}

/// A new account's fields.
pub struct NewManager<'a> {
    pub name: &'a str,
    pub pin_hash: &'a str,
    pub staff_id: Option<&'a str>,
    pub demo: bool,
}

impl Journal {
    /// Adds an account; `Ok(None)` when a manager of that name exists (names tell them apart
    /// when choosing who approves).
    pub fn insert_manager(
        &self,
        m: &NewManager<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<ManagerId>, JournalError> {
        let conn = self.writer();
        let taken: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM managers WHERE name = ?1)",
            [m.name],
            |r| r.get(0),
        )?;
        if taken {
            return Ok(None);
        }
        let at = ts(now);
        conn.execute(
            "INSERT INTO managers (name, pin_hash, staff_id, demo, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![m.name, m.pin_hash, m.staff_id, i64::from(m.demo), at],
        )?;
        Ok(Some(ManagerId(conn.last_insert_rowid())))
    }

    /// Every account, in the order they were added.
    pub fn managers(&self) -> Result<Vec<ManagerRow>, JournalError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM managers ORDER BY id"))?;
            let rows = stmt
                .query_map([], manager_row)?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter().map(finish).collect()
        })
    }

    pub fn manager(&self, id: ManagerId) -> Result<Option<ManagerRow>, JournalError> {
        self.read(|conn| get(conn, id))
    }

    /// Counts a checked PIN, right or wrong, and sets or clears the lock, in one transaction
    /// with reading the count it starts from (two tries at once count twice). `None`: no
    /// such manager.
    pub fn record_pin(
        &self,
        id: ManagerId,
        right: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<ManagerRow>, JournalError> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(mut row) = get(&tx, id)? else {
            return Ok(None);
        };
        row.count = if right {
            row.count.right()
        } else {
            row.count.wrong(now)
        };
        tx.execute(
            "UPDATE managers SET failed_pins = ?2, lockouts = ?3, locked_until = ?4,
                 updated_at = ?5 WHERE id = ?1",
            params![
                id.0,
                row.count.failed,
                row.count.lockouts,
                row.count.locked_until.map(ts),
                ts(now)
            ],
        )?;
        tx.commit()?;
        Ok(Some(row))
    }

    /// Disables an account; `Ok(false)` when it is the last active one (checked in the same
    /// transaction, so two disables at once cannot leave none).
    pub fn disable_manager(&self, id: ManagerId, now: DateTime<Utc>) -> Result<bool, JournalError> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let others: i64 = tx.query_row(
            "SELECT count(*) FROM managers WHERE active = 1 AND id <> ?1",
            [id.0],
            |r| r.get(0),
        )?;
        if others == 0 {
            return Ok(false);
        }
        tx.execute(
            "UPDATE managers SET active = 0, updated_at = ?2 WHERE id = ?1",
            params![id.0, ts(now)],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Replaces a manager's PIN hash and/or staff id (`Some(None)` clears the staff id).
    pub fn change_manager(
        &self,
        id: ManagerId,
        pin_hash: Option<&str>,
        staff_id: Option<Option<&str>>,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let conn = self.writer();
        let at = ts(now);
        if let Some(hash) = pin_hash {
            conn.execute(
                "UPDATE managers SET pin_hash = ?2, updated_at = ?3 WHERE id = ?1",
                params![id.0, hash, at],
            )?;
        }
        if let Some(staff) = staff_id {
            conn.execute(
                "UPDATE managers SET staff_id = ?2, updated_at = ?3 WHERE id = ?1",
                params![id.0, staff, at],
            )?;
        }
        Ok(())
    }
}
