//! The checkout engine against the sandbox over loopback, on tokio's paused clock: a 45-second
//! poll takes no real time. The sandbox's ledger is the witness for every money claim.

use std::sync::Arc;
use std::time::Duration;

use cashier_core::checkout::{
    Backends, BarcodePayment, Checkout, CheckoutEvent, CheckoutSettings, QrPayment, SendRetry,
    TourV5Link,
};
use cashier_core::cloudpay::{CloudPay, CloudPayConfig, Platform};
use cashier_core::config::PollPolicies;
use cashier_core::crypto::AuthenKey;
use cashier_core::http::{Http, HttpPolicy};
use cashier_core::journal::{Journal, NewAttempt};
use cashier_core::tourv5::{TourV5, TourV5Config};
use cashier_core::{
    Attempt, AttemptState, BillNo, Channel, Clock, Error, Fen, PaymentCode, ScannerFraming,
    SystemClock, TokioClock,
};
use cashier_sandbox::{Ledger, Sandbox, SandboxConfig};
use chrono::Utc;
use secrecy::SecretString;
use serde_json::json;
use tokio::sync::broadcast;

const PAID: &str = "134520273825387649";
const PASSWORD_3: &str = "134520273825381003";
const DECLINED: &str = "134520273825382222";
const FOREVER: &str = "134520273825384444";

struct Till {
    sandbox: Sandbox,
    engine: Arc<Checkout>,
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    clock: Arc<TokioClock>,
}

/// The back office checks HAWK timestamps against its real clock, so the client signs with
/// the system clock even where the engine runs on tokio's paused one.
async fn backends(sandbox: &Sandbox, request_timeout: Duration) -> Backends {
    let clock = Arc::new(SystemClock);
    let sc = SandboxConfig::default();
    let http = Http::new(HttpPolicy {
        connect_timeout: Duration::from_secs(2),
        request_timeout,
    })
    .unwrap();
    let client = TourV5::new(
        http.clone(),
        TourV5Config {
            base_url: sandbox.url(),
            ..TourV5Config::default()
        },
        clock,
    )
    .unwrap();
    let session = client
        .login(&sc.operator, &SecretString::from(sc.password.clone()))
        .await
        .unwrap();
    let cp_cfg = CloudPayConfig {
        hosts: vec![sandbox.url()],
        order_prefix: sc.order_prefix.clone(),
        out_mch_id: "m".into(),
        out_sub_mch_id: "s".into(),
        out_shop_id: "p".into(),
        ..CloudPayConfig::default()
    };
    let cloudpay = CloudPay::new(
        http,
        cp_cfg,
        AuthenKey::new(SecretString::from(sc.authen_key)).unwrap(),
    )
    .unwrap();
    Backends {
        tourv5: Some(TourV5Link::new(client, session)),
        cloudpay: Some(cloudpay),
    }
}

fn settings() -> CheckoutSettings {
    CheckoutSettings {
        till: "01".into(),
        operator: "cashier".into(),
        order_prefix: "CS".into(),
        tz: chrono_tz::Asia::Shanghai,
        polls: PollPolicies::default(),
        send_retry: SendRetry {
            attempts: 2,
            backoff: Duration::from_millis(100),
        },
        qr_payable_for: Duration::from_secs(7200),
    }
}

