//! One test per vendor help page ("seed"): our serialised request equals the page's JSON sample
//! field for field, and the page's answer sample parses into our answer type. The samples live
//! in `tests/vectors/`, one file per endpoint, compiled in.

use std::str::FromStr;

use cashier_backends::cloudpay::wire as cp;
use cashier_backends::tourv5::wire as tv;
use cashier_core::Fen;
use rust_decimal::Decimal;
use serde_json::Value;

/// One endpoint's samples from its vendor help page (`tests/vectors/README.md` says which).
struct Vector {
    request: Value,
    answer: Value,
}

fn vector(text: &str) -> Vector {
    let mut v: Value = serde_json::from_str(text).expect("vector file is JSON");
    Vector {
        request: v["request"].take(),
        answer: v["answer"].take(),
    }
}

/// Same keys at every level, same strings, numerically equal numbers.
fn assert_same(ours: &Value, seed: &Value, path: &str) {
    match (ours, seed) {
        (Value::Object(a), Value::Object(b)) => {
            let ka: Vec<_> = a.keys().collect();
            let mut kb: Vec<_> = b.keys().collect();
            let mut ka_sorted = ka.clone();
            ka_sorted.sort();
            kb.sort();
            assert_eq!(ka_sorted, kb, "field names differ at {path}");
            for (k, v) in a {
                assert_same(v, &b[k], &format!("{path}.{k}"));
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (
                Decimal::from_str(&a.to_string()).unwrap(),
                Decimal::from_str(&b.to_string()).unwrap(),
            );
            assert_eq!(a, b, "number differs at {path}");
        }
        _ => assert_eq!(ours, seed, "value differs at {path}"),
    }
}

fn s(n: u32) -> String {
    format!("sample string {n}")
}

#[test]
fn seed_000_wechat_scan_code() {
    let page = vector(include_str!("vectors/tourv5_wechat_scan_code.json"));
    let ours = tv::ScanCodeParm {
        billnum: s(1),
        billtype: s(2),
        body: s(3),
        paytype: s(4),
        paymentvalue: Fen(500),
        detail: Some(s(6)),
        clientip: Some(s(7)),
        cardno: Some(s(8)),
    };
    assert_same(
        &serde_json::to_value(&ours).unwrap(),
        &page.request,
        "request",
    );
    let answer: tv::Envelope<tv::PayScanCodeResult> = serde_json::from_value(page.answer).unwrap();
    assert_eq!(answer.errcode, 1);
    let tag = answer.tag.unwrap();
    assert_eq!(
        (
            tag.billnum.unwrap(),
            tag.autoid.unwrap(),
            tag.codeurl.unwrap()
        ),
        (s(1), s(2), s(3))
    );
}

#[test]
fn seed_001_koudai_barcode() {
    let page = vector(include_str!("vectors/tourv5_koudai_barcode.json"));
    let ours = tv::KouDaiLqBarCodeParm {
        business_type: 1,
        operator_no: s(1),
        bill_num: s(2),
        summary: Fen(300),
        card_no: Some(s(4)),
        bar_code: s(5),
    };
    assert_same(
        &serde_json::to_value(&ours).unwrap(),
        &page.request,
        "request",
    );
    let answer: tv::Envelope<tv::PayStatusResult> = serde_json::from_value(page.answer).unwrap();
    let tag = answer.tag.unwrap();
    assert_eq!(tag.paystatus.as_deref(), Some("sample string 4"));
    assert_eq!(tag.paystatusdesc.as_deref(), Some("sample string 5"));
    assert_eq!(tag.billstatus.as_deref(), Some("sample string 3"));
}

#[test]
fn seed_002_pos_wechat_barcode() {
    let page = vector(include_str!("vectors/tourv5_pos_wechat_barcode.json"));
    let ours = tv::PosSellPayWithWechatBarcodeParm {
        billnum: s(1),
        wechatbarcode: s(2),
        paymentvalue: Fen(300),
    };
    assert_same(
        &serde_json::to_value(&ours).unwrap(),
        &page.request,
        "request",
    );
    let answer: tv::Envelope<tv::PosSellPaymentResult> =
        serde_json::from_value(page.answer).unwrap();
    let tag = answer.tag.unwrap();
    assert_eq!(
        tag.autoid.as_deref(),
        Some("2"),
        "integer autoid read as text"
    );
    assert_eq!(tag.billpaystate.as_deref(), Some("sample string 3"));
}

#[test]
fn seed_003_alipay_query() {
    let page = vector(include_str!("vectors/tourv5_alipay_query.json"));
    let ours = tv::QueryParm {
        billnum: s(1),
        autoid: s(2),
        billtype: s(3),
        paytype: s(4),
    };
    assert_same(
        &serde_json::to_value(&ours).unwrap(),
        &page.request,
        "request",
    );
    let answer: tv::Envelope<tv::PayStatusResult> = serde_json::from_value(page.answer).unwrap();
    assert_eq!(answer.errmsg, s(2));
    assert_eq!(
        answer.tag.unwrap().autoid.as_deref(),
        Some("sample string 2")
    );
}

/// A Cloud Pay `*_content` member: JSON carried as a string, as on the wire.
fn content_text<'a>(envelope: &'a Value, key: &str) -> &'a str {
    envelope[key].as_str().expect("content is a JSON string")
}

