//! The store's day is the single till's day, computed by core's own rule over the store's rows:
//! per till the same totals as the till's journal gives, refunds included; the open attempts of
//! every till; which tills closed the day, which are behind, and which never shipped.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cashier_core::journal::Selection;
use cashier_core::journal::{Change, Journal, ZRequest};
use cashier_core::receipts;
use cashier_core::{AttemptState, Fen, RefundState};
use cashier_store::TillLink;
use chrono::Utc;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stores_day_is_each_tills_own_day() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now();
    let day = now.date_naive();

    // Till 01: three paid, one of them half refunded, one Unknown, and the day closed by a Z.
    let j1 = journal_with(dir.path(), "01", 3);
    let second = j1.day(day).unwrap()[1].id;
    let part = j1
        .begin_refund(second, Fen(50), "boss", "returned a ticket", now)
        .unwrap();
    j1.record_refund(part.id, RefundState::Refunded, None, now)
        .unwrap();
    let unknown = begin_one(&j1, "01", 9);
    j1.record(unknown, Change::new(AttemptState::Unknown, "timeout"), now)
        .unwrap();
    j1.take_z(&ZRequest {
        day,
        now,
        today: day,
        till: "01",
        approved_by: "boss",
    })
    .unwrap();
    // Till 02: two paid, and one more not shipped yet.
    let j2 = journal_with(dir.path(), "02", 2);
    let (s1, k1) = db.till("01").await;
    let (s2, k2) = db.till("02").await;
    db.till("03").await;
    s1.sync(&k1, &j1, 100).await.unwrap();
    s2.sync(&k2, &j2, 100).await.unwrap();
    pay(&j2, "02", 2, 1);
    s2.ship(&k2, &[], j2.last_seal_seq().unwrap())
        .await
        .unwrap();

    let reader = db.role("reader");
    cashier_store::add_reader(&db.admin, &reader, Some("r"), None)
        .await
        .unwrap();
    let store = cashier_store::Store::open(&db.login(&reader, "r"), None).unwrap();
    let report = store
        .day(MERCHANT, day, Duration::from_secs(600))
        .await
        .unwrap();

    let own = |j: &Journal| {
        receipts::total::<cashier_core::journal::JournalError>(j, &Selection::Day(day), |_| Ok(()))
            .unwrap()
    };
    let t: Vec<_> = report.tills.iter().map(|t| t.till.as_str()).collect();
    assert_eq!(t, ["01", "02", "03"]);
    assert_eq!(
        report.tills[0].totals,
        own(&j1),
        "till 01: the till's own report"
    );
    assert_eq!(report.tills[0].totals.refunded, Fen(50));
    assert_eq!(report.tills[0].z, Some(1), "till 01 closed the day");
    assert_eq!(report.tills[0].link, TillLink::CaughtUp);
    let mut shipped_of_02 = own(&j2);
    assert_ne!(
        report.tills[1].totals, shipped_of_02,
        "the third payment is not there yet"
    );
    assert_eq!(report.tills[1].link, TillLink::Behind);
    assert_eq!(report.tills[1].z, None);
    assert_eq!(report.tills[2].link, TillLink::Never);

    s2.sync(&k2, &j2, 100).await.unwrap();
    let report = store
        .day(MERCHANT, day, Duration::from_secs(600))
        .await
        .unwrap();
    shipped_of_02 = own(&j2);
    assert_eq!(report.tills[1].totals, shipped_of_02);
    assert_eq!(report.tills[1].link, TillLink::CaughtUp);
    assert_eq!(report.totals.count(), 4 + 3);
    assert_eq!(
        report.totals.collected,
        Fen(own(&j1).collected.0 + own(&j2).collected.0)
    );
    let open: Vec<_> = report
        .open
        .iter()
        .map(|a| (a.till.as_str(), a.state))
        .collect();
    assert_eq!(open, [("01", AttemptState::Unknown)]);
}

fn begin_one(j: &Journal, till: &str, i: u32) -> cashier_core::AttemptId {
    let before = j.last_seal_seq().unwrap();
    pay_pending(j, till, i);
    assert!(j.last_seal_seq().unwrap() > before);
    j.day(Utc::now().date_naive()).unwrap().last().unwrap().id
}

/// A figure the report cannot read as money (an owner set an amount negative in the derived
/// table) fails the report, saying so: it is never counted as 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_negative_amount_at_the_store_fails_the_report() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let day = Utc::now().date_naive();
    let j1 = journal_with(dir.path(), "01", 2);
    let (s1, k1) = db.till("01").await;
    s1.sync(&k1, &j1, 100).await.unwrap();
    let store = cashier_store::Store::open(&db.admin, None).unwrap();
    let fine = store
        .day(MERCHANT, day, Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(fine.totals.count(), 2);

    db.sql(
        "UPDATE cashier.attempts SET amount_fen = -500 WHERE till = '01' AND attempt_id = \
         (SELECT min(attempt_id) FROM cashier.attempts WHERE till = '01')",
    )
    .await;
    let err = store
        .day(MERCHANT, day, Duration::from_secs(600))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("a negative figure"), "{err}");
}

/// The report's three reads (the totals, the open attempts, the tills' heads) come from one
/// snapshot: while a till ships one payment after another, every report's count of that till's
/// payments is exactly what the till had paid when it had sealed up to the head the same report
/// shows. Read one after another without a shared snapshot, a ship landing between the reads
/// makes the two disagree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_days_reads_agree_with_each_other_while_a_till_ships() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let day = Utc::now().date_naive();
    let j = journal_with(dir.path(), "01", 1);
    let (shipper, key) = db.till("01").await;
    shipper.sync(&key, &j, 100).await.unwrap();
    // The till's head after each payment → how many payments it had made by then; written
    // before the ship, so a report can never see a head not in it.
    let paid_at = Arc::new(Mutex::new(HashMap::from([(
        j.last_seal_seq().unwrap(),
        1u64,
    )])));
    let done = Arc::new(AtomicBool::new(false));
    let ships = {
        let (paid_at, done) = (paid_at.clone(), done.clone());
        tokio::spawn(async move {
            for i in 2..=PAYMENTS {
                pay(&j, "01", i, 1);
                let head = j.last_seal_seq().unwrap();
                paid_at.lock().unwrap().insert(head, u64::from(i));
                shipper.sync(&key, &j, 100).await.unwrap();
            }
            done.store(true, Ordering::SeqCst);
        })
    };

    let reader = db.role("reader");
    cashier_store::add_reader(&db.admin, &reader, Some("r"), None)
        .await
        .unwrap();
    let store = cashier_store::Store::open(&db.login(&reader, "r"), None).unwrap();
    let (mut reports, mut heads) = (0, std::collections::BTreeSet::new());
    while !done.load(Ordering::SeqCst) {
        let report = store
            .day(MERCHANT, day, Duration::from_secs(600))
            .await
            .unwrap();
        let till = &report.tills[0];
        let paid = paid_at.lock().unwrap().get(&till.head).copied();
        assert_eq!(
            Some(till.totals.count()),
            paid,
            "report {reports}: head {} with {} payments counted",
            till.head,
            till.totals.count()
        );
        reports += 1;
        heads.insert(till.head);
    }
    ships.await.unwrap();
    // Proof that the reports ran while the till shipped, not before or after it.
    assert!(
        heads.len() > 10,
        "{reports} reports saw only {} heads",
        heads.len()
    );
}

const PAYMENTS: u32 = 300;
