//! Closing the day (X and Z reports), the journal's seals and their verification, on real
//! journal files (docs/desk.md).

use std::path::{Path, PathBuf};

use cashier_core::closing::{ClosingReport, CorrectionKind, ReportKind};
use cashier_core::journal::{Chain, Change, Journal, NewAttempt, RefundState, ZRequest};
use cashier_core::managers::DeskRefusal;
use cashier_core::order_no::OrderScheme;
use cashier_core::{Attempt, AttemptState as S, BillNo, Channel, Error, Fen};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use tempfile::TempDir;

fn journal() -> (TempDir, PathBuf, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let j = Journal::open(&path).unwrap();
    (dir, path, j)
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn at(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, 4, 30, 0).unwrap()
}

/// Bill numbers unique within a test.
static BILLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

fn begin(j: &Journal, d: u32, channel: Channel, fen: u64) -> Attempt {
    let n = BILLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let new = NewAttempt {
        bill: BillNo::parse(&format!("Z{n}")).unwrap(),
        amount: Fen(fen),
        channel,
        wallet: None,
        code_masked: (!channel.is_qr()).then(|| "1345**********7649".to_string()),
        operator: if fen.is_multiple_of(2) { "op1" } else { "op2" }.into(),
        scheme: OrderScheme::internal("CA", "T01").unwrap(),
        bill_paid_before: None,
    };
    j.begin(new, at(d), day(d), 7).unwrap()
}

fn to(j: &Journal, a: &Attempt, state: S, d: u32) -> Attempt {
    j.record(a.id, Change::new(state, format!("{state:?}")), at(d))
        .unwrap()
}

fn paid(j: &Journal, d: u32, fen: u64) -> Attempt {
    let a = begin(j, d, Channel::CloudBarcode, fen);
    to(j, &a, S::Paid, d)
}

fn z(j: &Journal, d: u32) -> Result<ClosingReport, Error> {
    j.take_z(&ZRequest {
        day: day(d),
        now: at(d) + chrono::TimeDelta::hours(10),
        today: day(30),
        till: "T01",
        approved_by: "Wang",
    })
}

