//! Bad input and faults: every member of a valid request, replaced by each of a set of odd
//! values or removed, on every endpoint. Each request gets an answer shaped as the backend's
//! (a panicking handler would drop the connection instead), and only requests the backend
//! accepted moved money.

use std::collections::BTreeSet;

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn odd_values() -> Vec<Value> {
    let huge: Value = serde_json::from_str("1e400").unwrap_or(Value::Null);
    vec![
        Value::Null,
        json!([]),
        json!({}),
        json!(""),
        json!(-1),
        json!(u64::MAX),
        huge,
        json!(true),
        json!("x".repeat(5000)),
        json!("\u{0}"),
        json!("门".repeat(50)),
    ]
}

/// Every JSON pointer to a member of `v`, objects and leaves alike.
fn pointers(v: &Value, at: &str, out: &mut Vec<String>) {
    if let Value::Object(map) = v {
        for (k, child) in map {
            let here = format!("{at}/{k}");
            out.push(here.clone());
            pointers(child, &here, out);
        }
    }
}

/// `v` with the member at `pointer` replaced by `with`, or removed when `with` is `None`.
fn mutate(v: &Value, pointer: &str, with: Option<&Value>) -> Value {
    let mut v = v.clone();
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return v;
    };
    if let Some(obj) = v.pointer_mut(parent).and_then(Value::as_object_mut) {
        match with {
            Some(x) => {
                obj.insert(key.to_string(), x.clone());
            }
            None => {
                obj.remove(key);
            }
        }
    }
    v
}

/// Every variant of `valid`: each member removed, and set to each odd value.
fn variants(valid: &Value) -> Vec<Value> {
    let mut paths = Vec::new();
    pointers(valid, "", &mut paths);
    let odd = odd_values();
    let mut out = Vec::new();
    for p in &paths {
        out.push(mutate(valid, p, None));
        for x in &odd {
            out.push(mutate(valid, p, Some(x)));
        }
    }
    out
}

#[tokio::test]
async fn malformed_cloud_pay_requests_get_an_answer_and_move_no_money() {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());
    // An order to query, close and refund.
    let paid = cloud_content(1, pay_content("sz0100sbox-base", 100, Some(PAID_CODE)));
    assert_eq!(
        cloud(&http, &url, "micro_pay", &paid).await.content["status"],
        0
    );
    let mut accepted: BTreeSet<String> = BTreeSet::from(["sz0100sbox-base".to_string()]);
    let mut n = 0;
    let endpoints = [
        ("micro_pay", paid.clone()),
        (
            "scan_code_pay",
            cloud_content(1, pay_content("sz0100sbox-qr", 100, None)),
        ),
        ("query_order", order_query("sz0100sbox-base", 1, 1)),
        ("close_order", order_query("sz0100sbox-base", 1, 1)),
        (
            "refund",
            refund_content(1, "sz0100sbox-base", "sz0100sbox-base-r", 100, 1),
        ),
        (
            "query_refund_order",
            refund_query(1, "sz0100sbox-base", "sz0100sbox-base-r"),
        ),
    ];
    for (name, valid) in endpoints {
        for mut content in variants(&valid) {
            n += 1;
            // A fresh order number per payment, unless the number itself is the variant.
            let no = format!("sz0100sbox-m{n}");
            if name == "micro_pay"
                && content.pointer("/pay_content/out_trade_no") == Some(&json!("sz0100sbox-base"))
            {
                content = mutate(&content, "/pay_content/out_trade_no", Some(&json!(no)));
            }
            let a = cloud(&http, &url, name, &content).await;
            assert_eq!(a.http, StatusCode::OK, "{name} {content}");
            let status = a.content["status"].as_i64();
            assert!(status.is_some(), "{name} {content}: {:?}", a.content);
            assert_eq!(
                a.signed,
                status == Some(0),
                "{name}: only status 0 is signed"
            );
            if name == "micro_pay"
                && status == Some(0)
                && let Some(no) = content
                    .pointer("/pay_content/out_trade_no")
                    .and_then(Value::as_str)
            {
                accepted.insert(no.to_string());
            }
        }
    }
    // Bodies that are not the envelope at all, declared as JSON so that the envelope is read.
    for body in [
        "",
        "null",
        "[]",
        "{\"request_content\": 5}",
        "{\"request_content\": \"[]\"}",
    ] {
        let resp = http
            .post(format!("{url}cpay/micro_pay"))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await;
        let a = match resp {
            Ok(r) => read_cloud(r).await,
            Err(e) => panic!("{body:?}: no answer: {e}"),
        };
        assert_eq!(a.content["status"], 101, "{body:?}");
    }
    let ledger = sb.ledger();
    let charged: BTreeSet<String> = ledger.charges.iter().map(|c| c.reference.clone()).collect();
    assert_eq!(ledger.charges.len(), charged.len(), "nothing charged twice");
    assert!(
        charged.is_subset(&accepted),
        "charged {charged:?}, accepted {accepted:?}"
    );
    assert!(n > 300, "{n} variants");
    sb.shutdown().await;
}

#[tokio::test]
async fn malformed_tourv5_requests_get_an_answer_and_move_no_money() {
    let sb = sandbox().await;
    let mut tour = Tour::new(&sb);
    tour.login().await;
    let koudai: Value = serde_json::from_str(&format!(
        r#"{{"BusinessType":1,"operatorNo":"001","billNum":"MK","summary":1.00,"barCode":"{PAID_CODE}"}}"#
    ))
    .unwrap_or_default();
    let scan: Value = serde_json::from_str(
        r#"{"billnum":"MQ","billtype":"1","body":"t","paytype":"WX","paymentvalue":1.00}"#,
    )
    .unwrap_or_default();
    let query = json!({"billnum": "MK", "autoid": "x", "billtype": "1", "paytype": "KD"});
    let pos = pos_body("MP", PAID_CODE, "1.00");
    let paths = [
        ("/api/3Pay/KouDaiLQ/BarCode", koudai),
        ("/api/UnPos/3Pay/Wechat/ScanCode", scan),
        ("/api/3Pay/AliPay/Query", query.clone()),
        ("/api/3Pay/KouDaiLQ/Query", query),
        (POS_PAY, pos),
    ];
    let mut accepted = 0;
    for (path, valid) in paths {
        let mut all = variants(&valid);
        all.extend([json!(null), json!([]), json!("x"), json!(1)]);
        for body in all {
            let (status, answer) = tour.post(path, &body).await;
            assert!(
                matches!(status, StatusCode::OK | StatusCode::BAD_REQUEST),
                "{path} {body}: {status} {answer}"
            );
            if status == StatusCode::BAD_REQUEST {
                assert!(answer["ModelState"].is_object(), "{path} {body}: {answer}");
            } else {
                assert!(answer["errcode"].is_i64(), "{path} {body}: {answer}");
                let pays = path.ends_with("BarCode") || path == POS_PAY;
                if pays && answer["errcode"] == 0 {
                    accepted += 1;
                }
            }
        }
    }
    assert_eq!(
        sb.ledger().charges.len(),
        accepted,
        "only accepted payments charged"
    );
    sb.shutdown().await;
}
