//! Three tills paying on the sandbox at once, each shipping its journal, while the store is
//! stopped and started and their connections are cut mid-batch: afterwards the store holds
//! exactly the union of the three journals, in each till's order.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cashier_backends::TourV5Link;
use cashier_backends::cloudpay::CloudPay;
use cashier_backends::crypto::AuthenKey;
use cashier_backends::http::Http;
use cashier_backends::tourv5::TourV5;
use cashier_core::backend::cloudpay::CloudPayConfig;
use cashier_core::backend::http::HttpPolicy;
use cashier_core::backend::tourv5::TourV5Config;
use cashier_core::checkout::{BarcodePayment, Checkout, CheckoutSettings, SendRetry};
use cashier_core::config::PollPolicies;
use cashier_core::journal::Journal;
use cashier_core::order_no::{OrderScheme, OrderSchemes};
use cashier_core::{AttemptState, BillNo, Channel, Fen, PaymentCode, ScannerFraming, SystemClock};
use cashier_sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;

use crate::common::*;

const PAID: &str = "134520273825387649";
const PAYMENTS: u32 = 25;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_tills_paying_through_a_store_outage_ship_exactly_their_journals() {
    let Some(db) = TestDb::alone().await else {
        return;
    };
    let Ok(pg_dir) = std::env::var("CASHIER_TEST_PG_DIR") else {
        eprintln!("skipped: CASHIER_TEST_PG_DIR is not set (scripts/postgres start prints it)");
        return;
    };
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let mut payers = Vec::new();
    let mut shippers = Vec::new();
    let mut tills = Vec::new();
    for (n, till) in ["01", "02", "03"].into_iter().enumerate() {
        let journal = Arc::new(Journal::open(&dir.path().join(format!("{till}.db"))).unwrap());
        let (engine, _) = Checkout::open(
            journal.clone(),
            backends(&sandbox).await,
            settings(till),
            Arc::new(SystemClock),
            n as u64,
        )
        .await
        .unwrap();
        let (store, key) = db.till(till).await;
        let store = Arc::new(store);
        payers.push(tokio::spawn(async move {
            for i in 0..PAYMENTS {
                let a = engine
                    .pay_barcode(barcode(&format!("B{till}-{i}")))
                    .await
                    .unwrap();
                assert_eq!(a.state, AttemptState::Paid, "{a:?}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
        // The till's shipping task: never in the payments' way, trying again after a failure.
        let (s, k, j, stop) = (store.clone(), key.clone(), journal.clone(), stop.clone());
        shippers.push(tokio::spawn(async move {
            let mut failures = 0u32;
            while !stop.load(Ordering::Relaxed) {
                match s.sync(&k, &j, 7).await {
                    Ok(_) => {}
                    Err(e) if e.is_transient() => failures += 1,
                    Err(e) => panic!("till {}: {e:?}", k.till),
                }
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
            failures
        }));
        tills.push((till, journal, store, key));
    }

    // Connections cut mid-batch, again and again, then the whole server stopped and started.
    let roles = format!("{}_till_%", db.name);
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(40)).await;
        let (client, conn) = tokio_postgres::connect(db.admin.expose(), tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename LIKE $1",
                &[&roles],
            )
            .await
            .unwrap();
    }
    script(&["pause", &pg_dir]);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    script(&["resume", &pg_dir]);

    for p in payers {
        p.await.unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let mut failures = 0;
    for s in shippers {
        failures += s.await.unwrap();
    }
    assert!(failures > 0, "the outage was felt by the shippers");
    let mut total = 0;
    for (till, journal, store, key) in tills {
        let last = store.sync(&key, &journal, 7).await.unwrap();
        assert!(last.caught_up(), "{last:?}");
        let expected = journal_seals(&journal);
        assert_eq!(expected.len(), PAYMENTS as usize * 3);
        assert_eq!(
            db.seals(till).await,
            expected,
            "till {till}: 0 lost, 0 duplicated, in order"
        );
        total += expected.len() as i64;
    }
    assert_eq!(db.count("SELECT count(*) FROM cashier.seals").await, total);
}

fn script(args: &[&str]) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/postgres");
    let out = std::process::Command::new(root)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn barcode(bill: &str) -> BarcodePayment {
    BarcodePayment {
        bill: BillNo::parse(bill).unwrap(),
        amount: Fen(100),
        channel: Channel::PosWechatBarcode,
        code: PaymentCode::parse(PAID, &ScannerFraming::default()).unwrap(),
    }
}

fn settings(till: &str) -> CheckoutSettings {
    CheckoutSettings {
        operator: "cashier".into(),
        orders: OrderSchemes {
            tourv5: OrderScheme::internal("CS", till).unwrap(),
            cloudpay: Some(
                OrderScheme::cloud_pay(&SandboxConfig::default().order_prefix, till).unwrap(),
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

/// The engine's backends on the sandbox, as core's tests build them.
async fn backends(sandbox: &Sandbox) -> cashier_core::checkout::Backends {
    let sc = SandboxConfig::default();
    let http = Http::new(HttpPolicy {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(15),
    })
    .unwrap();
    let client = TourV5::new(
        http.clone(),
        TourV5Config {
            base_url: sandbox.url(),
            ..TourV5Config::default()
        },
        Arc::new(SystemClock),
    )
    .unwrap();
    let session = client
        .login(&sc.operator, &SecretString::from(sc.password.clone()))
        .await
        .unwrap();
    let cloudpay = CloudPay::new(
        http,
        CloudPayConfig {
            hosts: vec![sandbox.url()],
            order_prefix: sc.order_prefix.clone(),
            out_mch_id: sc.out_mch_id.clone(),
            out_sub_mch_id: sc.out_sub_mch_id.clone(),
            out_shop_id: sc.out_shop_id.clone(),
            ..CloudPayConfig::default()
        },
        AuthenKey::new(SecretString::from(sc.authen_key)).unwrap(),
    )
    .unwrap();
    cashier_backends::link::backends(Some(TourV5Link::new(client, session)), Some(cloudpay))
}
