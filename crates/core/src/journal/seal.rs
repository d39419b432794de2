//! The journal's seals (docs/desk.md, "The three chains"): every write to attempts,
//! transitions and refunds appends, in the same transaction, a seal holding what was written.
//! A seal's number is the journal sequence a Z report names.
//!
//! What a seal holds is read back from the row just written, by [`sealed_row`]: the seal and
//! verification read a row the same way, so "the row is what its seal says" is one comparison.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{Map, Value};

use super::JournalError;
use super::chain::{GENESIS, link};

/// What a seal records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SealKind {
    /// An attempt created, with what identifies it.
    Attempt,
    /// A line of an attempt's history.
    Transition,
    /// A refund part created.
    Refund,
    /// A refund part's state changed.
    RefundState,
}

impl SealKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SealKind::Attempt => "attempt",
            SealKind::Transition => "transition",
            SealKind::Refund => "refund",
            SealKind::RefundState => "refund_state",
        }
    }

    /// The table and columns the seal holds of its row: an attempt's identity (what never
    /// changes), every column of a transition (append-only), a refund's identity and state,
    /// and what a refund's change of state writes.
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            SealKind::Attempt => ("attempts", ATTEMPT_SEALED),
            SealKind::Transition => ("transitions", TRANSITION_SEALED),
            SealKind::Refund => ("refunds", REFUND_SEALED),
            SealKind::RefundState => ("refunds", REFUND_STATE_SEALED),
        }
    }
}

pub(crate) const ATTEMPT_SEALED: &str = "id, bill, amount_fen, channel, order_no, wallet, \
     code_masked, operator, till, created_at, business_day, bill_paid_before_fen";
pub(crate) const TRANSITION_SEALED: &str =
    "id, attempt_id, at, from_state, to_state, raw_status, reason, actor, note";
pub(crate) const REFUND_SEALED: &str =
    "id, attempt_id, part, refund_no, amount_fen, manager, note, created_at, state";
pub(crate) const REFUND_STATE_SEALED: &str = "id, state, reason, updated_at";

/// The text a seal's hash is taken over: its number, kind, row and body, in this order.
/// Written by hand rather than by serde so that verification hashes the stored body text
/// exactly as it was stored.
pub(crate) fn canonical(seq: i64, kind: &str, ref_id: i64, body: &str) -> String {
    let kind = serde_json::to_string(kind).unwrap_or_default();
    format!(r#"{{"seq":{seq},"kind":{kind},"ref_id":{ref_id},"body":{body}}}"#)
}

/// The last seal's number and hash: (0, GENESIS) on a journal without seals.
pub(crate) fn last_seal(conn: &Connection) -> Result<(i64, String), JournalError> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM seals ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, GENESIS.to_string())))
}

/// Appends a seal of `kind` for row `ref_id` holding `body`; its number is the last one's
/// plus one. Call inside the transaction that wrote the row.
pub(crate) fn append_seal(
    conn: &Connection,
    kind: SealKind,
    ref_id: i64,
    body: &impl Serialize,
) -> Result<i64, JournalError> {
    let body = serde_json::to_string(body)
        .map_err(|e| JournalError::Corrupt(format!("seal of {} {ref_id}: {e}", kind.as_str())))?;
    let (last, prev) = last_seal(conn)?;
    let seq = last + 1;
    let hash = link(&prev, &canonical(seq, kind.as_str(), ref_id, &body));
    conn.prepare_cached(
        "INSERT INTO seals (seq, kind, ref_id, body, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(rusqlite::params![seq, kind.as_str(), ref_id, body, prev, hash])?;
    Ok(seq)
}

/// Seals the row `id` as it now stands: what every write calls after writing it.
pub(crate) fn seal(conn: &Connection, kind: SealKind, id: i64) -> Result<i64, JournalError> {
    let body = sealed_row(conn, kind, id)?
        .ok_or_else(|| JournalError::Corrupt(format!("{} {id}: no row to seal", kind.as_str())))?;
    append_seal(conn, kind, id, &body)
}

/// The columns a seal of `kind` holds of row `id`, as a JSON object (keys sorted), or None
/// when the row is missing.
pub(crate) fn sealed_row(
    conn: &Connection,
    kind: SealKind,
    id: i64,
) -> Result<Option<Map<String, Value>>, JournalError> {
    let (table, columns) = kind.columns();
    let sql = format!("SELECT {columns} FROM {table} WHERE id = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let mut rows = stmt.query([id])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let mut out = Map::new();
    for (i, name) in names.into_iter().enumerate() {
        let value = match row.get_ref(i)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(n) => Value::from(n),
            ValueRef::Real(f) => Value::from(f),
            ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
            // No journal column holds bytes: one that does was written by someone else, and
            // is kept visible rather than lost.
            ValueRef::Blob(b) => Value::from(format!("blob:{}", hex::encode(b))),
        };
        out.insert(name, value);
    }
    Ok(Some(out))
}

/// Seals, once, a journal written before the seals: every attempt by id with its
/// transitions, then every refund. Asked with one cheap `SELECT` on each open.
/// Measured once (release build, 2-core VM): 76 s for a year of 1,000,000 attempts (3.3 million
/// seals), in one transaction; a shop's real journal from before the seals is far smaller.
pub(crate) fn seal_old_rows(conn: &mut Connection) -> Result<(), JournalError> {
    let unsealed: bool = conn.query_row(
        "SELECT NOT EXISTS (SELECT 1 FROM seals)
             AND (EXISTS (SELECT 1 FROM attempts) OR EXISTS (SELECT 1 FROM refunds))",
        [],
        |r| r.get(0),
    )?;
    if !unsealed {
        return Ok(());
    }
    let tx = conn.transaction()?;
    // Checked again inside the write lock: another process may have sealed it meanwhile.
    let sealed: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM seals)", [], |r| r.get(0))?;
    if !sealed {
        let attempts = ids(&tx, "SELECT id FROM attempts ORDER BY id")?;
        for a in attempts {
            seal(&tx, SealKind::Attempt, a)?;
            let lines = ids_of(&tx, a)?;
            for t in lines {
                seal(&tx, SealKind::Transition, t)?;
            }
        }
        for r in ids(&tx, "SELECT id FROM refunds ORDER BY id")? {
            seal(&tx, SealKind::Refund, r)?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn ids(conn: &Connection, sql: &str) -> Result<Vec<i64>, JournalError> {
    let mut stmt = conn.prepare(sql)?;
    let out = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(out)
}

fn ids_of(conn: &Connection, attempt: i64) -> Result<Vec<i64>, JournalError> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM transitions WHERE attempt_id = ?1 ORDER BY id")?;
    let out = stmt
        .query_map([attempt], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(out)
}
