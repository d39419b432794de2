//! The store's own check of what it holds: every seal's hash recomputed by the engine, every
//! link to the seal before, and each till's high-water mark against the seal it names. A row
//! changed at the store, by whoever could, shows here.

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
