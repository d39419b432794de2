//! The desk's reads of a range of business days: one page of attempts under filters and a
//! sort, its row count, and the range's totals in one aggregate query (docs/desk.md, "The
//! day's receipts"). A day of 10,000 attempts is never read whole for a screen.
//!
//! The SQL is put together only from the fixed fragments below; everything the manager typed
//! is a bound parameter. Each distinct text is prepared once per connection (`prepare_cached`).

use chrono::NaiveDate;
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::read::last_raw_status;
use super::row::{AttemptRow, select_attempts, text};
use super::{Journal, JournalError};
use crate::{AttemptId, AttemptState, Channel, Fen, timestamp};

/// Which attempts of a range of business days a page, its totals and an export cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFilter {
    /// First and last business day, both included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub channel: Option<Channel>,
    /// Only attempts in one of these states; empty: any state.
    pub states: Vec<AttemptState>,
    pub operator: Option<String>,
    /// Bill or order number containing it; when it is exactly four digits, also a payment
    /// code ending with them. Case-sensitive, no wildcards.
    pub search: Option<String>,
}

/// The column a page is ordered by; ties are broken by id in the same direction, so that
/// every attempt lands on exactly one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageOrder {
    Time,
    Amount,
    Bill,
    Channel,
    /// By state, in the order of `state_rank`'s list (the caller's; see `receipts::page`).
    State,
    Operator,
}

/// One group of the range's aggregate: attempts of one channel and state begun in
/// the same quarter hour (UTC). Every zone's offset is a whole number of quarter hours, so a
/// quarter hour lies within one hour of any business zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageGroup {
    pub channel: Channel,
    pub state: AttemptState,
    /// The quarter hour's start, UTC.
    pub quarter: chrono::DateTime<chrono::Utc>,
    pub count: u64,
    pub amount: Fen,
    pub refunded: Fen,
    /// Sum over the attempts of what was kept: amount less refunded, never below zero.
    pub kept: Fen,
}

const ATTEMPTS: &str = select_attempts!("");
const COUNT: &str = "SELECT COUNT(*) FROM attempts ";
/// `substr(created_at, 1, 13)`: `YYYY-MM-DDTHH`; minutes / 15: the quarter.
const GROUPS: &str = "SELECT channel, state, substr(created_at, 1, 13), \
     CAST(substr(created_at, 15, 2) AS INTEGER) / 15, COUNT(*), SUM(amount_fen), \
     SUM(refunded_fen), SUM(MAX(amount_fen - refunded_fen, 0)) FROM attempts ";
const GROUPS_BY: &str = " GROUP BY 1, 2, 3, 4";
const OPERATORS: &str = "SELECT DISTINCT operator FROM attempts \
     WHERE business_day >= ?1 AND business_day <= ?2 ORDER BY operator";
/// Attempts with a refund part in `unknown` (WeChat's state 5, paid out by hand, is one).
const UNKNOWN_REFUNDS: &str = "SELECT DISTINCT attempt_id FROM refunds \
     WHERE state = 'unknown' ORDER BY attempt_id";

