//! Tour V5 request rules beyond field binding (seeds 000, 001, 003, docs/protocols.md §1, §4): each
//! refused as the back office does (ModelState 400, or the envelope's `errcode` -1), and
//! none of them opens an order or moves money.

use crate::common::*;
use cashier_sandbox::SandboxConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const WECHAT_SCAN: &str = "/api/UnPos/3Pay/Wechat/ScanCode";
const WECHAT_QUERY: &str = "/api/UnPos/3Pay/Wechat/Query";
const ALIPAY_QUERY: &str = "/api/3Pay/AliPay/Query";
const KOUDAI_PAY: &str = "/api/3Pay/KouDaiLQ/BarCode";
const KOUDAI_QUERY: &str = "/api/3Pay/KouDaiLQ/Query";
const ALIPAY_SCAN: &str = "/api/UnPos/3Pay/AliPay/ScanCode";
const LOGIN: &str = "/api/UnPos/User/Login/ByPwd";

fn koudai_body(bill: &str, business: u8, code: &str) -> Value {
    let text = format!(
        r#"{{"BusinessType":{business},"operatorNo":"001","billNum":"{bill}","summary":3.00,"barCode":"{code}"}}"#
    );
    serde_json::from_str(&text).unwrap_or_default()
}

fn query(bill: &str, autoid: &str, billtype: &str, paytype: &str) -> Value {
    json!({"billnum": bill, "autoid": autoid, "billtype": billtype, "paytype": paytype})
}

async fn logged_in(sb: &cashier_sandbox::Sandbox) -> Tour {
    let mut tour = Tour::new(sb);
    tour.login().await;
    tour
}

/// A KouDaiLQ payment (paid at once) and its autoid.
async fn koudai_paid(tour: &Tour, bill: &str) -> String {
    let (_, a) = tour
        .post(KOUDAI_PAY, &koudai_body(bill, 1, PAID_CODE))
        .await;
    assert_eq!(a["errcode"], 0, "{a}");
    a["tag"]["autoid"].as_str().unwrap_or_default().to_string()
}

fn assert_errcode(answer: &(StatusCode, Value), errcode: i64, says: &str) {
    let (status, body) = answer;
    assert_eq!(*status, StatusCode::OK, "{body}");
    assert_eq!(body["errcode"], errcode, "{body}");
    let msg = body["errmsg"].as_str().unwrap_or_default();
    assert!(msg.contains(says), "{says:?} not in {msg:?}");
}

/// Seed 003: `autoid` is Required. A query without it is a ModelState 400 on every query
/// path; it never answers for "the bill's latest payment".
#[tokio::test]
async fn query_autoid_is_required() {
    let sb = sandbox().await;
    let tour = logged_in(&sb).await;
    koudai_paid(&tour, "AR-1").await;
    for (path, paytype) in [
        (WECHAT_QUERY, "WX"),
        (ALIPAY_QUERY, "ZF"),
        (KOUDAI_QUERY, "KD"),
    ] {
        for body in [
            query("AR-1", "", "1", paytype),
            query("AR-1", "   ", "1", paytype),
            json!({"billnum": "AR-1", "billtype": "1", "paytype": paytype}),
            json!({"billnum": "AR-1", "autoid": null, "billtype": "1", "paytype": paytype}),
        ] {
            let (status, answer) = tour.post(path, &body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}: {answer}");
            assert_eq!(
                answer["ModelState"]["parm.autoid"][0], "The autoid field is required.",
                "{path} {body}: {answer}"
            );
        }
    }
    let ledger = sb.ledger();
    assert_eq!(ledger.orders.iter().map(|o| o.queries).sum::<u32>(), 0);
    sb.shutdown().await;
}

