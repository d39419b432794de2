//! A till for the benches: the embedded sandbox on loopback, a Cloud Pay client of it, and
//! checkout engines over journals the benches choose.
// Shared by the benches; each uses part of it.
#![allow(dead_code)]

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cashier_backends::cloudpay::{CloudPay, CloudPayConfig};
use cashier_backends::crypto::AuthenKey;
use cashier_backends::http::{Http, HttpPolicy};
use cashier_core::checkout::{Checkout, CheckoutSettings, SendRetry};
use cashier_core::config::PollPolicies;
use cashier_core::journal::Journal;
use cashier_core::order_no::{OrderScheme, OrderSchemes};
use cashier_core::{BillNo, ManagerDecision, PaymentCode, ScannerFraming, SystemClock};
use cashier_sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use tokio::runtime::Runtime;

/// A WeChat code the sandbox charges at once, every time.
pub const PAID_AT_ONCE: &str = "134520273825387649";

static BILLS: AtomicU64 = AtomicU64::new(0);

/// This run, as the second it started: the cached journals keep the bills of earlier runs.
fn run() -> u64 {
    static RUN: OnceLock<u64> = OnceLock::new();
    *RUN.get_or_init(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    })
}

/// A bill number no bench has used in this run nor in an earlier one (the cached journals
/// keep those), and none the generator wrote.
pub fn next_bill() -> BillNo {
    let n = BILLS.fetch_add(1, Ordering::Relaxed);
    match BillNo::parse(&format!("B{:x}-{n}", run())) {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    }
}

pub fn paid_code() -> PaymentCode {
    PaymentCode::parse(PAID_AT_ONCE, &ScannerFraming::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// Two worker threads, like the machine: the till's runtime as the CLI and the app run it.
pub fn runtime() -> Runtime {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("runtime: {e}"),
    }
}

pub async fn sandbox() -> (Sandbox, CloudPay) {
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let sc = SandboxConfig::default();
    let cfg = CloudPayConfig {
        hosts: vec![sandbox.url()],
        order_prefix: sc.order_prefix.clone(),
        out_mch_id: sc.out_mch_id.clone(),
        out_sub_mch_id: sc.out_sub_mch_id.clone(),
        out_shop_id: sc.out_shop_id.clone(),
        ..CloudPayConfig::default()
    };
    let key = AuthenKey::new(SecretString::from(sc.authen_key)).unwrap_or_else(|e| panic!("{e}"));
    let http = Http::new(HttpPolicy::default()).unwrap_or_else(|e| panic!("{e}"));
    let cloud = CloudPay::new(http, cfg, key).unwrap_or_else(|e| panic!("{e}"));
    (sandbox, cloud)
}

pub fn settings() -> CheckoutSettings {
    let sc = SandboxConfig::default();
    CheckoutSettings {
        operator: "bench".into(),
        orders: OrderSchemes {
            tourv5: OrderScheme::internal("CS", "01").unwrap_or_else(|e| panic!("{e}")),
            cloudpay: Some(
                OrderScheme::cloud_pay(&sc.order_prefix, "01").unwrap_or_else(|e| panic!("{e}")),
            ),
        },
        tz: chrono_tz::Asia::Shanghai,
        polls: PollPolicies::default(),
        send_retry: SendRetry::default(),
        qr_payable_for: Duration::from_secs(7200),
        resolve_after: Duration::from_secs(300),
    }
}

/// Opens the journal at `path` and a checkout engine over it (which recovers first).
pub async fn engine(path: &Path, cloud: &CloudPay) -> Arc<Checkout> {
    let journal = Journal::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // A run stopped between preparing an attempt and settling it leaves it live in the cached
    // journal, and every later recovery would query it: "nothing unfinished" must stay true.
    let left = journal.live().unwrap_or_else(|e| panic!("{e}"));
    for a in left {
        let note = "left unfinished by an interrupted bench run";
        journal
            .resolve(
                a.id,
                ManagerDecision::Failed,
                note,
                "bench",
                chrono::Utc::now(),
            )
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let backends = cashier_backends::link::backends(None, Some(cloud.clone()));
    let (engine, _) = Checkout::open(
        Arc::new(journal),
        backends,
        settings(),
        Arc::new(SystemClock),
        1,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    engine
}
