//! Fault injection, each kind as a client sees it, and what the ledger says happened.

use std::time::{Duration, Instant};

use crate::common::*;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn arm(http: &Client, base: &str, fault: Value) -> TestResult {
    let resp = http
        .post(format!("{base}_sandbox/faults"))
        .json(&fault)
        .send()
        .await?;
    assert_eq!(resp.status(), StatusCode::CREATED, "{fault}");
    Ok(())
}

fn micro(no: &str) -> Value {
    cloud_content(1, pay_content(no, 100, Some(PAID_CODE)))
}

async fn send_micro(http: &Client, base: &str, no: &str) -> reqwest::Result<reqwest::Response> {
    let text = micro(no).to_string();
    cloud_raw(http, base, "micro_pay", &text, &authen_key().sign(&text)).await
}

#[tokio::test]
async fn refusing_faults_do_not_process() -> TestResult {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());

    arm(
        &http,
        &url,
        json!({"endpoint": "cpay/micro_pay", "kind": "http500"}),
    )
    .await?;
    let resp = send_micro(&http, &url, "sz0100sbox-500").await?;
    assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);

    arm(
        &http,
        &url,
        json!({"endpoint": "/cpay/micro_pay", "kind": "html_error"}),
    )
    .await?;
    let resp = send_micro(&http, &url, "sz0100sbox-502").await?;
    assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    assert!(
        resp.headers()["content-type"]
            .to_str()?
            .starts_with("text/html")
    );
    assert!(resp.text().await?.contains("502 Bad Gateway"));

    arm(
        &http,
        &url,
        json!({"endpoint": "cpay/micro_pay", "kind": "reset"}),
    )
    .await?;
    let sent = send_micro(&http, &url, "sz0100sbox-reset").await;
    assert!(
        sent.is_err(),
        "a reset must be a transport error, got {sent:?}"
    );

    // Faults are used up: the next call is processed normally.
    let a = read_cloud(send_micro(&http, &url, "sz0100sbox-ok").await?).await;
    assert!(a.signed);
    let ledger = sb.ledger();
    assert_eq!(ledger.orders.len(), 1);
    assert_eq!(ledger.charges_for_bill("sz0100sbox-ok").len(), 1);
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn committing_faults_charge_but_answer_badly() -> TestResult {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());

    arm(
        &http,
        &url,
        json!({"endpoint": "cpay/micro_pay", "kind": "malformed_json"}),
    )
    .await?;
    let resp = send_micro(&http, &url, "sz0100sbox-mal").await?;
    assert_eq!(resp.status(), StatusCode::OK);
    let body = resp.text().await?;
    assert!(serde_json::from_str::<Value>(&body).is_err(), "{body}");

    arm(
        &http,
        &url,
        json!({"endpoint": "cpay/micro_pay", "kind": "bad_signature"}),
    )
    .await?;
    let a = read_cloud(send_micro(&http, &url, "sz0100sbox-sig").await?).await;
    assert_eq!(a.content["status"], 0);
    assert!(a.has_authen_info && !a.signed, "{a:?}");

    arm(
        &http,
        &url,
        json!({"endpoint": "cpay/micro_pay", "kind": "delay", "delay_ms": 300}),
    )
    .await?;
    let started = Instant::now();
    let a = read_cloud(send_micro(&http, &url, "sz0100sbox-slow").await?).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(a.signed);

    arm(
        &http,
        &url,
        json!({"endpoint": "cpay/micro_pay", "kind": "commit_then_hang"}),
    )
    .await?;
    let impatient = Client::builder()
        .timeout(Duration::from_millis(500))
        .build()?;
    let hung = send_micro(&impatient, &url, "sz0100sbox-hang").await;
    assert!(
        hung.as_ref().is_err_and(reqwest::Error::is_timeout),
        "{hung:?}"
    );

    let ledger = sb.ledger();
    for no in [
        "sz0100sbox-mal",
        "sz0100sbox-sig",
        "sz0100sbox-slow",
        "sz0100sbox-hang",
    ] {
        assert_eq!(
            ledger.charges_for_bill(no).len(),
            1,
            "{no} was not committed"
        );
    }
    let started = Instant::now();
    sb.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "shutdown waited for the hung answer"
    );
    Ok(())
}

