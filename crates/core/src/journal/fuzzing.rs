//! The journal's row decoding, reachable from the fuzz targets (`fuzz/`), which cannot build a
//! `rusqlite::Row` of their own: stored values go in as SQLite values, through a `SELECT` of
//! bound parameters, and come out through the very readers the journal uses. Not an API.

use std::cell::RefCell;

use rusqlite::Connection;
pub use rusqlite::types::Value;

use super::JournalError;
use super::refund::{Refund, refund_from_row};
use super::row::AttemptRow;
use crate::{Attempt, timestamp};

/// The columns of an attempt row, in `select_attempts!` order.
pub const ATTEMPT_COLUMNS: usize = 19;
/// The columns of a refund row, in `REFUND_COLUMNS` order.
pub const REFUND_COLUMNS: usize = 11;

thread_local! {
    /// One in-memory connection per thread: opening SQLite per input would be most of the cost.
    static DB: RefCell<Option<Connection>> = const { RefCell::new(None) };
}

fn select<T>(
    values: &[Value],
    read: impl FnOnce(&rusqlite::Row<'_>) -> Result<T, JournalError>,
) -> Result<T, JournalError> {
    DB.with(|db| {
        let mut db = db.borrow_mut();
        let conn = match db.as_mut() {
            Some(c) => c,
            None => db.insert(Connection::open_in_memory()?),
        };
        let params: Vec<String> = (1..=values.len()).map(|i| format!("?{i}")).collect();
        let mut stmt = conn.prepare_cached(&format!("SELECT {}", params.join(", ")))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(values.iter()))?;
        match rows.next()? {
            Some(row) => read(row),
            None => Err(JournalError::Corrupt("no row".into())),
        }
    })
}

/// An attempt row's stored values read as the journal reads them.
pub fn decode_attempt(values: &[Value; ATTEMPT_COLUMNS]) -> Result<Attempt, JournalError> {
    select(values, |row| AttemptRow::read(row).map(|r| r.to_attempt()))
}

/// An attempt as the journal stores it (text as `write.rs` writes it).
pub fn encode_attempt(a: &Attempt) -> [Value; ATTEMPT_COLUMNS] {
    let text = |s: &str| Value::Text(s.to_string());
    let opt = |s: &Option<String>| s.as_deref().map_or(Value::Null, text);
    let fen = |f: crate::Fen| Value::Integer(i64::try_from(f.0).unwrap_or(i64::MAX));
    [
        Value::Integer(a.id.0),
        text(a.bill.as_str()),
        fen(a.amount),
        text(a.channel.as_str()),
        text(&a.order_no),
        opt(&a.reference),
        opt(&a.wallet),
        opt(&a.code_masked),
        opt(&a.code_url),
        text(&a.operator),
        text(&a.till),
        text(a.state.as_str()),
        opt(&a.reason),
        Value::Text(timestamp::text(a.created_at)),
        Value::Text(timestamp::text(a.updated_at)),
        Value::Text(timestamp::day_text(a.business_day)),
        a.bill_paid_before.map_or(Value::Null, fen),
        a.watch_until
            .map_or(Value::Null, |t| Value::Text(timestamp::text(t))),
        fen(a.refunded),
    ]
}

/// A refund row's stored values read as the journal reads them.
pub fn decode_refund(values: &[Value; REFUND_COLUMNS]) -> Result<Refund, JournalError> {
    select(values, refund_from_row)
}

/// A refund part as the journal stores it.
pub fn encode_refund(r: &Refund) -> [Value; REFUND_COLUMNS] {
    let text = |s: &str| Value::Text(s.to_string());
    [
        Value::Integer(r.id),
        Value::Integer(r.attempt_id.0),
        Value::Integer(i64::from(r.part)),
        text(&r.refund_no),
        Value::Integer(i64::try_from(r.amount.0).unwrap_or(i64::MAX)),
        text(r.state.as_str()),
        r.reason.as_deref().map_or(Value::Null, text),
        text(&r.manager),
        text(&r.note),
        Value::Text(timestamp::text(r.created_at)),
        Value::Text(timestamp::text(r.updated_at)),
    ]
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use rusqlite::Connection;

    use super::*;
    use crate::journal::row::select_attempts;
    use crate::journal::{Change, Journal, JournalError, NewAttempt};
    use crate::order_no::OrderScheme;
    use crate::{AttemptState, BillNo, Channel, Fen};

    /// The encoding the fuzz target writes back is the journal's own: an attempt written by
    /// `Journal::begin` and `record` is stored as `encode_attempt` says, and reads back as itself.
    #[test]
    fn an_attempt_is_stored_as_encode_attempt_writes_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        let j = Journal::open(&path).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 8, 15, 0).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let new = NewAttempt {
            bill: BillNo::parse("B-1001").unwrap(),
            amount: Fen(1234),
            channel: Channel::CloudBarcode,
            wallet: Some("wechat".into()),
            code_masked: Some("1345**********7649".into()),
            operator: "op7".into(),
            scheme: OrderScheme::internal("CA", "T01").unwrap(),
            bill_paid_before: Some(Fen(100)),
        };
        let a = j.begin(new, now, day, 7).unwrap();
        let change = Change {
            reference: Some("T1".into()),
            reason: Some("USERPAYING".into()),
            ..Change::new(AttemptState::Pending, "USERPAYING")
        };
        let a = j.record(a.id, change, now).unwrap();
        drop(j);
        let conn = Connection::open(&path).unwrap();
        let stored: Vec<Value> = conn
            .query_row(select_attempts!("WHERE id = ?1"), [a.id.0], |row| {
                (0..ATTEMPT_COLUMNS)
                    .map(|i| row.get::<_, Value>(i))
                    .collect()
            })
            .unwrap();
        assert_eq!(stored, encode_attempt(&a));
        assert_eq!(decode_attempt(&encode_attempt(&a)).unwrap(), a);
    }

    #[test]
    fn a_row_that_does_not_read_is_corrupt() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 8, 15, 0).unwrap();
        let good = crate::Attempt {
            id: crate::AttemptId(1),
            bill: BillNo::parse("B").unwrap(),
            amount: Fen(1),
            channel: Channel::WechatQr,
            order_no: "CA01".into(),
            reference: None,
            wallet: None,
            code_masked: None,
            code_url: None,
            operator: "op".into(),
            till: "01".into(),
            state: AttemptState::Shown,
            reason: None,
            created_at: now,
            updated_at: now,
            business_day: now.date_naive(),
            bill_paid_before: None,
            watch_until: None,
            refunded: Fen(0),
        };
        let row = encode_attempt(&good);
        assert_eq!(decode_attempt(&row).unwrap(), good);
        for (col, bad) in [
            (2, Value::Integer(-1)),
            (3, Value::Text("cash".into())),
            (1, Value::Blob(vec![0xff])),
            (13, Value::Real(1.5)),
            (15, Value::Text("2026-02-30".into())),
        ] {
            let mut row = row.clone();
            row[col] = bad;
            assert!(
                matches!(decode_attempt(&row), Err(JournalError::Corrupt(_))),
                "column {col}"
            );
        }
    }
}
