//! The journal's reads.
//!
//! Every statement here is a fixed string prepared once per connection (`prepare_cached`),
//! columns are read by position, and every query is answered from an index, so that a read
//! costs the same on a new journal and on one of a million attempts (benches/journal.rs).

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Params, Row, params};

use super::row::{AttemptRow, opt_text, parse_state, parse_time, select_attempts, text};
use super::schema::live_states;
use super::{Journal, JournalError, Transition};
use crate::{Attempt, AttemptId, BillNo, Fen};

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
        self.read(|conn| rows_of(conn, TRANSITIONS, id, transition_from_row))
    }

    /// Attempts of one business day, oldest first.
    pub fn day(&self, day: NaiveDate) -> Result<Vec<Attempt>, JournalError> {
        self.owned(&Selection::Day(day))
    }

    /// Attempts whose bill or order number is, or starts with, `query` (surrounding
    /// whitespace ignored, case-sensitive), oldest first. An empty query finds nothing.
    pub fn search(&self, query: &str) -> Result<Vec<Attempt>, JournalError> {
        self.owned(&Selection::Search(query.to_string()))
    }

    fn owned(&self, selection: &Selection) -> Result<Vec<Attempt>, JournalError> {
        let mut out = Vec::new();
        self.each(selection, |row| {
            out.push(row.to_attempt());
            Ok::<(), JournalError>(())
        })?;
        Ok(out)
    }

    /// Hands each selected attempt to `visit`, oldest first, as a row borrowed from SQLite,
    /// and stops at the first error, the visitor's own included: how a day's report is
    /// totalled and written out without holding the day in memory.
    pub fn each<E: From<JournalError>>(
        &self,
        selection: &Selection,
        mut visit: impl FnMut(AttemptRow<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.read_as(|conn| match selection {
            Selection::Day(day) => {
                let day = crate::timestamp::day_text(*day);
                each_row(conn, BY_DAY, [day], &mut visit)
            }
            Selection::Search(query) => match query.trim() {
                "" => Ok(()),
                query => match prefix_end(query) {
                    Some(end) => each_row(conn, BY_PREFIX, [query, end.as_str()], &mut visit),
                    None => each_row(conn, BY_PREFIX_SCAN, [query], &mut visit),
                },
            },
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
        .query_row([id.0], |row| {
            Ok(AttemptRow::read(row).map(|a| a.to_attempt()))
        })
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

/// Which attempts a report or an export covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// One business day's.
    Day(NaiveDate),
    /// Those whose bill or order number starts with the text ([`Journal::search`]).
    Search(String),
}

fn attempts(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> Result<Vec<Attempt>, JournalError> {
    let mut out = Vec::new();
    each_row(conn, sql, params, &mut |row: AttemptRow<'_>| {
        out.push(row.to_attempt());
        Ok::<(), JournalError>(())
    })?;
    Ok(out)
}

/// Every row `sql` selects for one attempt (`?1`), in the query's order: its transitions, its
/// refund parts.
pub(super) fn rows_of<T>(
    conn: &Connection,
    sql: &str,
    id: AttemptId,
    from_row: fn(&Row<'_>) -> Result<T, JournalError>,
) -> Result<Vec<T>, JournalError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query([id.0])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(from_row(row)?);
    }
    Ok(out)
}

fn each_row<E: From<JournalError>>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    visit: &mut impl FnMut(AttemptRow<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let mut stmt = conn.prepare_cached(sql).map_err(JournalError::from)?;
    let mut rows = stmt.query(params).map_err(JournalError::from)?;
    while let Some(row) = rows.next().map_err(JournalError::from)? {
        visit(AttemptRow::read(row)?)?;
    }
    Ok(())
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