impl Journal {
    /// Hands the attempts of one page to `visit` in order and returns how many attempts the
    /// filter selects in all. `window`: `(offset, limit)`; `None`: every one (an export).
    /// `state_rank`: the state order for [`PageOrder::State`].
    pub fn page<E: From<JournalError>>(
        &self,
        filter: &PageFilter,
        order: PageOrder,
        desc: bool,
        state_rank: &[AttemptState],
        window: Option<(u32, u32)>,
        mut visit: impl FnMut(AttemptRow<'_>) -> Result<(), E>,
    ) -> Result<u64, E> {
        let (clause, params) = where_clause(filter);
        self.read_as(|conn| {
            let total = if window.is_some() {
                let count: i64 = conn
                    .prepare_cached(&format!("{COUNT}{clause}"))
                    .and_then(|mut s| s.query_row(params_from_iter(&params), |r| r.get(0)))
                    .map_err(JournalError::from)?;
                u64::try_from(count).unwrap_or(0)
            } else {
                0
            };
            let mut sql = format!("{ATTEMPTS}{clause}{}", order_by(order, desc, state_rank));
            let mut params = params.clone();
            if let Some((offset, limit)) = window {
                sql.push_str(" LIMIT ? OFFSET ?");
                params.push(Value::Integer(i64::from(limit)));
                params.push(Value::Integer(i64::from(offset)));
            }
            let mut stmt = conn.prepare_cached(&sql).map_err(JournalError::from)?;
            let mut rows = stmt
                .query(params_from_iter(&params))
                .map_err(JournalError::from)?;
            let mut seen = 0u64;
            while let Some(row) = rows.next().map_err(JournalError::from)? {
                visit(AttemptRow::read(row)?)?;
                seen += 1;
            }
            Ok(if window.is_some() { total } else { seen })
        })
    }

    /// The filter's attempts added up by channel, state, and quarter hour: the
    /// summary's one aggregate query.
    pub fn page_groups(&self, filter: &PageFilter) -> Result<Vec<PageGroup>, JournalError> {
        let (clause, params) = where_clause(filter);
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!("{GROUPS}{clause}{GROUPS_BY}"))?;
            let mut rows = stmt.query(params_from_iter(&params))?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(group(row)?);
            }
            Ok(out)
        })
    }

    /// Everyone who took a payment in the range, by name: the operator filter's choices.
    pub fn operators(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<String>, JournalError> {
        let days = [timestamp::day_text(from), timestamp::day_text(to)];
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(OPERATORS)?;
            let names = stmt.query_map(days, |r| r.get::<_, String>(0))?;
            Ok(names.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Attempts with a refund part left `unknown`, which a manager must look into.
    pub fn unknown_refunds(&self) -> Result<Vec<AttemptId>, JournalError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(UNKNOWN_REFUNDS)?;
            let ids = stmt.query_map([], |r| r.get::<_, i64>(0).map(AttemptId))?;
            Ok(ids.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// The backend's last answer about the attempt (its latest transition's raw status).
    pub fn last_answer(&self, id: AttemptId) -> Result<Option<String>, JournalError> {
        self.read(|conn| last_raw_status(conn, id))
    }
}

/// `WHERE …` of fixed fragments, and its parameters in order.
fn where_clause(f: &PageFilter) -> (String, Vec<Value>) {
    let mut sql = String::from("WHERE business_day >= ? AND business_day <= ?");
    let mut params = vec![
        Value::Text(timestamp::day_text(f.from)),
        Value::Text(timestamp::day_text(f.to)),
    ];
    if let Some(c) = f.channel {
        sql.push_str(" AND channel = ?");
        params.push(Value::Text(c.as_str().into()));
    }
    if !f.states.is_empty() {
        sql.push_str(" AND state IN (");
        for (i, s) in f.states.iter().enumerate() {
            sql.push_str(if i == 0 { "?" } else { ", ?" });
            params.push(Value::Text(s.as_str().into()));
        }
        sql.push(')');
    }
    if let Some(op) = &f.operator {
        sql.push_str(" AND operator = ?");
        params.push(Value::Text(op.clone()));
    }
    if let Some(q) = f.search.as_deref().filter(|q| !q.is_empty()) {
        // instr, not LIKE: LIKE ignores ASCII case and reads % and _ as wildcards.
        sql.push_str(" AND (instr(bill, ?) > 0 OR instr(order_no, ?) > 0");
        params.push(Value::Text(q.into()));
        params.push(Value::Text(q.into()));
        if is_last_four(q) {
            sql.push_str(" OR substr(code_masked, -4) = ?");
            params.push(Value::Text(q.into()));
        }
        sql.push(')');
    }
    (sql, params)
}

/// Exactly four ASCII digits: the end of a payment code, as a customer reads it out.
pub fn is_last_four(q: &str) -> bool {
    q.len() == 4 && q.bytes().all(|b| b.is_ascii_digit())
}

fn order_by(order: PageOrder, desc: bool, state_rank: &[AttemptState]) -> String {
    let dir = if desc { " DESC" } else { " ASC" };
    let column = match order {
        PageOrder::Time => "created_at".to_string(),
        PageOrder::Amount => "amount_fen".to_string(),
        PageOrder::Bill => "bill".to_string(),
        PageOrder::Channel => "channel".to_string(),
        PageOrder::Operator => "operator".to_string(),
        PageOrder::State => {
            // Our own state names, never the manager's text.
            let mut case = String::from("CASE state");
            for (i, s) in state_rank.iter().enumerate() {
                case.push_str(&format!(" WHEN '{}' THEN {i}", s.as_str()));
            }
            case.push_str(&format!(" ELSE {} END", state_rank.len()));
            case
        }
    };
    format!(" ORDER BY {column}{dir}, id{dir}")
}

fn group(row: &rusqlite::Row<'_>) -> Result<PageGroup, JournalError> {
    let corrupt = |what: &str, e: String| JournalError::Corrupt(format!("summary: {what}: {e}"));
    let fen = |i: usize| -> Result<Fen, JournalError> {
        let v: i64 = row.get(i)?;
        u64::try_from(v)
            .map(Fen)
            .map_err(|e| corrupt("sum", e.to_string()))
    };
    let hour = text(row, 2)?;
    let quarter: i64 = row.get(3)?;
    let quarter = timestamp::parse(&format!("{hour}:{:02}:00.000Z", quarter * 15))
        .map_err(|e| corrupt("created_at", e))?;
    let count: i64 = row.get(4)?;
    Ok(PageGroup {
        channel: text(row, 0)?.parse().map_err(|e| corrupt("channel", e))?,
        state: super::row::parse_state(text(row, 1)?, 0)?,
        quarter,
        count: u64::try_from(count).unwrap_or(0),
        amount: fen(5)?,
        refunded: fen(6)?,
        kept: fen(7)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_never_in_the_sql() {
        let f = PageFilter {
            from: NaiveDate::default(),
            to: NaiveDate::default(),
            channel: Some(Channel::CloudQr),
            states: vec![AttemptState::Paid],
            operator: Some("x' OR 1=1 --".into()),
            search: Some("7649".into()),
        };
        let (sql, params) = where_clause(&f);
        assert!(!sql.contains("OR 1=1"), "{sql}");
        assert!(!sql.contains("7649"), "{sql}");
        assert_eq!(sql.matches('?').count(), params.len());
    }
}
