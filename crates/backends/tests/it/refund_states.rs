//! Cloud Pay refunds on the wire (docs/protocols.md §2), against `vectors/cloudpay_refund.json`:
//! what a refund request carries to say who authorises it, and every vendor refund state of
//! each wallet mapped to Cashier's refund outcome. A refund's state is only ever read from its
//! wallet's object; an entry has no state of its own.

use cashier_backends::cloudpay::Platform;
use cashier_backends::cloudpay::map::{
    self as cpmap, AlipayRefundState, RefundAuthority, RefundCall, RefundOutcome, Signature,
    WechatRefundState,
};
use cashier_backends::cloudpay::wire as cp;
use serde_json::{Value, json};

fn vector() -> Value {
    serde_json::from_str(include_str!("vectors/cloudpay_refund.json")).expect("vector is JSON")
}

fn content(v: &Value) -> cp::ResponseContent {
    serde_json::from_value(v.clone()).expect("response_content parses")
}

/// The outcome's name as the vector writes it (RefundOutcome's serde tag).
fn name(o: &RefundOutcome) -> String {
    serde_json::to_value(o).expect("outcome serialises")["state"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn wallet(w: &str) -> Platform {
    match w {
        "wechat" => Platform::Wechat,
        "alipay" => Platform::Alipay,
        other => panic!("vector wallet {other:?}"),
    }
}

/// One signed `query_refund_order` answer about refund `r1`, its state where `ext` puts it.
fn answer(ext: Value) -> cp::ResponseContent {
    let mut entry = json!({"out_refund_no": "r1", "refund_fee": 500});
    if let (Some(e), Value::Object(more)) = (entry.as_object_mut(), ext) {
        e.extend(more);
    }
    content(&json!({"status": 0, "query_refund_order": {"refund_order_content": [entry]}}))
}

fn query(rc: &cp::ResponseContent, platform: Platform) -> RefundOutcome {
    cpmap::refund_outcome(
        RefundCall::QueryRefund,
        rc,
        Signature::Verified,
        "r1",
        platform,
    )
}

#[test]
fn every_vendor_refund_state_maps_to_an_outcome() {
    let v = vector();
    let states = v["states"].as_array().expect("states");
    for case in states {
        let (w, state, expected) = (
            case["wallet"].as_str().unwrap_or_default(),
            case["state"].as_i64().expect("state number"),
            case["outcome"].as_str().unwrap_or_default(),
        );
        let platform = wallet(w);
        // The pure mapping …
        let direct = match platform {
            Platform::Wechat => cpmap::wechat_refund(WechatRefundState::from(state), Some(500)),
            Platform::Alipay => cpmap::alipay_refund(AlipayRefundState::from(state), Some(500)),
        };
        assert_eq!(name(&direct), expected, "{case}");
        // … and the same state read from a whole answer, where the vendor puts it.
        let ext = match platform {
            Platform::Wechat => json!({"wxpay_refund_order_content_ext": {"state": state}}),
            Platform::Alipay => {
                json!({"alipay_refund_order_content_ext": {"refund_status": state}})
            }
        };
        assert_eq!(query(&answer(ext), platform), direct, "{case}");
    }
    // Every state the vendor defines is in the table: WeChat 1–6, Alipay 1–5.
    for (w, last) in [("wechat", 6), ("alipay", 5)] {
        for state in 1..=last {
            assert!(
                states
                    .iter()
                    .any(|c| c["wallet"] == w && c["state"] == state),
                "{w} state {state} missing from the vector"
            );
        }
    }
}

#[test]
fn named_states_say_what_they_are() {
    assert_eq!(
        WechatRefundState::from(5),
        WechatRefundState::ToManualPayout
    );
    assert_eq!(
        WechatRefundState::from(9),
        WechatRefundState::Unrecognised(9)
    );
    assert_eq!(AlipayRefundState::from(5), AlipayRefundState::NotExist);
    // Paid out by hand is never "failed": that would invite a second refund in cash.
    let by_hand = cpmap::wechat_refund(WechatRefundState::ToManualPayout, Some(500));
    assert!(
        matches!(&by_hand, RefundOutcome::Unknown { reason } if reason.contains("转入代发")),
        "{by_hand:?}"
    );
    assert_eq!(
        cpmap::alipay_refund(AlipayRefundState::Success, Some(800)),
        RefundOutcome::Refunded {
            refund_fee: Some(800)
        }
    );
}

/// The state lives in the wallet's object: an entry with only a top-level `state` (the shape
/// Cashier once read) has no usable state, and the other wallet's object is not read.
#[test]
fn a_state_outside_the_wallets_object_is_not_read() {
    let top_level = answer(json!({"state": 2}));
    assert!(matches!(
        query(&top_level, Platform::Wechat),
        RefundOutcome::Unknown { .. }
    ));
    let other_wallet = answer(json!({"alipay_refund_order_content_ext": {"refund_status": 2}}));
    assert!(matches!(
        query(&other_wallet, Platform::Wechat),
        RefundOutcome::Unknown { .. }
    ));
    // A state written as text still reads (as order states do).
    let text = answer(json!({"wxpay_refund_order_content_ext": {"state": "2"}}));
    assert!(matches!(
        query(&text, Platform::Wechat),
        RefundOutcome::Refunded { .. }
    ));
}

#[test]
fn the_vectors_answers_read_as_their_refunds_stand() {
    let v = vector();
    let answers = &v["answers"];
    let r1 = "sz0100lmnx01BQHKAAAAAXKR1";
    let accepted = cpmap::refund_outcome(
        RefundCall::Refund,
        &content(&answers["refund"]),
        Signature::Verified,
        r1,
        Platform::Wechat,
    );
    assert_eq!(accepted, RefundOutcome::Refunding);
    let wechat = content(&answers["query_refund_order_wechat"]);
    let read = |no: &str| {
        cpmap::refund_outcome(
            RefundCall::QueryRefund,
            &wechat,
            Signature::Verified,
            no,
            Platform::Wechat,
        )
    };
    assert_eq!(
        read(r1),
        RefundOutcome::Refunded {
            refund_fee: Some(500)
        }
    );
    assert_eq!(read("sz0100lmnx01BQHKAAAAAXKR2"), RefundOutcome::Refunding);
    assert_eq!(
        cpmap::refund_outcome(
            RefundCall::QueryRefund,
            &content(&answers["query_refund_order_alipay"]),
            Signature::Verified,
            "sz0100lmnx01BQHLAAAAAYMR1",
            Platform::Alipay,
        ),
        RefundOutcome::Refunded {
            refund_fee: Some(800)
        }
    );
}

fn refund_request(authority: &RefundAuthority) -> cp::RequestContent {
    cp::RequestContent {
        nonce_str: "4Hf0cQm7TqL2xW9pRz1kVb8nJd3sYa6E".into(),
        pay_mch_key: cp::PayMchKey {
            pay_platform: 1,
            sub_pay_platform: None,
            out_mch_id: "sz01N6YTRV8JPIlb4AnB".into(),
            out_sub_mch_id: "sz01jRnVDGfHKHI837nH".into(),
            out_shop_id: "sz01Kmw5JHJs278376ndk".into(),
            authorization: Some(cpmap::refund_authorization(authority)),
        },
        order_client: cp::OrderClient {
            machine_no: None,
            terminal_type: 4,
            device_id: Some("zz003".into()),
            staff_id: None,
            sdk_version: "1.2".into(),
            spbill_create_ip: "192.168.0.22".into(),
            sub_terminal_type: None,
        },
        pay_content: None,
        out_trade_no: None,
        trade_type: None,
        out_refund_no: None,
        refund_content: Some(cp::RefundContent {
            out_trade_no: "sz0100lmnx01BQHKAAAAAXK".into(),
            out_refund_no: "sz0100lmnx01BQHKAAAAAXKR1".into(),
            total_fee: Some(1230),
            refund_fee: Some(500),
            refund_fee_type: "CNY".into(),
            refund_reason: None,
        }),
    }
}

/// `is_sub_mch_admin` and, for a staff member, `authorization_staff_id` and
/// `authorization_name` sit in `pay_mch_key` beside the accounts.
#[test]
fn a_refund_request_says_who_authorises_it() {
    let staff = RefundAuthority::Staff {
        staff_id: "zz003".into(),
        name: Some("王店长".into()),
    };
    let ours = refund_request(&staff);
    assert_eq!(ours.check_limits(), Ok(()));
    assert_eq!(
        serde_json::to_value(&ours).expect("serialises"),
        vector()["request"]
    );

    let admin =
        serde_json::to_value(refund_request(&RefundAuthority::SubMchAdmin)).expect("serialises");
    assert_eq!(admin["pay_mch_key"]["is_sub_mch_admin"], true);
    assert!(admin["pay_mch_key"].get("authorization_staff_id").is_none());

    // String(64) and String(32), in UTF-8 bytes, refused before anything is sent.
    for (staff_id, name, field) in [
        ("s".repeat(65), None, "pay_mch_key.authorization_staff_id"),
        (
            "zz003".to_string(),
            Some("经".repeat(11)),
            "pay_mch_key.authorization_name",
        ),
    ] {
        let over = refund_request(&RefundAuthority::Staff { staff_id, name });
        assert_eq!(over.check_limits().map_err(|e| e.field), Err(field));
    }
}
