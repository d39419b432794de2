//! A deployment whose back office differs from docs/protocols.md §1's ASSUMPTIONs: the client and
//! the sandbox both set to the same non-default values work end to end, and a client left on the
//! defaults against that back office fails the safe way (refused, or never "paid").

use std::sync::Arc;
use std::time::Duration;

use cashier_backends::http::{Http, HttpPolicy};
use cashier_backends::tourv5::{TourV5, TourV5Config, TourV5Session};
use cashier_core::{BillNo, Error, Fen, PaymentCode, PaymentOutcome, ScannerFraming, SystemClock};
use cashier_sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use serde_json::json;

const PAID: &str = "134520273825387649";
/// Paid about 6 s after the pay call (the customer typing the password).
const PASSWORD_6S: &str = "134520273825381002";

const PASSWORD_KEY_PATHS: [&str; 2] = ["api/Pos/", "api/3Pay/"];
const PAID_STATE: &str = "9";
const KOUDAI_QUERY: &str = "api/3Pay/KouDaiLQ/QueryResult";

fn sandbox_config() -> SandboxConfig {
    SandboxConfig {
        password_key_paths: PASSWORD_KEY_PATHS.map(String::from).to_vec(),
        pos_bill_paid_state: PAID_STATE.into(),
        koudai_query_path: KOUDAI_QUERY.into(),
        ..SandboxConfig::default()
    }
}

/// The client as the deployment configures it for that back office.
fn deployed(base_url: String) -> TourV5Config {
    TourV5Config {
        base_url,
        password_key_paths: PASSWORD_KEY_PATHS.map(String::from).to_vec(),
        pos_bill_paid_state: PAID_STATE.into(),
        koudai_query_path: KOUDAI_QUERY.into(),
        ..TourV5Config::default()
    }
}

async fn client(cfg: TourV5Config) -> (TourV5, TourV5Session) {
    let http = Http::new(HttpPolicy {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
    })
    .unwrap();
    let tv = TourV5::new(http, cfg, Arc::new(SystemClock)).unwrap();
    let sc = SandboxConfig::default();
    let session = tv
        .login(&sc.operator, &SecretString::from(sc.password))
        .await
        .unwrap();
    (tv, session)
}

fn code(s: &str) -> PaymentCode {
    PaymentCode::parse(s, &ScannerFraming::default()).unwrap()
}

fn bill(s: &str) -> BillNo {
    BillNo::parse(s).unwrap()
}