async fn till() -> Till {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
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

async fn open_engine(
    sandbox: &Sandbox,
    db: &std::path::Path,
    clock: Arc<TokioClock>,
) -> (Arc<Checkout>, cashier_core::checkout::RecoveryReport) {
    let b = backends(sandbox, Duration::from_secs(15)).await;
    let (engine, report) = Checkout::open(
        Arc::new(Journal::open(db).unwrap()),
        b,
        settings(),
        clock,
        7,
    )
    .await
    .unwrap();
    (Arc::new(engine), report)
}

fn barcode(bill: &str, yuan: &str, channel: Channel, code: &str) -> BarcodePayment {
    BarcodePayment {
        bill: BillNo::parse(bill).unwrap(),
        amount: Fen::parse_yuan(yuan, Fen(10_000_000)).unwrap(),
        channel,
        code: PaymentCode::parse(code, &ScannerFraming::default()).unwrap(),
    }
}

fn qr(bill: &str, yuan: &str, channel: Channel) -> QrPayment {
    QrPayment {
        bill: BillNo::parse(bill).unwrap(),
        amount: Fen::parse_yuan(yuan, Fen(10_000_000)).unwrap(),
        channel,
        wallet: Platform::Wechat,
    }
}

/// Journal and ledger agree: a paid attempt has exactly one charge of its amount; a failed,
/// cancelled or expired one has none.
fn assert_agrees(journal: &Journal, ledger: &Ledger, bill: &str) {
    let attempts = journal.by_bill(&BillNo::parse(bill).unwrap()).unwrap();
    let charged: u64 = ledger
        .charges_for_bill(bill)
        .iter()
        .map(|c| c.amount_fen)
        .sum();
    let collected: u64 = attempts
        .iter()
        .filter(|a| a.state.is_collected())
        .map(|a| a.amount.0)
        .sum();
    assert_eq!(
        charged, collected,
        "bill {bill}: ledger charged {charged}, journal collected {collected}: {attempts:#?}"
    );
}

async fn wait_for(
    events: &mut broadcast::Receiver<CheckoutEvent>,
    state: AttemptState,
) -> CheckoutEvent {
    loop {
        let e = tokio::time::timeout(Duration::from_secs(600), events.recv())
            .await
            .expect("event in time")
            .expect("event stream open");
        if e.state == state {
            return e;
        }
    }
}

#[tokio::test(start_paused = true)]
async fn barcode_paid_at_once_is_journalled_before_and_after() {
    let t = till().await;
    let mut events = t.engine.subscribe();
    let a = t
        .engine
        .pay_barcode(barcode("B-PAID", "12.30", Channel::PosWechatBarcode, PAID))
        .await
        .unwrap();
    assert_eq!(a.state, AttemptState::Paid);
    assert_eq!(a.amount, Fen(1230));
    assert_eq!(a.code_masked.as_deref(), Some("1345**********7649"));
    let tr = t.engine.journal().transitions(a.id).unwrap();
    let states: Vec<_> = tr.iter().map(|t| t.to_state).collect();
    assert_eq!(
        states,
        [AttemptState::Sending, AttemptState::Paid],
        "{tr:#?}"
    );
    assert_eq!(events.recv().await.unwrap().state, AttemptState::Sending);
    assert_agrees(t.engine.journal(), &t.sandbox.ledger(), "B-PAID");
    // A fully paid bill takes no more payments.
    let e = t
        .engine
        .pay_barcode(barcode("B-PAID", "1", Channel::PosWechatBarcode, PAID))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "bill_paid");
}

#[tokio::test(start_paused = true)]
async fn password_needed_polls_every_3s_until_paid() {
    let t = till().await;
    let mut events = t.engine.subscribe();
    let started = tokio::time::Instant::now();
    let a = t
        .engine
        .pay_barcode(barcode("B-PW", "5", Channel::KoudaiBarcode, PASSWORD_3))
        .await
        .unwrap();
    assert_eq!(a.state, AttemptState::Paid, "{a:?}");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(9) && took < Duration::from_secs(13),
        "3 queries 3 s apart, took {took:?}"
    );
    let mut remaining = vec![];
    while let Ok(e) = events.try_recv() {
        if e.state == AttemptState::Pending {
            remaining.push(e.remaining_ms.unwrap());
        }
    }
    assert!(
        remaining.len() >= 2 && remaining.windows(2).all(|w| w[0] > w[1]),
        "countdown {remaining:?}"
    );
    assert_agrees(t.engine.journal(), &t.sandbox.ledger(), "B-PW");
}

