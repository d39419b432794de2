//! Shipping a till's chains (its seals, its audit trail): rows in order, in batches, each checked
//! before it is written and again by the engine on arrival. A batch sent twice changes nothing;
//! a row that comes back with other content is kept out and reported; a hole in a till's
//! sequence is visible (the high-water mark stops before it) and fills when the rows arrive.

use std::collections::BTreeMap;

use deadpool_postgres::Client;
use serde::Serialize;

use crate::chained::Chained;
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

/// Which of a till's hash chains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Chain {
    /// The journal's seals: attempts, transitions, refunds, Zs.
    Seals,
    /// The audit trail.
    Audit,
}

impl Chain {
    pub fn as_str(self) -> &'static str {
        match self {
            Chain::Seals => "seals",
            Chain::Audit => "audit",
        }
    }

    fn table(self) -> &'static str {
        match self {
            Chain::Seals => "cashier.seals",
            Chain::Audit => "cashier.audit",
        }
    }

    /// The high-water mark's columns in `heads`.
    fn head(self) -> (&'static str, &'static str) {
        match self {
            Chain::Seals => ("seq", "hash"),
            Chain::Audit => ("audit_seq", "audit_hash"),
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
    /// The audit trail's mark and its hash, likewise.
    pub audit_seq: i64,
    pub audit_hash: String,
}

/// A row that arrived again with other content than the store holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub chain: Chain,
    pub seq: i64,
    pub stored_hash: String,
    pub arrived_hash: String,
}

/// What one batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Shipped {
    /// Rows written.
    pub inserted: u64,
    /// Rows the store already held, identical: nothing done.
    pub duplicates: u64,
    /// Rows the store already held with other content: not written, recorded.
    pub conflicts: Vec<Conflict>,
    /// The chain's high-water mark after the batch.
    pub head: i64,
}

impl Store {
    /// Where `till` stands at the store: the resume point after any restart.
    pub async fn head(&self, till: &TillKey) -> Result<Head, StoreError> {
        let client = self.client().await?;
        self.head_on(&client, till).await
    }

