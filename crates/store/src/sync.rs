//! A till's sync: everything its journal holds beyond the store's high-water marks, seals then
//! audit trail, in batches, resuming where the store says, never where the till remembers.

use std::sync::Arc;

use cashier_core::journal::{Journal, JournalError, ShippedAudit, ShippedSeal};
use deadpool_postgres::Client;
use serde::Serialize;

use crate::chained::Chained;
use crate::ship::{Conflict, TillKey};
use crate::{Store, StoreError};

/// What a sync did, from the store's high-water marks to the journal's end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// The seals' high-water mark it resumed after.
    pub from: i64,
    /// The seals' high-water mark it left.
    pub head: i64,
    /// The journal's last seal when it finished.
    pub journal_seq: i64,
    /// Batches of seals sent.
    pub batches: u64,
    /// Seals written, and seals the store already held.
    pub inserted: u64,
    pub duplicates: u64,
    /// The audit trail's high-water mark it left, its last row, and the rows written.
    pub audit_head: i64,
    pub audit_journal: i64,
    pub audit_inserted: u64,
    pub conflicts: Vec<Conflict>,
}

impl SyncReport {
    /// Everything the journal held is at the store, and nothing disagreed.
    pub fn caught_up(&self) -> bool {
        self.conflicts.is_empty()
            && self.head >= self.journal_seq
            && self.audit_head >= self.audit_journal
    }
}

/// How far one chain's shipping went.
struct Leg {
    head: i64,
    last: i64,
    batches: u64,
    inserted: u64,
    duplicates: u64,
    conflicts: Vec<Conflict>,
}

/// Reading one chain of the journal, off the async workers.
trait Source: Chained + Send + Sized + 'static {
    fn after(j: &Journal, after: i64, limit: u32) -> Result<Vec<Self>, JournalError>;
    fn last(j: &Journal) -> Result<i64, JournalError>;
}

impl Source for ShippedSeal {
    fn after(j: &Journal, after: i64, limit: u32) -> Result<Vec<Self>, JournalError> {
        j.seals_after(after, limit)
    }
    fn last(j: &Journal) -> Result<i64, JournalError> {
        j.last_seal_seq()
    }
}

impl Source for ShippedAudit {
    fn after(j: &Journal, after: i64, limit: u32) -> Result<Vec<Self>, JournalError> {
        j.audit_after(after, limit)
    }
    fn last(j: &Journal) -> Result<i64, JournalError> {
        j.last_audit_seq()
    }
}

impl Store {
    /// Ships everything `journal` holds beyond the store's high-water marks for `till`, `batch`
    /// rows at a time, and returns once caught up (or at the first conflict). First checks, for
    /// each chain, that the journal still holds at the mark the row the store has there: a
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
        let seals = self
            .leg::<ShippedSeal>(&mut client, till, journal, batch, (head.seq, &head.hash))
            .await?;
        let mut report = SyncReport {
            from: head.seq,
            head: seals.head,
            journal_seq: seals.last,
            batches: seals.batches,
            inserted: seals.inserted,
            duplicates: seals.duplicates,
            conflicts: seals.conflicts,
            ..SyncReport::default()
        };
        if !report.conflicts.is_empty() {
            return Ok(report);
        }
        let audit = self
            .leg::<ShippedAudit>(
                &mut client,
                till,
                journal,
                batch,
                (head.audit_seq, &head.audit_hash),
            )
            .await?;
        report.audit_head = audit.head;
        report.audit_journal = audit.last;
        report.audit_inserted = audit.inserted;
        report.conflicts = audit.conflicts;
        Ok(report)
    }

    async fn leg<R: Source>(
        &self,
        client: &mut Client,
        till: &TillKey,
        journal: &Arc<Journal>,
        batch: u32,
        (mark, mark_hash): (i64, &str),
    ) -> Result<Leg, StoreError> {
        if mark > 0 {
            let at = read::<R>(journal, mark - 1, 1).await?;
            if !at
                .first()
                .is_some_and(|r| r.seq() == mark && r.hash() == mark_hash)
            {
                return Err(StoreError::Diverged {
                    merchant: till.merchant.clone(),
                    till: till.till.clone(),
                    seq: mark,
                    what: format!(
                        "{}: the journal does not hold the row the store has there (changed or replaced after it was shipped)",
                        R::CHAIN.as_str()
                    ),
                });
            }
        }
        let mut leg = Leg {
            head: mark,
            last: 0,
            batches: 0,
            inserted: 0,
            duplicates: 0,
            conflicts: Vec::new(),
        };
        loop {
            let j = Arc::clone(journal);
            leg.last = j
                .blocking(|j| R::last(j))
                .await
                .map_err(|e| StoreError::Journal(e.to_string()))?;
            let rows = read::<R>(journal, leg.head, batch).await?;
            // An empty batch of seals still tells the store the till is there; of audit rows,
            // it would say nothing new.
            if rows.is_empty() && leg.batches > 0 {
                break;
            }
            let journal_seq = (R::CHAIN == crate::ship::Chain::Seals).then_some(leg.last);
            if rows.is_empty() && journal_seq.is_none() {
                break;
            }
            let shipped = self.ship_on(client, till, &rows, journal_seq).await?;
            leg.batches += 1;
            leg.inserted += shipped.inserted;
            leg.duplicates += shipped.duplicates;
            let moved = shipped.head > leg.head;
            leg.head = shipped.head;
            if !shipped.conflicts.is_empty() {
                leg.conflicts = shipped.conflicts;
                break;
            }
            // A short batch was the journal's end when it was read: caught up, without one
            // more round trip to learn it.
            if rows.len() < batch as usize || !moved {
                break;
            }
        }
        Ok(leg)
    }
}

async fn read<R: Source>(
    journal: &Arc<Journal>,
    after: i64,
    limit: u32,
) -> Result<Vec<R>, StoreError> {
    journal
        .blocking(move |j| R::after(j, after, limit))
        .await
        .map_err(|e| StoreError::Journal(e.to_string()))
}
