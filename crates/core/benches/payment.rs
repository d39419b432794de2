//! What a payment costs on this side of the wire, against baselines measured in the same run:
//! - a whole `pay_barcode` (journal write before the call, the call, the journal write after)
//!   against the bare `micro_pay` call to the same loopback sandbox: the ratio is the price of
//!   "journal before send";
//! - the per-request crypto (TripleDES of a code, HAWK header, authen_code) against one SHA-256
//!   of the same bytes;
//! - amount parsing against `str::parse::<u64>` of the same digits.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use cashier_core::checkout::{Backends, BarcodePayment, Checkout, CheckoutSettings, SendRetry};
use cashier_core::cloudpay::{CloudPay, CloudPayConfig};
use cashier_core::config::PollPolicies;
use cashier_core::crypto::{AuthenKey, HawkCredentials, TdesProfile, hawk_sig::HawkTarget};
use cashier_core::http::{Http, HttpPolicy};
use cashier_core::journal::Journal;
use cashier_core::money::DEFAULT_MAX;
use cashier_core::order_no::{OrderScheme, OrderSchemes};
use cashier_core::{BillNo, Channel, Fen, PaymentCode, ScannerFraming, SystemClock};
use cashier_sandbox::{Sandbox, SandboxConfig};
use criterion::{Criterion, criterion_group, criterion_main};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

const CODE: &str = "134520273825387649";
static N: AtomicU64 = AtomicU64::new(0);

fn next_bill() -> BillNo {
    let n = N.fetch_add(1, Ordering::Relaxed);
    match BillNo::parse(&format!("BENCH{n}")) {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    }
}

fn checkout_round_trip(c: &mut Criterion) {
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    else {
        panic!("runtime");
    };
    let dir = match tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")) {
        Ok(d) => d,
        Err(e) => panic!("tempdir: {e}"),
    };
    let (sandbox, cloud, engine) = rt.block_on(async {
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
        let key =
            AuthenKey::new(SecretString::from(sc.authen_key)).unwrap_or_else(|e| panic!("{e}"));
        let http = Http::new(HttpPolicy::default()).unwrap_or_else(|e| panic!("{e}"));
        let cloud = CloudPay::new(http, cfg, key).unwrap_or_else(|e| panic!("{e}"));
        let journal = Journal::open(&dir.path().join("bench.db")).unwrap_or_else(|e| panic!("{e}"));
        let settings = CheckoutSettings {
            operator: "bench".into(),
            orders: OrderSchemes {
                tourv5: OrderScheme::internal("CS", "01").unwrap_or_else(|e| panic!("{e}")),
                cloudpay: Some(
                    OrderScheme::cloud_pay(&sc.order_prefix, "01")
                        .unwrap_or_else(|e| panic!("{e}")),
                ),
            },
            tz: chrono_tz::Asia::Shanghai,
            polls: PollPolicies::default(),
            send_retry: SendRetry::default(),
            qr_payable_for: Duration::from_secs(7200),
            resolve_after: Duration::from_secs(300),
        };
        let backends = Backends {
            tourv5: None,
            cloudpay: Some(cloud.clone()),
        };
        let (engine, _) = Checkout::open(
            Arc::new(journal),
            backends,
            settings,
            Arc::new(SystemClock),
            1,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        (sandbox, cloud, engine)
    });
    let code =
        PaymentCode::parse(CODE, &ScannerFraming::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut g = c.benchmark_group("payment");
    g.sample_size(60).measurement_time(Duration::from_secs(6));
    g.bench_function("baseline: bare micro_pay over loopback", |b| {
        b.iter(|| {
            let bill = next_bill();
            let no = format!("{}B{}", cloud.config().order_prefix, bill.as_str());
            rt.block_on(cloud.micro_pay(&no, &bill, Fen(100), &code))
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    g.bench_function("pay_barcode: journal + micro_pay + journal", |b| {
        b.iter(|| {
            let p = BarcodePayment {
                bill: next_bill(),
                amount: Fen(100),
                channel: Channel::CloudBarcode,
                code: code.clone(),
            };
            rt.block_on(engine.pay_barcode(p))
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    g.finish();
    rt.block_on(sandbox.shutdown());
}

fn crypto(c: &mut Criterion) {
    let key = "E10ADC3949BA59ABBE56E057F20F883E";
    let authen = AuthenKey::new(SecretString::from("sandbox-authen-key-0123456789abc"))
        .unwrap_or_else(|e| panic!("{e}"));
    let creds = HawkCredentials::new("cashier", SecretString::from(key));
    let body = br#"{"billnum":"B1","wechatbarcode":"IbyPNkLjXSCnmbJ7faDKbihDnu85i/CF","paymentvalue":12.3}"#;
    let content = std::str::from_utf8(body).unwrap_or_default();
    let target = HawkTarget {
        method: "POST",
        host: "127.0.0.1",
        port: 8686,
        path: "/api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode",
    };
    let mut g = c.benchmark_group("crypto");
    g.bench_function("baseline: sha256 of the body", |b| {
        b.iter(|| Sha256::digest(black_box(body)))
    });
    g.bench_function("tdes sha256-ecb encrypt code", |b| {
        b.iter(|| TdesProfile::Sha256Ecb.encrypt(black_box(key), black_box(CODE)))
    });
    g.bench_function("hawk header", |b| {
        b.iter(|| {
            creds.sign(
                target,
                "application/json",
                black_box(body),
                SystemTime::now(),
                "nonce123",
            )
        })
    });
    g.bench_function("authen_code sign", |b| {
        b.iter(|| authen.sign(black_box(content)))
    });
    g.finish();
}

fn parsing(c: &mut Criterion) {
    let mut g = c.benchmark_group("parsing");
    g.bench_function("baseline: u64 parse", |b| {
        b.iter(|| black_box("1230").parse::<u64>())
    });
    g.bench_function("Fen::parse_yuan 12.30", |b| {
        b.iter(|| Fen::parse_yuan(black_box("12.30"), DEFAULT_MAX))
    });
    g.bench_function("Fen::parse_yuan full-width", |b| {
        b.iter(|| Fen::parse_yuan(black_box("１２．３"), DEFAULT_MAX))
    });
    g.bench_function("PaymentCode::parse", |b| {
        b.iter(|| {
            PaymentCode::parse(
                black_box("134520273825387649\r\n"),
                &ScannerFraming::default(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, checkout_round_trip, crypto, parsing);
criterion_main!(benches);
