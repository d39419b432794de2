//! Shipping: idempotent, gap-detecting, and every change to a shipped row found.

use std::time::Duration;

use cashier_core::journal::Journal;
use cashier_store::{Store, StoreError, TillKey, TillLink};
use chrono::Utc;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_sent_twice_changes_nothing() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_with(dir.path(), "01", 5);
    let (store, key) = db.till("01").await;
    let all = journal.seals_after(0, 100).unwrap();
    assert_eq!(
        all.len(),
        15,
        "5 attempts, each sealed with two transitions"
    );

    let first = store.ship(&key, &all, 15).await.unwrap();
    assert_eq!((first.inserted, first.duplicates, first.head), (15, 0, 15));
    let again = store.ship(&key, &all, 15).await.unwrap();
    assert_eq!((again.inserted, again.duplicates, again.head), (0, 15, 15));
    assert!(again.conflicts.is_empty());
    // A sync resumes from the store's mark: nothing left to send.
    let sync = store.sync(&key, &journal, 4).await.unwrap();
    assert_eq!((sync.from, sync.inserted, sync.head), (15, 0, 15));
    assert!(sync.caught_up());
    assert_eq!(db.seals("01").await, journal_seals(&journal));

    // More payments: a sync in small batches ships exactly them.
    pay(&journal, "01", 5, 3);
    let sync = store.sync(&key, &journal, 4).await.unwrap();
    assert_eq!((sync.from, sync.inserted, sync.head), (15, 9, 24));
    assert_eq!(
        sync.batches, 3,
        "9 seals in batches of 4: the short one was the journal's end"
    );
    assert_eq!(db.seals("01").await, journal_seals(&journal));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hole_in_a_tills_sequence_is_seen_and_filled() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_with(dir.path(), "01", 4);
    let (store, key) = db.till("01").await;
    let all = journal.seals_after(0, 100).unwrap();
    // Seal 5, the second attempt's first transition (sending), stays behind; its last one
    // (paid, seal 6) arrives first.
    store.ship(&key, &all[..4], 12).await.unwrap();
    let after_gap = store.ship(&key, &all[5..], 12).await.unwrap();
    assert_eq!(
        (after_gap.inserted, after_gap.head),
        (7, 4),
        "the mark stops at the hole"
    );

    let day = Utc::now().date_naive();
    let report = store.day(MERCHANT, day, Duration::from_secs(600)).await;
    // A till role reads its own rows; the report is a reader's, but works the same here.
    let report = report.unwrap();
    let t = &report.tills[0];
    assert_eq!(t.gap, Some((5, 5)));
    assert_eq!(t.link, TillLink::Behind);

    let sync = store.sync(&key, &journal, 100).await.unwrap();
    assert_eq!((sync.inserted, sync.duplicates, sync.head), (1, 7, 12));
    let report = store
        .day(MERCHANT, day, Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(report.tills[0].gap, None);
    assert_eq!(report.tills[0].link, TillLink::CaughtUp);
    assert_eq!(report.totals.count(), 4);
    // The earlier state that filled the hole did not replace the later one.
    let paid = &report.totals.by_outcome[&cashier_core::receipts::Outcome::Paid];
    assert_eq!(paid.count, 4, "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_changed_in_the_journal_is_found() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_with(dir.path(), "01", 3);
    let (store, key) = db.till("01").await;
    store.sync(&key, &journal, 100).await.unwrap();
    let stored = db.seals("01").await;

    // Someone rewrites seal 3 (the first payment's answer) in the journal, past its
    // append-only trigger, and even recomputes every hash after it so the journal's own chain
    // still holds.
    let path = dir.path().join("01.db");
    forge(&path, 3);
    let forged = journal.seals_after(0, 100).unwrap();
    assert!(
        forged.iter().all(|s| s.hash_holds()),
        "the forger kept the chain whole"
    );

    // Sent again, the forged seals are conflicts: recorded, never written over.
    let shipped = store.ship(&key, &forged, 9).await.unwrap();
    assert_eq!(shipped.inserted, 0);
    assert_eq!(shipped.conflicts.len(), 7, "seal 3 and every seal after it");
    assert_eq!(shipped.conflicts[0].seq, 3);
    assert_eq!(db.seals("01").await, stored, "the store kept what it had");
    assert_eq!(db.count("SELECT count(*) FROM cashier.conflicts").await, 7);

    // And a sync refuses to ship on top of a journal that no longer holds what was shipped.
    pay(&journal, "01", 3, 1);
    match store.sync(&key, &journal, 100).await {
        Err(StoreError::Diverged { seq: 9, .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seal_changed_before_shipping_is_refused() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_with(dir.path(), "01", 2);
    let (store, key) = db.till("01").await;
    let mut seals = journal.seals_after(0, 100).unwrap();
    seals[2].body = seals[2].body.replace("SUCCESS", "FAILED");
    match store.ship(&key, &seals, 6).await {
        Err(StoreError::Diverged { seq: 3, what, .. }) => assert!(what.contains("hash"), "{what}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        db.seals("01").await,
        vec![],
        "nothing of the batch was written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_changed_at_the_store_is_found() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_with(dir.path(), "01", 3);
    let (store, key) = db.till("01").await;
    store.sync(&key, &journal, 100).await.unwrap();
    assert_eq!(store.verify(None).await.unwrap(), vec![]);

    // The store's owner lowers an amount.
    db.sql(
        "UPDATE cashier.seals SET body = replace(body, '\"amount_fen\":101', '\"amount_fen\":1')
         WHERE till = '01' AND kind = 'attempt'",
    )
    .await;
    let breaks = store.verify(None).await.unwrap();
    assert!(
        breaks.iter().all(|b| b.seq == 4 && b.till == "01"),
        "{breaks:?}"
    );
    assert!(breaks[0].what.contains("hash"), "{breaks:?}");

    // Rehashing the row does not hide it: the next seal no longer links to it.
    db.sql("UPDATE cashier.seals SET hash = repeat('a', 64) WHERE till = '01' AND seq = 4")
        .await;
    let breaks = store.verify(None).await.unwrap();
    assert!(
        breaks.iter().any(|b| b.seq == 5 && b.what.contains("link")),
        "{breaks:?}"
    );

    // What the reports read is checked against the seals too.
    db.sql("UPDATE cashier.attempts SET state = 'failed' WHERE till = '01' AND attempt_id = 3")
        .await;
    let breaks = store.verify(None).await.unwrap();
    assert!(
        breaks.iter().any(|b| b.what.contains("attempt 3")),
        "{breaks:?}"
    );
}

/// Rewrites seal `seq`'s body in the journal file and rehashes the chain from there.
fn forge(path: &std::path::Path, seq: i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("DROP TRIGGER seals_no_update").unwrap();
    let rows: Vec<(i64, String, i64, String, String)> = conn
        .prepare(
            "SELECT seq, kind, ref_id, body, prev_hash FROM seals WHERE seq >= ?1 ORDER BY seq",
        )
        .unwrap()
        .query_map([seq], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev = rows[0].4.clone();
    for (s, kind, ref_id, body, _) in rows {
        let body = if s == seq {
            body.replace("SUCCESS", "NOT PAID")
        } else {
            body
        };
        let hash = cashier_core::journal::seal_hash(&prev, s, &kind, ref_id, &body);
        conn.execute(
            "UPDATE seals SET body = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
            rusqlite::params![body, prev, hash, s],
        )
        .unwrap();
        prev = hash;
    }
}

/// Two shippers of one till at once (the app's worker and a `cashier store sync` run by hand,
/// or a till restarted while its old process still ships): they take turns on the till's
/// head, small batches interleaving while the journal grows. Afterwards the store holds the
/// journal exactly, nothing was a conflict, and every seal arrived once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_shippers_of_one_till_take_turns() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_with(dir.path(), "01", 2);
    let (first, key) = db.till("01").await;
    let second = Store::open(&db.login(&db.role("till_01"), "pw-of-the-till"), None).unwrap();
    let ship = |store: Store, key: TillKey, journal: std::sync::Arc<Journal>| async move {
        let mut inserted = 0;
        for _ in 0..30 {
            let r = store.sync(&key, &journal, 2).await.unwrap();
            assert_eq!(r.conflicts, vec![], "no conflict between turns");
            inserted += r.inserted;
        }
        inserted
    };
    let a = tokio::spawn(ship(first, key.clone(), journal.clone()));
    let b = tokio::spawn(ship(second, key.clone(), journal.clone()));
    for i in 0..10 {
        pay(&journal, "01", 2 + i, 1);
        tokio::task::yield_now().await;
    }
    let inserted = a.await.unwrap() + b.await.unwrap();
    // A last sync for what was paid after both stopped.
    let tail = Store::open(&db.login(&db.role("till_01"), "pw-of-the-till"), None)
        .unwrap()
        .sync(&key, &journal, 100)
        .await
        .unwrap();
    assert_eq!(db.seals("01").await, journal_seals(&journal));
    assert_eq!(
        inserted + tail.inserted,
        u64::try_from(journal_seals(&journal).len()).unwrap(),
        "every seal written once"
    );
    assert_eq!(db.count("SELECT count(*) FROM cashier.conflicts").await, 0);
}
