//! Tour V5 HAWK: who may call what, with which key, and the 401 otherwise.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

const DENIED: &str = "Authorization has been denied for this request.";
const QUERY: &str = "/api/3Pay/AliPay/Query";

fn query_body() -> serde_json::Value {
    json!({"billnum": "B1", "autoid": "x", "billtype": "1", "paytype": "ZF"})
}

#[tokio::test]
async fn login_issues_an_encrypted_session_key() {
    let sb = sandbox().await;
    let mut tour = Tour::new(&sb);
    let answer = tour.login().await;
    let tag = &answer["tag"];
    assert_eq!(tag["MerchantName"], "沙盒景区 Sandbox Scenic Spot");
    assert_eq!(tag["UserAlias"], "收银员 Cashier");
    let server_time = tag["ServerTime"].as_str().unwrap_or_default();
    assert!(chrono::NaiveDateTime::parse_from_str(server_time, "%Y-%m-%d %H:%M:%S").is_ok());
    let session = tour.session.clone().unwrap_or_default();
    assert!(
        session
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
    );
    // The session key now signs api/3Pay calls.
    let (status, answer) = tour.post(QUERY, &query_body()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["errcode"], -1);
    sb.shutdown().await;
}

/// A `ts` no clock can hold is refused before the header is parsed (the `hawk` crate would
/// panic on it), and the sandbox goes on serving.
#[tokio::test]
async fn an_absurd_ts_is_401_not_a_crash() {
    let sb = sandbox().await;
    let tour = Tour::new(&sb);
    let signed = tour.signed(Method::GET, &pos_status_path("B1"), "", PASSWORD_KEY);
    let header = tour.header(&signed);
    for ts in ["18446744073709551615", "9999999999999", "", "12x"] {
        let bad = header
            .split(", ")
            .map(|part| {
                if part.starts_with("ts=") {
                    format!("ts=\"{ts}\"")
                } else {
                    part.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        assert!(bad.contains(&format!("ts=\"{ts}\"")), "{bad}");
        let resp = tour
            .http
            .get(format!("{}{}", sb.url(), &pos_status_path("B1")[1..]))
            .header("Authorization", bad)
            .send()
            .await;
        assert_eq!(
            resp.map(|r| r.status()).ok(),
            Some(StatusCode::UNAUTHORIZED),
            "{ts}"
        );
    }
    // A second ts after a sane one: the parser reads both, so both are checked.
    let twice = format!("{header}, ts=\"18446744073709551615\"");
    let resp = tour
        .http
        .get(format!("{}{}", sb.url(), &pos_status_path("B1")[1..]))
        .header("Authorization", twice)
        .send()
        .await;
    assert_eq!(
        resp.map(|r| r.status()).ok(),
        Some(StatusCode::UNAUTHORIZED)
    );
    let (status, answer) = tour.get(&pos_status_path("B1")).await;
    assert_eq!(status, StatusCode::OK, "still serving: {answer}");
    sb.shutdown().await;
}

/// The payload hash covers the content type as Hawk normalises it: a client that hashed
/// `application/json` may send `application/json; charset=utf-8`.
#[tokio::test]
async fn content_type_parameters_are_not_hashed() {
    let sb = sandbox().await;
    let mut tour = Tour::new(&sb);
    tour.login().await;
    let key = tour.key_for(QUERY);
    for sent in ["application/json; charset=utf-8", "Application/JSON"] {
        let s = tour.signed(Method::POST, QUERY, &query_body().to_string(), &key);
        let resp = tour
            .http
            .post(format!("{}api/3Pay/AliPay/Query", sb.url()))
            .header("Authorization", tour.header(&s))
            .header("Content-Type", sent)
            .body(query_body().to_string())
            .send()
            .await;
        assert_eq!(
            resp.map(|r| r.status()).ok(),
            Some(StatusCode::OK),
            "{sent}"
        );
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn bad_signatures_are_401() {
    let sb = sandbox().await;
    let mut tour = Tour::new(&sb);

    // Session paths before any login.
    let (status, _) = tour.post(QUERY, &query_body()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Login with the wrong password key, an unknown operator, a bad body hash.
    let body = json!("2026-01-02 03:04:05").to_string();
    let wrong = secret_md5("654321");
    let s = tour.signed(Method::POST, "/api/UnPos/User/Login/ByPwd", &body, &wrong);
    assert_eq!(tour.send(&s).await.0, StatusCode::UNAUTHORIZED);
    let mut s = tour.signed(
        Method::POST,
        "/api/UnPos/User/Login/ByPwd",
        &body,
        PASSWORD_KEY,
    );
    s.id = "intruder".into();
    assert_eq!(tour.send(&s).await.0, StatusCode::UNAUTHORIZED);

    tour.login().await;
    let key = tour.key_for(QUERY);
    // Signed over one body, sent with another.
    let s = tour.signed(Method::POST, QUERY, &query_body().to_string(), &key);
    let header = tour.header(&s);
    let resp = tour
        .http
        .post(format!("{}api/3Pay/AliPay/Query", sb.url()))
        .header("Authorization", header)
        .header("Content-Type", "application/json")
        .body(json!({"billnum": "B2", "autoid": "x", "billtype": "1", "paytype": "ZF"}).to_string())
        .send()
        .await;
    assert_eq!(
        resp.map(|r| r.status()).ok(),
        Some(StatusCode::UNAUTHORIZED)
    );
    // Signed for another content type.
    let mut s = tour.signed(Method::POST, QUERY, &query_body().to_string(), &key);
    s.content_type = Some("text/json");
    let header = tour.header(&s);
    let resp = tour
        .http
        .post(format!("{}api/3Pay/AliPay/Query", sb.url()))
        .header("Authorization", header)
        .header("Content-Type", "application/json")
        .body(query_body().to_string())
        .send()
        .await;
    assert_eq!(
        resp.map(|r| r.status()).ok(),
        Some(StatusCode::UNAUTHORIZED)
    );
    // api/Pos is signed with the password key, not the session key.
    let s = tour.signed(Method::GET, &pos_status_path("B1"), "", &key);
    assert_eq!(tour.send(&s).await.0, StatusCode::UNAUTHORIZED);
    // No Authorization at all.
    let resp = tour
        .http
        .post(format!("{}api/3Pay/AliPay/Query", sb.url()))
        .json(&query_body())
        .send()
        .await;
    assert_eq!(
        resp.map(|r| r.status()).ok(),
        Some(StatusCode::UNAUTHORIZED)
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn replayed_nonce_is_refused() {
    let sb = sandbox().await;
    let mut tour = Tour::new(&sb);
    tour.login().await;
    let key = tour.key_for(QUERY);
    let s = tour.signed(Method::POST, QUERY, &query_body().to_string(), &key);
    assert_eq!(tour.send(&s).await.0, StatusCode::OK);
    let (status, answer) = tour.send(&s).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer["Message"], DENIED);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_new_login_replaces_the_session_key() {
    let sb = sandbox().await;
    let mut first = Tour::new(&sb);
    first.login().await;
    let mut second = Tour::new(&sb);
    second.login().await;
    assert_ne!(first.session, second.session);
    assert_eq!(
        first.post(QUERY, &query_body()).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(second.post(QUERY, &query_body()).await.0, StatusCode::OK);
    sb.shutdown().await;
}

#[tokio::test]
async fn login_body_must_be_the_client_time() {
    let sb = sandbox().await;
    let tour = Tour::new(&sb);
    for body in [
        json!("yesterday").to_string(),
        json!({"t": 1}).to_string(),
        "not json".into(),
    ] {
        let s = tour.signed(
            Method::POST,
            "/api/UnPos/User/Login/ByPwd",
            &body,
            PASSWORD_KEY,
        );
        let (status, answer) = tour.send(&s).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(answer["errcode"], -1, "{body}: {answer}");
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn get_without_content_type_signs_an_empty_one() {
    let sb = sandbox().await;
    let tour = Tour::new(&sb);
    let mut s = tour.signed(Method::GET, &pos_status_path("NOPE"), "", PASSWORD_KEY);
    s.content_type = None;
    let (status, answer) = tour.send(&s).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["errcode"], -1);
    sb.shutdown().await;
}
