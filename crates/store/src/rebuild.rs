//! Rebuilding what the reports read (`attempts`, `refunds`, `closed_days`) from the seals, for
//! when `verify` says a derived row disagrees with its seals (an owner's `UPDATE`, a restore
//! gone wrong). The derivation has one home, the seals' statement trigger: the seals are taken
//! out and put back in their order inside one transaction, so the trigger derives everything
//! again, and the arrival check runs again on every seal: a seal that no longer hashes to its
//! content stops the rebuild and changes nothing (the store stays as it was).

use std::path::Path;

use cashier_core::store::StoreUrl;
use serde::Serialize;

use crate::{OwnerSession, StoreError};

/// What `rebuild_derived` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rebuilt {
    /// Seals put back (each derived again).
    pub seals: u64,
    /// Attempt rows derived from them.
    pub attempts: u64,
}

/// The columns a seal is sent with: the rest are generated from them.
const COLUMNS: &str =
    "merchant, till, business_day, seq, kind, ref_id, body, prev_hash, hash, received_at";

/// Rebuilds the derived tables of `merchant` (every merchant: `None`) from its seals, with an
/// owner's URL. Tills shipping meanwhile wait for it (the seals are locked against writes for
/// the transaction) and then go on; readers see the old rows until it commits.
pub async fn rebuild_derived(
    admin_url: &StoreUrl,
    merchant: Option<&str>,
    ca_file: Option<&Path>,
) -> Result<Rebuilt, StoreError> {
    let mut owner = OwnerSession::open(admin_url, ca_file).await?;
    let result = rebuild_in(&mut owner.client, merchant).await;
    let result = result.map_err(|e| owner.err(e));
    owner.close().await;
    result
}

async fn rebuild_in(
    client: &mut tokio_postgres::Client,
    merchant: Option<&str>,
) -> Result<Rebuilt, tokio_postgres::Error> {
    let tx = client.transaction().await?;
    tx.batch_execute("LOCK TABLE cashier.seals IN SHARE ROW EXCLUSIVE MODE")
        .await?;
    // `$1 IS NULL`: every merchant.
    let whose = "($1::text IS NULL OR merchant = $1)";
    tx.execute(
        &format!(
            "CREATE TEMP TABLE kept ON COMMIT DROP AS SELECT {COLUMNS} FROM cashier.seals WHERE {whose}"
        ),
        &[&merchant],
    )
    .await?;
    for table in ["attempts", "refunds", "closed_days", "seals"] {
        tx.execute(
            &format!("DELETE FROM cashier.{table} WHERE {whose}"),
            &[&merchant],
        )
        .await?;
    }
    let seals = tx
        .execute(
            &format!(
                "INSERT INTO cashier.seals ({COLUMNS}) SELECT {COLUMNS} FROM kept ORDER BY merchant, till, seq"
            ),
            &[],
        )
        .await?;
    let attempts: i64 = tx
        .query_one(
            &format!("SELECT count(*) FROM cashier.attempts WHERE {whose}"),
            &[&merchant],
        )
        .await?
        .get(0);
    tx.commit().await?;
    Ok(Rebuilt {
        seals,
        // A count is never negative.
        attempts: attempts.unsigned_abs(),
    })
}
