//! Verification of the journal's chains (docs/desk.md, "The three chains"): every hash
//! recomputed, the sequence without gaps, every attempt, transition and refund row exactly what
//! its seals say, no row without a seal, each Z's last seal still the seal it names.

use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

use super::chain::{GENESIS, link};
use super::seal::{SealKind, canonical, sealed_row};
use super::{Journal, JournalError};

mod rows;
mod z_chain;

use rows::check_rows;
use z_chain::walk_z;
pub(crate) use z_chain::z_intact;

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
    /// The first break said in the till's language, for the desk's red band (filled by
    /// `Till::verify`; `None` from the journal itself, which has no language).
    pub said: Option<String>,
}

impl Chain {
    /// How a manager hears of it.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        lang.pick(match self {
            Chain::Seals => ["封存链", "The seal chain"],
            Chain::Audit => ["审计记录", "The audit trail"],
            Chain::Z => ["日结报表链", "The Z reports' chain"],
            Chain::Rows => ["收款记录", "A payment record"],
        })
    }
}

impl Break {
    /// The break for the desk: where, in words, and what to do; the technical detail (for
    /// support, who reads it with `cashier verify`) in brackets as the journal says it.
    pub fn said(&self, lang: crate::Lang) -> String {
        let chain = self.chain.label(lang);
        match lang {
            crate::Lang::ZhCn => format!(
                "{chain}在序号 {} 处与封存内容不符（{}）。查明前请勿日结，并联系技术支持。",
                self.seq, self.what
            ),
            crate::Lang::En => format!(
                "{chain} does not match what was sealed at sequence {} ({}). Do not close the day; call support.",
                self.seq, self.what
            ),
        }
    }
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

pub(super) fn brk(chain: Chain, seq: i64, what: impl Into<String>) -> Break {
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
        said: None,
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
    let mut walk = Walk::new(from, prev);
    // One pass, nothing held: the first Z of a long journal covers millions of seals.
    while let Some(row) = rows.next()? {
        if let Some(b) = walk.step(row)? {
            return Ok(Some(b));
        }
        let (seq, kind, ref_id) = (row.get(0)?, row.get::<_, String>(1)?, row.get(2)?);
        let body = row.get_ref(3)?.as_str().unwrap_or_default();
        if let Some(b) = seal_matches_row(conn, seq, &kind, ref_id, body)? {
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

pub(super) fn seal_hash(conn: &Connection, seq: i64) -> Result<Option<String>, JournalError> {
    Ok(conn
        .prepare_cached("SELECT hash FROM seals WHERE seq = ?1")?
        .query_row([seq], |r| r.get(0))
        .optional()?)
}

pub(super) fn parse_body(seq: i64, body: &str) -> Result<Map<String, Value>, Break> {
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
        "z" => SealKind::Z,
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
pub(super) fn differs(sealed: &Map<String, Value>, row: &Map<String, Value>) -> Option<String> {
    let mut keys: Vec<&String> = sealed.keys().chain(row.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .find(|k| sealed.get(*k) != row.get(*k))
        .map(|k| k.to_string())
}

/// A row newer than every sealed one of its table: written behind the journal's back.
fn unsealed_tail(conn: &Connection) -> Result<Option<Break>, JournalError> {
    for (table, key, kind) in [
        ("attempts", "id", "attempt"),
        ("transitions", "id", "transition"),
        ("refunds", "id", "refund"),
        ("z_reports", "number", "z"),
    ] {
        let sql = format!(
            "SELECT MIN({key}) FROM {table} WHERE {key} > (SELECT COALESCE(MAX(ref_id), 0)
                 FROM seals WHERE kind = '{kind}')"
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
