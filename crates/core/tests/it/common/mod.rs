//! What the core's tests share: a till (sandbox, journal, engine on tokio's paused clock),
//! payments as a cashier enters them, the journal-against-ledger check, and a front end's
//! `Till` on the embedded sandbox.
// A shared prelude: each test file uses a different part of it.
#![allow(dead_code, unused_imports)]

pub use cashier_backends::cloudpay::CloudPay;
pub use cashier_backends::crypto::AuthenKey;
pub use cashier_backends::http::Http;
pub use cashier_backends::tourv5::TourV5;
pub use cashier_backends::{Clients, TourV5Link};
pub use cashier_core::backend::cloudpay::{CloudPayConfig, Platform};
pub use cashier_core::backend::http::HttpPolicy;
pub use cashier_core::backend::tourv5::TourV5Config;
pub use cashier_core::checkout::{
    Backends, BarcodePayment, Checkout, CheckoutEvent, CheckoutSettings, QrPayment, SendRetry,
};
pub use cashier_core::config::PollPolicies;
pub use cashier_core::journal::{Journal, NewAttempt};
pub use cashier_core::order_no::{OrderScheme, OrderSchemes};
pub use cashier_core::{
    Attempt, AttemptState, BillNo, Channel, Clock, Error, Fen, ManagerDecision, PaymentCode,
    ScannerFraming, SystemClock, TokioClock,
};
pub use cashier_sandbox::{Ledger, Sandbox, SandboxConfig};
pub use chrono::Utc;
pub use secrecy::SecretString;
pub use serde_json::json;
pub use std::sync::Arc;
pub use std::time::Duration;
pub use tokio::sync::broadcast;

pub const PAID: &str = "134520273825387649";
pub const PASSWORD_3: &str = "134520273825381003";
pub const DECLINED: &str = "134520273825382222";
pub const FOREVER: &str = "134520273825384444";

pub struct Till {
    pub sandbox: Sandbox,
    pub engine: Arc<Checkout>,
    pub _dir: tempfile::TempDir,
    pub db: std::path::PathBuf,
    pub clock: Arc<TokioClock>,
}

/// The engine's backends on the sandbox's two clients.
pub async fn backends(sandbox: &Sandbox, request_timeout: Duration) -> Backends {
    both(clients(sandbox, request_timeout).await)
}

/// Backends on the sandbox with a given Cloud Pay merchant prefix (the sandbox's own must match).
pub async fn backends_for(sandbox: &Sandbox, request_timeout: Duration, prefix: &str) -> Backends {
    both(clients_for(sandbox, request_timeout, prefix).await)
}

pub fn both((tourv5, cloudpay): (TourV5Link, CloudPay)) -> Backends {
    cashier_backends::link::backends(Some(tourv5), Some(cloudpay))
}

/// The two clients themselves, for a test that calls a backend behind the engine's back.
pub async fn clients(sandbox: &Sandbox, request_timeout: Duration) -> (TourV5Link, CloudPay) {
    let prefix = SandboxConfig::default().order_prefix;
    clients_for(sandbox, request_timeout, &prefix).await
}

/// The back office checks HAWK timestamps against its real clock, so the client signs with
/// the system clock even where the engine runs on tokio's paused one.
pub async fn clients_for(
    sandbox: &Sandbox,
    request_timeout: Duration,
    cloud_prefix: &str,
) -> (TourV5Link, CloudPay) {
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
        order_prefix: cloud_prefix.to_string(),
        out_mch_id: sc.out_mch_id.clone(),
        out_sub_mch_id: sc.out_sub_mch_id.clone(),
        out_shop_id: sc.out_shop_id.clone(),
        ..CloudPayConfig::default()
    };
    let cloudpay = CloudPay::new(
        http,
        cp_cfg,
        AuthenKey::new(SecretString::from(sc.authen_key)).unwrap(),
    )
    .unwrap();
    (TourV5Link::new(client, session), cloudpay)
}

pub fn settings() -> CheckoutSettings {
    CheckoutSettings {
        operator: "cashier".into(),
        orders: OrderSchemes {
            tourv5: OrderScheme::internal("CS", "01").unwrap(),
            cloudpay: Some(
                OrderScheme::cloud_pay(&SandboxConfig::default().order_prefix, "01").unwrap(),
            ),
        },
        tz: chrono_tz::Asia::Shanghai,
        polls: PollPolicies::default(),
        send_retry: SendRetry {
            attempts: 2,
            backoff: Duration::from_millis(100),
        },
        qr_payable_for: Duration::from_secs(7200),
        resolve_after: Duration::from_secs(300),
    }
}

