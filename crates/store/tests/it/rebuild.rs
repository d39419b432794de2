//! The derived tables rebuilt from the seals: a derived row an owner changed is put right (and
//! `verify` is clean again, the report the journal's); a seal that no longer hashes to its
//! content stops the rebuild with the store left as it was.

use std::time::Duration;

use cashier_core::journal::Selection;
use cashier_core::receipts;
use chrono::Utc;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_derived_row_changed_by_an_owner_is_rebuilt_from_the_seals() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let day = Utc::now().date_naive();
    let journal = journal_with(dir.path(), "01", 3);
    let (store, key) = db.till("01").await;
    store.sync(&key, &journal, 100).await.unwrap();
    let own = receipts::total::<cashier_core::journal::JournalError>(
        &journal,
        &Selection::Day(day),
        |_| Ok(()),
    )
    .unwrap();

    db.sql("UPDATE cashier.attempts SET state = 'failed', amount_fen = 1 WHERE till = '01'")
        .await;
    db.sql("DELETE FROM cashier.refunds").await;
    assert_ne!(store.verify(None).await.unwrap(), vec![]);
    let report = store
        .day(MERCHANT, day, Duration::from_secs(600))
        .await
        .unwrap();
    assert_ne!(
        report.tills[0].totals, own,
        "the broken rows show in the report"
    );

    let rebuilt = cashier_store::rebuild_derived(&db.admin, Some(MERCHANT), None)
        .await
        .unwrap();
    assert_eq!(rebuilt.attempts, 3);
    assert_eq!(
        rebuilt.seals,
        u64::try_from(journal_seals(&journal).len()).unwrap()
    );
    assert_eq!(store.verify(None).await.unwrap(), vec![]);
    let report = store
        .day(MERCHANT, day, Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(report.tills[0].totals, own, "the till's own report again");
    assert_eq!(
        db.seals("01").await,
        journal_seals(&journal),
        "the seals as they were"
    );

    // The till ships on afterwards as before.
    pay(&journal, "01", 3, 1);
    store.sync(&key, &journal, 100).await.unwrap();
    assert_eq!(db.seals("01").await, journal_seals(&journal));
    assert_eq!(store.verify(None).await.unwrap(), vec![]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seal_that_no_longer_hashes_stops_the_rebuild_and_changes_nothing() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_with(dir.path(), "01", 2);
    let (store, key) = db.till("01").await;
    store.sync(&key, &journal, 100).await.unwrap();
    db.sql(
        "UPDATE cashier.seals SET body = replace(body, '\"amount_fen\":101', '\"amount_fen\":1')
         WHERE till = '01' AND kind = 'attempt'",
    )
    .await;
    let before = db.seals("01").await;
    let attempts = db.count("SELECT count(*) FROM cashier.attempts").await;

    let err = cashier_store::rebuild_derived(&db.admin, None, None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not match its content"), "{err}");
    assert_eq!(db.seals("01").await, before);
    assert_eq!(
        db.count("SELECT count(*) FROM cashier.attempts").await,
        attempts
    );
}
