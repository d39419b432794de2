//! What a payment costs on this side of the wire, against baselines measured in the same run:
//! - a whole barcode checkout (`pay_barcode`: journal before the call, the call, journal
//!   after; instant-success code, embedded sandbox on loopback) against its physical floor: a
//!   bare `reqwest` POST of the same request (built and signed beforehand) plus two durable
//!   SQLite commits on the same disk. The parts of the floor and the client's own `micro_pay`
//!   are printed too, and a summary with the ratios at the end;
//! - the per-request crypto (TripleDES of a code, HAWK header, authen_code) against one SHA-256
//!   of the same bytes;
//! - amount parsing against `str::parse::<u64>` of the same digits.

#[path = "support/figures.rs"]
mod figures;
#[path = "support/till.rs"]
mod till;

use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use cashier_backends::cloudpay::wire::{
    AuthenA, AuthenInfo, OrderClient, PayContent, PayMchKey, Request, RequestContent,
    ResponseContent,
};
use cashier_backends::cloudpay::{CloudPay, Platform};
use cashier_backends::crypto::{
    AuthenKey, HawkCredentials, TdesCipher, TdesProfile, hawk_sig::HawkTarget,
};
use cashier_core::checkout::{BarcodePayment, Checkout};
use cashier_core::money::DEFAULT_MAX;
use cashier_core::order_no::OrderScheme;
use cashier_core::{AttemptId, BillNo, Channel, Fen, PaymentCode, ScannerFraming};
use cashier_sandbox::SandboxConfig;
use criterion::{BatchSize, Criterion, criterion_group};
use figures::Figures;
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use tokio::runtime::Runtime;

const CODE: &str = till::PAID_AT_ONCE;
const ROUNDS: usize = 300;

const CHECKOUT: &str = "checkout: pay_barcode";
const FLOOR: &str = "floor: commit + bare POST + commit";
const POST: &str = "  bare reqwest POST";
const COMMITS: &str = "  two durable commits";
const MICRO_PAY: &str = "client: CloudPay::micro_pay";
const MEDIAN: &str = "median";
const FIGURES: [&str; 5] = [CHECKOUT, FLOOR, POST, COMMITS, MICRO_PAY];

/// Runs `work` as a task on the runtime's workers, as the till runs its payments.
fn on_runtime<T: Send + 'static>(
    rt: &Runtime,
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    match rt.block_on(rt.spawn(work)) {
        Ok(out) => out,
        Err(e) => panic!("task: {e}"),
    }
}

/// Order numbers for the requests the bench sends itself, far above any attempt id.
static ORDERS: AtomicI64 = AtomicI64::new(1_000_000_000);

/// The body `micro_pay` sends for a fresh order, signed: built outside the timed part.
fn micro_pay_body(cloud: &CloudPay, key: &AuthenKey, bill: &BillNo) -> Vec<u8> {
    let cfg = cloud.config();
    let scheme = OrderScheme::cloud_pay(&cfg.order_prefix, "01").unwrap_or_else(|e| panic!("{e}"));
    let id = AttemptId(ORDERS.fetch_add(1, Ordering::Relaxed));
    let out_trade_no = scheme
        .order_no(id, chrono::Utc::now(), 7)
        .unwrap_or_else(|e| panic!("{e}"));
    let content = RequestContent {
        nonce_str: format!("{:032}", id.0),
        pay_mch_key: PayMchKey {
            pay_platform: Platform::Wechat as u8,
            sub_pay_platform: cfg.sub_pay_platform,
            out_mch_id: cfg.out_mch_id.clone(),
            out_sub_mch_id: cfg.out_sub_mch_id.clone(),
            out_shop_id: cfg.out_shop_id.clone(),
            authorization: None,
        },
        order_client: OrderClient {
            machine_no: Some(cfg.machine_no.clone()),
            terminal_type: cfg.terminal_type,
            device_id: Some(cfg.device_id.clone()),
            staff_id: Some(cfg.staff_id.clone()).filter(|s| !s.is_empty()),
            sdk_version: cfg.sdk_version.clone(),
            spbill_create_ip: cfg.spbill_create_ip.clone(),
            sub_terminal_type: None,
        },
        pay_content: Some(PayContent {
            out_trade_no,
            total_fee: 100,
            fee_type: "CNY".into(),
            client_flow_id: Some(bill.to_string()),
            body: cfg.body.clone(),
            time_expire: None,
            detail: None,
            remark: None,
            author_code: Some(CODE.into()),
            wxpay_pay_content_ext: None,
        }),
        out_trade_no: None,
        trade_type: None,
        out_refund_no: None,
        refund_content: None,
    };
    let request_content = serde_json::to_string(&content).unwrap_or_else(|e| panic!("{e}"));
    let request = Request {
        authen_info: AuthenInfo {
            a: AuthenA {
                authen_type: 1,
                authen_code: key.sign(&request_content),
            },
        },
        request_content,
    };
    serde_json::to_vec(&request).unwrap_or_else(|e| panic!("{e}"))
}

/// A plain SQLite file as durable as the journal (WAL, `synchronous=FULL`): one commit of
/// one row is the least a durable journal write can cost.
fn durable_file(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("{e}"));
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mode, "wal");
    conn.pragma_update(None, "synchronous", "FULL")
        .unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body TEXT)")
        .unwrap_or_else(|e| panic!("{e}"));
    conn
}