#[tokio::test(start_paused = true)]
async fn pending_forever_becomes_unknown_blocks_the_bill_until_a_manager_resolves() {
    let t = till().await;
    let started = tokio::time::Instant::now();
    let a = t
        .engine
        .pay_barcode(barcode(
            "B-FOREVER",
            "5",
            Channel::PosWechatBarcode,
            FOREVER,
        ))
        .await
        .unwrap();
    assert_eq!(a.state, AttemptState::Unknown, "{a:?}");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(45) && took < Duration::from_secs(49),
        "WeChat gives up at 45 s, took {took:?}"
    );
    // Never charged twice: the bill is blocked while its attempt is Unknown.
    let e = t
        .engine
        .pay_barcode(barcode("B-FOREVER", "5", Channel::PosWechatBarcode, PAID))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "bill_busy");
    let again = t.engine.query_again(a.id).await.unwrap();
    assert_eq!(again.state, AttemptState::Unknown);
    assert_eq!(
        again.order_no, a.order_no,
        "the same order number on every query"
    );
    assert!(
        t.engine
            .force_resolve(a.id, AttemptState::Failed, "", "boss")
            .is_err(),
        "a note is required"
    );
    let r = t
        .engine
        .force_resolve(
            a.id,
            AttemptState::Failed,
            "customer shows no payment in WeChat",
            "boss",
        )
        .unwrap();
    assert_eq!(r.state, AttemptState::Failed);
    let tr = t.engine.journal().transitions(a.id).unwrap();
    assert!(tr.iter().any(
        |t| t.note.as_deref() == Some("customer shows no payment in WeChat")
            && t.actor.as_deref() == Some("boss")
    ));
    let b = t
        .engine
        .pay_barcode(barcode("B-FOREVER", "5", Channel::PosWechatBarcode, PAID))
        .await
        .unwrap();
    assert_eq!(b.state, AttemptState::Paid);
    assert_ne!(
        b.order_no, a.order_no,
        "a new attempt gets a new order number"
    );
    assert_agrees(t.engine.journal(), &t.sandbox.ledger(), "B-FOREVER");
}

#[tokio::test(start_paused = true)]
async fn cloud_barcode_gives_up_at_120s() {
    let t = till().await;
    let started = tokio::time::Instant::now();
    let a = t
        .engine
        .pay_barcode(barcode("B-CLOUD", "5", Channel::CloudBarcode, FOREVER))
        .await
        .unwrap();
    assert_eq!(a.state, AttemptState::Unknown);
    assert!(
        started.elapsed() >= Duration::from_secs(120)
            && started.elapsed() < Duration::from_secs(124)
    );
    assert!(
        a.order_no.starts_with("sbx01"),
        "Cloud Pay prefix then till: {}",
        a.order_no
    );
    assert!(a.order_no.len() <= 32);
}

#[tokio::test(start_paused = true)]
async fn declined_fails_and_the_bill_can_be_paid_again() {
    let t = till().await;
    for channel in [
        Channel::KoudaiBarcode,
        Channel::PosWechatBarcode,
        Channel::CloudBarcode,
    ] {
        let bill = format!("B-NO-{}", channel.as_str().len());
        let a = t
            .engine
            .pay_barcode(barcode(&bill, "3", channel, DECLINED))
            .await
            .unwrap();
        assert_eq!(a.state, AttemptState::Failed, "{channel}: {a:?}");
        assert!(
            a.reason.as_deref().unwrap_or("").contains("余额不足"),
            "{a:?}"
        );
        let b = t
            .engine
            .pay_barcode(barcode(&bill, "3", channel, PAID))
            .await
            .unwrap();
        assert_eq!(b.state, AttemptState::Paid, "{channel}");
        assert_agrees(t.engine.journal(), &t.sandbox.ledger(), &bill);
    }
}