#[test]
fn seed_004_cloud_pay_scan_code_pay() {
    let page = vector(include_str!("vectors/cloudpay_scan_code_pay.json"));
    let seed_request: Value = serde_json::from_str(content_text(&page.request, "request_content"))
        .expect("seed request_content parses");
    let ours = cp::RequestContent {
        nonce_str: "9f330667e18a48a7872e39878e1cd66f".into(),
        pay_mch_key: cp::PayMchKey {
            pay_platform: 1,
            sub_pay_platform: None,
            out_mch_id: "sz01N6YTRV8JPIlb4AnB".into(),
            out_sub_mch_id: "sz01jRnVDGfHKHI837nH".into(),
            out_shop_id: "sz01Kmw5JHJs278376ndk".into(),
            authorization: None,
        },
        order_client: cp::OrderClient {
            machine_no: Some("01-01-01-01-01-01".into()),
            terminal_type: 2,
            device_id: Some("zz003".into()),
            staff_id: Some("zz003".into()),
            sdk_version: "1.2".into(),
            spbill_create_ip: "192.168.0.22".into(),
            sub_terminal_type: Some(900),
        },
        pay_content: Some(cp::PayContent {
            out_trade_no: "sz0100d9ueWXzz00320190826151533".into(),
            total_fee: 16000,
            fee_type: "CNY".into(),
            client_flow_id: None,
            body: "body".into(),
            time_expire: None,
            detail: None,
            remark: None,
            author_code: None,
            wxpay_pay_content_ext: Some(cp::WxpayPayContentExt {
                product_id: "product_id".into(),
            }),
        }),
        out_trade_no: None,
        trade_type: None,
        out_refund_no: None,
        refund_content: None,
    };
    assert_eq!(
        ours.check_limits(),
        Ok(()),
        "the seed's own values fit String(n)"
    );
    assert_same(
        &serde_json::to_value(&ours).unwrap(),
        &seed_request,
        "request_content",
    );

    // The outer envelope: request_content is a string, authen_info.a has type 1 and 64 hex.
    let authen = page.request["authen_info"]["a"]["authen_code"]
        .as_str()
        .expect("seed authen_code");
    assert_eq!(authen.len(), 64);
    let env = cp::Request {
        request_content: serde_json::to_string(&ours).unwrap(),
        authen_info: cp::AuthenInfo {
            a: cp::AuthenA {
                authen_type: 1,
                authen_code: authen.into(),
            },
        },
    };
    let v = serde_json::to_value(&env).unwrap();
    assert!(v["request_content"].is_string());
    assert_eq!(v["authen_info"]["a"]["authen_type"], 1);

    let rc: cp::ResponseContent =
        serde_json::from_str(content_text(&page.answer, "response_content"))
            .expect("seed response_content parses");
    assert_eq!(rc.status, 0);
    assert_eq!(rc.internal_status, Some(0));
    let pay = rc.scan_code_pay.unwrap();
    assert!(pay.code_url.starts_with("weixin:"));
    assert_eq!(
        pay.nonce_str.as_deref(),
        Some("beM31vIaC1rgyDIX43fJxjhs77eKMrIf")
    );
}
