//! Every attempt, transition and refund row against its seals, and every seal against its row.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row};
use serde_json::{Map, Value};

use super::{Break, Chain, brk, differs, parse_body};
use crate::journal::JournalError;
use crate::journal::seal::{
    ATTEMPT_SEALED, REFUND_SEALED, REFUND_STATE_SEALED, TRANSITION_SEALED, Z_SEALED,
};

/// A row read by position from column `start` on, under the names of `columns`.
fn row_map(row: &Row<'_>, columns: &str, start: usize) -> Result<Map<String, Value>, JournalError> {
    let mut out = Map::new();
    for (i, name) in columns.split(", ").enumerate() {
        let value = match row.get_ref(start + i)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(n) => Value::from(n),
            ValueRef::Real(f) => Value::from(f),
            ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Value::from(format!("blob:{}", hex::encode(b))),
        };
        out.insert(name.to_string(), value);
    }
    Ok(out)
}

/// Every attempt, transition and refund against its seals, and every seal against its row.
pub(super) fn check_rows(conn: &Connection) -> Result<Option<Break>, JournalError> {
    // Attempts: identity as sealed, state as its last transition's.
    let n = ATTEMPT_SEALED.split(", ").count();
    let sql = format!(
        "SELECT {ATTEMPT_SEALED}, state,
             (SELECT to_state FROM transitions t WHERE t.attempt_id = attempts.id
                 ORDER BY t.id DESC LIMIT 1),
             s.seq, s.body
         FROM attempts LEFT JOIN seals s ON s.kind = 'attempt' AND s.ref_id = attempts.id
         ORDER BY attempts.id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let current = row_map(row, ATTEMPT_SEALED, 0)?;
        let id = row.get::<_, i64>(0)?;
        let (state, last): (String, Option<String>) = (row.get(n)?, row.get(n + 1)?);
        let (seq, body): (Option<i64>, Option<String>) = (row.get(n + 2)?, row.get(n + 3)?);
        let (Some(seq), Some(body)) = (seq, body) else {
            return Ok(Some(brk(
                Chain::Rows,
                0,
                format!("attempt {id} has no seal"),
            )));
        };
        let sealed = match parse_body(seq, &body) {
            Ok(m) => m,
            Err(b) => return Ok(Some(b)),
        };
        if let Some(col) = differs(&sealed, &current) {
            return Ok(Some(brk(
                Chain::Rows,
                seq,
                format!("attempt {id}: {col} differs from its seal"),
            )));
        }
        if last.as_deref() != Some(state.as_str()) {
            return Ok(Some(brk(
                Chain::Rows,
                seq,
                format!(
                    "attempt {id}: state {state} is not its last transition's ({})",
                    last.unwrap_or_default()
                ),
            )));
        }
    }
    drop(rows);
    drop(stmt);
    if let Some(b) = check_table(
        conn,
        ("transitions", "id", "transition"),
        TRANSITION_SEALED,
        Chain::Rows,
    )? {
        return Ok(Some(b));
    }
    if let Some(b) = check_refunds(conn)? {
        return Ok(Some(b));
    }
    if let Some(b) = check_table(conn, ("z_reports", "number", "z"), Z_SEALED, Chain::Z)? {
        return Ok(Some(b));
    }
    dangling_seal(conn)
}

