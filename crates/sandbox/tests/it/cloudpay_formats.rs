//! Cloud Pay's value formats (docs/protocols.md §2, seed 004), one test each: the body's
//! content type, the characters of order and refund numbers, `sub_pay_platform` and
//! `spbill_create_ip`. Every refusal is status 101, unsigned, naming what is wrong, and moves
//! no money.

use crate::common::*;
use serde_json::{Value, json};

/// The envelope of `content`, signed as the app signs it.
fn envelope(content: &Value) -> String {
    let text = content.to_string();
    let code = authen_key().sign(&text);
    json!({"request_content": text, "authen_info": {"a": {"authen_type": 1, "authen_code": code}}})
        .to_string()
}

/// A request body is sent as `application/json`; a body declared as anything else, or as
/// nothing, is refused before it is read, however well it is signed.
#[tokio::test]
async fn request_bodies_must_be_json() {
    let sb = sandbox().await;
    let http = client();
    let url = format!("{}cpay/micro_pay", sb.url());
    let body = envelope(&micro_pay("sz0100sboxCT1"));
    for sent in [
        Some("text/plain"),
        Some("text/json"),
        Some("application/x-www-form-urlencoded"),
        Some("application/xml"),
        Some("application/jsonp"),
        None,
    ] {
        let mut req = http.post(&url).body(body.clone());
        if let Some(ct) = sent {
            req = req.header("Content-Type", ct);
        }
        let a = match req.send().await {
            Ok(r) => read_cloud(r).await,
            Err(e) => panic!("{sent:?}: no answer: {e}"),
        };
        assert_eq!(a.content["status"], 101, "{sent:?}: {:?}", a.content);
        assert!(!a.has_authen_info, "{sent:?}: refusals are unsigned");
        let why = a.content["description"].as_str().unwrap_or_default();
        assert!(why.contains("Content-Type"), "{sent:?}: {why:?}");
    }
    assert_untouched(&sb);
    // With or without parameters, in any case.
    for (i, sent) in ["application/json; charset=utf-8", "Application/JSON"]
        .into_iter()
        .enumerate()
    {
        let body = envelope(&micro_pay(&format!("sz0100sboxCTok{i}")));
        let resp = http
            .post(&url)
            .header("Content-Type", sent)
            .body(body)
            .send()
            .await;
        let a = match resp {
            Ok(r) => read_cloud(r).await,
            Err(e) => panic!("{sent}: no answer: {e}"),
        };
        assert_eq!(a.content["status"], 0, "{sent}: {:?}", a.content);
        assert!(a.signed);
    }
    assert_eq!(sb.ledger().charges.len(), 2);
    sb.shutdown().await;
}

/// `out_trade_no` and `out_refund_no` hold ASCII letters, digits, `_` and `-` only, wherever
/// they appear.
#[tokio::test]
async fn order_numbers_are_letters_digits_underscore_and_hyphen() {
    let sb = sandbox().await;
    let bad = [
        "sz0100sbox 1",
        "sz0100sbox.1",
        "sz0100sbox|1",
        "sz0100sbox*1",
        "sz0100sbox/1",
        "sz0100sbox#1",
        "sz0100sbox\n1",
        "sz0100sbox单号",
        "sz0100sboxＡ1",
    ];
    for no in bad {
        assert_refused(&sb, "micro_pay", &micro_pay(no), "pay_content.out_trade_no").await;
        let qr = cloud_content(1, pay_content(no, 100, None));
        assert_refused(&sb, "scan_code_pay", &qr, "pay_content.out_trade_no").await;
        for name in ["query_order", "close_order"] {
            assert_refused(&sb, name, &order_query(no, 1, 1), "out_trade_no").await;
        }
    }
    assert_untouched(&sb);
    assert_eq!(
        status(&sb, "micro_pay", &micro_pay("sz0100sbox_Ch-1")).await,
        0
    );
    for no in bad {
        let refund = refund_content(1, "sz0100sbox_Ch-1", no, 100, 1);
        assert_refused(&sb, "refund", &refund, "refund_content.out_refund_no").await;
        let query = refund_query(1, "sz0100sbox_Ch-1", no);
        assert_refused(&sb, "query_refund_order", &query, "out_refund_no").await;
    }
    assert!(sb.ledger().refunds.is_empty());
    let refund = refund_content(1, "sz0100sbox_Ch-1", "sz0100sbox_Ch-1R1", 100, 1);
    assert_eq!(status(&sb, "refund", &refund).await, 0);
    sb.shutdown().await;
}

/// `pay_mch_key.sub_pay_platform`, when sent, is enum SubPayPlatform's value for a wallet:
/// 100 WeChat or 200 Alipay.
#[tokio::test]
async fn sub_pay_platform_is_100_or_200() {
    let sb = sandbox().await;
    for sub in [0, 1, 2, 99, 101, 300, 401, 402, -100] {
        assert_refused(
            &sb,
            "micro_pay",
            &with(
                micro_pay("sz0100sboxSP"),
                "/pay_mch_key/sub_pay_platform",
                json!(sub),
            ),
            "pay_mch_key.sub_pay_platform",
        )
        .await;
        let query = with(
            order_query("sz0100sboxSP", 1, 1),
            "/pay_mch_key/sub_pay_platform",
            json!(sub),
        );
        assert_refused(&sb, "query_order", &query, "pay_mch_key.sub_pay_platform").await;
    }
    assert_untouched(&sb);
    for (i, (platform, sub, code)) in [(1, 100, PAID_CODE), (2, 200, "284520273825387649")]
        .into_iter()
        .enumerate()
    {
        let content = cloud_content(
            platform,
            pay_content(&format!("sz0100sboxSP{i}"), 100, Some(code)),
        );
        let content = with(content, "/pay_mch_key/sub_pay_platform", json!(sub));
        assert_eq!(status(&sb, "micro_pay", &content).await, 0, "{sub}");
    }
    sb.shutdown().await;
}

/// `order_client.spbill_create_ip`, "the IP of the machine calling the API" as `String(16)`,
/// is a dotted IPv4 address, on every call.
#[tokio::test]
async fn spbill_create_ip_must_be_ipv4() {
    let sb = sandbox().await;
    for ip in NOT_IPV4.into_iter().chain(["cashier-01"]) {
        assert_refused(
            &sb,
            "micro_pay",
            &with(
                micro_pay("sz0100sboxIP"),
                "/order_client/spbill_create_ip",
                json!(ip),
            ),
            "order_client.spbill_create_ip",
        )
        .await;
        let query = with(
            order_query("sz0100sboxIP", 1, 1),
            "/order_client/spbill_create_ip",
            json!(ip),
        );
        assert_refused(&sb, "query_order", &query, "order_client.spbill_create_ip").await;
    }
    assert_untouched(&sb);
    for (i, ip) in ["127.0.0.1", "10.1.2.3", "255.255.255.255"]
        .into_iter()
        .enumerate()
    {
        let content = with(
            micro_pay(&format!("sz0100sboxIP{i}")),
            "/order_client/spbill_create_ip",
            json!(ip),
        );
        assert_eq!(status(&sb, "micro_pay", &content).await, 0, "{ip}");
    }
    sb.shutdown().await;
}
