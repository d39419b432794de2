//! Cloud Pay refunds in the ledger: partial refunds leave the order paid, a full refund marks
//! it refunded, and `net_charged` counts only refunds that are done.

use crate::common::*;
use reqwest::Client;
use serde_json::{Value, json};

fn refund(out_refund_no: &str, total_fee: u64, refund_fee: u64) -> Value {
    refund_content(1, "sz0100sbox-rf", out_refund_no, total_fee, refund_fee)
}

fn query_refund(out_refund_no: &str) -> Value {
    refund_query(1, "sz0100sbox-rf", out_refund_no)
}

async fn status(http: &Client, url: &str, name: &str, content: &Value) -> Value {
    cloud(http, url, name, content).await.content["status"].clone()
}

#[tokio::test]
async fn refunds_show_in_the_ledger_and_only_a_full_one_refunds_the_order() -> TestResult {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());
    let pay = cloud_content(1, pay_content("sz0100sbox-rf", 1000, Some(PAID_CODE)));
    assert!(cloud(&http, &url, "micro_pay", &pay).await.signed);

    // total_fee must be the order's amount (kept from before); nothing is refunded.
    assert_eq!(
        status(&http, &url, "refund", &refund("sz0100sbox-r0", 999, 300)).await,
        101
    );

    let a = cloud(&http, &url, "refund", &refund("sz0100sbox-r1", 1000, 300)).await;
    assert!(a.signed, "{:?}", a.content);
    let ledger = sb.ledger();
    assert_eq!(ledger.refunds.len(), 1);
    assert_eq!(
        (
            ledger.refunds[0].state.as_str(),
            ledger.refunds[0].refund_fen
        ),
        ("refunding", 300)
    );
    assert_eq!(
        ledger.net_charged().0,
        1000,
        "not back with the customer yet"
    );

    let a = cloud(
        &http,
        &url,
        "query_refund_order",
        &query_refund("sz0100sbox-r1"),
    )
    .await;
    assert_eq!(
        wechat_refund_state(&refund_entry(&a, "sz0100sbox-r1")),
        REFUND_SUCCESS,
        "{:?}",
        a.content
    );
    let ledger = sb.ledger();
    let entry = &ledger.refunds[0];
    assert_eq!(
        (
            entry.out_refund_no.as_str(),
            entry.reference.as_str(),
            entry.bill.as_str(),
            entry.refund_fen,
            entry.state.as_str()
        ),
        (
            "sz0100sbox-r1",
            "sz0100sbox-rf",
            "sz0100sbox-rf",
            300,
            "refunded"
        )
    );
    assert_eq!(
        ledger.order("sz0100sbox-rf").map(|o| o.state.as_str()),
        Some("paid")
    );
    assert_eq!(ledger.net_charged().0, 700);
    assert_eq!(ledger.total_charged().0, 1000);

    // The same refund again is answered as it stands; its number for another fee is not.
    let a = cloud(&http, &url, "refund", &refund("sz0100sbox-r1", 1000, 300)).await;
    assert_eq!(
        wechat_refund_state(&a.content["refund"]["refund_order_content"]),
        REFUND_SUCCESS
    );
    assert_eq!(
        status(&http, &url, "refund", &refund("sz0100sbox-r1", 1000, 200)).await,
        104
    );
    // More than is left (700) is refused.
    assert_eq!(
        status(&http, &url, "refund", &refund("sz0100sbox-r2", 1000, 701)).await,
        104
    );

    assert!(
        cloud(&http, &url, "refund", &refund("sz0100sbox-r3", 1000, 700))
            .await
            .signed
    );
    // One entry per refund of the order, each in its own state.
    let a = cloud(
        &http,
        &url,
        "query_refund_order",
        &query_refund("sz0100sbox-r3"),
    )
    .await;
    let entries = &a.content["query_refund_order"]["refund_order_content"];
    assert_eq!(entries.as_array().map(Vec::len), Some(2), "{entries}");
    assert_eq!(
        (
            refund_entry(&a, "sz0100sbox-r1")["refund_fee"].clone(),
            wechat_refund_state(&refund_entry(&a, "sz0100sbox-r3"))
        ),
        (json!(300), json!(REFUND_SUCCESS))
    );
    let ledger = sb.ledger();
    assert_eq!(
        ledger.order("sz0100sbox-rf").map(|o| o.state.as_str()),
        Some("refunded")
    );
    assert_eq!(ledger.refunds.len(), 2);
    assert_eq!(ledger.net_charged().0, 0);
    assert_eq!(
        status(&http, &url, "refund", &refund("sz0100sbox-r4", 1000, 1)).await,
        104
    );
    sb.shutdown().await;
    Ok(())
}

