//! The HAWK clock rules (docs/protocols.md §1): a `ts` more than 60 s from the back office's clock
//! is refused, login included, with `WWW-Authenticate: Hawk ts, tsm, error="Stale timestamp"`
//! whose `tsm` is MACed with the key the request was signed with; nothing moves. The
//! sandbox's own clock can be set away from the system's (`clock_offset_secs`), and the
//! window widened only by the lenient `hawk_skew_secs`.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::*;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use cashier_sandbox::SandboxConfig;
use hmac::{Hmac, Mac};
use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;

const LOGIN: &str = "/api/UnPos/User/Login/ByPwd";
const KOUDAI_PAY: &str = "/api/3Pay/KouDaiLQ/BarCode";

fn login_body() -> String {
    json!("2026-01-02 03:04:05").to_string()
}

fn koudai_body(bill: &str) -> String {
    format!(
        r#"{{"BusinessType":1,"operatorNo":"001","billNum":"{bill}","summary":1.00,"barCode":"{PAID_CODE}"}}"#
    )
}

fn unix(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

fn shifted(secs: i64) -> SystemTime {
    let d = Duration::from_secs(secs.unsigned_abs());
    if secs >= 0 {
        SystemTime::now() + d
    } else {
        SystemTime::now() - d
    }
}

/// The attributes of a `WWW-Authenticate: Hawk …` challenge; empty when there is none.
fn challenge(headers: &HeaderMap) -> HashMap<String, String> {
    let value = headers
        .get(WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(attrs) = value.strip_prefix("Hawk") else {
        return HashMap::new();
    };
    let mut out = HashMap::new();
    out.insert("scheme".to_string(), "Hawk".to_string());
    for part in attrs.split(',') {
        if let Some((k, v)) = part.trim().split_once('=') {
            out.insert(k.trim().to_string(), v.trim().trim_matches('"').to_string());
        }
    }
    out
}

/// tsm as the HAWK spec computes it, with this test's own HMAC.
fn tsm(key: &str, ts: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        panic!("HMAC takes any key");
    };
    mac.update(format!("hawk.1.ts\n{ts}\n").as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

/// Asserts a stale-timestamp 401 carrying the server's time near `server_now` and a tsm
/// made with `key`.
fn assert_stale(status: StatusCode, headers: &HeaderMap, body: &Value, key: &str, server_now: i64) {
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(
        body["Message"],
        "Authorization has been denied for this request."
    );
    let c = challenge(headers);
    assert_eq!(
        c.get("error").map(String::as_str),
        Some("Stale timestamp"),
        "{c:?}"
    );
    let ts = c.get("ts").cloned().unwrap_or_default();
    let server: i64 = ts.parse().unwrap_or_default();
    assert!(
        (server - server_now).abs() <= 2,
        "server ts {ts} vs {server_now}"
    );
    assert_eq!(c.get("tsm"), Some(&tsm(key, &ts)), "{c:?}");
}

#[tokio::test]
async fn hawk_ts_more_than_60_s_off_is_401_stale_with_server_time_and_tsm() {
    let sb = sandbox().await;
    let mut tour = Tour::new(&sb);
    // Login is held to the same window, both ways.
    for off in [-61, 61, -3 * 3600, 25 * 3600] {
        let mut s = tour.signed(Method::POST, LOGIN, &login_body(), PASSWORD_KEY);
        s.ts = shifted(off);
        let (status, headers, body) = tour.send_seeing_headers(&s).await;
        assert_stale(
            status,
            &headers,
            &body,
            PASSWORD_KEY,
            unix(SystemTime::now()),
        );
    }
    // A later call, signed with the session key: its tsm is MACed with the session key.
    tour.login().await;
    let session = tour.session.clone().unwrap_or_default();
    let mut s = tour.signed(Method::POST, KOUDAI_PAY, &koudai_body("ST-1"), &session);
    s.ts = shifted(-90);
    let (status, headers, body) = tour.send_seeing_headers(&s).await;
    assert_stale(status, &headers, &body, &session, unix(SystemTime::now()));
    // And a POS call, signed with the password key.
    let mut s = tour.signed(Method::GET, &pos_status_path("ST-2"), "", PASSWORD_KEY);
    s.ts = shifted(120);
    let (status, headers, body) = tour.send_seeing_headers(&s).await;
    assert_stale(
        status,
        &headers,
        &body,
        PASSWORD_KEY,
        unix(SystemTime::now()),
    );
    // Nothing moved, nothing was opened.
    assert!(sb.ledger().orders.is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn hawk_window_is_60_s_login_included() {
    let sb = sandbox().await;
    let tour = Tour::new(&sb);
    for off in [-55, 55] {
        let mut s = tour.signed(Method::POST, LOGIN, &login_body(), PASSWORD_KEY);
        s.ts = shifted(off);
        let (status, answer) = tour.send(&s).await;
        assert_eq!(
            (status, answer["errcode"].clone()),
            (StatusCode::OK, json!(0)),
            "{off}"
        );
    }
    sb.shutdown().await;
}

/// Only a request signed with the right key learns the server's time: a bad MAC with a
/// stale ts is just a bad MAC.
#[tokio::test]
async fn hawk_bad_mac_gets_no_server_time() {
    let sb = sandbox().await;
    let tour = Tour::new(&sb);
    let mut s = tour.signed(Method::POST, LOGIN, &login_body(), &secret_md5("654321"));
    s.ts = shifted(-600);
    let (status, headers, _) = tour.send_seeing_headers(&s).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let c = challenge(&headers);
    assert_eq!(c.get("error").map(String::as_str), Some("Bad mac"), "{c:?}");
    assert!(!c.contains_key("ts") && !c.contains_key("tsm"), "{c:?}");
    // No header at all: the bare challenge.
    let resp = tour
        .http
        .post(format!("{}api/UnPos/User/Login/ByPwd", sb.url()))
        .body(login_body())
        .send()
        .await;
    let headers = resp.map(|r| r.headers().clone()).unwrap_or_default();
    assert_eq!(
        challenge(&headers).get("scheme").map(String::as_str),
        Some("Hawk")
    );
    sb.shutdown().await;
}

/// A payment whose ts is stale is refused before the back office looks at it: the same
/// request re-signed on the server's time then goes through once.
#[tokio::test]
async fn hawk_stale_request_moves_no_money_and_the_server_time_works() {
    let sb = sandbox_with(SandboxConfig {
        clock_offset_secs: 2 * 3600,
        ..SandboxConfig::default()
    })
    .await;
    let mut tour = Tour::new(&sb);
    // The till's clock (the system's) is two hours behind the back office's.
    let s = tour.signed(Method::POST, LOGIN, &login_body(), PASSWORD_KEY);
    let (status, headers, body) = tour.send_seeing_headers(&s).await;
    let server_now = unix(SystemTime::now()) + 2 * 3600;
    assert_stale(status, &headers, &body, PASSWORD_KEY, server_now);
    let server_ts: i64 = challenge(&headers)
        .get("ts")
        .and_then(|t| t.parse().ok())
        .unwrap_or_default();

    // Adopting the server's time: login works, and ServerTime is the back office's clock.
    let mut s = tour.signed(Method::POST, LOGIN, &login_body(), PASSWORD_KEY);
    s.ts = UNIX_EPOCH + Duration::from_secs(server_ts.unsigned_abs());
    let (status, answer) = tour.send(&s).await;
    assert_eq!(
        (status, answer["errcode"].clone()),
        (StatusCode::OK, json!(0)),
        "{answer}"
    );
    let server_time = answer["tag"]["ServerTime"].as_str().unwrap_or_default();
    let shown = chrono::NaiveDateTime::parse_from_str(server_time, "%Y-%m-%d %H:%M:%S")
        .map(|t| t.and_utc().timestamp() - 8 * 3600)
        .unwrap_or_default();
    assert!((shown - server_now).abs() <= 2, "{server_time}");
    let sealed = answer["tag"]["HawkRealKey"].as_str().unwrap_or_default();
    tour.session = cashier_backends::crypto::TdesProfile::Sha256Ecb
        .decrypt(PASSWORD_KEY, sealed)
        .ok();
    let session = tour.session.clone().unwrap_or_default();

    // A payment on the till's own clock: refused, not charged.
    let s = tour.signed(Method::POST, KOUDAI_PAY, &koudai_body("OFF-1"), &session);
    let (status, headers, body) = tour.send_seeing_headers(&s).await;
    assert_stale(status, &headers, &body, &session, server_now);
    assert!(
        sb.ledger().orders.is_empty(),
        "a refused request opens nothing"
    );
    // The same payment on the server's time: charged once.
    let mut s = tour.signed(Method::POST, KOUDAI_PAY, &koudai_body("OFF-1"), &session);
    s.ts = shifted(2 * 3600);
    let (status, answer) = tour.send(&s).await;
    assert_eq!(
        (status, answer["errcode"].clone()),
        (StatusCode::OK, json!(0)),
        "{answer}"
    );
    assert_eq!(sb.ledger().charges_for_bill("OFF-1").len(), 1);
    sb.shutdown().await;
}

/// The lenient switch: a back office configured with a wider window takes an older ts.
#[tokio::test]
async fn lenient_hawk_skew_secs_widens_the_window() {
    let sb = sandbox_with(SandboxConfig {
        hawk_skew_secs: 300,
        ..SandboxConfig::default()
    })
    .await;
    let tour = Tour::new(&sb);
    let mut s = tour.signed(Method::POST, LOGIN, &login_body(), PASSWORD_KEY);
    s.ts = shifted(-290);
    assert_eq!(tour.send(&s).await.0, StatusCode::OK);
    let mut s = tour.signed(Method::POST, LOGIN, &login_body(), PASSWORD_KEY);
    s.ts = shifted(-310);
    let (status, headers, body) = tour.send_seeing_headers(&s).await;
    assert_stale(
        status,
        &headers,
        &body,
        PASSWORD_KEY,
        unix(SystemTime::now()),
    );
    sb.shutdown().await;
}

/// A replayed nonce within the window is refused; the replay is a 401 "Invalid nonce".
#[tokio::test]
async fn hawk_replayed_nonce_is_invalid_nonce() {
    let sb = sandbox().await;
    let tour = Tour::new(&sb);
    let s = tour.signed(Method::POST, LOGIN, &login_body(), PASSWORD_KEY);
    assert_eq!(tour.send(&s).await.0, StatusCode::OK);
    let (status, headers, _) = tour.send_seeing_headers(&s).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(&headers).get("error").map(String::as_str),
        Some("Invalid nonce")
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn settings_that_cannot_work_are_refused_at_start() {
    for cfg in [
        SandboxConfig {
            clock_offset_secs: i64::MAX,
            ..SandboxConfig::default()
        },
        SandboxConfig {
            hawk_skew_secs: 0,
            ..SandboxConfig::default()
        },
        SandboxConfig {
            hawk_skew_secs: 86_401,
            ..SandboxConfig::default()
        },
        SandboxConfig {
            paytype_koudai: "KDX".into(),
            ..SandboxConfig::default()
        },
        SandboxConfig {
            out_mch_id: String::new(),
            ..SandboxConfig::default()
        },
        SandboxConfig {
            order_prefix: "sbx".into(),
            ..SandboxConfig::default()
        },
    ] {
        let started = cashier_sandbox::Sandbox::start(cfg.clone()).await;
        assert!(
            started
                .as_ref()
                .is_err_and(|e| e.kind() == std::io::ErrorKind::InvalidInput),
            "{cfg:?}"
        );
    }
}
