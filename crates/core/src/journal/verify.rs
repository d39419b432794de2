//! Verification of the journal's chains (docs/desk.md, "The three chains"): every hash
//! recomputed, the sequence without gaps, every attempt, transition and refund row exactly what
//! its seals say, no row without a seal, each Z's last seal still the seal it names.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

use super::chain::{GENESIS, link};
use super::seal::{
    ATTEMPT_SEALED, REFUND_SEALED, REFUND_STATE_SEALED, SealKind, TRANSITION_SEALED, canonical,
    sealed_row,
};
use super::{Journal, JournalError};

/// Which chain broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Chain {
    /// The seal chain itself: a hash, a link or a number.
    Seals,
    Audit,
    /// The Z reports' chain.
    Z,
    /// A row of attempts, transitions or refunds that is not what its seals say.
    Rows,
}

/// The first place a chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Break {
    pub chain: Chain,
    /// The seal's sequence (seals, rows; 0: a row with no seal at all), the audit row's
    /// sequence, or the Z's number.
    #[ts(type = "number")]
    pub seq: i64,
    pub what: String,
}

/// What verification found: how many rows each chain has, and its first break.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Integrity {
    #[ts(type = "number")]
    pub seals: u64,
    #[ts(type = "number")]
    pub audit: u64,
    #[ts(type = "number")]
    pub z_reports: u64,
    pub first_break: Option<Break>,
}

/// Where a Z left the seal chain: the last seal it covered and that seal's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Anchor {
    pub last_seq: i64,
    pub last_seal: String,
}

impl Journal {
    /// Walks every chain of the journal, in one read snapshot.
    pub fn verify(&self) -> Result<Integrity, JournalError> {
        self.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            let out = verify_all(&tx)?;
            tx.finish()?;
            Ok(out)
        })
    }
}

fn brk(chain: Chain, seq: i64, what: impl Into<String>) -> Break {
    Break {
        chain,
        seq,
        what: what.into(),
    }
}

pub(crate) fn verify_all(conn: &Connection) -> Result<Integrity, JournalError> {
    let (seals, seal_break) = walk_seals(conn, 0, GENESIS)?;
    let rows_break = check_rows(conn)?;
    let (z_reports, z_break) = walk_z(conn)?;
    let (audit, audit_break) = match super::audit::verify_audit(conn) {
        Ok(n) => (n, None),
        Err((seq, what)) => (0, Some(brk(Chain::Audit, seq, what))),
    };
    Ok(Integrity {
        seals,
        audit,
        z_reports,
        first_break: seal_break.or(rows_break).or(z_break).or(audit_break),
    })
}

