//! Tour V5 QR codes cannot be closed: a code the till stops showing (expired, cancelled, a
//! crash) stays payable. Such a code is abandoned, watched, and a late payment lands in the
//! journal and the day's receipts without the bill being charged again.

use crate::common::*;
use cashier_core::receipts::DayReport;

/// A till whose sandbox keeps QR codes payable for two hours, as WeChat's do.
async fn long_lived_codes() -> Till {
    let sandbox = Sandbox::start(SandboxConfig {
        qr_ttl: Duration::from_secs(7200),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("journal.db");
    let clock = Arc::new(TokioClock::starting_at(Utc::now()));
    let engine = open_engine(&sandbox, &db, clock.clone()).await.0;
    Till {
        sandbox,
        engine,
        _dir: dir,
        db,
        clock,
    }
}

async fn customer_pays(url: &str) {
    let r = reqwest::Client::new()
        .post(url)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "the customer pays the old code");
}

fn collected_today(t: &Till) -> Fen {
    let day = t
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    DayReport::build(day, t.engine.journal().day(day).unwrap())
        .totals
        .collected
}

/// What every case checks once the late payment is found: paid in the journal, in the
/// receipts, charged once, and the bill not charged again.
fn assert_paid_late(t: &Till, a: &Attempt, bill: &str) {
    let now = t.engine.journal().get(a.id).unwrap().unwrap();
    assert_eq!(now.state, AttemptState::Paid, "{now:?}");
    assert_eq!(collected_today(t), a.amount, "the receipts count it");
    assert_eq!(
        t.engine
            .journal()
            .by_bill(&BillNo::parse(bill).unwrap())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(t.sandbox.ledger().charges_for_bill(bill).len(), 1);
    assert_agrees(t.engine.journal(), &t.sandbox.ledger(), bill);
}

#[tokio::test(start_paused = true)]
async fn an_expired_code_paid_later_is_found_by_the_watcher_and_announced() {
    let t = long_lived_codes().await;
    let watcher = t.engine.watch_abandoned().expect("the till holds the till");
    let mut events = t.engine.subscribe();
    let a = t
        .engine
        .pay_qr(qr("AB-EXP", "6.60", Channel::WechatQr))
        .await
        .unwrap();
    assert_eq!(a.state, AttemptState::Abandoned, "{a:?}");
    let until = a.watch_until.expect("payable until");
    assert!(
        until > t.clock.now() + chrono::TimeDelta::minutes(100),
        "{until}"
    );
    assert!(
        a.reason.as_deref().is_some_and(|r| r.contains("still pay")),
        "{a:?}"
    );
    assert_eq!(collected_today(&t), Fen::ZERO);
    customer_pays(a.code_url.as_deref().unwrap()).await;
    let late = loop {
        let e = wait_for(&mut events, AttemptState::Paid).await;
        if e.attempt_id == a.id {
            break e;
        }
    };
    assert!(late.progress.late, "announced as a late payment: {late:?}");
    assert_paid_late(&t, &a, "AB-EXP");
    watcher.abort();
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_code_paid_later_is_found_by_query_again() {
    let t = long_lived_codes().await;
    let mut events = t.engine.subscribe();
    let engine = t.engine.clone();
    let pay =
        tokio::spawn(async move { engine.pay_qr(qr("AB-CAN", "3", Channel::AlipayQr)).await });
    let shown = wait_for(&mut events, AttemptState::Shown).await;
    let cancelled = t.engine.cancel(shown.attempt_id).await.unwrap();
    assert_eq!(cancelled.state, AttemptState::Abandoned, "{cancelled:?}");
    assert!(
        cancelled
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("cancelled"))
    );
    assert_eq!(pay.await.unwrap().unwrap().state, AttemptState::Abandoned);
    customer_pays(shown.code_url.as_deref().unwrap()).await;
    let found = t.engine.query_again(cancelled.id).await.unwrap();
    assert_eq!(found.state, AttemptState::Paid);
    assert_paid_late(&t, &cancelled, "AB-CAN");
}

#[tokio::test(start_paused = true)]
async fn a_code_shown_when_the_till_crashed_and_paid_later_is_found_at_the_next_start() {
    let t = long_lived_codes().await;
    let mut events = t.engine.subscribe();
    let (a, flow) = t
        .engine
        .start_qr(qr("AB-CRASH", "8.80", Channel::WechatQr))
        .await
        .unwrap();
    let shown = loop {
        let e = wait_for(&mut events, AttemptState::Shown).await;
        if e.attempt_id == a.id {
            break e;
        }
    };
    // The till dies with the code on screen.
    flow.abort();
    let _ = flow.await;
    let Till {
        sandbox,
        engine,
        _dir,
        db,
        clock,
    } = t;
    drop(engine);
    let (engine, report) = open_engine(&sandbox, &db, clock.clone()).await;
    let found = report
        .checked
        .iter()
        .find(|r| r.attempt_id == a.id)
        .unwrap();
    assert_eq!(found.to, AttemptState::Abandoned, "{report:?}");
    customer_pays(shown.code_url.as_deref().unwrap()).await;
    drop(engine);
    // The next start asks about it again and finds the payment.
    let (engine, report) = open_engine(&sandbox, &db, clock.clone()).await;
    let found = report
        .checked
        .iter()
        .find(|r| r.attempt_id == a.id)
        .unwrap();
    assert_eq!(found.to, AttemptState::Paid, "{report:?}");
    let t = Till {
        sandbox,
        engine,
        _dir,
        db,
        clock,
    };
    assert_paid_late(&t, &a, "AB-CRASH");
}

#[tokio::test(start_paused = true)]
async fn an_abandoned_code_nobody_pays_expires_when_it_stops_being_payable() {
    let t = long_lived_codes().await;
    let watcher = t.engine.watch_abandoned().expect("the till holds the till");
    let a = t
        .engine
        .pay_qr(qr("AB-OVER", "2", Channel::WechatQr))
        .await
        .unwrap();
    assert_eq!(a.state, AttemptState::Abandoned);
    // The bill is not blocked meanwhile: the customer pays another way.
    let other = t
        .engine
        .pay_barcode(barcode("AB-OVER", "2", Channel::PosWechatBarcode, PAID))
        .await
        .unwrap();
    assert_eq!(other.state, AttemptState::Paid);
    tokio::time::sleep(Duration::from_secs(2 * 3600 + 600)).await;
    let over = t.engine.journal().get(a.id).unwrap().unwrap();
    assert_eq!(over.state, AttemptState::Expired, "{over:?}");
    let queries = t
        .sandbox
        .ledger()
        .orders
        .iter()
        .find(|o| o.reference == a.reference.clone().unwrap_or_default())
        .map(|o| o.queries)
        .unwrap_or(0);
    assert!(
        (10..200).contains(&queries),
        "watched with back-off, not hammered: {queries} queries in two hours"
    );
    watcher.abort();
}
