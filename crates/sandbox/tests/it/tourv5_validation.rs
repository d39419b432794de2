//! Tour V5 model validation: ASP.NET's HTTP 400 with `ModelState` per broken field.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_default()
}

/// Asserts a 400 whose ModelState names exactly `fields` (as `parm.FIELD`).
async fn assert_invalid(tour: &Tour, path: &str, body: Value, fields: &[&str]) {
    let (status, answer) = tour.post(path, &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}: {answer}");
    assert_eq!(answer["Message"], "The request is invalid.");
    let mut keys: Vec<String> = answer["ModelState"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    let mut want: Vec<String> = fields.iter().map(|f| format!("parm.{f}")).collect();
    want.sort();
    assert_eq!(keys, want, "{path} {body}: {answer}");
}

#[tokio::test]
async fn scan_code_fields() {
    let sb = sandbox().await;
    let mut tour = Tour::new(&sb);
    tour.login().await;
    let path = "/api/UnPos/3Pay/Wechat/ScanCode";
    let ok = r#"{"billnum":"B1","billtype":"1","body":"t","paytype":"WX","paymentvalue":1.5}"#;
    assert_eq!(tour.post(path, &parse(ok)).await.1["errcode"], 0);

    assert_invalid(
        &tour,
        path,
        json!({}),
        &["billnum", "billtype", "body", "paytype", "paymentvalue"],
    )
    .await;
    let long = r#"{"billnum":"123456789012345678901","billtype":"12","body":"t","paytype":"123","paymentvalue":1,"cardno":"123456789012345678901"}"#;
    assert_invalid(
        &tour,
        path,
        parse(long),
        &["billnum", "billtype", "paytype", "cardno"],
    )
    .await;
    for amount in ["1.234", "0", "-1", "0.00", "\"5.00\"", "null"] {
        let body = ok.replace("1.5", amount);
        assert_invalid(&tour, path, parse(&body), &["paymentvalue"]).await;
    }
    assert_invalid(
        &tour,
        path,
        parse(&ok.replace("\"B1\"", "\"  \"")),
        &["billnum"],
    )
    .await;
    assert_invalid(&tour, path, parse(&ok.replace("\"1\"", "1")), &["billtype"]).await;
    // Two decimals written with trailing zeros are still two decimals.
    assert_eq!(
        tour.post(path, &parse(&ok.replace("1.5", "1.500"))).await.1["errcode"],
        0
    );
    // Business rules come after binding: errcode -1, not 400.
    let top_up = ok.replace("\"billtype\":\"1\"", "\"billtype\":\"7\"");
    assert_eq!(tour.post(path, &parse(&top_up)).await.1["errcode"], -1);

    // A body that is not JSON at all.
    let s = tour.signed(Method::POST, path, "{not json", &tour.key_for(path));
    let (status, answer) = tour.send(&s).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["ModelState"]["parm"].is_array(), "{answer}");
    sb.shutdown().await;
}

#[tokio::test]
async fn koudai_and_query_fields() {
    let sb = sandbox().await;
    let mut tour = Tour::new(&sb);
    tour.login().await;
    let path = "/api/3Pay/KouDaiLQ/BarCode";
    assert_invalid(
        &tour,
        path,
        json!({}),
        &[
            "BusinessType",
            "operatorNo",
            "billNum",
            "summary",
            "barCode",
        ],
    )
    .await;
    let long = json!({
        "BusinessType": 9,
        "operatorNo": "x".repeat(33),
        "billNum": "x".repeat(33),
        "summary": 1,
        "cardNo": "1".repeat(21),
        "barCode": "1".repeat(41),
    });
    assert_invalid(
        &tour,
        path,
        long,
        &["BusinessType", "operatorNo", "billNum", "cardNo", "barCode"],
    )
    .await;

    let query = "/api/3Pay/AliPay/Query";
    assert_invalid(
        &tour,
        query,
        json!({}),
        &["billnum", "autoid", "billtype", "paytype"],
    )
    .await;
    let long = json!({"billnum": "B", "autoid": "x".repeat(37), "billtype": "1", "paytype": "ZF"});
    assert_invalid(&tour, query, long, &["autoid"]).await;
    sb.shutdown().await;
}

#[tokio::test]
async fn pos_fields() {
    let sb = sandbox().await;
    let tour = Tour::new(&sb);
    assert_invalid(
        &tour,
        POS_PAY,
        json!({}),
        &["billnum", "wechatbarcode", "paymentvalue"],
    )
    .await;
    let long =
        json!({"billnum": "x".repeat(21), "wechatbarcode": "A".repeat(257), "paymentvalue": 1});
    assert_invalid(&tour, POS_PAY, long, &["billnum", "wechatbarcode"]).await;
    assert_eq!(sb.ledger().orders.len(), 0);
    sb.shutdown().await;
}