/// The incremental check a Z makes before it closes anything: the previous Z's last seal is
/// still there, the seals after it chain on from it without a gap, the rows they name are
/// what they say, no newer row lacks a seal, and the previous Z itself is intact.
pub(crate) fn verify_since(
    conn: &Connection,
    last_z: Option<(u64, &Anchor)>,
) -> Result<Option<Break>, JournalError> {
    let (from, prev) = match last_z {
        Some((number, anchor)) => {
            if let Some(b) = z_intact(conn, number)? {
                return Ok(Some(b));
            }
            if anchor.last_seq > 0
                && seal_hash(conn, anchor.last_seq)? != Some(anchor.last_seal.clone())
            {
                return Ok(Some(brk(
                    Chain::Seals,
                    anchor.last_seq,
                    format!("the seal Z {number} ends with is not the one it names"),
                )));
            }
            (anchor.last_seq, anchor.last_seal.as_str())
        }
        None => (0, GENESIS),
    };
    let mut stmt = conn.prepare_cached(
        "SELECT seq, kind, ref_id, body, prev_hash, hash FROM seals WHERE seq > ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([from])?;
    let mut broken = None;
    let mut checked = Vec::new();
    let mut walk = Walk::new(from, prev);
    while let Some(row) = rows.next()? {
        if let Some(b) = walk.step(row)? {
            broken = Some(b);
            break;
        }
        checked.push((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, String>(3)?,
        ));
    }
    drop(rows);
    drop(stmt);
    if broken.is_some() {
        return Ok(broken);
    }
    for (seq, kind, ref_id, body) in checked {
        if let Some(b) = seal_matches_row(conn, seq, &kind, ref_id, &body)? {
            return Ok(Some(b));
        }
    }
    unsealed_tail(conn)
}

/// Walks the seal chain, hash by hash.
struct Walk {
    expected: i64,
    prev: String,
}

impl Walk {
    fn new(last: i64, prev: &str) -> Walk {
        Walk {
            expected: last + 1,
            prev: prev.to_string(),
        }
    }

    /// Checks one row of `SELECT seq, kind, ref_id, body, [prev_hash, hash]`; reads the
    /// stored hashes by name.
    fn step(&mut self, row: &Row<'_>) -> Result<Option<Break>, JournalError> {
        let seq: i64 = row.get("seq")?;
        let kind: String = row.get("kind")?;
        let ref_id: i64 = row.get("ref_id")?;
        let body: String = row.get("body")?;
        let (prev_hash, hash): (String, String) = (row.get("prev_hash")?, row.get("hash")?);
        if seq != self.expected {
            return Ok(Some(brk(
                Chain::Seals,
                self.expected,
                format!("seal {} is missing (the next is {seq})", self.expected),
            )));
        }
        if prev_hash != self.prev {
            return Ok(Some(brk(
                Chain::Seals,
                seq,
                "does not link to the seal before it",
            )));
        }
        if link(&prev_hash, &canonical(seq, &kind, ref_id, &body)) != hash {
            return Ok(Some(brk(
                Chain::Seals,
                seq,
                "its hash does not match what it holds",
            )));
        }
        self.expected += 1;
        self.prev = hash;
        Ok(None)
    }
}

/// The whole seal chain from `from`: how many seals, and the first break.
fn walk_seals(
    conn: &Connection,
    from: i64,
    prev: &str,
) -> Result<(u64, Option<Break>), JournalError> {
    let mut stmt = conn.prepare(
        "SELECT seq, kind, ref_id, body, prev_hash, hash FROM seals WHERE seq > ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([from])?;
    let (mut count, mut broken) = (0u64, None);
    let mut walk = Walk::new(from, prev);
    while let Some(row) = rows.next()? {
        count += 1;
        if broken.is_none() {
            broken = walk.step(row)?;
        }
    }
    Ok((count, broken))
}

fn seal_hash(conn: &Connection, seq: i64) -> Result<Option<String>, JournalError> {
    Ok(conn
        .prepare_cached("SELECT hash FROM seals WHERE seq = ?1")?
        .query_row([seq], |r| r.get(0))
        .optional()?)
}

fn parse_body(seq: i64, body: &str) -> Result<Map<String, Value>, Break> {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(brk(Chain::Seals, seq, "its body is not a JSON object")),
    }
}

/// The row a seal in the range names is what the seal says (a refund's state may have moved
/// on since: its later `refund_state` seals say where to).
fn seal_matches_row(
    conn: &Connection,
    seq: i64,
    kind: &str,
    ref_id: i64,
    body: &str,
) -> Result<Option<Break>, JournalError> {
    let kind = match kind {
        "attempt" => SealKind::Attempt,
        "transition" => SealKind::Transition,
        "refund" => SealKind::Refund,
        // Which state is the refund's now is checked against the last of these by the full
        // verification; the range's own rows are the refund and transition seals.
        "refund_state" => return Ok(None),
        other => {
            return Ok(Some(brk(
                Chain::Seals,
                seq,
                format!("unknown kind {other:?}"),
            )));
        }
    };
    let mut sealed = match parse_body(seq, body) {
        Ok(m) => m,
        Err(b) => return Ok(Some(b)),
    };
    let Some(mut row) = sealed_row(conn, kind, ref_id)? else {
        return Ok(Some(brk(
            Chain::Rows,
            seq,
            format!("{} {ref_id} is sealed but gone", kind.as_str()),
        )));
    };
    if kind == SealKind::Refund {
        sealed.remove("state");
        row.remove("state");
    }
    Ok(differs(&sealed, &row).map(|col| {
        brk(
            Chain::Rows,
            seq,
            format!("{} {ref_id}: {col} differs from its seal", kind.as_str()),
        )
    }))
}

/// The first column whose value differs, if any.
fn differs(sealed: &Map<String, Value>, row: &Map<String, Value>) -> Option<String> {
    let mut keys: Vec<&String> = sealed.keys().chain(row.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .find(|k| sealed.get(*k) != row.get(*k))
        .map(|k| k.to_string())
}

/// A row newer than every sealed one of its table: written behind the journal's back.
fn unsealed_tail(conn: &Connection) -> Result<Option<Break>, JournalError> {
    for (table, kind) in [
        ("attempts", "attempt"),
        ("transitions", "transition"),
        ("refunds", "refund"),
    ] {
        let sql = format!(
            "SELECT MIN(id) FROM {table} WHERE id > (SELECT COALESCE(MAX(ref_id), 0) FROM seals
                 WHERE kind = '{kind}')"
        );
        let id: Option<i64> = conn.prepare_cached(&sql)?.query_row([], |r| r.get(0))?;
        if let Some(id) = id {
            return Ok(Some(brk(
                Chain::Rows,
                0,
                format!("{kind} {id} has no seal"),
            )));
        }
    }
    Ok(None)
}

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
fn check_rows(conn: &Connection) -> Result<Option<Break>, JournalError> {
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
    if let Some(b) = check_table(conn, "transitions", "transition", TRANSITION_SEALED)? {
        return Ok(Some(b));
    }
    if let Some(b) = check_refunds(conn)? {
        return Ok(Some(b));
    }
    dangling_seal(conn)
}

/// Every row of an append-only table equal to its seal.
fn check_table(
    conn: &Connection,
    table: &str,
    kind: &str,
    columns: &str,
) -> Result<Option<Break>, JournalError> {
    let n = columns.split(", ").count();
    let sql = format!(
        "SELECT {columns}, s.seq, s.body FROM {table}
         LEFT JOIN seals s ON s.kind = '{kind}' AND s.ref_id = {table}.id ORDER BY {table}.id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let current = row_map(row, columns, 0)?;
        let id = row.get::<_, i64>(0)?;
        let (seq, body): (Option<i64>, Option<String>) = (row.get(n)?, row.get(n + 1)?);
        let (Some(seq), Some(body)) = (seq, body) else {
            return Ok(Some(brk(
                Chain::Rows,
                0,
                format!("{kind} {id} has no seal"),
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
                format!("{kind} {id}: {col} differs from its seal"),
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
             ORDER BY seq LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(found
        .map(|(seq, kind, id)| brk(Chain::Rows, seq, format!("{kind} {id} is sealed but gone"))))
}

/// The Z chain: numbers from 1 without a gap, each linked to the one before, each hash over
/// its stored body, the columns as the body says, and each Z's last seal still in the chain.
fn walk_z(conn: &Connection) -> Result<(u64, Option<Break>), JournalError> {
    let mut stmt = conn.prepare("SELECT number FROM z_reports ORDER BY number")?;
    let numbers = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut prev = GENESIS.to_string();
    let mut broken = None;
    for (i, number) in numbers.iter().enumerate() {
        let expected = i as i64 + 1;
        if broken.is_some() {
            break;
        }
        if *number != expected {
            broken = Some(brk(Chain::Z, expected, format!("Z {expected} is missing")));
            break;
        }
        let (prev_hash, hash): (String, String) = conn.query_row(
            "SELECT prev_hash, hash FROM z_reports WHERE number = ?1",
            [number],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if prev_hash != prev {
            broken = Some(brk(Chain::Z, *number, "does not link to the Z before it"));
            break;
        }
        broken = z_intact(conn, *number as u64)?;
        prev = hash;
    }
    Ok((numbers.len() as u64, broken))
}

/// One Z: its hash over its body, its columns as its body says, its last seal in the chain.
pub(crate) fn z_intact(conn: &Connection, number: u64) -> Result<Option<Break>, JournalError> {
    let n = number as i64;
    let row: Option<(String, i64, i64, String, i64, String, String, String)> = conn
        .prepare_cached(
            "SELECT business_day, first_seq, last_seq, last_seal, grand_total_fen, body,
                 prev_hash, hash FROM z_reports WHERE number = ?1",
        )?
        .query_row([n], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .optional()?;
    let Some((day, first_seq, last_seq, last_seal, grand, body, prev_hash, hash)) = row else {
        return Ok(Some(brk(Chain::Z, n, format!("Z {number} is missing"))));
    };
    if link(&prev_hash, &body) != hash {
        return Ok(Some(brk(
            Chain::Z,
            n,
            "its hash does not match what it holds",
        )));
    }
    let Ok(Value::Object(b)) = serde_json::from_str::<Value>(&body) else {
        return Ok(Some(brk(Chain::Z, n, "its body is not a JSON object")));
    };
    let same = b.get("number") == Some(&Value::from(n))
        && b.get("day") == Some(&Value::from(day))
        && b.get("first_seq") == Some(&Value::from(first_seq))
        && b.get("last_seq") == Some(&Value::from(last_seq))
        && b.get("last_seal") == Some(&Value::from(last_seal.clone()))
        && b.get("grand_total") == Some(&Value::from(grand))
        && b.get("prev_hash") == Some(&Value::from(prev_hash));
    if !same {
        return Ok(Some(brk(
            Chain::Z,
            n,
            "its columns differ from what it holds",
        )));
    }
    let sealed = if last_seq == 0 {
        Some(GENESIS.to_string())
    } else {
        seal_hash(conn, last_seq)?
    };
    if sealed.as_deref() != Some(last_seal.as_str()) {
        return Ok(Some(brk(
            Chain::Seals,
            last_seq,
            format!("the seal Z {number} ends with is not the one it names"),
        )));
    }
    Ok(None)
}