/// Every row of an append-only table equal to its seal. A break is reported at its chain's
/// own sequence: a Z (`Chain::Z`) at its number, any other row (`Chain::Rows`) at its seal
/// (0 when it has none).
fn check_table(
    conn: &Connection,
    (table, key, kind): (&str, &str, &str),
    columns: &str,
    chain: Chain,
) -> Result<Option<Break>, JournalError> {
    let n = columns.split(", ").count();
    // Qualified: a sealed column may share its name with one of `seals` (a Z's `hash`).
    let selected: Vec<String> = columns.split(", ").map(|c| format!("t.{c}")).collect();
    let sql = format!(
        "SELECT {}, s.seq, s.body FROM {table} t
         LEFT JOIN seals s ON s.kind = '{kind}' AND s.ref_id = t.{key} ORDER BY t.{key}",
        selected.join(", ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let current = row_map(row, columns, 0)?;
        let id = row.get::<_, i64>(0)?;
        let name = if chain == Chain::Z { "Z" } else { kind };
        let at = |seal: i64| if chain == Chain::Z { id } else { seal };
        let (seq, body): (Option<i64>, Option<String>) = (row.get(n)?, row.get(n + 1)?);
        let (Some(seq), Some(body)) = (seq, body) else {
            return Ok(Some(brk(chain, at(0), format!("{name} {id} has no seal"))));
        };
        let sealed = match parse_body(seq, &body) {
            Ok(m) => m,
            Err(b) => return Ok(Some(b)),
        };
        if let Some(col) = differs(&sealed, &current) {
            return Ok(Some(brk(
                chain,
                at(seq),
                format!("{name} {id}: {col} differs from its seal"),
            )));
        }
    }
    Ok(None)
}

/// Refunds: identity as sealed at creation; state, reason and time as the last change of
/// state sealed (or as created, when it never changed).
fn check_refunds(conn: &Connection) -> Result<Option<Break>, JournalError> {
    if let Some(b) = check_table_identity(conn)? {
        return Ok(Some(b));
    }
    let n = REFUND_STATE_SEALED.split(", ").count();
    let sql = format!(
        "SELECT {REFUND_STATE_SEALED},
             (SELECT seq FROM seals WHERE kind = 'refund_state' AND ref_id = refunds.id
                 ORDER BY seq DESC LIMIT 1),
             (SELECT body FROM seals WHERE kind = 'refund_state' AND ref_id = refunds.id
                 ORDER BY seq DESC LIMIT 1)
         FROM refunds ORDER BY id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let current = row_map(row, REFUND_STATE_SEALED, 0)?;
        let id = row.get::<_, i64>(0)?;
        let (seq, body): (Option<i64>, Option<String>) = (row.get(n)?, row.get(n + 1)?);
        let (Some(seq), Some(body)) = (seq, body) else {
            continue;
        };
        let sealed = match parse_body(seq, &body) {
            Ok(m) => m,
            Err(b) => return Ok(Some(b)),
        };
        if let Some(col) = differs(&sealed, &current) {
            return Ok(Some(brk(
                Chain::Rows,
                seq,
                format!("refund {id}: {col} differs from its seal"),
            )));
        }
    }
    Ok(None)
}

/// A refund's identity equal to its creation seal; its state too when it never changed.
fn check_table_identity(conn: &Connection) -> Result<Option<Break>, JournalError> {
    let n = REFUND_SEALED.split(", ").count();
    let sql = format!(
        "SELECT {REFUND_SEALED}, s.seq, s.body,
             EXISTS (SELECT 1 FROM seals c WHERE c.kind = 'refund_state' AND c.ref_id = refunds.id)
         FROM refunds LEFT JOIN seals s ON s.kind = 'refund' AND s.ref_id = refunds.id
         ORDER BY refunds.id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let mut current = row_map(row, REFUND_SEALED, 0)?;
        let id = row.get::<_, i64>(0)?;
        let (seq, body): (Option<i64>, Option<String>) = (row.get(n)?, row.get(n + 1)?);
        let changed: bool = row.get(n + 2)?;
        let (Some(seq), Some(body)) = (seq, body) else {
            return Ok(Some(brk(
                Chain::Rows,
                0,
                format!("refund {id} has no seal"),
            )));
        };
        let mut sealed = match parse_body(seq, &body) {
            Ok(m) => m,
            Err(b) => return Ok(Some(b)),
        };
        if changed {
            sealed.remove("state");
            current.remove("state");
        }
        if let Some(col) = differs(&sealed, &current) {
            return Ok(Some(brk(
                Chain::Rows,
                seq,
                format!("refund {id}: {col} differs from its seal"),
            )));
        }
    }
    Ok(None)
}

/// The first seal whose row is gone.
fn dangling_seal(conn: &Connection) -> Result<Option<Break>, JournalError> {
    let found: Option<(i64, String, i64)> = conn
        .query_row(
            "SELECT seq, kind, ref_id FROM seals s WHERE
                 (kind = 'attempt' AND NOT EXISTS (SELECT 1 FROM attempts WHERE id = s.ref_id))
              OR (kind = 'transition' AND NOT EXISTS (SELECT 1 FROM transitions WHERE id = s.ref_id))
              OR (kind IN ('refund', 'refund_state')
                  AND NOT EXISTS (SELECT 1 FROM refunds WHERE id = s.ref_id))
              OR (kind = 'z' AND NOT EXISTS (SELECT 1 FROM z_reports WHERE number = s.ref_id))
             ORDER BY seq LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(found
        .map(|(seq, kind, id)| brk(Chain::Rows, seq, format!("{kind} {id} is sealed but gone"))))
}
