//! The journal's reads. A row that does not parse back is reported as `Corrupt`, never a
//! panic: the journal may have been written by another version or touched by hand.
//!
//! Every statement here is a fixed string prepared once per connection (`prepare_cached`),
//! columns are read by position, and every query is answered from an index, so that a read
//! costs the same on a new journal and on one of a million attempts (benches/journal.rs).

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::{FromSqlError, ValueRef};
use rusqlite::{Connection, OptionalExtension, Params, Row, params};

use super::schema::live_states;
use super::{Journal, JournalError, Transition};
use crate::{Attempt, AttemptId, AttemptState, BillNo, Fen};

/// `SELECT` of every attempt column, in the order [`attempt_from_row`] reads them.
macro_rules! select_attempts {
    ($($rest:tt)+) => {
        concat!(
            "SELECT id, bill, amount_fen, channel, order_no, reference, wallet, code_masked, \
             code_url, operator, till, state, reason, created_at, updated_at, business_day, \
             bill_paid_before_fen, watch_until, refunded_fen FROM attempts ",
            $($rest)+
        )
    };
}

pub(super) const BY_ID: &str = select_attempts!("WHERE id = ?1");
pub(super) const BY_ORDER_NO: &str = select_attempts!("WHERE order_no = ?1");
/// Ordered by id, which is the order the attempts were journalled in: unlike `created_at`,
/// it cannot be reordered by a clock that was set back.
pub(super) const BY_BILL: &str = select_attempts!("WHERE bill = ?1 ORDER BY id");
/// The planner, without statistics, scans the whole table for `state IN (...)` rather than
/// the partial index of live attempts (122 ms at 1,000,000 attempts); INDEXED BY makes it
/// use that index, or refuse to prepare if it ever could not, instead of silently scanning.
pub(super) const LIVE: &str = select_attempts!(
    "INDEXED BY attempts_one_live_per_bill WHERE state IN ",
    live_states!(),
    " ORDER BY id"
);
pub(super) const WATCHED: &str =
    select_attempts!("INDEXED BY attempts_watched WHERE state = 'abandoned' ORDER BY id");
pub(super) const BY_DAY: &str = select_attempts!("WHERE business_day = ?1 ORDER BY id");
/// Numbers that start with ?1 are those in [?1, ?2), ?2 being ?1 with its last character
/// raised by one: a range each column's index answers, where `substr` read the whole table.
pub(super) const BY_PREFIX: &str = select_attempts!(
    "WHERE (bill >= ?1 AND bill < ?2) OR (order_no >= ?1 AND order_no < ?2) ORDER BY id"
);
/// The same without an index, for a query whose last character cannot be raised.
/// substr rather than LIKE: LIKE ignores ASCII case and treats % and _ as wildcards, and
/// both can appear in a bill number.
pub(super) const BY_PREFIX_SCAN: &str = select_attempts!(
    "WHERE substr(bill, 1, length(?1)) = ?1 OR substr(order_no, 1, length(?1)) = ?1 \
     ORDER BY id"
);
pub(super) const TRANSITIONS: &str = "SELECT id, attempt_id, at, from_state, to_state, \
     raw_status, reason, actor, note FROM transitions WHERE attempt_id = ?1 ORDER BY id";
pub(super) const LAST_RAW_STATUS: &str =
    "SELECT raw_status FROM transitions WHERE attempt_id = ?1 ORDER BY id DESC LIMIT 1";
pub(super) const COLLECTED: &str = "SELECT COALESCE(SUM(amount_fen), 0) FROM attempts \
     WHERE bill = ?1 AND state IN ('paid', 'partly_paid', 'part_refunded')";

impl Journal {
    pub fn get(&self, id: AttemptId) -> Result<Option<Attempt>, JournalError> {
        self.read(|conn| attempt_by_id(conn, id))
    }

    pub fn by_order_no(&self, order_no: &str) -> Result<Option<Attempt>, JournalError> {
        self.read(|conn| Ok(attempts(conn, BY_ORDER_NO, [order_no])?.pop()))
    }

    /// Every attempt on the bill, oldest first.
    pub fn by_bill(&self, bill: &BillNo) -> Result<Vec<Attempt>, JournalError> {
        self.read(|conn| attempts(conn, BY_BILL, [bill.as_str()]))
    }

    /// Attempts that may still take money: what recovery must query, oldest first.
    pub fn live(&self) -> Result<Vec<Attempt>, JournalError> {
        self.read(|conn| attempts(conn, LIVE, []))
    }

    /// Abandoned QR codes the customer may still pay, oldest first.
    pub fn watched(&self) -> Result<Vec<Attempt>, JournalError> {
        self.read(|conn| attempts(conn, WATCHED, []))
    }