#[tokio::test(start_paused = true)]
async fn lost_answer_is_unknown_then_the_poll_finds_it_paid() {
    let t = till().await;
    let admin = reqwest::Client::new();
    for (endpoint, channel, bill) in [
        ("cpay/micro_pay", Channel::CloudBarcode, "B-HANG-C"),
        (
            "api/3Pay/KouDaiLQ/BarCode",
            Channel::KoudaiBarcode,
            "B-HANG-K",
        ),
        (
            "api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode",
            Channel::PosWechatBarcode,
            "B-HANG-P",
        ),
    ] {
        let r = admin
            .post(format!("{}_sandbox/faults", t.sandbox.url()))
            .json(&json!({"endpoint": endpoint, "kind": "commit_then_hang"}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let mut events = t.engine.subscribe();
        let a = t
            .engine
            .pay_barcode(barcode(bill, "7.5", channel, PAID))
            .await
            .unwrap();
        assert_eq!(a.state, AttemptState::Paid, "{channel}: {a:?}");
        assert!(
            std::iter::from_fn(|| events.try_recv().ok()).any(|e| e.state == AttemptState::Unknown),
            "{channel}: the timeout was shown as Unknown, never as failed"
        );
        assert_agrees(t.engine.journal(), &t.sandbox.ledger(), bill);
        assert_eq!(t.sandbox.ledger().charges_for_bill(bill).len(), 1);
    }
}

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
    for (channel, bill, closed) in [
        (Channel::WechatQr, "Q-EXP-W", false),
        (Channel::CloudQr, "Q-EXP-C", true),
    ] {
        let started = tokio::time::Instant::now();
        let a = t.engine.pay_qr(qr(bill, "1", channel)).await.unwrap();
        assert_eq!(a.state, AttemptState::Expired, "{channel}: {a:?}");
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

#[tokio::test(start_paused = true)]
async fn one_live_attempt_per_bill() {
    let t = till().await;
    let engine = t.engine.clone();
    let first = tokio::spawn(async move {
        engine
            .pay_barcode(barcode("B-ONE", "5", Channel::CloudBarcode, FOREVER))
            .await
    });
    tokio::time::sleep(Duration::from_secs(4)).await;
    for channel in [Channel::CloudBarcode, Channel::PosWechatBarcode] {
        let e = t
            .engine
            .pay_barcode(barcode("B-ONE", "5", channel, PAID))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "bill_busy", "{e}");
    }
    let e = t
        .engine
        .pay_qr(qr("B-ONE", "5", Channel::WechatQr))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "bill_busy");
    assert_eq!(first.await.unwrap().unwrap().state, AttemptState::Unknown);
    assert_eq!(t.sandbox.ledger().charges_for_bill("B-ONE").len(), 0);
}

#[tokio::test(start_paused = true)]
async fn partial_payment_leaves_the_bill_open_for_the_remainder() {
    let t = till().await;
    let r = reqwest::Client::new()
        .post(format!("{}_sandbox/bills", t.sandbox.url()))
        .json(&json!({"billnum": "B-SPLIT", "total_fen": 10000}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let a = t
        .engine
        .pay_barcode(barcode("B-SPLIT", "30", Channel::PosWechatBarcode, PAID))
        .await
        .unwrap();
    assert_eq!(a.state, AttemptState::PartlyPaid);
    assert!(
        a.reason.as_deref().unwrap_or("").contains("70.00"),
        "the cashier sees the remainder: {a:?}"
    );
    let bill = BillNo::parse("B-SPLIT").unwrap();
    assert_eq!(t.engine.journal().bill_collected(&bill).unwrap(), Fen(3000));
    // The remainder, with a password this time: the bill-status poll must see *this* payment.
    let b = t
        .engine
        .pay_barcode(barcode(
            "B-SPLIT",
            "70",
            Channel::PosWechatBarcode,
            "134520273825381002",
        ))
        .await
        .unwrap();
    assert_eq!(b.state, AttemptState::Paid, "{b:?}");
    assert_eq!(
        t.engine.journal().bill_collected(&bill).unwrap(),
        Fen(10000)
    );
    assert_agrees(t.engine.journal(), &t.sandbox.ledger(), "B-SPLIT");
}

#[tokio::test(start_paused = true)]
async fn unreachable_backend_fails_without_charging() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(TokioClock::starting_at(Utc::now()));
    let mut b = backends(&sandbox, Duration::from_secs(15)).await;
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let cfg = CloudPayConfig {
        hosts: vec![format!("http://{dead}/")],
        ..b.cloudpay.as_ref().unwrap().config().clone()
    };
    let http = Http::new(HttpPolicy::default()).unwrap();
    b.cloudpay = Some(
        CloudPay::new(
            http,
            cfg,
            AuthenKey::new(SecretString::from(SandboxConfig::default().authen_key)).unwrap(),
        )
        .unwrap(),
    );
    let (engine, _) = Checkout::open(
        Arc::new(Journal::open(&dir.path().join("j.db")).unwrap()),
        b,
        settings(),
        clock,
        1,
    )
    .await
    .unwrap();
    let a = engine
        .pay_barcode(barcode("B-DEAD", "1", Channel::CloudBarcode, PAID))
        .await
        .unwrap();
    assert_eq!(a.state, AttemptState::Failed);
    assert!(a.reason.unwrap().contains("not reachable"));
    // Not sent means not charged: the bill is free for another try.
    let again = engine
        .pay_barcode(barcode("B-DEAD", "1", Channel::PosWechatBarcode, PAID))
        .await
        .unwrap();
    assert_eq!(again.state, AttemptState::Paid);
}

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
        till: "01".into(),
        order_prefix: "sbx".into(),
        bill_paid_before: None,
    };
    let now = t.clock.now();
    let day = now.date_naive();
    let never_sent = journal.begin(new("R-NEVER"), now, day, "AAA").unwrap();
    let charged = journal.begin(new("R-CHARGED"), now, day, "BBB").unwrap();
    let cp = backends(&t.sandbox, Duration::from_secs(5))
        .await
        .cloudpay
        .unwrap();
    let code = PaymentCode::parse(PAID, &ScannerFraming::default()).unwrap();
    let o = cp
        .micro_pay(&charged.order_no, &charged.bill, Fen(250), &code)
        .await
        .unwrap();
    assert!(matches!(o, cashier_core::PaymentOutcome::Paid { .. }));
    drop(journal);
    drop(t.engine);

    let (engine, report) = open_engine(&t.sandbox, &t.db, t.clock.clone()).await;
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

async fn arm(t: &Till, endpoint: &str, kind: &str) {
    let r = reqwest::Client::new()
        .post(format!("{}_sandbox/faults", t.sandbox.url()))
        .json(&json!({"endpoint": endpoint, "kind": kind, "count": 1, "delay_ms": 2000}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "arming {kind}");
}

/// Every injected fault on every barcode channel's pay call ends in the state the policy
/// demands, and the journal agrees with the ledger: broken answers after a charge end paid
/// (found by the poll), broken answers without a charge stay Unknown (never "failed"), and a
/// refused signature fails without a charge.
#[tokio::test(start_paused = true)]
async fn every_fault_on_every_barcode_channel_ends_in_the_right_state() {
    let t = till().await;
    let channels = [
        (Channel::CloudBarcode, "cpay/micro_pay"),
        (Channel::KoudaiBarcode, "api/3Pay/KouDaiLQ/BarCode"),
        (
            Channel::PosWechatBarcode,
            "api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode",
        ),
    ];
    let mut n = 0;
    for (channel, endpoint) in channels {
        for kind in [
            "delay",
            "http500",
            "reset",
            "html_error",
            "malformed_json",
            "bad_signature",
            "commit_then_hang",
        ] {
            n += 1;
            let bill = format!("F{n}");
            arm(&t, endpoint, kind).await;
            let a = t
                .engine
                .pay_barcode(barcode(&bill, "4.2", channel, PAID))
                .await
                .unwrap();
            let charged = t.sandbox.ledger().charges_for_bill(&bill).len();
            let expected = match (kind, channel) {
                ("delay" | "malformed_json" | "commit_then_hang", _) => (AttemptState::Paid, 1),
                // Cloud Pay: the answer fails verification, the poll finds the charge. Tour V5: the
                // refused signature (401, nothing processed) renews the session and retries.
                ("bad_signature", _) => (AttemptState::Paid, 1),
                _ => (AttemptState::Unknown, 0),
            };
            assert_eq!((a.state, charged), expected, "{channel} with {kind}: {a:?}");
            assert_agrees(t.engine.journal(), &t.sandbox.ledger(), &bill);
        }
    }
    // What the journal collected is what the backends charged, to the fen.
    let day = t
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let report =
        cashier_core::receipts::DayReport::build(day, t.engine.journal().day(day).unwrap());
    assert_eq!(report.collected, t.sandbox.ledger().total_charged());
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
            // and expires unpaid.
            let expected = match (channel, kind) {
                (Channel::WechatQr, "bad_signature") => AttemptState::Expired,
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
    let new = |bill: &str, channel: Channel, prefix: &str| NewAttempt {
        bill: BillNo::parse(bill).unwrap(),
        amount: Fen(300),
        channel,
        wallet: Some("wechat".into()),
        code_masked: None,
        operator: "cashier".into(),
        till: "01".into(),
        order_prefix: prefix.into(),
        bill_paid_before: None,
    };
    let cloud = journal
        .begin(
            new("R-QR-C", Channel::CloudQr, "sbx"),
            now,
            now.date_naive(),
            "CCC",
        )
        .unwrap();
    let tour = journal
        .begin(
            new("R-QR-T", Channel::WechatQr, "CS"),
            now,
            now.date_naive(),
            "TTT",
        )
        .unwrap();
    assert_eq!(cloud.state, AttemptState::Issuing);
    // The crash came after Cloud Pay created the order but before its answer was journalled.
    let cp = backends(&t.sandbox, Duration::from_secs(5))
        .await
        .cloudpay
        .unwrap();
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

#[tokio::test(start_paused = true)]
async fn a_manager_refunds_a_cloud_payment_and_receipts_count_it() {
    let t = till().await;
    let a = t
        .engine
        .pay_barcode(barcode("RF-1", "9.90", Channel::CloudBarcode, PAID))
        .await
        .unwrap();
    assert!(
        t.engine.refund(a.id, "", "boss").await.is_err(),
        "a note is required"
    );
    let r = t
        .engine
        .refund(a.id, "customer returned the goods", "boss")
        .await
        .unwrap();
    assert_eq!(r.state, AttemptState::Refunded);
    assert_eq!(
        t.sandbox.ledger().order(&a.order_no).unwrap().state,
        "refunded"
    );
    let tr = t.engine.journal().transitions(a.id).unwrap();
    assert!(
        tr.iter()
            .any(|x| x.to_state == AttemptState::Refunded && x.actor.as_deref() == Some("boss"))
    );
    assert_eq!(
        t.engine
            .refund(a.id, "again", "boss")
            .await
            .unwrap_err()
            .code(),
        "not_allowed"
    );
    let tv = t
        .engine
        .pay_barcode(barcode("RF-2", "1", Channel::PosWechatBarcode, PAID))
        .await
        .unwrap();
    let e = t.engine.refund(tv.id, "note", "boss").await.unwrap_err();
    assert!(e.to_string().contains("back office"), "{e}");
    let day = t
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let report =
        cashier_core::receipts::DayReport::build(day, t.engine.journal().day(day).unwrap());
    let refunded = report
        .by_outcome
        .get(&cashier_core::receipts::Outcome::Refunded)
        .unwrap();
    assert_eq!((refunded.count, refunded.amount), (1, Fen(990)));
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
    assert_eq!(a.state, AttemptState::Expired);
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

/// A manager may only decide an Unknown attempt: one still being followed ends by itself.
#[tokio::test(start_paused = true)]
async fn a_followed_attempt_cannot_be_resolved_by_hand() {
    let t = till().await;
    let mut events = t.engine.subscribe();
    let engine = t.engine.clone();
    let pay = tokio::spawn(async move {
        engine
            .pay_barcode(barcode("RES-1", "5", Channel::CloudBarcode, FOREVER))
            .await
    });
    let pending = wait_for(&mut events, AttemptState::Pending).await;
    let e = t
        .engine
        .force_resolve(
            pending.attempt_id,
            AttemptState::Failed,
            "customer left",
            "boss",
        )
        .unwrap_err();
    assert_eq!(e.code(), "not_allowed", "{e}");
    assert_eq!(pay.await.unwrap().unwrap().state, AttemptState::Unknown);
}

/// The bill-status poll credits a POS payment only with what it adds: money already on the
/// bill (cash, another till) must not make a pending payment look paid.
#[tokio::test(start_paused = true)]
async fn pos_poll_counts_only_what_this_payment_adds() {
    let t = till().await;
    let admin = reqwest::Client::new();
    let r = admin
        .post(format!("{}_sandbox/bills", t.sandbox.url()))
        .json(&json!({"billnum": "MIX-1", "total_fen": 10000}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    // 60 yuan reach the bill outside this till's journal.
    let other = backends(&t.sandbox, Duration::from_secs(5)).await;
    let link = other.tourv5.unwrap();
    let code = PaymentCode::parse(PAID, &ScannerFraming::default()).unwrap();
    let o = link
        .client
        .pos_wechat_barcode(
            &link.session(),
            &BillNo::parse("MIX-1").unwrap(),
            Fen(6000),
            &code,
        )
        .await
        .unwrap();
    assert!(
        matches!(o, cashier_core::PaymentOutcome::PartlyPaid { .. }),
        "{o:?}"
    );
    // The customer pays the other 40 with a password: pending at first.
    let a = t
        .engine
        .pay_barcode(barcode(
            "MIX-1",
            "40",
            Channel::PosWechatBarcode,
            PASSWORD_3,
        ))
        .await
        .unwrap();
    assert_eq!(a.bill_paid_before, Some(Fen(6000)), "read before sending");
    assert_eq!(a.state, AttemptState::Paid, "{a:?}");
    let tr = t.engine.journal().transitions(a.id).unwrap();
    assert!(
        tr.iter().all(|x| x.to_state != AttemptState::PartlyPaid),
        "never credited with the cash already on the bill: {tr:#?}"
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
    assert_eq!(a.state, AttemptState::Expired);
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
