//! QR payments through the checkout engine: paid, expired, cancelled, faults while issuing
//! and polling, and codes the back office cannot close.

use crate::common::*;

#[tokio::test(start_paused = true)]
async fn qr_paid_from_the_customer_page() {
    let t = till().await;
    for (channel, bill) in [
        (Channel::WechatQr, "Q-W"),
        (Channel::AlipayQr, "Q-A"),
        (Channel::CloudQr, "Q-C"),
    ] {
        let mut events = t.engine.subscribe();
        let engine = t.engine.clone();
        let pay = tokio::spawn(async move { engine.pay_qr(qr(bill, "8.80", channel)).await });
        let shown = wait_for(&mut events, AttemptState::Shown).await;
        let url = shown.code_url.expect("QR URL while shown");
        tokio::time::sleep(Duration::from_secs(7)).await;
        let r = reqwest::Client::new()
            .post(&url)
            .header("Accept", "application/json")
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let a = pay.await.unwrap().unwrap();
        assert_eq!(a.state, AttemptState::Paid, "{channel}");
        assert_agrees(t.engine.journal(), &t.sandbox.ledger(), bill);
    }
}

#[tokio::test(start_paused = true)]
async fn qr_expires_after_5_minutes_with_a_final_query_and_a_close() {
    let t = till().await;
    // Tour V5 cannot close its code: it is abandoned, still payable, and watched.
    for (channel, bill, closed, ended) in [
        (Channel::WechatQr, "Q-EXP-W", false, AttemptState::Abandoned),
        (Channel::CloudQr, "Q-EXP-C", true, AttemptState::Expired),
    ] {
        let started = tokio::time::Instant::now();
        let a = t.engine.pay_qr(qr(bill, "1", channel)).await.unwrap();
        assert_eq!(a.state, ended, "{channel}: {a:?}");
        assert_eq!(a.watch_until.is_some(), !closed, "{channel}: {a:?}");
        let took = started.elapsed();
        assert!(
            took >= Duration::from_secs(300) && took < Duration::from_secs(304),
            "{took:?}"
        );
        let ledger = t.sandbox.ledger();
        let order = ledger.orders.iter().find(|o| o.bill == bill).unwrap();
        assert_eq!(order.state == "closed", closed, "{channel}: {order:?}");
        assert_agrees(t.engine.journal(), &ledger, bill);
    }
}

#[tokio::test(start_paused = true)]
async fn cashier_cancels_a_qr() {
    let t = till().await;
    let mut events = t.engine.subscribe();
    let engine = t.engine.clone();
    let pay =
        tokio::spawn(async move { engine.pay_qr(qr("Q-CANCEL", "2", Channel::CloudQr)).await });
    let shown = wait_for(&mut events, AttemptState::Shown).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let c = t.engine.cancel(shown.attempt_id).await.unwrap();
    assert_eq!(c.state, AttemptState::Cancelled);
    assert_eq!(pay.await.unwrap().unwrap().state, AttemptState::Cancelled);
    let ledger = t.sandbox.ledger();
    assert_eq!(
        ledger
            .orders
            .iter()
            .find(|o| o.bill == "Q-CANCEL")
            .unwrap()
            .state,
        "closed"
    );
    // A barcode payment cannot be cancelled once sent.
    let a = t
        .engine
        .pay_barcode(barcode("B-NOCANCEL", "1", Channel::CloudBarcode, PAID))
        .await
        .unwrap();
    assert_eq!(
        t.engine.cancel(a.id).await.unwrap_err().code(),
        "not_allowed"
    );
}

/// Faults while issuing a QR code: no code reaches the customer, so the attempt fails and
/// nothing can be charged; a Cloud Pay order that may exist is closed. A fault on a poll
/// query is just a missed poll.
#[tokio::test(start_paused = true)]
async fn faults_on_qr_issue_fail_cleanly_and_faults_on_polls_are_survived() {
    let t = till().await;
    let mut n = 0;
    for (channel, endpoint) in [
        (Channel::CloudQr, "cpay/scan_code_pay"),
        (Channel::WechatQr, "api/UnPos/3Pay/Wechat/ScanCode"),
    ] {
        for kind in [
            "http500",
            "reset",
            "html_error",
            "malformed_json",
            "bad_signature",
            "commit_then_hang",
        ] {
            n += 1;
            let bill = format!("QF{n}");
            arm(&t, endpoint, kind).await;
            let a = t.engine.pay_qr(qr(&bill, "3", channel)).await.unwrap();
            // A refused Tour V5 signature is retried after a new login: that QR is issued,
            // and is abandoned unpaid (it cannot be closed).
            let expected = match (channel, kind) {
                (Channel::WechatQr, "bad_signature") => AttemptState::Abandoned,
                _ => AttemptState::Failed,
            };
            assert_eq!(a.state, expected, "{channel} with {kind}: {a:?}");
            let ledger = t.sandbox.ledger();
            assert_eq!(ledger.charges_for_bill(&bill).len(), 0);
            if let (Channel::CloudQr, Some(order)) =
                (channel, ledger.orders.iter().find(|o| o.bill == bill))
            {
                assert_eq!(
                    order.state, "closed",
                    "{kind}: an order that may exist is closed"
                );
            }
        }
    }
    for (channel, endpoint) in [
        (Channel::CloudQr, "cpay/query_order"),
        (Channel::AlipayQr, "api/3Pay/AliPay/Query"),
    ] {
        n += 1;
        let bill = format!("QF{n}");
        let mut events = t.engine.subscribe();
        let engine = t.engine.clone();
        let b = bill.clone();
        let pay = tokio::spawn(async move { engine.pay_qr(qr(&b, "3", channel)).await });
        let shown = wait_for(&mut events, AttemptState::Shown).await;
        arm(&t, endpoint, "http500").await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        let r = reqwest::Client::new()
            .post(shown.code_url.unwrap())
            .header("Accept", "application/json")
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        assert_eq!(
            pay.await.unwrap().unwrap().state,
            AttemptState::Paid,
            "{channel}"
        );
        assert_agrees(t.engine.journal(), &t.sandbox.ledger(), &bill);
    }
}