async fn register_bill(sb: &Sandbox, billnum: &str, total_fen: u64) {
    let r = reqwest::Client::new()
        .post(format!("{}_sandbox/bills", sb.url()))
        .json(&json!({"billnum": billnum, "total_fen": total_fen}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}

fn charges(sb: &Sandbox, bill: &str) -> usize {
    sb.ledger().charges_for_bill(bill).len()
}

fn is_paid(o: &PaymentOutcome) -> bool {
    matches!(o, PaymentOutcome::Paid { .. })
}

fn rejected(e: &Error, status: &str) -> bool {
    e.refusal().is_some_and(|r| r.vendor_code == status)
}

#[tokio::test(start_paused = true)]
async fn client_and_sandbox_configured_alike_work_end_to_end() {
    let sb = Sandbox::start(sandbox_config()).await.unwrap();
    let (tv, s) = client(deployed(sb.url())).await;

    // KouDaiLQ (`api/3Pay/`, password-key signed here) with a password code: pending, then
    // paid about 6 s after the pay call, found by the query at its configured path.
    let o = tv
        .koudai_barcode(&s, &bill("DEP-KD"), Fen(1234), &code(PASSWORD_6S))
        .await
        .unwrap();
    let PaymentOutcome::Pending {
        reference: Some(autoid),
        ..
    } = o
    else {
        panic!("{o:?}")
    };
    let q = tv.koudai_query(&s, &bill("DEP-KD"), &autoid).await.unwrap();
    assert!(matches!(q, PaymentOutcome::Pending { .. }), "{q:?}");
    assert_eq!(charges(&sb, "DEP-KD"), 0);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let q = tv.koudai_query(&s, &bill("DEP-KD"), &autoid).await.unwrap();
    assert!(
        matches!(q, PaymentOutcome::Pending { .. }),
        "after 3 s: {q:?}"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let q = tv.koudai_query(&s, &bill("DEP-KD"), &autoid).await.unwrap();
    assert!(is_paid(&q), "after 6 s: {q:?}");
    assert_eq!(charges(&sb, "DEP-KD"), 1);
    // A code paid at once needs no query.
    let o = tv
        .koudai_barcode(&s, &bill("DEP-KD2"), Fen(100), &code(PAID))
        .await
        .unwrap();
    assert!(is_paid(&o), "{o:?}");

    // POS barcode in two parts: the payment answer's seed-002 "3" and the bill status's
    // configured "9" both read right.
    register_bill(&sb, "DEP-POS", 10_000).await;
    let b = bill("DEP-POS");
    let o = tv
        .pos_wechat_barcode(&s, &b, Fen(3000), &code(PAID))
        .await
        .unwrap();
    assert!(
        matches!(&o, PaymentOutcome::PartlyPaid { bill_state, .. } if bill_state == "2"),
        "{o:?}"
    );
    let st = tv.pos_bill_status(&s, &b, Some(Fen(3000))).await.unwrap();
    assert!(
        matches!(&st, PaymentOutcome::PartlyPaid { bill_state, .. } if bill_state == "2"),
        "{st:?}"
    );
    let o = tv
        .pos_wechat_barcode(&s, &b, Fen(7000), &code(PAID))
        .await
        .unwrap();
    assert!(is_paid(&o), "{o:?}");
    let st = tv.pos_bill_status(&s, &b, Some(Fen(10_000))).await.unwrap();
    assert!(is_paid(&st), "{st:?}");
    let st = tv.pos_bill_status(&s, &b, None).await.unwrap();
    assert!(is_paid(&st), "{st:?}");
    let row = tv.pos_bill(&s, &b).await.unwrap();
    assert_eq!(
        row.and_then(|r| r.paystate).as_deref(),
        Some(PAID_STATE),
        "the bill status speaks the configured state"
    );
    assert_eq!(charges(&sb, "DEP-POS"), 2);

    // POS with a password code: errcode 1, then the bill status finds it paid.
    let b = bill("DEP-POS-PW");
    let o = tv
        .pos_wechat_barcode(&s, &b, Fen(500), &code(PASSWORD_6S))
        .await
        .unwrap();
    assert!(matches!(o, PaymentOutcome::Pending { .. }), "{o:?}");
    let st = tv.pos_bill_status(&s, &b, Some(Fen(500))).await.unwrap();
    assert!(matches!(st, PaymentOutcome::Pending { .. }), "{st:?}");
    tokio::time::sleep(Duration::from_secs(6)).await;
    let st = tv.pos_bill_status(&s, &b, Some(Fen(500))).await.unwrap();
    assert!(is_paid(&st), "{st:?}");
    assert_eq!(charges(&sb, "DEP-POS-PW"), 1);
    sb.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_client_left_on_the_defaults_fails_safely() {
    let sb = Sandbox::start(sandbox_config()).await.unwrap();
    // Login's path and key are the same in every deployment.
    let (tv, s) = client(TourV5Config {
        base_url: sb.url(),
        ..TourV5Config::default()
    })
    .await;

    // `api/3Pay/` signed with the session key: refused before anything moved.
    let e = tv
        .koudai_barcode(&s, &bill("DEF-KD"), Fen(100), &code(PAID))
        .await
        .unwrap_err();
    assert!(rejected(&e, "401"), "{e:?}");
    let e = tv
        .koudai_barcode(&s, &bill("DEF-KD"), Fen(100), &code(PASSWORD_6S))
        .await
        .unwrap_err();
    assert!(rejected(&e, "401"), "{e:?}");
    assert_eq!(charges(&sb, "DEF-KD"), 0);
    assert!(sb.ledger().orders.is_empty(), "no order was even opened");
    // The default query path is not served there.
    let e = tv
        .koudai_query(&s, &bill("DEF-KD"), "20260102030405000001")
        .await
        .unwrap_err();
    assert!(rejected(&e, "404"), "{e:?}");

    // POS calls are signed alike, so the payment goes through and its answer (seed 002's
    // "3") is read right; the bill status, read with the wrong paid state, never says paid.
    let b = bill("DEF-POS");
    let o = tv
        .pos_wechat_barcode(&s, &b, Fen(800), &code(PAID))
        .await
        .unwrap();
    assert!(is_paid(&o), "{o:?}");
    let st = tv.pos_bill_status(&s, &b, Some(Fen(800))).await.unwrap();
    assert!(
        matches!(&st, PaymentOutcome::PartlyPaid { bill_state, .. } if bill_state == PAID_STATE),
        "{st:?}"
    );
    let st = tv.pos_bill_status(&s, &b, None).await.unwrap();
    assert!(matches!(st, PaymentOutcome::Pending { .. }), "{st:?}");

    let b = bill("DEF-POS-PW");
    let o = tv
        .pos_wechat_barcode(&s, &b, Fen(500), &code(PASSWORD_6S))
        .await
        .unwrap();
    assert!(matches!(o, PaymentOutcome::Pending { .. }), "{o:?}");
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_secs(3)).await;
        for ours in [Some(Fen(500)), None] {
            let st = tv.pos_bill_status(&s, &b, ours).await.unwrap();
            assert!(!is_paid(&st), "{ours:?}: {st:?}");
        }
    }
    // The customer did pay: the ledger knows, the misconfigured client never claimed it.
    assert_eq!(charges(&sb, "DEF-POS-PW"), 1);
    sb.shutdown().await;
}