fn refusal(r: Result<ClosingReport, Error>) -> DeskRefusal {
    match r {
        Err(Error::Desk(d)) => d,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[test]
fn z_numbers_run_from_one_without_gaps_and_a_day_closes_once() {
    let (_d, _p, j) = journal();
    paid(&j, 1, 1000);
    let z1 = z(&j, 1).unwrap();
    assert_eq!((z1.body.kind, z1.body.number), (ReportKind::Z, 1));
    assert_eq!(z1.body.net, Fen(1000));
    assert_eq!(z1.body.first_seq, 1);
    assert_eq!(
        refusal(z(&j, 1)),
        DeskRefusal::DayClosed {
            day: "2026-11-01".into(),
            number: 1
        }
    );
    paid(&j, 2, 500);
    paid(&j, 2, 301);
    let failed = begin(&j, 2, Channel::CloudBarcode, 99);
    to(&j, &failed, S::Failed, 2);
    let z2 = z(&j, 2).unwrap();
    let operators: Vec<(&str, u64, Fen)> = z2
        .body
        .operators
        .iter()
        .map(|o| (o.operator.as_str(), o.count, o.collected))
        .collect();
    assert_eq!(operators, [("op1", 1, Fen(500)), ("op2", 2, Fen(301))]);
    assert_eq!((z2.body.net, z2.body.count), (Fen(801), 3));
    // A day without a payment still closes: the shop was open and took nothing.
    let z3 = z(&j, 3).unwrap();
    assert_eq!((z2.body.number, z3.body.number), (2, 3));
    assert_eq!(z2.body.prev_hash, z1.hash);
    assert_eq!(z3.body.prev_hash, z2.hash);
    assert_eq!(z2.body.first_seq, z1.body.last_seq + 1);
    assert_eq!(z3.body.first_seq, z2.body.last_seq + 1);
    assert_eq!(
        z3.body.last_seq,
        z2.body.last_seq + 1,
        "nothing sealed since Z 2 but Z 2 itself"
    );
    assert_eq!(z3.body.grand_total, Fen(1801));
    let listed: Vec<u64> = j
        .z_reports()
        .unwrap()
        .iter()
        .map(|z| z.body.number)
        .collect();
    assert_eq!(listed, [1, 2, 3]);
    assert_eq!(j.z_report(2).unwrap().unwrap(), z2);
    // The X of the next day says the number the next Z would get.
    let x = j.x_report(day(4), at(4), day(30), "T01", None).unwrap();
    assert_eq!(
        (x.body.kind, x.body.number, x.hash.as_str()),
        (ReportKind::X, 4, "")
    );
    assert_eq!(j.z_reports().unwrap().len(), 3, "an X is never stored");
}

#[test]
fn days_close_in_order_and_a_day_not_begun_cannot_close() {
    let (_d, _p, j) = journal();
    paid(&j, 1, 100);
    paid(&j, 2, 100);
    // Before the first Z the till had no closings: the first needs none before it.
    assert_eq!(z(&j, 2).unwrap().body.number, 1);
    assert_eq!(
        refusal(z(&j, 1)),
        DeskRefusal::LaterDayClosed {
            day: "2026-11-02".into(),
            number: 1
        }
    );
    paid(&j, 4, 100);
    paid(&j, 5, 100);
    assert_eq!(
        refusal(z(&j, 5)),
        DeskRefusal::EarlierDayOpen {
            day: "2026-11-04".into()
        }
    );
    let tomorrow = j.take_z(&ZRequest {
        day: day(6),
        now: at(5),
        today: day(5),
        till: "T01",
        approved_by: "Wang",
    });
    assert_eq!(
        refusal(tomorrow),
        DeskRefusal::DayNotStarted {
            day: "2026-11-06".into()
        }
    );
    assert_eq!(z(&j, 4).unwrap().body.number, 2);
    assert_eq!(z(&j, 5).unwrap().body.number, 3);
}

#[test]
fn a_z_waits_for_payments_in_progress_and_lists_unknown_and_abandoned_ones() {
    let (_d, _p, j) = journal();
    paid(&j, 1, 1000);
    let sent = begin(&j, 1, Channel::CloudBarcode, 300);
    let refused = refusal(z(&j, 1));
    assert_eq!(
        refused,
        DeskRefusal::PaymentsInProgress {
            orders: vec![sent.order_no.clone()]
        }
    );
    to(&j, &sent, S::Unknown, 1);
    let qr = begin(&j, 1, Channel::CloudQr, 500);
    to(&j, &qr, S::Shown, 1);
    assert!(matches!(
        refusal(z(&j, 1)),
        DeskRefusal::PaymentsInProgress { .. }
    ));
    to(&j, &qr, S::Abandoned, 1);
    let z1 = z(&j, 1).unwrap();
    let open: Vec<(&str, Fen, S)> = z1
        .body
        .open_items
        .iter()
        .map(|o| (o.order_no.as_str(), o.amount, o.state))
        .collect();
    assert_eq!(
        open,
        [
            (sent.order_no.as_str(), Fen(300), S::Unknown),
            (qr.order_no.as_str(), Fen(500), S::Abandoned)
        ]
    );
    assert_eq!(z1.body.net, Fen(1000), "open attempts are not collected");
    assert_eq!(z1.body.count, 3);
}

#[test]
fn a_late_payment_and_a_refund_after_the_z_are_corrections_on_the_next_z() {
    let (_d, path, j) = journal();
    let kept = paid(&j, 1, 1000);
    let qr = begin(&j, 1, Channel::CloudQr, 500);
    to(&j, &qr, S::Shown, 1);
    to(&j, &qr, S::Abandoned, 1);
    let z1 = z(&j, 1).unwrap();
    assert_eq!(z1.body.grand_total, Fen(1000));
    let stored = |n: i64| -> (String, String) {
        raw(&path)
            .query_row(
                "SELECT body, hash FROM z_reports WHERE number = ?1",
                [n],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    let first = stored(1);
    // The abandoned code is paid the next morning; part of yesterday's payment is refunded.
    let late = to(&j, &qr, S::Paid, 2);
    let refund = j
        .begin_refund(kept.id, Fen(300), "Wang", "goods returned", at(2))
        .unwrap();
    j.record_refund(refund.id, RefundState::Refunded, None, at(2))
        .unwrap();
    paid(&j, 2, 200);
    let z2 = z(&j, 2).unwrap();
    let corrections: Vec<(&str, &str, CorrectionKind, Fen)> = z2
        .body
        .corrections
        .iter()
        .map(|c| (c.order_no.as_str(), c.day.as_str(), c.kind, c.amount))
        .collect();
    assert_eq!(
        corrections,
        [
            (
                late.order_no.as_str(),
                "2026-11-01",
                CorrectionKind::Paid,
                Fen(500)
            ),
            (
                kept.order_no.as_str(),
                "2026-11-01",
                CorrectionKind::Refunded,
                Fen(300)
            ),
        ]
    );
    assert!(
        z2.body
            .corrections
            .iter()
            .all(|c| c.seq >= z2.body.first_seq)
    );
    assert_eq!(z2.body.net, Fen(200));
    assert_eq!(
        (z2.body.corrections_added, z2.body.corrections_taken),
        (Fen(500), Fen(300))
    );
    // Grand total: the previous one, plus the day's net, plus the corrections.
    assert_eq!(z2.body.grand_total, Fen(1000 + 200 + 500 - 300));
    assert_eq!(stored(1), first, "the first Z is never changed");
    assert_eq!(j.z_report(1).unwrap().unwrap(), z1);
    let view = z2.view(cashier_core::Lang::En, chrono_tz::Asia::Shanghai, false);
    assert_eq!(view.corrections[0].amount_text, "+¥5.00");
    assert_eq!(view.corrections[1].amount_text, "−¥3.00");
    assert_eq!(view.corrections_text, "+¥2.00");
    assert_eq!(view.grand_total_text, "¥14.00");
    assert_eq!((view.copy, view.copy_words), (false, None));
    let copy = z1.view(cashier_core::Lang::ZhCn, chrono_tz::Asia::Shanghai, true);
    assert_eq!(copy.copy_words.as_deref(), Some("副本 / DUPLICATE"));
    // With its date: a copy is read days later, maybe after the day it closed.
    assert_eq!(
        copy.at_text.len(),
        "2026-11-20 22:30".len(),
        "{}",
        copy.at_text
    );
    assert!(copy.at_text.ends_with(" 22:30"), "{}", copy.at_text);
    assert!(j.verify().unwrap().first_break.is_none());
}

#[test]
fn a_failed_z_leaves_nothing_and_can_be_taken_again() {
    let (_d, path, j) = journal();
    paid(&j, 1, 1000);
    // As a full disk would: the insert of the Z fails inside its transaction.
    raw(&path)
        .execute_batch(
            "CREATE TRIGGER full BEFORE INSERT ON z_reports
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
        )
        .unwrap();
    assert!(matches!(z(&j, 1), Err(Error::Journal(_))));
    assert!(j.z_reports().unwrap().is_empty());
    raw(&path).execute_batch("DROP TRIGGER full").unwrap();
    assert_eq!(z(&j, 1).unwrap().body.number, 1);
}

#[test]
fn two_processes_closing_the_same_day_write_one_z() {
    let (_d, path, j) = journal();
    paid(&j, 1, 1000);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (path, barrier) = (path.clone(), barrier.clone());
            std::thread::spawn(move || {
                // A journal of its own, as a second process would open it.
                let mine = Journal::open(&path).unwrap();
                barrier.wait();
                z(&mine, 1).map(|z| z.body.number)
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let numbers: Vec<u64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().copied())
        .collect();
    assert_eq!(numbers, [1], "{results:?}");
    assert!(results.iter().any(|r| matches!(
        r,
        Err(Error::Desk(DeskRefusal::DayClosed { number: 1, .. }))
    )));
    assert_eq!(j.z_reports().unwrap().len(), 1);
}

/// A journal with two closed days and some history, and its file.
fn closed_journal() -> (TempDir, PathBuf, Journal) {
    let (d, path, j) = journal();
    let a = paid(&j, 1, 1000);
    let b = begin(&j, 1, Channel::CloudQr, 500);
    to(&j, &b, S::Shown, 1);
    to(&j, &b, S::Expired, 1);
    z(&j, 1).unwrap();
    let r = j
        .begin_refund(a.id, Fen(100), "Wang", "returned", at(2))
        .unwrap();
    j.record_refund(r.id, RefundState::Refunded, None, at(2))
        .unwrap();
    paid(&j, 2, 700);
    z(&j, 2).unwrap();
    paid(&j, 3, 300);
    (d, path, j)
}

fn seal_of(path: &Path, kind: &str, id: i64) -> i64 {
    raw(path)
        .query_row(
            "SELECT seq FROM seals WHERE kind = ?1 AND ref_id = ?2",
            rusqlite::params![kind, id],
            |r| r.get(0),
        )
        .unwrap()
}

/// Tampers with the file as sqlite3 would (the triggers dropped first), then verifies.
fn tampered(sql: &str) -> (PathBuf, cashier_core::journal::Break, TempDir) {
    let (dir, path, j) = closed_journal();
    let before = j.verify().unwrap();
    assert_eq!(before.first_break, None, "an untouched journal verifies");
    assert_eq!(before.z_reports, 2);
    raw(&path).execute_batch(sql).unwrap();
    let found = j
        .verify()
        .unwrap()
        .first_break
        .expect("the tampering is found");
    (path, found, dir)
}

#[test]
fn an_edited_transition_is_found_at_its_seal() {
    let (path, b, _d) = tampered(
        "DROP TRIGGER transitions_no_update;
         UPDATE transitions SET raw_status = 'SUCCESS' WHERE id = 4;",
    );
    assert_eq!(
        (b.chain, b.seq),
        (Chain::Rows, seal_of(&path, "transition", 4))
    );
}

#[test]
fn an_edited_amount_is_found_at_the_attempts_seal() {
    let (path, b, _d) = tampered(
        "DROP TRIGGER attempts_identity_fixed;
         UPDATE attempts SET amount_fen = 1 WHERE id = 2;",
    );
    assert_eq!(
        (b.chain, b.seq),
        (Chain::Rows, seal_of(&path, "attempt", 2))
    );
    assert!(b.what.contains("amount_fen"), "{}", b.what);
}

#[test]
fn a_deleted_transition_is_found_at_its_seal() {
    let (_p, b, _d) = closed_journal_then(|path| {
        let seq = seal_of(path, "transition", 1);
        raw(path)
            .execute_batch(
                "DROP TRIGGER transitions_no_delete; DELETE FROM transitions WHERE id = 1;",
            )
            .unwrap();
        seq
    });
    assert_eq!((b.0.chain, b.0.seq), (Chain::Rows, b.1));
}

/// `closed_journal`, then `tamper` (returning the seq it expects), then verification.
fn closed_journal_then(
    tamper: impl FnOnce(&Path) -> i64,
) -> (PathBuf, (cashier_core::journal::Break, i64), TempDir) {
    let (dir, path, j) = closed_journal();
    let seq = tamper(&path);
    let found = j
        .verify()
        .unwrap()
        .first_break
        .expect("the tampering is found");
    (path, (found, seq), dir)
}

#[test]
fn a_deleted_seal_breaks_the_seal_chain_there() {
    let (_p, b, _d) = tampered("DROP TRIGGER seals_no_delete; DELETE FROM seals WHERE seq = 5;");
    assert_eq!((b.chain, b.seq), (Chain::Seals, 5));
}

#[test]
fn a_deleted_z_is_found_at_its_seal() {
    let (path, b, _d) =
        tampered("DROP TRIGGER z_reports_no_delete; DELETE FROM z_reports WHERE number = 1;");
    assert_eq!((b.chain, b.seq), (Chain::Rows, seal_of(&path, "z", 1)));
}

#[test]
fn the_last_z_deleted_leaves_its_seal_behind() {
    // Nothing in the Z chain comes after the last Z; its seal in the journal's sequence does.
    let (path, b, _d) =
        tampered("DROP TRIGGER z_reports_no_delete; DELETE FROM z_reports WHERE number = 2;");
    assert_eq!((b.chain, b.seq), (Chain::Rows, seal_of(&path, "z", 2)));
    assert!(b.what.contains("z 2 is sealed but gone"), "{}", b.what);
}

#[test]
fn an_edited_z_breaks_the_z_chain() {
    let (_p, b, _d) = tampered(
        "DROP TRIGGER z_reports_no_update;
         UPDATE z_reports SET grand_total_fen = 1 WHERE number = 2;",
    );
    assert_eq!((b.chain, b.seq), (Chain::Z, 2));
    let (_p, b, _d) = tampered(
        "DROP TRIGGER z_reports_no_update;
         UPDATE z_reports SET body = replace(body, '\"net\":700', '\"net\":70') WHERE number = 2;",
    );
    assert_eq!((b.chain, b.seq), (Chain::Z, 2));
    assert!(b.what.contains("hash"), "{}", b.what);
}

#[test]
fn a_z_is_refused_after_its_range_was_tampered_with() {
    let (_d, path, j) = closed_journal();
    let last = j.z_reports().unwrap()[1].body.last_seq;
    let id: i64 = raw(&path)
        .query_row(
            "SELECT ref_id FROM seals WHERE kind = 'transition' AND seq > ?1 ORDER BY seq LIMIT 1",
            [last],
            |r| r.get(0),
        )
        .unwrap();
    raw(&path)
        .execute_batch(&format!(
            "DROP TRIGGER transitions_no_update;
             UPDATE transitions SET note = 'x' WHERE id = {id};"
        ))
        .unwrap();
    assert!(matches!(refusal(z(&j, 3)), DeskRefusal::Tampered { .. }));
    assert!(matches!(
        j.x_report(day(3), at(3), day(30), "T01", None),
        Err(Error::Desk(DeskRefusal::Tampered { .. }))
    ));
    assert_eq!(j.z_reports().unwrap().len(), 2);
}

#[test]
fn a_journal_from_before_the_seals_is_sealed_on_open_and_verifies() {
    let (_d, path, j) = journal();
    let a = paid(&j, 1, 1000);
    let q = begin(&j, 1, Channel::CloudQr, 400);
    to(&j, &q, S::Shown, 1);
    let r = j
        .begin_refund(a.id, Fen(1000), "Wang", "returned", at(1))
        .unwrap();
    j.record_refund(r.id, RefundState::Refunded, None, at(1))
        .unwrap();
    drop(j);
    // As a journal written before this version: rows, and no seals at all.
    raw(&path)
        .execute_batch("DROP TRIGGER seals_no_delete; DELETE FROM seals;")
        .unwrap();
    let j = Journal::open(&path).unwrap();
    let kinds: Vec<(String, i64)> = {
        let conn = raw(&path);
        let mut stmt = conn
            .prepare("SELECT kind, ref_id FROM seals ORDER BY seq")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let t = |id: i64| ("transition".to_string(), id);
    let transitions_of = |attempt: i64| -> Vec<i64> {
        let conn = raw(&path);
        let mut stmt = conn
            .prepare("SELECT id FROM transitions WHERE attempt_id = ?1 ORDER BY id")
            .unwrap();
        stmt.query_map([attempt], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let mut expected = vec![("attempt".to_string(), a.id.0)];
    expected.extend(transitions_of(a.id.0).into_iter().map(t));
    expected.push(("attempt".to_string(), q.id.0));
    expected.extend(transitions_of(q.id.0).into_iter().map(t));
    expected.push(("refund".to_string(), r.id));
    assert_eq!(
        kinds, expected,
        "attempts by id with their transitions, then refunds"
    );
    let integrity = j.verify().unwrap();
    assert_eq!(integrity.first_break, None);
    assert_eq!(integrity.seals, expected.len() as u64);
    // Sealed once: opening again adds nothing, and new writes chain on.
    drop(j);
    let j = Journal::open(&path).unwrap();
    assert_eq!(j.verify().unwrap().seals, expected.len() as u64);
    paid(&j, 2, 100);
    assert_eq!(j.verify().unwrap().first_break, None);
}

#[tokio::test]
async fn the_till_closes_the_day_under_a_pin_and_prints_copies() {
    let dir = tempfile::tempdir().unwrap();
    let (till, _sandbox, _note) =
        crate::common::sandbox_till(dir.path(), dir.path().join("cashier.toml"), |_| {}).await;
    let demo = crate::common::demo_approval(&till);
    assert!(till.z_reports().await.is_err(), "the desk is closed");
    till.open_desk(&demo).await.unwrap();
    let z = till.z_report(None, demo.clone()).await.unwrap();
    assert_eq!((z.kind, z.number, z.copy), (ReportKind::Z, 1, false));
    assert!(
        till.z_report(None, demo).await.is_err(),
        "a day closes once"
    );
    let listed = till.z_reports().await.unwrap();
    assert_eq!(listed.len(), 1);
    let copy = till.z_copy(1).await.unwrap();
    assert_eq!(copy.copy_words.as_deref(), Some("副本 / DUPLICATE"));
    assert_eq!(copy.hash, z.hash);
    assert_eq!(till.x_report(None).await.unwrap().number, 2);
    assert_eq!(till.verify().await.unwrap().first_break, None);
}
