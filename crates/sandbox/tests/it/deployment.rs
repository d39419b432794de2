//! The deployment ASSUMPTIONs of docs/protocols.md §1 are settings, and the sandbox behaves as they
//! say: which paths are signed with `UPPER(MD5(password))`, the POS bill status `paystate`
//! meaning fully paid, and where the KouDaiLQ query is served. Settings that cannot work are
//! refused at start-up.

use std::io::ErrorKind;

use crate::common::*;
use cashier_sandbox::{Sandbox, SandboxConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const KOUDAI_BARCODE: &str = "/api/3Pay/KouDaiLQ/BarCode";
const QUERY_RESULT: &str = "/api/3Pay/KouDaiLQ/QueryResult";

fn deployed() -> SandboxConfig {
    SandboxConfig {
        password_key_paths: vec!["api/Pos/".into(), "/api/3Pay/".into()],
        pos_bill_paid_state: "9".into(),
        koudai_query_path: "api/3Pay/KouDaiLQ/QueryResult".into(),
        ..SandboxConfig::default()
    }
}

fn koudai(bill: &str, code: &str) -> Value {
    json!({"BusinessType": 1, "operatorNo": "001", "billNum": bill, "summary": 1,
        "barCode": code})
}

async fn post_with(tour: &Tour, path: &str, body: &Value, key: &str) -> (StatusCode, Value) {
    tour.send(&tour.signed(Method::POST, path, &body.to_string(), key))
        .await
}

#[tokio::test]
async fn configured_paths_are_signed_with_the_password_key() -> TestResult {
    let sb = sandbox_with(deployed()).await;
    let mut tour = Tour::new(&sb);
    tour.login().await;
    let session = tour.session.clone().unwrap_or_default();

    // `api/3Pay/` now needs the password key: the session key is refused, as the default
    // client would sign it, and nothing is charged.
    let (status, _) = post_with(&tour, KOUDAI_BARCODE, &koudai("D1", PAID_CODE), &session).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(sb.ledger().charges.is_empty());
    let (status, a) = post_with(
        &tour,
        KOUDAI_BARCODE,
        &koudai("D1", PAID_CODE),
        PASSWORD_KEY,
    )
    .await;
    assert_eq!(
        (status, a["errcode"].clone()),
        (StatusCode::OK, json!(0)),
        "{a}"
    );
    let autoid = a["tag"]["autoid"].clone();

    // The query at its configured path, signed the same way; the default path is not served.
    let query = json!({"billnum": "D1", "autoid": autoid, "billtype": "1", "paytype": "KD"});
    let (status, q) = post_with(&tour, QUERY_RESULT, &query, PASSWORD_KEY).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(q["tag"]["paystatus"], "SUCCESS", "{q}");
    let (status, _) = post_with(&tour, "/api/3Pay/KouDaiLQ/Query", &query, PASSWORD_KEY).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Paths outside the prefixes still need the session key.
    let qr = json!({"billnum": "D2", "billtype": "1", "body": "x", "paytype": "WX",
        "paymentvalue": 1});
    let path = "/api/UnPos/3Pay/Wechat/ScanCode";
    let (status, _) = post_with(&tour, path, &qr, PASSWORD_KEY).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, a) = post_with(&tour, path, &qr, &session).await;
    assert_eq!(
        (status, a["errcode"].clone()),
        (StatusCode::OK, json!(0)),
        "{a}"
    );
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn no_password_key_paths_means_pos_needs_the_session_key() -> TestResult {
    let sb = sandbox_with(SandboxConfig {
        password_key_paths: Vec::new(),
        ..SandboxConfig::default()
    })
    .await;
    let mut tour = Tour::new(&sb);
    tour.login().await;
    let session = tour.session.clone().unwrap_or_default();
    let body = pos_body("D3", PAID_CODE, "1");
    let (status, _) = post_with(&tour, POS_PAY, &body, PASSWORD_KEY).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, a) = post_with(&tour, POS_PAY, &body, &session).await;
    assert_eq!(
        (status, a["errcode"].clone()),
        (StatusCode::OK, json!(0)),
        "{a}"
    );
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn bill_status_reads_the_configured_paid_state() -> TestResult {
    let sb = sandbox_with(deployed()).await;
    let tour = Tour::new(&sb);
    let registered = tour
        .http
        .post(format!("{}_sandbox/bills", sb.url()))
        .json(&json!({"billnum": "D4", "total_fen": 1000}))
        .send()
        .await?;
    assert_eq!(registered.status(), StatusCode::OK);
    let (_, s) = tour.get(&pos_status_path("D4")).await;
    assert_eq!(s["tag"]["paystate"], "1", "{s}");

    let (_, a) = tour.post(POS_PAY, &pos_body("D4", PAID_CODE, "4")).await;
    assert_eq!(a["tag"]["billpaystate"], "2", "{a}");
    let (_, s) = tour.get(&pos_status_path("D4")).await;
    assert_eq!(s["tag"]["paystate"], "2", "{s}");

    // Seed 002's own "3" on the payment answer; the configured state in the bill status.
    let (_, a) = tour.post(POS_PAY, &pos_body("D4", PAID_CODE, "6")).await;
    assert_eq!(a["tag"]["billpaystate"], "3", "{a}");
    let (_, s) = tour.get(&pos_status_path("D4")).await;
    assert_eq!(s["tag"]["paystate"], "9", "{s}");
    sb.shutdown().await;
    Ok(())
}

/// A paid state that the sandbox uses for another state moves that one aside.
#[tokio::test]
async fn a_paid_state_of_2_leaves_partly_paid_another_value() -> TestResult {
    let sb = sandbox_with(SandboxConfig {
        pos_bill_paid_state: "2".into(),
        ..SandboxConfig::default()
    })
    .await;
    let tour = Tour::new(&sb);
    let registered = tour
        .http
        .post(format!("{}_sandbox/bills", sb.url()))
        .json(&json!({"billnum": "D5", "total_fen": 1000}))
        .send()
        .await?;
    assert_eq!(registered.status(), StatusCode::OK);
    let mut seen = Vec::new();
    for yuan in [None, Some("4"), Some("6")] {
        if let Some(y) = yuan {
            let (_, a) = tour.post(POS_PAY, &pos_body("D5", PAID_CODE, y)).await;
            assert_eq!(a["errcode"], 0, "{a}");
        }
        let (_, s) = tour.get(&pos_status_path("D5")).await;
        seen.push(s["tag"]["paystate"].clone());
    }
    assert_eq!(seen, [json!("0"), json!("1"), json!("2")]);
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn koudai_query_path_takes_a_leading_slash() -> TestResult {
    let sb = sandbox_with(SandboxConfig {
        koudai_query_path: "/api/3Pay/KouDaiLQ/QueryResult".into(),
        ..SandboxConfig::default()
    })
    .await;
    let mut tour = Tour::new(&sb);
    tour.login().await;
    let (_, a) = tour.post(KOUDAI_BARCODE, &koudai("D6", PAID_CODE)).await;
    let query = json!({"billnum": "D6", "autoid": a["tag"]["autoid"], "billtype": "1",
        "paytype": "KD"});
    let (status, q) = tour.post(QUERY_RESULT, &query).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(q["tag"]["paystatus"], "SUCCESS", "{q}");
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn unworkable_settings_are_refused_at_start() {
    let cases = [
        (
            "empty query path",
            SandboxConfig {
                koudai_query_path: String::new(),
                ..SandboxConfig::default()
            },
        ),
        (
            "slash only",
            SandboxConfig {
                koudai_query_path: "/".into(),
                ..SandboxConfig::default()
            },
        ),
        (
            "a capture",
            SandboxConfig {
                koudai_query_path: "api/3Pay/{x}".into(),
                ..SandboxConfig::default()
            },
        ),
        (
            "the Alipay query",
            SandboxConfig {
                koudai_query_path: "api/3Pay/AliPay/Query".into(),
                ..SandboxConfig::default()
            },
        ),
        (
            "the KouDaiLQ barcode, other case",
            SandboxConfig {
                koudai_query_path: "/API/3pay/koudailq/barcode".into(),
                ..SandboxConfig::default()
            },
        ),
        (
            "login",
            SandboxConfig {
                koudai_query_path: "api/UnPos/User/Login/ByPwd".into(),
                ..SandboxConfig::default()
            },
        ),
        (
            "a Cloud Pay endpoint",
            SandboxConfig {
                koudai_query_path: "cpay/query_order".into(),
                ..SandboxConfig::default()
            },
        ),
        (
            "the ledger",
            SandboxConfig {
                koudai_query_path: "_sandbox/ledger".into(),
                ..SandboxConfig::default()
            },
        ),
        (
            "the customer page",
            SandboxConfig {
                koudai_query_path: "_sandbox/pay/x".into(),
                ..SandboxConfig::default()
            },
        ),
        (
            "empty paid state",
            SandboxConfig {
                pos_bill_paid_state: String::new(),
                ..SandboxConfig::default()
            },
        ),
        (
            "empty password-key prefix",
            SandboxConfig {
                password_key_paths: vec!["api/Pos/".into(), "/".into()],
                ..SandboxConfig::default()
            },
        ),
    ];
    for (why, cfg) in cases {
        match Sandbox::start(cfg).await {
            Ok(sb) => {
                sb.shutdown().await;
                panic!("{why}: started");
            }
            Err(e) => assert_eq!(e.kind(), ErrorKind::InvalidInput, "{why}: {e}"),
        }
    }
}
