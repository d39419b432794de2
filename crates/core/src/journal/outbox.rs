//! The journal as an outbox (docs/store.md): its seals read in order, a batch at a time, for a
//! store of many tills to receive. Read-only: shipping never writes to the journal, so where the
//! shipping stopped is the store's to say, not the till's.
//!
//! The seals are the journal's one gap-free sequence, and each holds what was written to
//! attempts, transitions and refunds, and every Z: shipping them ships the journal, with the
//! hash chain that lets the store check every row on arrival.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::OptionalExtension;
use serde::Serialize;

use super::chain::link;
use super::seal::canonical;
use super::{Journal, JournalError};

/// One seal as a store receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShippedSeal {
    /// The journal's sequence: gap-free from 1 for this till.
    pub seq: i64,
    /// attempt, transition, refund, refund_state or z.
    pub kind: String,
    /// The row the seal is of (a Z: its number).
    pub ref_id: i64,
    /// The sealed columns of the row, as canonical JSON (keys sorted), exactly as stored.
    pub body: String,
    pub prev_hash: String,
    pub hash: String,
    /// The business day of the attempt the seal is about (a Z's own day): what a store files
    /// the row under. Not covered by the hash: a store checks it against the attempt's seal.
    pub business_day: NaiveDate,
}

impl ShippedSeal {
    /// Whether `hash` is what the chain rule gives for this seal after `prev_hash`: the row
    /// is what was sealed (its link to the seal before is the receiver's to check).
    pub fn hash_holds(&self) -> bool {
        seal_hash(
            &self.prev_hash,
            self.seq,
            &self.kind,
            self.ref_id,
            &self.body,
        ) == self.hash
    }
}

/// One row of the audit trail as a store receives it: its own chain, beside the seals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShippedAudit {
    /// The audit trail's sequence: gap-free from 1 for this till.
    pub seq: i64,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// The row as the canonical JSON its hash is over (every field but the hashes).
    pub body: String,
    pub prev_hash: String,
    pub hash: String,
}

impl ShippedAudit {
    /// Whether `hash` is the chain rule's over `body` after `prev_hash`.
    pub fn hash_holds(&self) -> bool {
        link(&self.prev_hash, &self.body) == self.hash
    }
}

/// The hash of a seal: the one chain rule of the journal (`chain::link` over the seal's
/// canonical text), for a receiver that checks seals without a journal.
pub fn seal_hash(prev_hash: &str, seq: i64, kind: &str, ref_id: i64, body: &str) -> String {
    link(prev_hash, &canonical(seq, kind, ref_id, body))
}

/// The attempt a seal is about, for its business day: an attempt's and a Z's own day are in
/// their bodies; a transition's and a refund's is their attempt's.
const SEALS_AFTER: &str = "
SELECT s.seq, s.kind, s.ref_id, s.body, s.prev_hash, s.hash,
       CASE s.kind
         WHEN 'attempt' THEN json_extract(s.body, '$.business_day')
         WHEN 'z' THEN json_extract(s.body, '$.business_day')
         WHEN 'transition' THEN (SELECT a.business_day FROM transitions t
                                 JOIN attempts a ON a.id = t.attempt_id WHERE t.id = s.ref_id)
         ELSE (SELECT a.business_day FROM refunds r
               JOIN attempts a ON a.id = r.attempt_id WHERE r.id = s.ref_id)
       END
FROM seals s WHERE s.seq > ?1 ORDER BY s.seq LIMIT ?2";

impl Journal {
    /// The seals after sequence `after`, oldest first, at most `limit` of them: what a store
    /// that holds this till's journal up to `after` receives next.
    pub fn seals_after(&self, after: i64, limit: u32) -> Result<Vec<ShippedSeal>, JournalError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(SEALS_AFTER)?;
            let rows = stmt.query_map(rusqlite::params![after, limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (seq, kind, ref_id, body, prev_hash, hash, day) = row?;
                let business_day = day
                    .as_deref()
                    .and_then(crate::timestamp::parse_day)
                    .ok_or_else(|| {
                        JournalError::Corrupt(format!(
                            "seal {seq} ({kind} {ref_id}): no business day for its row"
                        ))
                    })?;
                out.push(ShippedSeal {
                    seq,
                    kind,
                    ref_id,
                    body,
                    prev_hash,
                    hash,
                    business_day,
                });
            }
            Ok(out)
        })
    }

    /// The audit trail's rows after sequence `after`, oldest first, at most `limit` of them.
    pub fn audit_after(&self, after: i64, limit: u32) -> Result<Vec<ShippedAudit>, JournalError> {
        self.read(|conn| super::audit::shipped_after(conn, after, limit))
    }

    /// The audit trail's last sequence (0: none yet).
    pub fn last_audit_seq(&self) -> Result<i64, JournalError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT max(seq) FROM audit")?
                .query_row([], |r| r.get::<_, Option<i64>>(0))
                .optional()?
                .flatten()
                .unwrap_or(0))
        })
    }

    /// The last seal's sequence (0: none yet): how far this till's journal goes.
    pub fn last_seal_seq(&self) -> Result<i64, JournalError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT max(seq) FROM seals")?
                .query_row([], |r| r.get::<_, Option<i64>>(0))
                .optional()?
                .flatten()
                .unwrap_or(0))
        })
    }
}
