//! One till, several processes and restarts: recovery, the till lock, guests, session renewal.

use crate::common::*;

#[tokio::test(start_paused = true)]
async fn journal_survives_restart_and_recovery_queries_unfinished_attempts_first() {
    let t = till().await;
    let paid = t
        .engine
        .pay_barcode(barcode("R-DONE", "1", Channel::CloudBarcode, PAID))
        .await
        .unwrap();
    // Simulate two crashes: one after the journal write but before sending, one after the
    // backend took the money but before its answer was journalled.
    let journal = Journal::open(&t.db).unwrap();
    let new = |bill: &str| NewAttempt {
        bill: BillNo::parse(bill).unwrap(),
        amount: Fen(250),
        channel: Channel::CloudBarcode,
        wallet: Some("wechat".into()),
        code_masked: Some("1345**********7649".into()),
        operator: "cashier".into(),
        scheme: OrderScheme::cloud_pay(SandboxConfig::default().order_prefix.as_str(), "01")
            .unwrap(),
        bill_paid_before: None,
    };
    let now = t.clock.now();
    let day = now.date_naive();
    let never_sent = journal.begin(new("R-NEVER"), now, day, 7).unwrap();
    let charged = journal.begin(new("R-CHARGED"), now, day, 7).unwrap();
    let cp = clients(&t.sandbox, Duration::from_secs(5)).await.1;
    let code = PaymentCode::parse(PAID, &ScannerFraming::default()).unwrap();
    let o = cp
        .micro_pay(&charged.order_no, &charged.bill, Fen(250), &code)
        .await
        .unwrap();
    assert!(matches!(o, cashier_core::PaymentOutcome::Paid { .. }));
    drop(journal);
    drop(t.engine);

    let (engine, report) = open_engine(&t.sandbox, &t.db, t.clock.clone()).await;
    // Both are inside their poll window: followed as a live payment would be, to the end.
    assert!(report.checked.iter().all(|r| r.following), "{report:?}");
    let report = engine.wait_recovered(report).await;
    let to = |id| {
        report
            .checked
            .iter()
            .find(|r| r.attempt_id == id)
            .map(|r| r.to)
    };
    assert_eq!(to(charged.id), Some(AttemptState::Paid), "{report:?}");
    assert_eq!(
        to(never_sent.id),
        Some(AttemptState::Unknown),
        "not provably unsent: stays visible"
    );
    assert_eq!(to(paid.id), None, "finished attempts are left alone");
    let survived: Attempt = engine.journal().get(paid.id).unwrap().unwrap();
    assert_eq!(survived, paid, "the journal survives a restart unchanged");
    let ledger = t.sandbox.ledger();
    for bill in ["R-DONE", "R-NEVER", "R-CHARGED"] {
        assert_agrees(engine.journal(), &ledger, bill);
    }
    assert!(matches!(
        engine
            .pay_barcode(barcode("R-NEVER", "2.5", Channel::CloudBarcode, PAID))
            .await,
        Err(Error::Journal(_))
    ));
}

/// A second process on the same till (a `cashier cancel` beside a running `cashier pay`) does
/// not "recover" the QR the first one is showing; its cancel ends it, and the first notices.
#[tokio::test(start_paused = true)]
async fn a_second_engine_on_the_same_till_leaves_live_attempts_to_the_first() {
    let t = till().await;
    let mut events = t.engine.subscribe();
    let engine = t.engine.clone();
    let pay = tokio::spawn(async move { engine.pay_qr(qr("Q-TWO", "6", Channel::CloudQr)).await });
    let shown = wait_for(&mut events, AttemptState::Shown).await;
    let (second, report) = open_engine(&t.sandbox, &t.db, t.clock.clone()).await;
    assert!(report.deferred && report.checked.is_empty(), "{report:?}");
    let row = second.journal().get(shown.attempt_id).unwrap().unwrap();
    assert_eq!(row.state, AttemptState::Shown, "still the first engine's");
    // Only the till's process takes payments: a guest's recovery could never tell its
    // payments from a crashed process's.
    let e = second
        .pay_barcode(barcode("Q-TWO-B", "1", Channel::CloudBarcode, PAID))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_allowed", "{e}");
    let cancelled = second.cancel(shown.attempt_id).await.unwrap();
    assert_eq!(cancelled.state, AttemptState::Cancelled);
    let first = tokio::time::timeout(Duration::from_secs(10), pay)
        .await
        .expect("first engine stops at its next poll");
    assert_eq!(first.unwrap().unwrap().state, AttemptState::Cancelled);
    assert_eq!(
        t.sandbox
            .ledger()
            .orders
            .iter()
            .find(|o| o.bill == "Q-TWO")
            .unwrap()
            .state,
        "closed"
    );
    // Once the first process is gone, the till passes to the next one.
    drop(t.engine);
    drop(second);
    let (_third, report) = open_engine(&t.sandbox, &t.db, t.clock.clone()).await;
    assert!(!report.deferred);
}