/// The vendor's shape (docs/protocols.md §2): an Alipay order's refund carries its state in
/// `alipay_refund_order_content_ext.refund_status`, none at the entry's top level; the query
/// answer names the merchant; the ledger keeps who authorised each refund.
#[tokio::test]
async fn alipay_refunds_answer_in_the_vendors_shape() -> TestResult {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());
    let order = "sz0100sbox-ali";
    let pay = cloud_content(2, pay_content(order, 800, Some(ALIPAY_CODE)));
    assert!(cloud(&http, &url, "micro_pay", &pay).await.signed);

    let mut by_admin = refund_content(2, order, "sz0100sbox-ali-r1", 800, 300);
    if let Some(key) = by_admin["pay_mch_key"].as_object_mut() {
        key.remove("authorization_staff_id");
        key.insert("is_sub_mch_admin".into(), json!(true));
    }
    let a = cloud(&http, &url, "refund", &by_admin).await;
    assert!(a.signed, "{:?}", a.content);
    let accepted = &a.content["refund"]["refund_order_content"];
    assert_eq!(
        alipay_refund_status(accepted),
        REFUND_PROCESSING,
        "{accepted}"
    );
    assert!(
        accepted.get("state").is_none() && accepted.get("wxpay_refund_order_content_ext").is_none()
    );
    assert_eq!(
        (
            accepted["out_trade_no"].clone(),
            accepted["total_fee"].clone(),
            accepted["refund_fee"].clone(),
            accepted["refund_fee_type"].clone(),
            accepted["trade_type"].clone(),
        ),
        (json!(order), json!(800), json!(300), json!("CNY"), json!(1))
    );
    assert!(
        accepted["refund_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );

    let by_staff = refund_content(2, order, "sz0100sbox-ali-r2", 800, 500);
    assert!(cloud(&http, &url, "refund", &by_staff).await.signed);
    let a = cloud(
        &http,
        &url,
        "query_refund_order",
        &refund_query(2, order, "sz0100sbox-ali-r2"),
    )
    .await;
    assert!(a.signed, "{:?}", a.content);
    let entry = refund_entry(&a, "sz0100sbox-ali-r2");
    assert_eq!(alipay_refund_status(&entry), REFUND_SUCCESS, "{entry}");
    assert_eq!(
        alipay_refund_status(&refund_entry(&a, "sz0100sbox-ali-r1")),
        REFUND_PROCESSING,
        "only the refund asked about is finished by its query"
    );
    assert_eq!(
        a.content["query_refund_order"]["pay_mch_key"]["pay_platform"],
        2
    );
    let ledger = sb.ledger();
    let who: Vec<_> = ledger
        .refunds
        .iter()
        .map(|r| r.authorized_by.clone())
        .collect();
    assert_eq!(who, [None, Some(STAFF.to_string())]);
    sb.shutdown().await;
    Ok(())
}

#[test]
fn a_ledger_without_refunds_still_reads() -> TestResult {
    let old = r#"{"orders": [], "charges": [{"reference": "a", "bill": "b", "amount_fen": 5, "channel": "cloud-qr"}]}"#;
    let ledger: cashier_sandbox::Ledger = serde_json::from_str(old)?;
    assert!(ledger.refunds.is_empty());
    assert_eq!(ledger.net_charged().0, 5);
    Ok(())
}