#[tokio::test]
async fn tour_v5_faults() -> TestResult {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());
    let tour = Tour::new(&sb);

    arm(
        &http,
        &url,
        json!({"endpoint": POS_PAY, "kind": "bad_signature"}),
    )
    .await?;
    let (status, answer) = tour.post(POS_PAY, &pos_body("F1", PAID_CODE, "1")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer["Message"],
        "Authorization has been denied for this request."
    );
    assert_eq!(sb.ledger().orders.len(), 0);

    arm(
        &http,
        &url,
        json!({"endpoint": "api/Pos/*", "kind": "malformed_json"}),
    )
    .await?;
    let (status, answer) = tour.post(POS_PAY, &pos_body("F1", PAID_CODE, "1")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(answer.is_string(), "not JSON: {answer}");
    assert_eq!(sb.ledger().charges_for_bill("F1").len(), 1);

    // A path matches its sub-paths: the bill status poll with its bill number.
    arm(&http, &url, json!({"endpoint": "api/pos/minIprogram/Busi/Sell/MainRow/Query/ByBillNum", "kind": "http500", "count": 2})).await?;
    assert_eq!(
        tour.get(&pos_status_path("F1")).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        tour.get(&pos_status_path("F1")).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let (status, answer) = tour.get(&pos_status_path("F1")).await;
    assert_eq!(
        (status, answer["tag"]["paystate"].clone()),
        (StatusCode::OK, json!("3"))
    );
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn faults_are_listed_cleared_and_spare_the_sandbox_endpoints() -> TestResult {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());
    arm(
        &http,
        &url,
        json!({"endpoint": "*", "kind": "http500", "count": 3}),
    )
    .await?;
    arm(
        &http,
        &url,
        json!({"endpoint": "cpay/refund", "kind": "delay", "delay_ms": 5}),
    )
    .await?;
    let listed: Value = http
        .get(format!("{url}_sandbox/faults"))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    assert_eq!(listed[0]["count"], 3);

    // The sandbox's own endpoints never fail.
    assert_eq!(
        http.get(format!("{url}_sandbox/ledger"))
            .send()
            .await?
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        send_micro(&http, &url, "sz0100sbox-a").await?.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let listed: Value = http
        .get(format!("{url}_sandbox/faults"))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(listed[0]["count"], 2);

    let cleared = http.delete(format!("{url}_sandbox/faults")).send().await?;
    assert_eq!(cleared.status(), StatusCode::OK);
    assert!(
        read_cloud(send_micro(&http, &url, "sz0100sbox-b").await?)
            .await
            .signed
    );

    let bad = http
        .post(format!("{url}_sandbox/faults"))
        .json(&json!({"endpoint": "*", "kind": "gremlins"}))
        .send()
        .await?;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    // Reset forgets orders, charges and faults.
    arm(&http, &url, json!({"endpoint": "*", "kind": "http500"})).await?;
    assert_eq!(
        http.post(format!("{url}_sandbox/reset"))
            .send()
            .await?
            .status(),
        StatusCode::OK
    );
    let ledger: cashier_sandbox::Ledger = http
        .get(format!("{url}_sandbox/ledger"))
        .send()
        .await?
        .json()
        .await?;
    assert!(ledger.orders.is_empty() && ledger.charges.is_empty());
    assert!(
        read_cloud(send_micro(&http, &url, "sz0100sbox-c").await?)
            .await
            .signed
    );
    assert_eq!(sb.ledger().total_charged().0, 100);
    sb.shutdown().await;
    Ok(())
}
