//! Shipping a till's journal: seals in order, in batches, each checked before it is written
//! and again by the engine on arrival. A batch sent twice changes nothing; a seal that comes
//! back with other content is kept out and reported; a hole in a till's sequence is visible
//! (the till's high-water mark stops before it) and fills when the missing seals arrive.

use std::collections::BTreeMap;
use std::sync::Arc;

use cashier_core::journal::{Journal, ShippedSeal};
use chrono::NaiveDate;
use deadpool_postgres::Client;
use serde::Serialize;

use crate::{GENESIS, Store, StoreError};

/// A till as the store keys it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TillKey {
    pub merchant: String,
    pub till: String,
}

impl TillKey {
    pub fn new(merchant: impl Into<String>, till: impl Into<String>) -> TillKey {
        TillKey {
            merchant: merchant.into(),
            till: till.into(),
        }
    }
}

/// Where a till's shipping stands at the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Head {
    /// Every seal from 1 to `seq` is at the store, linked: shipping resumes after it.
    pub seq: i64,
    /// The hash of seal `seq` (the genesis hash for 0).
    pub hash: String,
    /// How far the till's journal went when it last reached the store.
    pub journal_seq: i64,
}

/// A seal that arrived again with other content than the store holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub seq: i64,
    pub stored_hash: String,
    pub arrived_hash: String,
}

/// What one batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Shipped {
    /// Seals written.
    pub inserted: u64,
    /// Seals the store already held, identical: nothing done.
    pub duplicates: u64,
    /// Seals the store already held with other content: not written, recorded.
    pub conflicts: Vec<Conflict>,
    /// The till's high-water mark after the batch.
    pub head: i64,
}

/// What a sync did, from the store's high-water mark to the journal's end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// The high-water mark it resumed after.
    pub from: i64,
    /// The high-water mark it left.
    pub head: i64,
    /// The journal's last seal when it finished.
    pub journal_seq: i64,
    pub batches: u64,
    pub inserted: u64,
    pub duplicates: u64,
    pub conflicts: Vec<Conflict>,
}

impl SyncReport {
    /// Everything the journal held is at the store, and nothing disagreed.
    pub fn caught_up(&self) -> bool {
        self.conflicts.is_empty() && self.head >= self.journal_seq
    }
}

impl Store {
    /// Where `till` stands at the store: the resume point after any restart.
    pub async fn head(&self, till: &TillKey) -> Result<Head, StoreError> {
        let client = self.client().await?;
        self.head_on(&client, till).await
    }

    async fn head_on(&self, client: &Client, till: &TillKey) -> Result<Head, StoreError> {
        let stmt = client
            .prepare_cached(
                "SELECT seq, hash, journal_seq FROM cashier.heads WHERE merchant = $1 AND till = $2",
            )
            .await
            .map_err(|e| self.pg(e))?;
        let row = client
            .query_opt(&stmt, &[&till.merchant, &till.till])
            .await
            .map_err(|e| self.pg(e))?;
        Ok(match row {
            Some(r) => Head {
                seq: r.get(0),
                hash: r.get(1),
                journal_seq: r.get(2),
            },
            None => Head {
                seq: 0,
                hash: GENESIS.to_string(),
                journal_seq: 0,
            },
        })
    }

    /// Ships one batch of `till`'s seals, in one transaction: new seals are written, seals the
    /// store holds identically are skipped, seals it holds otherwise are recorded as conflicts
    /// and not written. A seal whose hash does not hold, or that does not link to its
    /// neighbours at the store, fails the whole batch. `journal_seq`: how far the till's
    /// journal goes now (the store shows a till behind). An empty batch still says the till
    /// reached the store.
    pub async fn ship(
        &self,
        till: &TillKey,
        seals: &[ShippedSeal],
        journal_seq: i64,
    ) -> Result<Shipped, StoreError> {
        let mut client = self.client().await?;
        self.ship_on(&mut client, till, seals, journal_seq).await
    }

