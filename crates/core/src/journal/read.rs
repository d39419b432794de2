//! The journal's reads. A row that does not parse back is reported as `Corrupt`, never a
//! panic: the journal may have been written by another version or touched by hand.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Params, Row, params};

use super::schema::LIVE_STATES_SQL;
use super::{Journal, JournalError, Transition};
use crate::{Attempt, AttemptId, AttemptState, BillNo, Fen};

const ATTEMPT_COLUMNS: &str = "id, bill, amount_fen, channel, order_no, reference, wallet, \
     code_masked, code_url, operator, till, state, reason, created_at, updated_at, business_day, \
     bill_paid_before_fen, watch_until, refunded_fen";

impl Journal {
    pub fn get(&self, id: AttemptId) -> Result<Option<Attempt>, JournalError> {
        attempt_by_id(&self.conn(), id)
    }

    pub fn by_order_no(&self, order_no: &str) -> Result<Option<Attempt>, JournalError> {
        let mut found = attempts_where(&self.conn(), "order_no = ?1", [order_no])?;
        Ok(found.pop())
    }

    /// Every attempt on the bill, oldest first.
    pub fn by_bill(&self, bill: &BillNo) -> Result<Vec<Attempt>, JournalError> {
        attempts_where(&self.conn(), "bill = ?1", [bill.as_str()])
    }

    /// Attempts that may still take money: what recovery must query, oldest first.
    pub fn live(&self) -> Result<Vec<Attempt>, JournalError> {
        attempts_where(&self.conn(), &format!("state IN {LIVE_STATES_SQL}"), [])
    }

    /// Abandoned QR codes the customer may still pay, oldest first.
    pub fn watched(&self) -> Result<Vec<Attempt>, JournalError> {
        attempts_where(&self.conn(), "state = 'abandoned'", [])
    }

    /// The attempt's audit trail, oldest first.
    pub fn transitions(&self, id: AttemptId) -> Result<Vec<Transition>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, attempt_id, at, from_state, to_state, raw_status, reason, actor, note
             FROM transitions WHERE attempt_id = ?1 ORDER BY id",
        )?;
        let mut rows = stmt.query([id.0])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(transition_from_row(row)?);
        }
        Ok(out)
    }

    /// Attempts of one business day, oldest first.
    pub fn day(&self, day: NaiveDate) -> Result<Vec<Attempt>, JournalError> {
        let day = day.format("%Y-%m-%d").to_string();
        attempts_where(&self.conn(), "business_day = ?1", [day])
    }

    /// Attempts whose bill or order number is, or starts with, `query` (surrounding
    /// whitespace ignored, case-sensitive), oldest first. An empty query finds nothing.
    pub fn search(&self, query: &str) -> Result<Vec<Attempt>, JournalError> {
        let query = query.trim();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        // substr rather than LIKE: LIKE ignores ASCII case and treats % and _ as wildcards,
        // and both can appear in a bill number.
        attempts_where(
            &self.conn(),
            "substr(bill, 1, length(?1)) = ?1 OR substr(order_no, 1, length(?1)) = ?1",
            [query],
        )
    }

    /// Money received on the bill so far: the sum of its paid and partly paid attempts.
    pub fn bill_collected(&self, bill: &BillNo) -> Result<Fen, JournalError> {
        let sum: i64 = self.conn().query_row(
            "SELECT COALESCE(SUM(amount_fen), 0) FROM attempts
             WHERE bill = ?1 AND state IN ('paid', 'partly_paid', 'part_refunded')",
            [bill.as_str()],
            |r| r.get(0),
        )?;
        u64::try_from(sum)
            .map(Fen)
            .map_err(|_| JournalError::Corrupt(format!("bill {bill}: collected sum {sum}")))
    }
}

pub(super) fn attempt_by_id(
    conn: &Connection,
    id: AttemptId,
) -> Result<Option<Attempt>, JournalError> {
    let mut found = attempts_where(conn, "id = ?1", [id.0])?;
    Ok(found.pop())
}