/// Tour V5 cannot close a QR order: a customer may pay it after the till gave up. Before the
/// bill is charged again the old attempt is asked once more, and the late payment counts.
#[tokio::test(start_paused = true)]
async fn a_qr_paid_after_it_expired_is_found_before_the_bill_is_charged_again() {
    let sandbox = Sandbox::start(SandboxConfig {
        qr_ttl: Duration::from_secs(7200),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("journal.db");
    let clock = Arc::new(TokioClock::starting_at(Utc::now()));
    let (engine, _) = open_engine(&sandbox, &db, clock).await;
    let a = engine
        .pay_qr(qr("LATE-1", "5", Channel::WechatQr))
        .await
        .unwrap();
    assert_eq!(a.state, AttemptState::Abandoned);
    let r = reqwest::Client::new()
        .post(a.code_url.clone().unwrap())
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "the customer pays the old code");
    let e = engine
        .pay_barcode(barcode("LATE-1", "5", Channel::PosWechatBarcode, PAID))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "bill_paid", "{e}");
    let late = engine.journal().get(a.id).unwrap().unwrap();
    assert_eq!(late.state, AttemptState::Paid);
    assert_eq!(
        sandbox.ledger().charges_for_bill("LATE-1").len(),
        1,
        "charged once"
    );
}

/// A cancel while the code is still being issued is honoured once it is: the QR is closed
/// and never left payable.
#[tokio::test(start_paused = true)]
async fn cancel_while_the_qr_is_being_issued() {
    let t = till().await;
    arm(&t, "cpay/scan_code_pay", "delay").await;
    let mut events = t.engine.subscribe();
    let engine = t.engine.clone();
    let pay = tokio::spawn(async move { engine.pay_qr(qr("ISS-1", "3", Channel::CloudQr)).await });
    let issuing = wait_for(&mut events, AttemptState::Issuing).await;
    let cancelled = t.engine.cancel(issuing.attempt_id).await.unwrap();
    assert_eq!(cancelled.state, AttemptState::Cancelled, "{cancelled:?}");
    assert_eq!(pay.await.unwrap().unwrap().state, AttemptState::Cancelled);
    let ledger = t.sandbox.ledger();
    assert_eq!(
        ledger
            .orders
            .iter()
            .find(|o| o.bill == "ISS-1")
            .unwrap()
            .state,
        "closed"
    );
}

/// When the final query of a cancelled Cloud Pay QR gets no answer, a confirmed close still
/// settles it (a paid order cannot be closed).
#[tokio::test(start_paused = true)]
async fn a_confirmed_close_settles_a_qr_whose_final_query_failed() {
    let t = till().await;
    let mut events = t.engine.subscribe();
    let engine = t.engine.clone();
    let pay =
        tokio::spawn(async move { engine.pay_qr(qr("CLOSE-1", "3", Channel::CloudQr)).await });
    let shown = wait_for(&mut events, AttemptState::Shown).await;
    let r = reqwest::Client::new()
        .post(format!("{}_sandbox/faults", t.sandbox.url()))
        .json(&json!({"endpoint": "cpay/query_order", "kind": "http500", "count": 50}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let c = t.engine.cancel(shown.attempt_id).await.unwrap();
    assert_eq!(c.state, AttemptState::Cancelled, "{c:?}");
    assert_eq!(pay.await.unwrap().unwrap().state, AttemptState::Cancelled);
}

/// An expired Tour V5 QR that cannot be checked blocks its bill instead of risking a second
/// charge.
#[tokio::test(start_paused = true)]
async fn an_unclosable_qr_that_cannot_be_checked_blocks_the_bill() {
    let sandbox = Sandbox::start(SandboxConfig {
        qr_ttl: Duration::from_secs(7200),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(TokioClock::starting_at(Utc::now()));
    let (engine, _) = open_engine(&sandbox, &dir.path().join("j.db"), clock).await;
    let a = engine
        .pay_qr(qr("BLK-1", "5", Channel::WechatQr))
        .await
        .unwrap();
    assert_eq!(a.state, AttemptState::Abandoned);
    let r = reqwest::Client::new()
        .post(format!("{}_sandbox/faults", sandbox.url()))
        .json(&json!({"endpoint": "api/UnPos/3Pay/Wechat/Query", "kind": "http500", "count": 5}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let e = engine
        .pay_barcode(barcode("BLK-1", "5", Channel::PosWechatBarcode, PAID))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_allowed", "{e}");
    assert_eq!(sandbox.ledger().charges_for_bill("BLK-1").len(), 0);
}