    async fn ship_on(
        &self,
        client: &mut Client,
        till: &TillKey,
        seals: &[ShippedSeal],
        journal_seq: i64,
    ) -> Result<Shipped, StoreError> {
        let tx = client.transaction().await.map_err(|e| self.pg(e))?;
        let (m, t) = (&till.merchant, &till.till);
        // The till's head row, locked: two shippers of one till take turns.
        tx.execute(
            &tx.prepare_cached(
                "INSERT INTO cashier.heads (merchant, till) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .await
            .map_err(|e| self.pg(e))?,
            &[m, t],
        )
        .await
        .map_err(|e| self.pg(e))?;
        let lock = tx
            .prepare_cached(
                "SELECT seq FROM cashier.heads WHERE merchant = $1 AND till = $2 FOR UPDATE",
            )
            .await
            .map_err(|e| self.pg(e))?;
        let head: i64 = tx
            .query_one(&lock, &[m, t])
            .await
            .map_err(|e| self.pg(e))?
            .get(0);
        let mut batch: Vec<&ShippedSeal> = seals.iter().collect();
        batch.sort_by_key(|s| s.seq);
        batch.dedup_by_key(|s| s.seq);
        let mut out = Shipped::default();
        let mut fresh: Vec<&ShippedSeal> = Vec::new();
        if let (Some(first), Some(last)) = (batch.first(), batch.last()) {
            // What the store holds around the batch: the seals it repeats, and the neighbours
            // each new seal must link to.
            let around = tx
                .prepare_cached(
                    "SELECT seq, hash, prev_hash FROM cashier.seals
                     WHERE merchant = $1 AND till = $2 AND seq BETWEEN $3 AND $4",
                )
                .await
                .map_err(|e| self.pg(e))?;
            let rows = tx
                .query(&around, &[m, t, &(first.seq - 1), &(last.seq + 1)])
                .await
                .map_err(|e| self.pg(e))?;
            let mut stored: BTreeMap<i64, (String, String)> = rows
                .into_iter()
                .map(|r| (r.get::<_, i64>(0), (r.get(1), r.get(2))))
                .collect();
            for s in batch {
                if let Some((hash, _)) = stored.get(&s.seq) {
                    if *hash == s.hash {
                        out.duplicates += 1;
                    } else {
                        out.conflicts.push(Conflict {
                            seq: s.seq,
                            stored_hash: hash.clone(),
                            arrived_hash: s.hash.clone(),
                        });
                        tx.execute(
                            &tx.prepare_cached(
                                "INSERT INTO cashier.conflicts
                                 (merchant, till, seq, stored_hash, arrived_hash, arrived_body)
                             VALUES ($1, $2, $3, $4, $5, $6)",
                            )
                            .await
                            .map_err(|e| self.pg(e))?,
                            &[m, t, &s.seq, hash, &s.hash, &s.body],
                        )
                        .await
                        .map_err(|e| self.pg(e))?;
                    }
                    continue;
                }
                let diverged = |what: &str| StoreError::Diverged {
                    merchant: m.clone(),
                    till: t.clone(),
                    seq: s.seq,
                    what: what.to_string(),
                };
                if !s.hash_holds() {
                    return Err(diverged(
                        "the journal's seal does not match its own hash (changed after it was written)",
                    ));
                }
                let before = if s.seq == 1 {
                    Some(GENESIS)
                } else {
                    stored.get(&(s.seq - 1)).map(|(h, _)| h.as_str())
                };
                if before.is_some_and(|h| h != s.prev_hash) {
                    return Err(diverged("the seal does not link to the one before it"));
                }
                if let Some((_, after_prev)) = stored.get(&(s.seq + 1))
                    && *after_prev != s.hash
                {
                    return Err(diverged(
                        "the seal after it at the store does not link to it",
                    ));
                }
                stored.insert(s.seq, (s.hash.clone(), s.prev_hash.clone()));
                fresh.push(s);
            }
        }
        if !fresh.is_empty() {
            out.inserted = insert(&tx, till, &fresh).await.map_err(|e| self.pg(e))?;
        }
        // The new high-water mark: the end of the run of seals that starts right after it.
        let run_end = tx
            .prepare_cached(
                "SELECT s.seq, s.hash FROM cashier.seals s
                 WHERE s.merchant = $1 AND s.till = $2 AND s.seq > $3
                   AND EXISTS (SELECT 1 FROM cashier.seals f
                               WHERE f.merchant = $1 AND f.till = $2 AND f.seq = $3 + 1)
                   AND NOT EXISTS (SELECT 1 FROM cashier.seals n
                                   WHERE n.merchant = $1 AND n.till = $2 AND n.seq = s.seq + 1)
                 ORDER BY s.seq LIMIT 1",
            )
            .await
            .map_err(|e| self.pg(e))?;
        let row = tx
            .query_opt(&run_end, &[m, t, &head])
            .await
            .map_err(|e| self.pg(e))?;
        out.head = head;
        let moved = row.map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1)));
        if let Some((seq, _)) = &moved {
            out.head = *seq;
        }
        tx.execute(
            &tx.prepare_cached(
                "UPDATE cashier.heads SET seq = $3, hash = coalesce($4, hash),
                    journal_seq = greatest(journal_seq, $5), seen_at = now()
             WHERE merchant = $1 AND till = $2",
            )
            .await
            .map_err(|e| self.pg(e))?,
            &[m, t, &out.head, &moved.map(|(_, h)| h), &journal_seq],
        )
        .await
        .map_err(|e| self.pg(e))?;
        tx.commit().await.map_err(|e| self.pg(e))?;
        Ok(out)
    }

    /// Ships everything `journal` holds beyond the store's high-water mark for `till`, `batch`
    /// seals at a time, and returns once caught up (or at the first conflict). First checks
    /// that the journal still holds, at the high-water mark, the seal the store has there: a
    /// journal changed or replaced after shipping is refused, not shipped on top.
    pub async fn sync(
        &self,
        till: &TillKey,
        journal: &Arc<Journal>,
        batch: u32,
    ) -> Result<SyncReport, StoreError> {
        // One connection for the whole sync: its statements are prepared once on it.
        let mut client = self.client().await?;
        let head = self.head_on(&client, till).await?;
        let mut report = SyncReport {
            from: head.seq,
            head: head.seq,
            ..SyncReport::default()
        };
        if head.seq > 0 {
            let at = read(journal, head.seq - 1, 1).await?;
            if !at
                .first()
                .is_some_and(|s| s.seq == head.seq && s.hash == head.hash)
            {
                return Err(StoreError::Diverged {
                    merchant: till.merchant.clone(),
                    till: till.till.clone(),
                    seq: head.seq,
                    what: "the journal does not hold the seal the store has there (changed or replaced after it was shipped)".into(),
                });
            }
        }
        loop {
            let last = {
                let j = Arc::clone(journal);
                j.blocking(|j| j.last_seal_seq())
                    .await
                    .map_err(|e| StoreError::Journal(e.to_string()))?
            };
            let seals = read(journal, report.head, batch).await?;
            let shipped = self.ship_on(&mut client, till, &seals, last).await?;
            report.batches += 1;
            report.inserted += shipped.inserted;
            report.duplicates += shipped.duplicates;
            report.journal_seq = last;
            let moved = shipped.head > report.head;
            report.head = shipped.head;
            if !shipped.conflicts.is_empty() {
                report.conflicts = shipped.conflicts;
                break;
            }
            // A short batch was the journal's end when it was read: caught up, without one more
            // round trip to learn it.
            if seals.len() < batch as usize || !moved {
                break;
            }
        }
        Ok(report)
    }
}

