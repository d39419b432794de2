//! Cloud Pay refunds in the ledger: partial refunds leave the order paid, a full refund marks
//! it refunded, and `net_charged` counts only refunds that are done.

mod common;

use common::*;
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
        refund_entry(&a, "sz0100sbox-r1")["state"],
        2,
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
    assert_eq!(a.content["refund"]["refund_order_content"]["state"], 2);
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
            refund_entry(&a, "sz0100sbox-r3")["state"].clone()
        ),
        (json!(300), json!(2))
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

#[test]
fn a_ledger_without_refunds_still_reads() -> TestResult {
    let old = r#"{"orders": [], "charges": [{"reference": "a", "bill": "b", "amount_fen": 5, "channel": "cloud-qr"}]}"#;
    let ledger: cashier_sandbox::Ledger = serde_json::from_str(old)?;
    assert!(ledger.refunds.is_empty());
    assert_eq!(ledger.net_charged().0, 5);
    Ok(())
}