    pub(crate) async fn head_on(
        &self,
        client: &Client,
        till: &TillKey,
    ) -> Result<Head, StoreError> {
        let stmt = client
            .prepare_cached(
                "SELECT seq, hash, journal_seq, audit_seq, audit_hash FROM cashier.heads
                 WHERE merchant = $1 AND till = $2",
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
                audit_seq: r.get(3),
                audit_hash: r.get(4),
            },
            None => Head {
                seq: 0,
                hash: GENESIS.to_string(),
                journal_seq: 0,
                audit_seq: 0,
                audit_hash: GENESIS.to_string(),
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
        seals: &[cashier_core::journal::ShippedSeal],
        journal_seq: i64,
    ) -> Result<Shipped, StoreError> {
        let mut client = self.client().await?;
        self.ship_on(&mut client, till, seals, Some(journal_seq))
            .await
    }

    /// [`Store::ship`] for rows of the till's audit trail.
    pub async fn ship_audit(
        &self,
        till: &TillKey,
        rows: &[cashier_core::journal::ShippedAudit],
    ) -> Result<Shipped, StoreError> {
        let mut client = self.client().await?;
        self.ship_on(&mut client, till, rows, None).await
    }

    pub(crate) async fn ship_on<R: Chained>(
        &self,
        client: &mut Client,
        till: &TillKey,
        rows: &[R],
        journal_seq: Option<i64>,
    ) -> Result<Shipped, StoreError> {
        let chain = R::CHAIN;
        let (table, (head_seq, head_hash)) = (chain.table(), chain.head());
        let pg = |e| self.pg(e);
        let tx = client.transaction().await.map_err(pg)?;
        let (m, t) = (&till.merchant, &till.till);
        // The till's head row, locked: two shippers of one till take turns.
        let ensure = tx
            .prepare_cached(
                "INSERT INTO cashier.heads (merchant, till) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .await
            .map_err(pg)?;
        tx.execute(&ensure, &[m, t]).await.map_err(pg)?;
        let lock = tx
            .prepare_cached(&format!(
                "SELECT {head_seq} FROM cashier.heads WHERE merchant = $1 AND till = $2 FOR UPDATE"
            ))
            .await
            .map_err(pg)?;
        let head: i64 = tx.query_one(&lock, &[m, t]).await.map_err(pg)?.get(0);
        let mut batch: Vec<&R> = rows.iter().collect();
        batch.sort_by_key(|r| r.seq());
        batch.dedup_by_key(|r| r.seq());
        let mut out = Shipped::default();
        let mut fresh: Vec<&R> = Vec::new();
        if let (Some(first), Some(last)) = (batch.first(), batch.last()) {
            // What the store holds around the batch: the rows it repeats, and the neighbours
            // each new row must link to.
            let around = tx
                .prepare_cached(&format!(
                    "SELECT seq, hash, prev_hash FROM {table}
                     WHERE merchant = $1 AND till = $2 AND seq BETWEEN $3 AND $4"
                ))
                .await
                .map_err(pg)?;
            let held = tx
                .query(&around, &[m, t, &(first.seq() - 1), &(last.seq() + 1)])
                .await
                .map_err(pg)?;
            let mut stored: BTreeMap<i64, (String, String)> = held
                .into_iter()
                .map(|r| (r.get::<_, i64>(0), (r.get(1), r.get(2))))
                .collect();
            for r in batch {
                if let Some((hash, _)) = stored.get(&r.seq()) {
                    if hash == r.hash() {
                        out.duplicates += 1;
                    } else {
                        let record = tx
                            .prepare_cached(
                                "INSERT INTO cashier.conflicts (merchant, till, chain, seq,
                                     stored_hash, arrived_hash, arrived_body)
                                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                            )
                            .await
                            .map_err(pg)?;
                        tx.execute(
                            &record,
                            &[m, t, &chain.as_str(), &r.seq(), hash, &r.hash(), &r.body()],
                        )
                        .await
                        .map_err(pg)?;
                        out.conflicts.push(Conflict {
                            chain,
                            seq: r.seq(),
                            stored_hash: hash.clone(),
                            arrived_hash: r.hash().to_string(),
                        });
                    }
                    continue;
                }
                let diverged = |what: &str| StoreError::Diverged {
                    merchant: m.clone(),
                    till: t.clone(),
                    seq: r.seq(),
                    what: format!("{}: {what}", chain.as_str()),
                };
                if !r.hash_holds() {
                    return Err(diverged(
                        "the journal's row does not match its own hash (changed after it was written)",
                    ));
                }
                let before = if r.seq() == 1 {
                    Some(GENESIS)
                } else {
                    stored.get(&(r.seq() - 1)).map(|(h, _)| h.as_str())
                };
                if before.is_some_and(|h| h != r.prev_hash()) {
                    return Err(diverged("the row does not link to the one before it"));
                }
                if let Some((_, after_prev)) = stored.get(&(r.seq() + 1))
                    && after_prev != r.hash()
                {
                    return Err(diverged(
                        "the row after it at the store does not link to it",
                    ));
                }
                stored.insert(r.seq(), (r.hash().to_string(), r.prev_hash().to_string()));
                fresh.push(r);
            }
        }
        if !fresh.is_empty() {
            let (sql, params) = R::insert(till, &fresh);
            let insert = tx.prepare_cached(sql).await.map_err(pg)?;
            let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params
                .iter()
                .map(|p| p.as_ref() as &(dyn tokio_postgres::types::ToSql + Sync))
                .collect();
            out.inserted = tx.execute(&insert, &refs).await.map_err(pg)?;
        }
        // The new high-water mark: the end of the run of rows that starts right after it.
        let run_end = tx
            .prepare_cached(&format!(
                "SELECT s.seq, s.hash FROM {table} s
                 WHERE s.merchant = $1 AND s.till = $2 AND s.seq > $3
                   AND EXISTS (SELECT 1 FROM {table} f
                               WHERE f.merchant = $1 AND f.till = $2 AND f.seq = $3 + 1)
                   AND NOT EXISTS (SELECT 1 FROM {table} n
                                   WHERE n.merchant = $1 AND n.till = $2 AND n.seq = s.seq + 1)
                 ORDER BY s.seq LIMIT 1"
            ))
            .await
            .map_err(pg)?;
        let moved = tx
            .query_opt(&run_end, &[m, t, &head])
            .await
            .map_err(pg)?
            .map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1)));
        out.head = moved.as_ref().map_or(head, |(seq, _)| *seq);
        let update = tx
            .prepare_cached(&format!(
                "UPDATE cashier.heads SET {head_seq} = $3, {head_hash} = coalesce($4, {head_hash}),
                        journal_seq = greatest(journal_seq, coalesce($5::int8, 0)), seen_at = now()
                 WHERE merchant = $1 AND till = $2"
            ))
            .await
            .map_err(pg)?;
        tx.execute(
            &update,
            &[m, t, &out.head, &moved.map(|(_, h)| h), &journal_seq],
        )
        .await
        .map_err(pg)?;
        tx.commit().await.map_err(pg)?;
        Ok(out)
    }
}