/// A query names the payment's own `billtype` (its `BusinessType` for KouDaiLQ).
#[tokio::test]
async fn query_billtype_must_be_the_payments() {
    let sb = sandbox().await;
    let tour = logged_in(&sb).await;
    let autoid = koudai_paid(&tour, "BT-1").await;
    let wrong = tour
        .post(KOUDAI_QUERY, &query("BT-1", &autoid, "2", "KD"))
        .await;
    assert_errcode(&wrong, -1, "billtype 2");
    let invalid = tour
        .post(KOUDAI_QUERY, &query("BT-1", &autoid, "9", "KD"))
        .await;
    assert_errcode(&invalid, -1, "billtype must be 1 to 7");
    let (status, answer) = tour
        .post(KOUDAI_QUERY, &query("BT-1", &autoid, "12", "KD"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer["ModelState"]["parm.billtype"].is_array(), "{answer}");
    // The same query with its billtype answers.
    let (_, ok) = tour
        .post(KOUDAI_QUERY, &query("BT-1", &autoid, "1", "KD"))
        .await;
    assert_eq!(ok["tag"]["paystatus"], "SUCCESS", "{ok}");
    // A payment made for another business is asked about with that one.
    let (_, a) = tour
        .post(KOUDAI_PAY, &koudai_body("BT-2", 2, PAID_CODE))
        .await;
    let other = a["tag"]["autoid"].as_str().unwrap_or_default().to_string();
    assert_errcode(
        &tour
            .post(KOUDAI_QUERY, &query("BT-2", &other, "1", "KD"))
            .await,
        -1,
        "billtype 1",
    );
    let (_, ok) = tour
        .post(KOUDAI_QUERY, &query("BT-2", &other, "2", "KD"))
        .await;
    assert_eq!(ok["tag"]["paystatus"], "SUCCESS", "{ok}");
    sb.shutdown().await;
}

/// A query names the `paytype` the payment was booked under: a KouDaiLQ payment the
/// deployment's KouDaiLQ code, a QR order the code it was made with.
#[tokio::test]
async fn query_paytype_must_be_the_payments() {
    let sb = sandbox_with(SandboxConfig {
        paytype_koudai: "K9".into(),
        ..SandboxConfig::default()
    })
    .await;
    let tour = logged_in(&sb).await;
    let autoid = koudai_paid(&tour, "PT-1").await;
    for wrong in ["KD", "WX", "ZF"] {
        assert_errcode(
            &tour
                .post(KOUDAI_QUERY, &query("PT-1", &autoid, "1", wrong))
                .await,
            -1,
            "paytype",
        );
    }
    let (_, ok) = tour
        .post(KOUDAI_QUERY, &query("PT-1", &autoid, "1", "K9"))
        .await;
    assert_eq!(ok["tag"]["paystatus"], "SUCCESS", "{ok}");

    let scan = json!({"billnum": "PT-2", "billtype": "1", "body": "t", "paytype": "WX", "paymentvalue": 1});
    let (_, a) = tour.post(WECHAT_SCAN, &scan).await;
    let qr = a["tag"]["autoid"].as_str().unwrap_or_default().to_string();
    assert_errcode(
        &tour
            .post(WECHAT_QUERY, &query("PT-2", &qr, "1", "ZF"))
            .await,
        -1,
        "paytype \"ZF\"",
    );
    let (_, ok) = tour
        .post(WECHAT_QUERY, &query("PT-2", &qr, "1", "WX"))
        .await;
    assert_eq!(ok["tag"]["paystatus"], "NOTPAY", "{ok}");
    sb.shutdown().await;
}

/// A QR order is made with its wallet's `paytype` as the deployment set it; any other is
/// refused and no order is opened.
#[tokio::test]
async fn scan_code_paytype_must_be_the_wallets() {
    let sb = sandbox().await;
    let tour = logged_in(&sb).await;
    for (path, paytype) in [
        (WECHAT_SCAN, "ZF"),
        (WECHAT_SCAN, "02"),
        (ALIPAY_SCAN, "WX"),
    ] {
        let body = json!({"billnum": "SP-1", "billtype": "1", "body": "t", "paytype": paytype, "paymentvalue": 1});
        assert_errcode(&tour.post(path, &body).await, -1, "付款方式无效");
    }
    assert!(sb.ledger().orders.is_empty());
    sb.shutdown().await;
}

/// docs/protocols.md §4: a payment code is 10 to 32 digits. Anything else is refused on every
/// barcode call before any charge (Tour V5 `errcode` -1; Cloud Pay status 101 naming
/// `pay_content.author_code`).
#[tokio::test]
async fn payment_codes_are_10_to_32_digits() {
    let sb = sandbox().await;
    let tour = logged_in(&sb).await;
    let too_long = "1".repeat(33);
    for code in [
        "12345",
        "123456789",
        too_long.as_str(),
        "13452027382538764x",
    ] {
        assert_errcode(
            &tour.post(KOUDAI_PAY, &koudai_body("PC-K", 1, code)).await,
            -1,
            "10 to 32 digits",
        );
        let pos = tour.post(POS_PAY, &pos_body("PC-P", code, "1")).await;
        assert_errcode(&pos, -1, "10 to 32 digits");
        let a = cloud(
            &client(),
            &sb.url(),
            "micro_pay",
            &cloud_content(1, pay_content("sz0100sbox-pc", 100, Some(code))),
        )
        .await;
        assert_eq!(a.content["status"], 101, "{code}: {:?}", a.content);
        assert!(!a.has_authen_info);
        let why = a.content["description"].as_str().unwrap_or_default();
        assert!(why.contains("pay_content.author_code"), "{why}");
    }
    // The shortest and longest real ones are taken.
    assert_eq!(
        tour.post(KOUDAI_PAY, &koudai_body("PC-OK", 1, "1234567890"))
            .await
            .1["errcode"],
        0
    );
    let ledger = sb.ledger();
    assert_eq!(ledger.charges.len(), 1, "{:?}", ledger.charges);
    assert_eq!(ledger.charges_for_bill("PC-OK").len(), 1);
    sb.shutdown().await;
}

/// The POS call is WeChat's barcode payment: another wallet's code is refused, uncharged.
#[tokio::test]
async fn pos_takes_wechat_codes_only() {
    let sb = sandbox().await;
    let tour = Tour::new(&sb);
    for code in ["284520273825387649", "6212345678901234567", "1234567890"] {
        assert_errcode(
            &tour.post(POS_PAY, &pos_body("PW-1", code, "1")).await,
            -1,
            "not a WeChat payment code",
        );
    }
    assert!(sb.ledger().orders.is_empty());
    sb.shutdown().await;
}

/// Seed 002: `wechatbarcode` is the code TripleDES-encrypted under `UPPER(MD5(password))`;
/// one that does not decrypt (another key, another profile, not Base64) is refused uncharged.
#[tokio::test]
async fn wechatbarcode_must_decrypt_under_the_password_key() {
    let sb = sandbox().await;
    let tour = Tour::new(&sb);
    let other_key = cashier_backends::crypto::TdesProfile::Sha256Ecb
        .encrypt(&secret_md5("654321"), PAID_CODE)
        .unwrap_or_default();
    let other_profile = cashier_backends::crypto::TdesProfile::AsciiEcb
        .encrypt(PASSWORD_KEY, PAID_CODE)
        .unwrap_or_default();
    for sealed in [other_key.as_str(), other_profile.as_str(), "not base64!"] {
        let body = json!({"billnum": "WD-1", "wechatbarcode": sealed, "paymentvalue": 1});
        assert_errcode(&tour.post(POS_PAY, &body).await, -1, "decrypt");
    }
    assert!(sb.ledger().orders.is_empty());
    sb.shutdown().await;
}

/// ASP.NET Web API reads a body through the formatter its `Content-Type` names; the pages list
/// JSON as `application/json` and `text/json`. Any other type the sandbox answers as Web API
/// answers a body no formatter reads — 415 — after HAWK (a bad signature is still 401), before
/// the action: no login replaces the session, no order opens, nothing is charged.
#[tokio::test]
async fn request_bodies_must_be_json() {
    let sb = sandbox().await;
    let tour = logged_in(&sb).await;
    let scan = json!({"billnum": "CT-1", "billtype": "1", "body": "t", "paytype": "WX", "paymentvalue": 1});
    let calls = [
        (LOGIN, json!("2026-01-02 03:04:05")),
        (WECHAT_SCAN, scan.clone()),
        (
            ALIPAY_SCAN,
            json!({"billnum": "CT-1", "billtype": "1", "body": "t", "paytype": "ZF", "paymentvalue": 1}),
        ),
        (WECHAT_QUERY, query("CT-1", "x", "1", "WX")),
        (ALIPAY_QUERY, query("CT-1", "x", "1", "ZF")),
        (KOUDAI_QUERY, query("CT-1", "x", "1", "KD")),
        (KOUDAI_PAY, koudai_body("CT-1", 1, PAID_CODE)),
        (POS_PAY, pos_body("CT-1", PAID_CODE, "1")),
    ];
    for (path, body) in &calls {
        let key = if *path == LOGIN {
            PASSWORD_KEY.to_string()
        } else {
            tour.key_for(path)
        };
        for (sent, named) in [
            (Some("text/plain"), "text/plain"),
            (Some("text/plain; charset=utf-8"), "text/plain"),
            (
                Some("application/x-www-form-urlencoded"),
                "application/x-www-form-urlencoded",
            ),
            (Some("application/xml"), "application/xml"),
            (Some("application/problem+json"), "application/problem+json"),
            (None, "application/octet-stream"),
        ] {
            // Signed over the content type it is sent with, so only the type is wrong.
            let mut s = tour.signed(Method::POST, path, &body.to_string(), &key);
            s.content_type = sent;
            let (status, answer) = tour.send(&s).await;
            assert_eq!(
                status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{path} {sent:?}: {answer}"
            );
            assert_eq!(
                answer["Message"],
                format!(
                    "The request entity's media type '{named}' is not supported for this resource."
                ),
                "{path} {sent:?}"
            );
        }
    }
    // Authentication comes first: a bad signature with a bad type is 401.
    let mut s = tour.signed(Method::POST, WECHAT_SCAN, &scan.to_string(), PASSWORD_KEY);
    s.content_type = Some("text/plain");
    assert_eq!(tour.send(&s).await.0, StatusCode::UNAUTHORIZED);
    // The refused login did not replace the session: the session key still signs.
    let (status, answer) = tour
        .post(WECHAT_QUERY, &query("CT-1", "x", "1", "WX"))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let ledger = sb.ledger();
    assert!(
        ledger.orders.is_empty() && ledger.charges.is_empty(),
        "{:?}",
        ledger.orders
    );

    // Both JSON media types, with or without parameters, are read.
    for (i, sent) in [
        "application/json; charset=utf-8",
        "text/json",
        "Text/JSON; charset=utf-8",
    ]
    .into_iter()
    .enumerate()
    {
        let body = koudai_body(&format!("CT-OK{i}"), 1, PAID_CODE);
        let mut s = tour.signed(
            Method::POST,
            KOUDAI_PAY,
            &body.to_string(),
            &tour.key_for(KOUDAI_PAY),
        );
        s.content_type = Some(sent);
        let (status, answer) = tour.send(&s).await;
        assert_eq!(status, StatusCode::OK, "{sent}: {answer}");
        assert_eq!(answer["errcode"], 0, "{sent}: {answer}");
    }
    // A GET binds nothing from its body, so its content type does not matter.
    let mut s = tour.signed(Method::GET, &pos_status_path("CT-1"), "", PASSWORD_KEY);
    s.content_type = Some("text/plain");
    assert_eq!(tour.send(&s).await.0, StatusCode::OK);
    assert_eq!(sb.ledger().charges.len(), 3);
    sb.shutdown().await;
}

/// Seed 000: `clientip` may be left out (the back office then uses its own, 202.96.128.68);
/// when sent it is the paying machine's IPv4 address. Anything else is refused (`errcode` -1)
/// and no QR order is made.
#[tokio::test]
async fn scan_code_clientip_must_be_ipv4() {
    let sb = sandbox().await;
    let tour = logged_in(&sb).await;
    let scan = |path: &str, ip: Option<&str>| {
        let paytype = if path == ALIPAY_SCAN { "ZF" } else { "WX" };
        let mut body = json!({"billnum": "IP-1", "billtype": "1", "body": "t", "paytype": paytype, "paymentvalue": 1});
        if let Some(ip) = ip {
            body["clientip"] = json!(ip);
        }
        body
    };
    for path in [WECHAT_SCAN, ALIPAY_SCAN] {
        for ip in NOT_IPV4.into_iter().chain(["   "]) {
            assert_errcode(
                &tour.post(path, &scan(path, Some(ip))).await,
                -1,
                "clientip",
            );
        }
    }
    assert!(sb.ledger().orders.is_empty(), "{:?}", sb.ledger().orders);
    for path in [WECHAT_SCAN, ALIPAY_SCAN] {
        for ip in [Some("202.96.128.68"), Some("10.0.0.1"), Some(""), None] {
            let (_, a) = tour.post(path, &scan(path, ip)).await;
            assert_eq!(a["errcode"], 0, "{path} {ip:?}: {a}");
        }
    }
    assert_eq!(sb.ledger().orders.len(), 8);
    sb.shutdown().await;
}
