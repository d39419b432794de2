//! Tencent Cloud Pay: signatures both ways, barcode orders in each scenario, duplicate order
//! numbers, request checks, and queries or closes that do not match their order.

use std::time::Duration;

use crate::common::*;
use serde_json::json;

#[tokio::test]
async fn bad_authen_code_is_101_and_unsigned() -> TestResult {
    let sb = sandbox().await;
    let http = client();
    let content = cloud_content(1, pay_content("sz0100sbox001", 100, Some(PAID_CODE))).to_string();
    let wrong = authen_key().sign(&format!("{content} "));
    let a = read_cloud(cloud_raw(&http, &sb.url(), "micro_pay", &content, &wrong).await?).await;
    assert_eq!(a.content["status"], 101);
    assert_eq!(a.content["description"], "authen_code verify failed");
    assert!(!a.has_authen_info, "failures are unsigned");
    let a = read_cloud(cloud_raw(&http, &sb.url(), "micro_pay", &content, "zz").await?).await;
    assert_eq!(a.content["status"], 101);
    assert_eq!(sb.ledger().orders.len(), 0);
    sb.shutdown().await;
    Ok(())
}

/// On tokio's paused clock: the password scenario settles by time, which the test skips.
#[tokio::test(start_paused = true)]
async fn micro_pay_scenarios_and_duplicates() -> TestResult {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());

    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &cloud_content(1, pay_content("sz0100sbox-paid", 1600, Some(PAID_CODE))),
    )
    .await;
    assert!(a.signed, "{a:?}");
    assert_eq!(a.content["status"], 0);
    assert_eq!(wechat_state(&a, "micro_pay"), 2);
    assert_eq!(a.content["micro_pay"]["order_content"]["total_fee"], 1600);

    // The same out_trade_no again: 104 / 407, unsigned, and no second charge.
    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &cloud_content(1, pay_content("sz0100sbox-paid", 1600, Some(PAID_CODE))),
    )
    .await;
    assert_eq!(
        (
            a.content["status"].clone(),
            a.content["internal_status"].clone()
        ),
        (json!(104), json!(407))
    );
    assert_eq!(
        a.content["description"],
        "订单号重复 duplicate order number"
    );
    assert!(!a.has_authen_info);
    assert_eq!(sb.ledger().charges_for_bill("sz0100sbox-paid").len(), 1);

    // Password (Alipay): paying (4) until the customer is done 2×3 s later, then paid (2).
    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &cloud_content(
            2,
            pay_content("sz0100sbox-pw", 500, Some("28765432101234561002")),
        ),
    )
    .await;
    let state = |a: &CloudAnswer, p: &str| {
        a.content[p]["order_content"]["alipay_order_content_ext"]["current_trade_state"].clone()
    };
    assert_eq!(
        (a.content["status"].clone(), state(&a, "micro_pay")),
        (json!(0), json!(4))
    );
    let a = cloud(
        &http,
        &url,
        "query_order",
        &order_query("sz0100sbox-pw", 1, 2),
    )
    .await;
    assert_eq!(state(&a, "query_order"), 4);
    tokio::time::sleep(Duration::from_secs(6)).await;
    let a = cloud(
        &http,
        &url,
        "query_order",
        &order_query("sz0100sbox-pw", 1, 2),
    )
    .await;
    assert!(a.signed);
    assert_eq!(state(&a, "query_order"), 2);
    assert!(a.content["query_order"]["order_content"]["transaction_id"].is_string());

    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &cloud_content(
            1,
            pay_content("sz0100sbox-poor", 500, Some("134520273825382222")),
        ),
    )
    .await;
    assert_eq!(
        (
            a.content["status"].clone(),
            a.content["description"].clone()
        ),
        (json!(104), json!("余额不足 insufficient balance"))
    );
    assert_eq!(
        wechat_state(
            &cloud(
                &http,
                &url,
                "query_order",
                &order_query("sz0100sbox-poor", 1, 1)
            )
            .await,
            "query_order"
        ),
        8
    );
    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &cloud_content(
            1,
            pay_content("sz0100sbox-old", 500, Some("134520273825383333")),
        ),
    )
    .await;
    assert_eq!(
        (
            a.content["status"].clone(),
            a.content["description"].clone()
        ),
        (json!(104), json!("付款码已过期 payment code expired"))
    );
    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &cloud_content(
            1,
            pay_content("sz0100sbox-wait", 500, Some("134520273825384444")),
        ),
    )
    .await;
    assert_eq!(wechat_state(&a, "micro_pay"), 6);
    for _ in 0..10 {
        let a = cloud(
            &http,
            &url,
            "query_order",
            &order_query("sz0100sbox-wait", 1, 1),
        )
        .await;
        assert_eq!(wechat_state(&a, "query_order"), 6);
    }

    let ledger = sb.ledger();
    assert_eq!(ledger.total_charged().0, 2100);
    let o = ledger.order("sz0100sbox-pw").ok_or("no order")?;
    assert_eq!(
        (
            o.backend.as_str(),
            o.channel.as_str(),
            o.state.as_str(),
            o.queries
        ),
        ("cloudpay", "cloud-barcode", "paid", 2)
    );
    assert_eq!(ledger.order("sz0100sbox-wait").map(|o| o.queries), Some(10));
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn request_checks_are_101() {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());
    let cases = [
        (
            "scan_code_pay",
            cloud_content(1, pay_content("xyz-1", 100, None)),
        ),
        (
            "micro_pay",
            cloud_content(1, pay_content("sz0100sbox-nocode", 100, None)),
        ),
        (
            "micro_pay",
            cloud_content(3, pay_content("sz0100sbox-3", 100, Some(PAID_CODE))),
        ),
        (
            "micro_pay",
            cloud_content(1, pay_content("sz0100sbox-0", 0, Some(PAID_CODE))),
        ),
        (
            "micro_pay",
            cloud_content(
                1,
                pay_content(&format!("sz0100sbox{}", "9".repeat(30)), 1, Some(PAID_CODE)),
            ),
        ),
        (
            "query_order",
            cloud_content(1, json!({"out_trade_no": "sz0100sbox-x"})),
        ),
    ];
    for (name, content) in cases {
        let a = cloud(&http, &url, name, &content).await;
        assert_eq!(
            a.content["status"], 101,
            "{name} {content}: {:?}",
            a.content
        );
        assert!(!a.has_authen_info);
    }
    // WeChat QR needs product_id; Alipay does not.
    let mut pay = pay_content("sz0100sbox-qr", 100, None);
    pay["pay_content"]
        .as_object_mut()
        .map(|p| p.remove("wxpay_pay_content_ext"));
    assert_eq!(
        cloud(&http, &url, "scan_code_pay", &cloud_content(1, pay.clone()))
            .await
            .content["status"],
        101
    );
    assert_eq!(
        cloud(&http, &url, "scan_code_pay", &cloud_content(2, pay))
            .await
            .content["status"],
        0
    );
    let mut no_nonce = cloud_content(1, pay_content("sz0100sbox-nn", 100, Some(PAID_CODE)));
    no_nonce.as_object_mut().map(|c| c.remove("nonce_str"));
    assert_eq!(
        cloud(&http, &url, "micro_pay", &no_nonce).await.content["status"],
        101
    );
    assert_eq!(sb.ledger().charges.len(), 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn client_flow_id_names_the_bill() {
    let sb = sandbox().await;
    let mut content = cloud_content(1, pay_content("sz0100sbox-flow", 700, Some(PAID_CODE)));
    content["pay_content"]["client_flow_id"] = json!("BILL-9");
    let a = cloud(&client(), &sb.url(), "micro_pay", &content).await;
    assert!(a.signed);
    let ledger = sb.ledger();
    assert_eq!(ledger.charges_for_bill("BILL-9").len(), 1);
    assert_eq!(
        ledger.order("sz0100sbox-flow").map(|o| o.bill.clone()),
        Some("BILL-9".into())
    );
    sb.shutdown().await;
}

/// query_order and close_order name the order's trade type and wallet: a mismatch is another
/// order as far as Cloud Pay is concerned (104), and a barcode order cannot be closed.
#[tokio::test]
async fn query_and_close_must_match_the_order() {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());
    let wait = cloud_content(
        1,
        pay_content("sz0100sbox-bar", 500, Some("134520273825384444")),
    );
    assert_eq!(
        cloud(&http, &url, "micro_pay", &wait).await.content["status"],
        0
    );
    let qr = cloud_content(2, pay_content("sz0100sbox-ali-qr", 500, None));
    assert_eq!(
        cloud(&http, &url, "scan_code_pay", &qr).await.content["status"],
        0
    );

    for (name, no, trade_type, platform, why) in [
        ("query_order", "sz0100sbox-bar", 2, 1, "trade_type"),
        ("query_order", "sz0100sbox-bar", 1, 2, "pay_platform"),
        ("query_order", "sz0100sbox-ali-qr", 1, 2, "trade_type"),
        ("close_order", "sz0100sbox-ali-qr", 2, 1, "pay_platform"),
        ("close_order", "sz0100sbox-ali-qr", 1, 2, "trade_type"),
        ("close_order", "sz0100sbox-bar", 1, 1, "barcode"),
    ] {
        let a = cloud(&http, &url, name, &order_query(no, trade_type, platform)).await;
        assert_eq!(a.content["status"], 104, "{name} {no}: {:?}", a.content);
        assert!(!a.has_authen_info, "failures are unsigned");
        let description = a.content["description"].as_str().unwrap_or_default();
        assert!(description.contains(why), "{name} {no}: {description}");
    }
    // The matching requests work, and the barcode order is still waiting for its customer.
    let a = cloud(
        &http,
        &url,
        "query_order",
        &order_query("sz0100sbox-bar", 1, 1),
    )
    .await;
    assert_eq!(wechat_state(&a, "query_order"), 6);
    let a = cloud(
        &http,
        &url,
        "close_order",
        &order_query("sz0100sbox-ali-qr", 2, 2),
    )
    .await;
    assert!(a.signed, "{:?}", a.content);
    let ledger = sb.ledger();
    assert_eq!(ledger.order("sz0100sbox-bar").map(|o| o.queries), Some(1));
    assert_eq!(
        ledger.order("sz0100sbox-ali-qr").map(|o| o.state.as_str()),
        Some("closed")
    );
    sb.shutdown().await;
}
