//! Tencent Cloud Pay QR orders: idempotent creation, reused order numbers, `time_expire`,
//! unknown orders, close and refund.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn qr_order_is_idempotent_closes_and_refunds() -> TestResult {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());
    let a = cloud(
        &http,
        &url,
        "scan_code_pay",
        &cloud_content(1, pay_content("sz0100sbox-qr1", 990, None)),
    )
    .await;
    assert!(a.signed);
    let code_url = a.content["scan_code_pay"]["code_url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(code_url, format!("{url}_sandbox/pay/sz0100sbox-qr1"));
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
        &cloud_content(1, pay_content("sz0100sbox-qr1", 990, None)),
    )
    .await;
    assert_eq!(
        again.content["scan_code_pay"]["code_url"],
        code_url.as_str()
    );
    assert_eq!(
        wechat_state(
            &cloud(
                &http,
                &url,
                "query_order",
                &order_query("sz0100sbox-qr1", 2, 1)
            )
            .await,
            "query_order"
        ),
        1
    );

    // Unknown orders: WeChat refuses, Alipay answers state 7.
    let a = cloud(
        &http,
        &url,
        "query_order",
        &order_query("sz0100sbox-none", 2, 1),
    )
    .await;
    assert_eq!(
        (
            a.content["status"].clone(),
            a.content["description"].clone()
        ),
        (json!(104), json!("订单不存在 order not found"))
    );
    let a = cloud(
        &http,
        &url,
        "query_order",
        &order_query("sz0100sbox-none", 2, 2),
    )
    .await;
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
    let a = cloud(
        &http,
        &url,
        "close_order",
        &order_query("sz0100sbox-qr1", 2, 1),
    )
    .await;
    assert_eq!(
        (
            a.content["status"].clone(),
            a.content["description"].clone()
        ),
        (json!(104), json!("订单已支付 order already paid"))
    );
    let refund = |no: &str, fee: u64| refund_content(1, "sz0100sbox-qr1", no, 990, fee);
    assert_eq!(
        cloud(&http, &url, "refund", &refund("sz0100sbox-r1", 991))
            .await
            .content["status"],
        101
    );
    let a = cloud(&http, &url, "refund", &refund("sz0100sbox-r1", 990)).await;
    assert!(a.signed);
    let accepted = &a.content["refund"]["refund_order_content"];
    assert_eq!(
        wechat_refund_state(accepted),
        REFUND_PROCESSING,
        "{accepted}"
    );
    assert!(accepted.get("state").is_none(), "no state at the top level");
    assert_eq!(
        sb.ledger().order("sz0100sbox-qr1").map(|o| o.state.clone()),
        Some("paid".into())
    );
    let a = cloud(
        &http,
        &url,
        "query_refund_order",
        &refund_query(1, "sz0100sbox-qr1", "sz0100sbox-r1"),
    )
    .await;
    assert!(a.signed, "{:?}", a.content);
    let entry = refund_entry(&a, "sz0100sbox-r1");
    assert_eq!(
        (wechat_refund_state(&entry), entry["refund_fee"].clone()),
        (json!(REFUND_SUCCESS), json!(990))
    );
    assert_eq!(
        sb.ledger().order("sz0100sbox-qr1").map(|o| o.state.clone()),
        Some("refunded".into())
    );
    assert_eq!(
        wechat_state(
            &cloud(
                &http,
                &url,
                "query_order",
                &order_query("sz0100sbox-qr1", 2, 1)
            )
            .await,
            "query_order"
        ),
        4
    );
    assert_eq!(
        cloud(&http, &url, "refund", &refund("sz0100sbox-r2", 10))
            .await
            .content["status"],
        104
    );

    // An unpaid QR order closes, and a closed order cannot be paid.
    cloud(
        &http,
        &url,
        "scan_code_pay",
        &cloud_content(1, pay_content("sz0100sbox-qr2", 100, None)),
    )
    .await;
    let a = cloud(
        &http,
        &url,
        "close_order",
        &order_query("sz0100sbox-qr2", 2, 1),
    )
    .await;
    assert!(a.signed);
    assert!(a.content["close_order"].is_object());
    assert_eq!(
        wechat_state(
            &cloud(
                &http,
                &url,
                "query_order",
                &order_query("sz0100sbox-qr2", 2, 1)
            )
            .await,
            "query_order"
        ),
        5
    );
    let late = http
        .post(format!("{url}_sandbox/pay/sz0100sbox-qr2"))
        .send()
        .await?;
    assert_eq!(late.status(), 409);
    assert_eq!(
        cloud(
            &http,
            &url,
            "close_order",
            &order_query("sz0100sbox-none", 2, 1)
        )
        .await
        .content["status"],
        104
    );
    // A QR order number cannot be reused for a barcode payment.
    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &cloud_content(1, pay_content("sz0100sbox-qr2", 100, Some(PAID_CODE))),
    )
    .await;
    assert_eq!(a.content["internal_status"], 407);
    assert_eq!(sb.ledger().total_charged().0, 990);
    sb.shutdown().await;
    Ok(())
}