/// The raw status of the attempt's latest transition.
pub(super) fn last_raw_status(
    conn: &Connection,
    id: AttemptId,
) -> Result<Option<String>, JournalError> {
    Ok(conn
        .query_row(
            "SELECT raw_status FROM transitions WHERE attempt_id = ?1 ORDER BY id DESC LIMIT 1",
            params![id.0],
            |r| r.get(0),
        )
        .optional()?)
}

/// Ordered by id, which is the order the attempts were journalled in: unlike `created_at`,
/// it cannot be reordered by a clock that was set back.
fn attempts_where(
    conn: &Connection,
    condition: &str,
    params: impl Params,
) -> Result<Vec<Attempt>, JournalError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE {condition} ORDER BY id"
    ))?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(attempt_from_row(row)?);
    }
    Ok(out)
}

fn attempt_from_row(row: &Row<'_>) -> Result<Attempt, JournalError> {
    let id: i64 = row.get("id")?;
    let corrupt =
        |what: &str, e: String| JournalError::Corrupt(format!("attempt {id}: {what}: {e}"));
    let bill: String = row.get("bill")?;
    let amount: i64 = row.get("amount_fen")?;
    let channel: String = row.get("channel")?;
    let state: String = row.get("state")?;
    let created_at: String = row.get("created_at")?;
    let updated_at: String = row.get("updated_at")?;
    let business_day: String = row.get("business_day")?;
    let paid_before: Option<i64> = row.get("bill_paid_before_fen")?;
    let watch_until: Option<String> = row.get("watch_until")?;
    let refunded: i64 = row.get("refunded_fen")?;
    Ok(Attempt {
        id: AttemptId(id),
        bill: BillNo::parse(&bill).map_err(|e| corrupt("bill", e.to_string()))?,
        amount: u64::try_from(amount)
            .map(Fen)
            .map_err(|e| corrupt("amount_fen", e.to_string()))?,
        channel: channel.parse().map_err(|e| corrupt("channel", e))?,
        order_no: row.get("order_no")?,
        reference: row.get("reference")?,
        wallet: row.get("wallet")?,
        code_masked: row.get("code_masked")?,
        code_url: row.get("code_url")?,
        operator: row.get("operator")?,
        till: row.get("till")?,
        state: parse_state(&state, id)?,
        reason: row.get("reason")?,
        created_at: parse_time(&created_at).map_err(|e| corrupt("created_at", e))?,
        updated_at: parse_time(&updated_at).map_err(|e| corrupt("updated_at", e))?,
        business_day: NaiveDate::parse_from_str(&business_day, "%Y-%m-%d")
            .map_err(|e| corrupt("business_day", format!("{business_day:?}: {e}")))?,
        bill_paid_before: paid_before
            .map(|f| u64::try_from(f).map(Fen))
            .transpose()
            .map_err(|e| corrupt("bill_paid_before_fen", e.to_string()))?,
        watch_until: watch_until
            .map(|t| parse_time(&t))
            .transpose()
            .map_err(|e| corrupt("watch_until", e))?,
        refunded: u64::try_from(refunded)
            .map(Fen)
            .map_err(|e| corrupt("refunded_fen", e.to_string()))?,
    })
}

fn transition_from_row(row: &Row<'_>) -> Result<Transition, JournalError> {
    let id: i64 = row.get("id")?;
    let attempt_id: i64 = row.get("attempt_id")?;
    let at: String = row.get("at")?;
    let from_state: Option<String> = row.get("from_state")?;
    let to_state: String = row.get("to_state")?;
    Ok(Transition {
        id,
        attempt_id: AttemptId(attempt_id),
        at: parse_time(&at)
            .map_err(|e| JournalError::Corrupt(format!("transition {id}: at: {e}")))?,
        from_state: from_state
            .map(|s| parse_state(&s, attempt_id))
            .transpose()?,
        to_state: parse_state(&to_state, attempt_id)?,
        raw_status: row.get("raw_status")?,
        reason: row.get("reason")?,
        actor: row.get("actor")?,
        note: row.get("note")?,
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