fn commit(conn: &rusqlite::Connection) {
    conn.execute(
        "INSERT INTO rows (body) VALUES (?1)",
        [
            "a payment attempt's row, about as long as the journal's: bill, order number, \
          amount, channel, masked code, operator, till, state, times",
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

async fn bare_post(client: &reqwest::Client, url: &str, body: Vec<u8>) {
    let answer = client
        .post(url)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(answer.status().is_success(), "{}", answer.status());
    let answered = answer.bytes().await.unwrap_or_else(|e| panic!("{e}"));
    // The sandbox charged the order (status 0), as it does for the checkout: a refusal is
    // answered faster and would make a floor too low.
    let envelope: serde_json::Value =
        serde_json::from_slice(&answered).unwrap_or_else(|e| panic!("{e}"));
    let content: ResponseContent = serde_json::from_str(
        envelope["response_content"]
            .as_str()
            .unwrap_or_else(|| panic!("no response_content: {envelope}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(content.status, 0, "{content:?}");
}

/// Everything the checkout figures need.
struct Floor {
    rt: Runtime,
    cloud: CloudPay,
    key: AuthenKey,
    /// A client of its own with the engine's settings (rustls, no Nagle), warm and pooled.
    client: reqwest::Client,
    url: String,
    durable: Arc<Mutex<rusqlite::Connection>>,
    engine: Arc<Checkout>,
}

impl Floor {
    /// Prepares one run of `figure` (untimed) and returns it, ready to be timed.
    fn prepare(&self, figure: &str) -> Box<dyn FnOnce() + '_> {
        let rt = &self.rt;
        match figure {
            POST => {
                let body = micro_pay_body(&self.cloud, &self.key, &till::next_bill());
                let (client, url) = (self.client.clone(), self.url.clone());
                Box::new(move || {
                    on_runtime(rt, async move { bare_post(&client, &url, body).await })
                })
            }
            COMMITS => {
                let durable = self.durable.clone();
                Box::new(move || {
                    on_runtime(rt, async move {
                        let conn = durable.lock().unwrap_or_else(|p| p.into_inner());
                        commit(&conn);
                        commit(&conn);
                    })
                })
            }
            FLOOR => {
                let body = micro_pay_body(&self.cloud, &self.key, &till::next_bill());
                let (client, url) = (self.client.clone(), self.url.clone());
                let durable = self.durable.clone();
                Box::new(move || {
                    on_runtime(rt, async move {
                        commit(&durable.lock().unwrap_or_else(|p| p.into_inner()));
                        bare_post(&client, &url, body).await;
                        commit(&durable.lock().unwrap_or_else(|p| p.into_inner()));
                    })
                })
            }
            MICRO_PAY => {
                let cloud = self.cloud.clone();
                let bill = till::next_bill();
                let no = order_no(&cloud);
                Box::new(move || {
                    on_runtime(rt, async move {
                        cloud
                            .micro_pay(&no, &bill, Fen(100), &till::paid_code())
                            .await
                            .map(drop)
                    })
                    .unwrap_or_else(|e| panic!("{e}"))
                })
            }
            CHECKOUT => {
                let engine = self.engine.clone();
                let p = BarcodePayment {
                    bill: till::next_bill(),
                    amount: Fen(100),
                    channel: Channel::CloudBarcode,
                    code: till::paid_code(),
                };
                Box::new(move || {
                    on_runtime(rt, async move { engine.pay_barcode(p).await.map(drop) })
                        .unwrap_or_else(|e| panic!("{e}"))
                })
            }
            other => panic!("no figure {other}"),
        }
    }
}

/// A fresh order number of the merchant's, far above the engine's attempt ids.
fn order_no(cloud: &CloudPay) -> String {
    let scheme = OrderScheme::cloud_pay(&cloud.config().order_prefix, "01")
        .unwrap_or_else(|e| panic!("{e}"));
    let id = AttemptId(ORDERS.fetch_add(1, Ordering::Relaxed));
    scheme
        .order_no(id, chrono::Utc::now(), 7)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn checkout_round_trip(c: &mut Criterion) {
    let rt = till::runtime();
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap_or_else(|e| panic!("{e}"));
    let (sandbox, cloud) = rt.block_on(till::sandbox());
    let engine = rt.block_on(till::engine(&dir.path().join("bench.db"), &cloud));
    let key = AuthenKey::new(SecretString::from(SandboxConfig::default().authen_key))
        .unwrap_or_else(|e| panic!("{e}"));
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .tcp_nodelay(true)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let base = cloud.config().hosts[0].trim_end_matches('/').to_string();
    let floor = Floor {
        rt,
        key,
        client,
        url: format!("{base}/cpay/micro_pay"),
        durable: Arc::new(Mutex::new(durable_file(&dir.path().join("floor.db")))),
        engine,
        cloud,
    };
    let mut g = c.benchmark_group("payment");
    g.sample_size(60).measurement_time(Duration::from_secs(6));
    for figure in FIGURES {
        g.bench_function(figure.trim(), |b| {
            b.iter_batched(
                || floor.prepare(figure),
                |run| run(),
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
    let mut figures = Figures::default();
    for round in 0..ROUNDS {
        for k in 0..FIGURES.len() {
            let figure = FIGURES[(k + round) % FIGURES.len()];
            figures.time(figure, MEDIAN, || floor.prepare(figure), |run| run());
        }
    }
    figures.print_against(
        "barcode checkout against its floor",
        FLOOR,
        &FIGURES,
        MEDIAN,
    );
    floor.rt.block_on(sandbox.shutdown());
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

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