pub async fn till() -> Till {
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

pub async fn open_engine(
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
    (engine, report)
}

pub fn barcode(bill: &str, yuan: &str, channel: Channel, code: &str) -> BarcodePayment {
    BarcodePayment {
        bill: BillNo::parse(bill).unwrap(),
        amount: Fen::parse_yuan(yuan, Fen(10_000_000)).unwrap(),
        channel,
        code: PaymentCode::parse(code, &ScannerFraming::default()).unwrap(),
    }
}

pub fn qr(bill: &str, yuan: &str, channel: Channel) -> QrPayment {
    QrPayment {
        bill: BillNo::parse(bill).unwrap(),
        amount: Fen::parse_yuan(yuan, Fen(10_000_000)).unwrap(),
        channel,
        wallet: Platform::Wechat,
    }
}

/// Journal and ledger agree: a paid attempt has exactly one charge of its amount; a failed,
/// cancelled or expired one has none.
pub fn assert_agrees(journal: &Journal, ledger: &Ledger, bill: &str) {
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

/// A KouDaiLQ payment whose answer (and its autoid) was lost cannot be queried: it waits,
/// Unknown, for a manager, who finds the charge in the back office (here, the sandbox's
/// ledger) and records it.
pub async fn manager_finds_it_in_the_back_office(t: &Till, a: &Attempt) -> Attempt {
    assert_eq!(a.state, AttemptState::Unknown, "{a:?}");
    assert!(
        a.reason.as_deref().is_some_and(|r| r.contains("autoid")),
        "the reason tells the manager why: {a:?}"
    );
    assert_eq!(
        t.sandbox.ledger().charges_for_bill(a.bill.as_str()).len(),
        1,
        "the back office has the charge"
    );
    t.engine
        .force_resolve(
            a.id,
            ManagerDecision::Paid,
            "found in the back office",
            "boss",
        )
        .await
        .unwrap()
}

pub async fn wait_for(
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

pub async fn arm(t: &Till, endpoint: &str, kind: &str) {
    arm_times(t, endpoint, kind, 1).await;
}

/// Arms a fault for the next `count` calls matching `endpoint`.
pub async fn arm_times(t: &Till, endpoint: &str, kind: &str, count: u32) {
    let r = reqwest::Client::new()
        .post(format!("{}_sandbox/faults", t.sandbox.url()))
        .json(&json!({"endpoint": endpoint, "kind": kind, "count": count, "delay_ms": 2000}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "arming {kind}");
}

/// A front end's `Till` on the embedded sandbox (what a till with no backend configured runs
/// on), its journal in `dir`, its settings saved to `config_path`; not logged in (the note says
/// how).
pub async fn sandbox_till(
    dir: &std::path::Path,
    config_path: std::path::PathBuf,
    edit: impl FnOnce(&mut cashier_core::config::Config),
) -> (
    cashier_core::till::Till,
    Sandbox,
    cashier_core::till::SandboxNote,
) {
    sandbox_till_printing(dir, config_path, edit, None).await
}

/// [`sandbox_till`] with a printer driver handed to the till.
pub async fn sandbox_till_printing(
    dir: &std::path::Path,
    config_path: std::path::PathBuf,
    edit: impl FnOnce(&mut cashier_core::config::Config),
    printer: Option<Arc<dyn cashier_core::print::Printer>>,
) -> (
    cashier_core::till::Till,
    Sandbox,
    cashier_core::till::SandboxNote,
) {
    sandbox_till_with(dir, config_path, edit, printer, None).await
}

/// [`sandbox_till`] with a printer driver and a store shipper handed to the till.
pub async fn sandbox_till_with(
    dir: &std::path::Path,
    config_path: std::path::PathBuf,
    edit: impl FnOnce(&mut cashier_core::config::Config),
    printer: Option<Arc<dyn cashier_core::print::Printer>>,
    shipper: Option<Arc<dyn cashier_core::shipping::Shipper>>,
) -> (
    cashier_core::till::Till,
    Sandbox,
    cashier_core::till::SandboxNote,
) {
    let mut cfg = cashier_core::config::Config {
        db_path: Some(dir.join("journal.db")),
        ..Default::default()
    };
    edit(&mut cfg);
    let cashier_sandbox::embed::StandIn {
        sandbox,
        note,
        authen_key,
    } = cashier_sandbox::embed::embed(&mut cfg).await.unwrap();
    let till = cashier_core::till::Till::open(
        cfg,
        Arc::new(SystemClock),
        cashier_core::till::TillOptions {
            sandbox: Some(note.clone()),
            config_path: Some(config_path),
            seed: Some(7),
            connector: Some(Arc::new(Clients::with_authen_key(authen_key))),
            printer,
            shipper,
            store_reader: None,
        },
    )
    .unwrap();
    (till, sandbox, note)
}

/// A manager who approved, for the engine's refunds (the till checks the PIN before it calls
/// the engine); no staff id of their own: the till's configured one authorises the refund.
pub fn approver(name: &str) -> cashier_core::managers::Approver {
    cashier_core::managers::Approver {
        id: cashier_core::managers::ManagerId(1),
        name: name.to_string(),
        staff_id: None,
    }
}

/// The sandbox's demo manager with its public PIN: the approval a test on the sandbox gives.
pub fn demo_approval(till: &cashier_core::till::Till) -> cashier_core::managers::Approval {
    let demo = till
        .managers()
        .unwrap()
        .into_iter()
        .find(|m| m.demo)
        .expect("the sandbox has its demo manager");
    cashier_core::managers::Approval {
        manager: demo.id,
        pin: cashier_core::managers::DEMO_MANAGER_PIN.to_string(),
    }
}
