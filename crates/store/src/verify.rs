//! The store's own check of what it holds: every seal's and audit row's hash recomputed by the
//! engine, every link to the row before, each till's high-water mark against the seal it names, and the
//! reports' copy of each attempt against its seals. A row changed at the store, by whoever
//! could, shows here.

use serde::Serialize;

use crate::{GENESIS, Store, StoreError};

/// A place where a till's chain at the store does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreBreak {
    pub merchant: String,
    pub till: String,
    pub seq: i64,
    pub what: String,
}

/// At most this many breaks are listed: one is enough to act, the rest is the same story.
const MAX_BREAKS: i64 = 1000;

const BREAKS: &str = r#"
SELECT merchant, till, seq, what FROM (
    SELECT merchant, till, seq,
        CASE
            WHEN hash <> encode(sha256(convert_to(prev_hash || E'\n' || '{"seq":' || seq
                     || ',"kind":"' || kind || '","ref_id":' || ref_id || ',"body":' || body
                     || '}', 'UTF8')), 'hex')
                THEN 'its hash does not match its content'
            WHEN seq = 1 AND prev_hash <> $2 THEN 'the first seal does not start the chain'
            WHEN lag(seq) OVER w = seq - 1 AND lag(hash) OVER w <> prev_hash
                THEN 'it does not link to the seal before it'
        END AS what
    FROM cashier.seals
    WHERE $1::text IS NULL OR merchant = $1
    WINDOW w AS (PARTITION BY merchant, till ORDER BY seq)
) x WHERE what IS NOT NULL
UNION ALL
SELECT h.merchant, h.till, h.seq, 'the high-water mark names another hash than its seal''s'
FROM cashier.heads h JOIN cashier.seals s
  ON s.merchant = h.merchant AND s.till = h.till AND s.seq = h.seq
WHERE ($1::text IS NULL OR h.merchant = $1) AND s.hash <> h.hash
UNION ALL
SELECT merchant, till, seq, what FROM (
    SELECT merchant, till, seq,
        CASE
            WHEN hash <> encode(sha256(convert_to(prev_hash || E'\n' || body, 'UTF8')), 'hex')
                THEN 'audit row: its hash does not match its content'
            WHEN seq = 1 AND prev_hash <> $2 THEN 'audit row: the first does not start the chain'
            WHEN lag(seq) OVER w = seq - 1 AND lag(hash) OVER w <> prev_hash
                THEN 'audit row: it does not link to the row before it'
        END AS what
    FROM cashier.audit
    WHERE $1::text IS NULL OR merchant = $1
    WINDOW w AS (PARTITION BY merchant, till ORDER BY seq)
) y WHERE what IS NOT NULL
UNION ALL
SELECT h.merchant, h.till, h.audit_seq, 'audit: the high-water mark names another hash than its row''s'
FROM cashier.heads h JOIN cashier.audit s
  ON s.merchant = h.merchant AND s.till = h.till AND s.seq = h.audit_seq
WHERE ($1::text IS NULL OR h.merchant = $1) AND s.hash <> h.audit_hash
UNION ALL
SELECT a.merchant, a.till, coalesce(s.seq, a.state_seq, 0),
       format('the reports'' copy of attempt %s is not what its seals say', a.attempt_id)
FROM cashier.attempts a
LEFT JOIN cashier.seals s
  ON s.merchant = a.merchant AND s.till = a.till AND s.business_day = a.business_day
 AND s.kind = 'attempt' AND s.ref_id = a.attempt_id
LEFT JOIN (SELECT DISTINCT ON (merchant, till, business_day, attempt_id)
                  merchant, till, business_day, attempt_id, state, seq
           FROM cashier.seals WHERE kind = 'transition' AND ($1::text IS NULL OR merchant = $1)
           ORDER BY merchant, till, business_day, attempt_id, seq DESC) t
  ON t.merchant = a.merchant AND t.till = a.till AND t.business_day = a.business_day
 AND t.attempt_id = a.attempt_id
WHERE ($1::text IS NULL OR a.merchant = $1)
  AND (a.channel IS DISTINCT FROM s.channel OR a.amount_fen IS DISTINCT FROM s.amount_fen
       OR a.state IS DISTINCT FROM t.state OR a.state_seq IS DISTINCT FROM t.seq)
ORDER BY 1, 2, 3 LIMIT $3"#;

impl Store {
    /// Every break in the chains the store holds (of one merchant, or all), first ones first.
    pub async fn verify(&self, merchant: Option<&str>) -> Result<Vec<StoreBreak>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(BREAKS, &[&merchant, &GENESIS, &MAX_BREAKS])
            .await
            .map_err(|e| self.pg(e))?;
        Ok(rows
            .into_iter()
            .map(|r| StoreBreak {
                merchant: r.get(0),
                till: r.get(1),
                seq: r.get(2),
                what: r.get(3),
            })
            .collect())
    }
}