async fn read(
    journal: &Arc<Journal>,
    after: i64,
    limit: u32,
) -> Result<Vec<ShippedSeal>, StoreError> {
    journal
        .blocking(move |j| j.seals_after(after, limit))
        .await
        .map_err(|e| StoreError::Journal(e.to_string()))
}

/// Writes new seals in one statement. `ON CONFLICT DO NOTHING`: a seal another shipper of
/// the same till wrote meanwhile (it cannot, under the head's lock, but the key says so too).
async fn insert(
    tx: &deadpool_postgres::Transaction<'_>,
    till: &TillKey,
    seals: &[&ShippedSeal],
) -> Result<u64, tokio_postgres::Error> {
    let days: Vec<NaiveDate> = seals.iter().map(|s| s.business_day).collect();
    let seqs: Vec<i64> = seals.iter().map(|s| s.seq).collect();
    let kinds: Vec<&str> = seals.iter().map(|s| s.kind.as_str()).collect();
    let refs: Vec<i64> = seals.iter().map(|s| s.ref_id).collect();
    let bodies: Vec<&str> = seals.iter().map(|s| s.body.as_str()).collect();
    let prevs: Vec<&str> = seals.iter().map(|s| s.prev_hash.as_str()).collect();
    let hashes: Vec<&str> = seals.iter().map(|s| s.hash.as_str()).collect();
    tx.execute(
        &tx.prepare_cached(
            "INSERT INTO cashier.seals
             (merchant, till, business_day, seq, kind, ref_id, body, prev_hash, hash)
         SELECT $1, $2, d, q, k, r, b, p, h
         FROM unnest($3::date[], $4::int8[], $5::text[], $6::int8[], $7::text[], $8::text[],
                     $9::text[]) AS u (d, q, k, r, b, p, h)
         ON CONFLICT DO NOTHING",
        )
        .await?,
        &[
            &till.merchant,
            &till.till,
            &days,
            &seqs,
            &kinds,
            &refs,
            &bodies,
            &prevs,
            &hashes,
        ],
    )
    .await
}