    /// The attempt's audit trail, oldest first.
    pub fn transitions(&self, id: AttemptId) -> Result<Vec<Transition>, JournalError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(TRANSITIONS)?;
            let mut rows = stmt.query([id.0])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(transition_from_row(row)?);
            }
            Ok(out)
        })
    }

    /// Attempts of one business day, oldest first.
    pub fn day(&self, day: NaiveDate) -> Result<Vec<Attempt>, JournalError> {
        let day = day.format("%Y-%m-%d").to_string();
        self.read(|conn| attempts(conn, BY_DAY, [day]))
    }

    /// Attempts whose bill or order number is, or starts with, `query` (surrounding
    /// whitespace ignored, case-sensitive), oldest first. An empty query finds nothing.
    pub fn search(&self, query: &str) -> Result<Vec<Attempt>, JournalError> {
        let query = query.trim();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        self.read(|conn| match prefix_end(query) {
            Some(end) => attempts(conn, BY_PREFIX, [query, end.as_str()]),
            None => attempts(conn, BY_PREFIX_SCAN, [query]),
        })
    }

    /// Money received on the bill so far: the sum of its paid and partly paid attempts.
    pub fn bill_collected(&self, bill: &BillNo) -> Result<Fen, JournalError> {
        let sum: i64 = self.read(|conn| {
            Ok(conn
                .prepare_cached(COLLECTED)?
                .query_row([bill.as_str()], |r| r.get(0))?)
        })?;
        u64::try_from(sum)
            .map(Fen)
            .map_err(|_| JournalError::Corrupt(format!("bill {bill}: collected sum {sum}")))
    }
}

/// The first text after every text that starts with `prefix`, in SQLite's binary order:
/// `prefix` with its last character raised by one. Only for an ASCII last character (bill and
/// order numbers are printable ASCII), so the result is still ASCII text.
fn prefix_end(prefix: &str) -> Option<String> {
    let (&last, _) = prefix.as_bytes().split_last()?;
    if last >= 0x7F {
        return None;
    }
    // The last byte is ASCII, so it is a whole character and the rest is still text.
    let head = prefix.get(..prefix.len() - 1)?;
    let mut end = String::with_capacity(prefix.len());
    end.push_str(head);
    end.push(char::from(last + 1));
    Some(end)
}

pub(super) fn attempt_by_id(
    conn: &Connection,
    id: AttemptId,
) -> Result<Option<Attempt>, JournalError> {
    conn.prepare_cached(BY_ID)?
        .query_row([id.0], |row| Ok(attempt_from_row(row)))
        .optional()?
        .transpose()
}

/// The raw status of the attempt's latest transition.
pub(super) fn last_raw_status(
    conn: &Connection,
    id: AttemptId,
) -> Result<Option<String>, JournalError> {
    Ok(conn
        .prepare_cached(LAST_RAW_STATUS)?
        .query_row(params![id.0], |r| r.get(0))
        .optional()?)
}

fn attempts(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> Result<Vec<Attempt>, JournalError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(attempt_from_row(row)?);
    }
    Ok(out)
}

/// Text borrowed from the row, without a copy: for the columns that are parsed anyway.
fn text<'r>(row: &'r Row<'_>, i: usize) -> Result<&'r str, JournalError> {
    row.get_ref(i)?.as_str().map_err(|e| wrong_type(row, i, e))
}

fn opt_text<'r>(row: &'r Row<'_>, i: usize) -> Result<Option<&'r str>, JournalError> {
    match row.get_ref(i)? {
        ValueRef::Null => Ok(None),
        value => value.as_str().map(Some).map_err(|e| wrong_type(row, i, e)),
    }
}

/// SQLite keeps what it is given whatever the column says: not text is a corrupt row.
fn wrong_type(row: &Row<'_>, i: usize, e: FromSqlError) -> JournalError {
    let column = row.as_ref().column_name(i).unwrap_or("?");
    JournalError::Corrupt(format!("{column}: {e}"))
}

