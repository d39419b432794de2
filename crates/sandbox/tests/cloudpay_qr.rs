//! Tencent Cloud Pay QR orders: idempotent creation, unknown orders, close and refund.

mod common;

use common::*;
use serde_json::{Value, json};

fn wechat_state(a: &CloudAnswer, payload: &str) -> Value {
    a.content[payload]["order_content"]["wxpay_order_content_ext"]["current_trade_state"].clone()
}

fn query(no: &str, trade_type: u8, platform: u8) -> Value {
    cloud_content(
        platform,
        json!({"out_trade_no": no, "trade_type": trade_type}),
    )
}

#[tokio::test]
async fn qr_order_is_idempotent_closes_and_refunds() -> TestResult {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());
    let a = cloud(
        &http,
        &url,
        "scan_code_pay",
        &cloud_content(1, pay_content("sbx-qr1", 990, None)),
    )
    .await;
    assert!(a.signed);
    let code_url = a.content["scan_code_pay"]["code_url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(code_url, format!("{url}_sandbox/pay/sbx-qr1"));
    assert_eq!(
        a.content["scan_code_pay"]["nonce_str"]
            .as_str()
            .map(str::len),
        Some(32)
    );
    let again = cloud(
        &http,
        &url,
        "scan_code_pay",
        &cloud_content(1, pay_content("sbx-qr1", 990, None)),
    )
    .await;
    assert_eq!(
        again.content["scan_code_pay"]["code_url"],
        code_url.as_str()
    );
    assert_eq!(
        wechat_state(
            &cloud(&http, &url, "query_order", &query("sbx-qr1", 2, 1)).await,
            "query_order"
        ),
        1
    );

    // Unknown orders: WeChat refuses, Alipay answers state 7.
    let a = cloud(&http, &url, "query_order", &query("sbx-none", 2, 1)).await;
    assert_eq!(
        (
            a.content["status"].clone(),
            a.content["description"].clone()
        ),
        (json!(104), json!("订单不存在 order not found"))
    );
    let a = cloud(&http, &url, "query_order", &query("sbx-none", 2, 2)).await;
    assert!(a.signed);
    assert_eq!(
        a.content["query_order"]["order_content"]["alipay_order_content_ext"]["current_trade_state"],
        7
    );

    // Paid on the customer page, it cannot be closed; it can be refunded.
    let paid = http
        .post(&code_url)
        .header("Accept", "application/json")
        .send()
        .await?;
    assert_eq!(paid.status(), 200);
    let a = cloud(&http, &url, "close_order", &query("sbx-qr1", 2, 1)).await;
    assert_eq!(
        (
            a.content["status"].clone(),
            a.content["description"].clone()
        ),
        (json!(104), json!("订单已支付 order already paid"))
    );
    let refund = |no: &str, fee: u64| {
        cloud_content(
            1,
            json!({"refund_content": {"out_trade_no": "sbx-qr1", "out_refund_no": no, "total_fee": 990, "refund_fee": fee}}),
        )
    };
    assert_eq!(
        cloud(&http, &url, "refund", &refund("sbx-r1", 991))
            .await
            .content["status"],
        101
    );
    let a = cloud(&http, &url, "refund", &refund("sbx-r1", 990)).await;
    assert!(a.signed);
    assert_eq!(a.content["refund"]["refund_order_content"]["state"], 1);
    assert_eq!(
        sb.ledger().order("sbx-qr1").map(|o| o.state.clone()),
        Some("paid".into())
    );
    let q = cloud_content(
        1,
        json!({"refund_content": {"out_trade_no": "sbx-qr1", "out_refund_no": "sbx-r1"}}),
    );
    let a = cloud(&http, &url, "query_refund_order", &q).await;
    assert_eq!(
        a.content["query_refund_order"]["refund_order_content"]["state"],
        2
    );
    assert_eq!(
        a.content["query_refund_order"]["refund_order_content"]["refund_fee"],
        990
    );
    assert_eq!(
        sb.ledger().order("sbx-qr1").map(|o| o.state.clone()),
        Some("refunded".into())
    );
    assert_eq!(
        wechat_state(
            &cloud(&http, &url, "query_order", &query("sbx-qr1", 2, 1)).await,
            "query_order"
        ),
        4
    );
    assert_eq!(
        cloud(&http, &url, "refund", &refund("sbx-r2", 10))
            .await
            .content["status"],
        104
    );

    // An unpaid QR order closes, and a closed order cannot be paid.
    cloud(
        &http,
        &url,
        "scan_code_pay",
        &cloud_content(1, pay_content("sbx-qr2", 100, None)),
    )
    .await;
    let a = cloud(&http, &url, "close_order", &query("sbx-qr2", 2, 1)).await;
    assert!(a.signed);
    assert!(a.content["close_order"].is_object());
    assert_eq!(
        wechat_state(
            &cloud(&http, &url, "query_order", &query("sbx-qr2", 2, 1)).await,
            "query_order"
        ),
        5
    );
    let late = http
        .post(format!("{url}_sandbox/pay/sbx-qr2"))
        .send()
        .await?;
    assert_eq!(late.status(), 409);
    assert_eq!(
        cloud(&http, &url, "close_order", &query("sbx-none", 2, 1))
            .await
            .content["status"],
        104
    );
    // A QR order number cannot be reused for a barcode payment.
    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &cloud_content(1, pay_content("sbx-qr2", 100, Some(PAID_CODE))),
    )
    .await;
    assert_eq!(a.content["internal_status"], 407);
    assert_eq!(sb.ledger().total_charged().0, 990);
    sb.shutdown().await;
    Ok(())
}