fn qr_order(no: &str, platform: u8, fee: u64, flow: Option<&str>) -> Value {
    let mut c = cloud_content(platform, pay_content(no, fee, None));
    if let Some(flow) = flow {
        c["pay_content"]["client_flow_id"] = json!(flow);
    }
    c
}

/// scan_code_pay again with the same number is idempotent only for the same open order:
/// same amount, wallet and bill. Anything else is 104 (407), unsigned, and changes nothing.
#[tokio::test]
async fn a_reused_qr_order_number_must_be_the_same_open_order() -> TestResult {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());
    let first = cloud(
        &http,
        &url,
        "scan_code_pay",
        &qr_order("sz0100sbox-re", 1, 500, Some("B-1")),
    )
    .await;
    assert!(first.signed, "{:?}", first.content);
    let again = cloud(
        &http,
        &url,
        "scan_code_pay",
        &qr_order("sz0100sbox-re", 1, 500, Some("B-1")),
    )
    .await;
    assert!(again.signed, "{:?}", again.content);
    assert_eq!(
        again.content["scan_code_pay"]["code_url"],
        first.content["scan_code_pay"]["code_url"]
    );
    for changed in [
        qr_order("sz0100sbox-re", 1, 501, Some("B-1")),
        qr_order("sz0100sbox-re", 2, 500, Some("B-1")),
        qr_order("sz0100sbox-re", 1, 500, Some("B-2")),
        qr_order("sz0100sbox-re", 1, 500, None),
    ] {
        let a = cloud(&http, &url, "scan_code_pay", &changed).await;
        assert_eq!(
            (
                a.content["status"].clone(),
                a.content["internal_status"].clone()
            ),
            (json!(104), json!(407)),
            "{changed}: {:?}",
            a.content
        );
        assert!(!a.has_authen_info);
        assert!(
            a.content["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
        );
    }
    // Over (closed here; paid and expired alike): the number cannot be shown again.
    let close = cloud_content(1, json!({"out_trade_no": "sz0100sbox-re", "trade_type": 2}));
    assert!(cloud(&http, &url, "close_order", &close).await.signed);
    let a = cloud(
        &http,
        &url,
        "scan_code_pay",
        &qr_order("sz0100sbox-re", 1, 500, Some("B-1")),
    )
    .await;
    assert_eq!(a.content["status"], 104, "{:?}", a.content);
    let ledger = sb.ledger();
    assert_eq!(ledger.orders.len(), 1);
    assert_eq!(
        ledger
            .order("sz0100sbox-re")
            .map(|o| (o.amount_fen, o.bill.as_str(), o.state.as_str())),
        Some((500, "B-1", "closed"))
    );
    sb.shutdown().await;
    Ok(())
}

/// `time_expire` (absolute unix seconds) must lie ahead, at most a day.
#[tokio::test]
async fn time_expire_must_be_within_the_next_day() -> TestResult {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());
    let now = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs())?;
    for (no, at, status) in [
        ("sz0100sbox-te1", now - 10, 101),
        ("sz0100sbox-te2", now + 24 * 3600 + 60, 101),
        ("sz0100sbox-te3", i64::MAX, 101),
        ("sz0100sbox-te4", -1, 101),
        ("sz0100sbox-te5", now + 300, 0),
        ("sz0100sbox-te6", now + 23 * 3600, 0),
    ] {
        let mut c = qr_order(no, 1, 100, None);
        c["pay_content"]["time_expire"] = json!(at);
        let a = cloud(&http, &url, "scan_code_pay", &c).await;
        assert_eq!(a.content["status"], status, "{no}: {:?}", a.content);
    }
    let ledger = sb.ledger();
    assert_eq!(ledger.orders.len(), 2);
    assert_eq!(
        ledger.order("sz0100sbox-te5").map(|o| o.state.as_str()),
        Some("notpay")
    );
    sb.shutdown().await;
    Ok(())
}