/// Reads the columns of [`select_attempts`], by position.
fn attempt_from_row(row: &Row<'_>) -> Result<Attempt, JournalError> {
    let id: i64 = row.get(0)?;
    let corrupt =
        |what: &str, e: String| JournalError::Corrupt(format!("attempt {id}: {what}: {e}"));
    let bill = text(row, 1)?;
    let amount: i64 = row.get(2)?;
    let channel = text(row, 3)?;
    let state = text(row, 11)?;
    let created_at = text(row, 13)?;
    let updated_at = text(row, 14)?;
    let business_day = text(row, 15)?;
    let paid_before: Option<i64> = row.get(16)?;
    let watch_until = opt_text(row, 17)?;
    let refunded: i64 = row.get(18)?;
    Ok(Attempt {
        id: AttemptId(id),
        bill: BillNo::parse(bill).map_err(|e| corrupt("bill", e.to_string()))?,
        amount: u64::try_from(amount)
            .map(Fen)
            .map_err(|e| corrupt("amount_fen", e.to_string()))?,
        channel: channel.parse().map_err(|e| corrupt("channel", e))?,
        order_no: row.get(4)?,
        reference: row.get(5)?,
        wallet: row.get(6)?,
        code_masked: row.get(7)?,
        code_url: row.get(8)?,
        operator: row.get(9)?,
        till: row.get(10)?,
        state: parse_state(state, id)?,
        reason: row.get(12)?,
        created_at: parse_time(created_at).map_err(|e| corrupt("created_at", e))?,
        updated_at: parse_time(updated_at).map_err(|e| corrupt("updated_at", e))?,
        // The schema holds it to NNNN-NN-NN; `FromStr` reads that without parsing a format.
        business_day: business_day
            .parse::<NaiveDate>()
            .map_err(|e| corrupt("business_day", format!("{business_day:?}: {e}")))?,
        bill_paid_before: paid_before
            .map(|f| u64::try_from(f).map(Fen))
            .transpose()
            .map_err(|e| corrupt("bill_paid_before_fen", e.to_string()))?,
        watch_until: watch_until
            .map(parse_time)
            .transpose()
            .map_err(|e| corrupt("watch_until", e))?,
        refunded: u64::try_from(refunded)
            .map(Fen)
            .map_err(|e| corrupt("refunded_fen", e.to_string()))?,
    })
}

fn transition_from_row(row: &Row<'_>) -> Result<Transition, JournalError> {
    let id: i64 = row.get(0)?;
    let attempt_id: i64 = row.get(1)?;
    let at = text(row, 2)?;
    let from_state = opt_text(row, 3)?;
    let to_state = text(row, 4)?;
    Ok(Transition {
        id,
        attempt_id: AttemptId(attempt_id),
        at: parse_time(at)
            .map_err(|e| JournalError::Corrupt(format!("transition {id}: at: {e}")))?,
        from_state: from_state.map(|s| parse_state(s, attempt_id)).transpose()?,
        to_state: parse_state(to_state, attempt_id)?,
        raw_status: row.get(5)?,
        reason: row.get(6)?,
        actor: row.get(7)?,
        note: row.get(8)?,
    })
}

pub(super) fn parse_state(s: &str, attempt_id: i64) -> Result<AttemptState, JournalError> {
    s.parse()
        .map_err(|e| JournalError::Corrupt(format!("attempt {attempt_id}: {e}")))
}

pub(super) fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{s:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::schema;

    #[test]
    fn prefix_end_raises_the_last_ascii_character() {
        assert_eq!(prefix_end("A-10").as_deref(), Some("A-11"));
        assert_eq!(prefix_end("B9").as_deref(), Some("B:"));
        assert_eq!(prefix_end("A~").as_deref(), Some("A\u{7f}"));
        // No ASCII character follows these: such queries scan instead.
        assert_eq!(prefix_end("A\u{7f}"), None);
        assert_eq!(prefix_end("单"), None);
        assert_eq!(prefix_end("A单"), None);
        assert_eq!(prefix_end(""), None);
    }

    /// The range finds, in SQLite's own order, exactly what `substr` finds.
    #[test]
    fn the_prefix_range_finds_what_the_scan_finds() {
        let mut conn = Connection::open_in_memory().unwrap();
        schema::MIGRATIONS.to_latest(&mut conn).unwrap();
        let bills = [
            "A-10", "A-101", "A-10~", "A-1", "A-11", "A-0", "a-10", "A-10 x", "A", "B9", "B:",
            "B99", "Z~", "Z~~", "~",
        ];
        for (n, bill) in bills.iter().enumerate() {
            conn.execute(
                "INSERT INTO attempts (bill, amount_fen, channel, order_no, operator, till,
                     state, created_at, updated_at, business_day)
                 VALUES (?1, 1, 'cloud-barcode', ?2, 'op', '01', 'paid',
                     '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01')",
                params![bill, format!("ORD{n:03}")],
            )
            .unwrap();
        }
        let found = |sql: &str, p: &[&str]| -> Vec<i64> {
            attempts(&conn, sql, rusqlite::params_from_iter(p))
                .unwrap()
                .into_iter()
                .map(|a| a.id.0)
                .collect()
        };
        for query in [
            "A-10", "A-1", "A", "B9", "B", "Z~", "~", "ORD00", "ORD01", "a", "x",
        ] {
            let end = prefix_end(query).unwrap();
            let ranged = found(BY_PREFIX, &[query, &end]);
            let scanned = found(BY_PREFIX_SCAN, &[query]);
            assert_eq!(ranged, scanned, "{query}");
        }
        assert_eq!(found(BY_PREFIX, &["A-10", "A-11"]), vec![1, 2, 3, 8]);
    }
}