/// A QR attempt that crashed before its code was shown is cancelled by recovery without
/// doubt (nobody saw it), and a Cloud Pay order issued meanwhile is closed.
#[tokio::test(start_paused = true)]
async fn recovery_cancels_a_qr_that_was_never_shown() {
    let t = till().await;
    let journal = Journal::open(&t.db).unwrap();
    let now = t.clock.now();
    let orders = settings().orders;
    let new = |bill: &str, channel: Channel, prefix: &OrderScheme| NewAttempt {
        bill: BillNo::parse(bill).unwrap(),
        amount: Fen(300),
        channel,
        wallet: Some("wechat".into()),
        code_masked: None,
        operator: "cashier".into(),
        scheme: prefix.clone(),
        bill_paid_before: None,
    };
    let cloud = journal
        .begin(
            new(
                "R-QR-C",
                Channel::CloudQr,
                orders.for_channel(Channel::CloudQr),
            ),
            now,
            now.date_naive(),
            1,
        )
        .unwrap();
    let tour = journal
        .begin(
            new(
                "R-QR-T",
                Channel::WechatQr,
                orders.for_channel(Channel::WechatQr),
            ),
            now,
            now.date_naive(),
            2,
        )
        .unwrap();
    assert_eq!(cloud.state, AttemptState::Issuing);
    // The crash came after Cloud Pay created the order but before its answer was journalled.
    let cp = clients(&t.sandbox, Duration::from_secs(5)).await.1;
    cp.scan_code_pay(
        &cloud.order_no,
        &cloud.bill,
        Platform::Wechat,
        Fen(300),
        Utc::now() + chrono::TimeDelta::minutes(5),
    )
    .await
    .unwrap();
    drop(journal);
    drop(t.engine);
    let (engine, report) = open_engine(&t.sandbox, &t.db, t.clock.clone()).await;
    for a in [&cloud, &tour] {
        let after = engine.journal().get(a.id).unwrap().unwrap();
        assert_eq!(
            after.state,
            AttemptState::Cancelled,
            "{after:?} / {report:?}"
        );
    }
    let ledger = t.sandbox.ledger();
    assert_eq!(ledger.order(&cloud.order_no).unwrap().state, "closed");
    assert_eq!(ledger.charges.len(), 0);
}

/// Another login of the same operator (a second till process) replaces the session; the
/// engine logs in again with its key and the payment goes through, once.
#[tokio::test(start_paused = true)]
async fn a_replaced_back_office_session_is_renewed() {
    let t = till().await;
    let other = backends(&t.sandbox, Duration::from_secs(5)).await;
    drop(other);
    for (channel, bill) in [
        (Channel::PosWechatBarcode, "S-POS"),
        (Channel::KoudaiBarcode, "S-KD"),
    ] {
        let _replaces_ours = backends(&t.sandbox, Duration::from_secs(5)).await;
        let a = t
            .engine
            .pay_barcode(barcode(bill, "2", channel, PASSWORD_3))
            .await
            .unwrap();
        assert_eq!(a.state, AttemptState::Paid, "{channel}: {a:?}");
        assert_eq!(t.sandbox.ledger().charges_for_bill(bill).len(), 1);
    }
}

/// A guest process cannot cancel a QR whose code the till is still issuing (it would close an
/// order that does not exist yet), and its query of the till's pending payment only reports.
#[tokio::test(start_paused = true)]
async fn a_guest_leaves_the_tills_attempts_in_progress_alone() {
    let t = till().await;
    arm(&t, "cpay/scan_code_pay", "delay").await;
    let mut events = t.engine.subscribe();
    let engine = t.engine.clone();
    let pay =
        tokio::spawn(async move { engine.pay_qr(qr("GUEST-1", "3", Channel::CloudQr)).await });
    let issuing = wait_for(&mut events, AttemptState::Issuing).await;
    let (guest, _) = open_engine(&t.sandbox, &t.db, t.clock.clone()).await;
    let e = guest.cancel(issuing.attempt_id).await.unwrap_err();
    assert_eq!(e.code(), "not_allowed", "{e}");
    let shown = wait_for(&mut events, AttemptState::Shown).await;
    assert_eq!(shown.attempt_id, issuing.attempt_id);
    assert_eq!(
        guest.cancel(shown.attempt_id).await.unwrap().state,
        AttemptState::Cancelled
    );
    assert_eq!(pay.await.unwrap().unwrap().state, AttemptState::Cancelled);

    let engine = t.engine.clone();
    let pay = tokio::spawn(async move {
        engine
            .pay_barcode(barcode("GUEST-2", "5", Channel::CloudBarcode, FOREVER))
            .await
    });
    let pending = wait_for(&mut events, AttemptState::Pending).await;
    let seen = guest.query_again(pending.attempt_id).await.unwrap();
    assert_eq!(
        seen.state,
        AttemptState::Pending,
        "reported, not turned Unknown"
    );
    assert_eq!(pay.await.unwrap().unwrap().state, AttemptState::Unknown);
}
