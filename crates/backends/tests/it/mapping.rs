//! The answer → outcome rules, case by case (docs/protocols.md §1, §2, §5.5).

use cashier_backends::cloudpay::Platform;
use cashier_backends::cloudpay::map::{self as cpmap, OrderCall, RefundOutcome, Signature};
use cashier_backends::cloudpay::wire::ResponseContent;
use cashier_backends::tourv5::map as tvmap;
use cashier_backends::tourv5::wire::Envelope;
use cashier_core::{Error, Fen, PaymentOutcome};
use serde_json::json;

fn env<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Envelope<T> {
    serde_json::from_value(v).unwrap()
}

fn status(errcode: i64, paystatus: &str) -> serde_json::Value {
    json!({"errcode": errcode, "errmsg": "msg", "tag": {"billnum": "B1", "autoid": "A1", "paystatus": paystatus, "paystatusdesc": ""}})
}

#[test]
fn tourv5_paid_only_on_errcode_0_and_success() {
    assert_eq!(
        tvmap::pay_status(env(status(0, "SUCCESS")), false),
        PaymentOutcome::Paid {
            reference: Some("A1".into())
        }
    );
    for (errcode, ps) in [
        (1, "SUCCESS"),
        (-1, "SUCCESS"),
        (0, "success"),
        (0, "TRADE_SUCCESS"),
        (0, ""),
        (7, "SUCCESS"),
    ] {
        let o = tvmap::pay_status(env(status(errcode, ps)), false);
        assert!(
            !matches!(o, PaymentOutcome::Paid { .. }),
            "errcode {errcode} paystatus {ps:?} → {o:?}"
        );
    }
}

#[test]
fn tourv5_pay_status_states() {
    let q = |e, p| tvmap::pay_status(env(status(e, p)), false);
    assert!(matches!(q(0, "USERPAYING"), PaymentOutcome::Pending { .. }));
    assert!(matches!(q(0, "NOTPAY"), PaymentOutcome::Pending { .. }));
    assert!(matches!(
        q(0, "WAIT_BUYER_PAY"),
        PaymentOutcome::Pending { .. }
    ));
    assert!(matches!(
        q(0, "SOMETHING_NEW"),
        PaymentOutcome::Pending { .. }
    ));
    for failed in ["CLOSED", "REVOKED", "PAYERROR", "REFUND", "TRADE_CLOSED"] {
        assert!(
            matches!(q(0, failed), PaymentOutcome::Failed { .. }),
            "{failed}"
        );
    }
    // A refused query says nothing about the money.
    assert!(matches!(q(-1, ""), PaymentOutcome::Unknown { .. }));
    // A refused barcode payment is definitive; errcode 1 means poll.
    let pay = |e, p| tvmap::pay_status(env(status(e, p)), true);
    assert!(matches!(pay(-1, ""), PaymentOutcome::Failed { .. }));
    // Undocumented codes on the payment call: the money may have moved.
    assert!(matches!(pay(500, ""), PaymentOutcome::Unknown { .. }));
    assert!(matches!(pay(1, ""), PaymentOutcome::Pending { .. }));
    let no_tag: Envelope<_> = env(json!({"errcode": 0, "errmsg": null}));
    assert!(matches!(
        tvmap::pay_status(no_tag, false),
        PaymentOutcome::Pending { .. }
    ));
}

#[test]
fn tourv5_pos_barcode_seed_002_rules() {
    let pos = |e: i64, state: Option<&str>| {
        tvmap::pos_barcode(env(
            json!({"errcode": e, "errmsg": "m", "tag": {"billnum": "B", "autoid": 9, "billpaystate": state}}),
        ))
    };
    assert_eq!(
        pos(0, Some("3")),
        PaymentOutcome::Paid {
            reference: Some("9".into())
        }
    );
    assert_eq!(
        pos(0, Some("2")),
        PaymentOutcome::PartlyPaid {
            reference: Some("9".into()),
            bill_state: "2".into()
        }
    );
    assert!(matches!(pos(1, None), PaymentOutcome::Pending { .. }));
    assert!(matches!(pos(-1, None), PaymentOutcome::Failed { .. }));
    assert!(matches!(pos(42, None), PaymentOutcome::Unknown { .. }));
    let bill = |e: i64, s: &str| {
        tvmap::pos_bill(
            env(json!({"errcode": e, "errmsg": "", "tag": {"billnum": "B", "paystate": s}})),
            "3",
            None,
        )
    };
    assert!(matches!(bill(0, "3"), PaymentOutcome::Paid { .. }));
    assert!(matches!(bill(0, "1"), PaymentOutcome::Pending { .. }));
    assert!(matches!(bill(-1, "3"), PaymentOutcome::Unknown { .. }));
    // A deployment whose back office says "9" for fully paid configures it.
    let nine = tvmap::pos_bill(
        env(json!({"errcode": 0, "errmsg": "", "tag": {"billnum": "B", "paystate": "9"}})),
        "9",
        None,
    );
    assert!(matches!(nine, PaymentOutcome::Paid { .. }));
    // A partial payment shows as the bill's paid value reaching what ours would make it.
    let partial = |paid: &str| {
        tvmap::pos_bill(
            env(
                json!({"errcode": 0, "errmsg": "", "tag": {"billnum": "B", "paystate": "2", "billvalue": 100, "paidvalue": serde_json::Number::from_string_unchecked(paid.into())}}),
            ),
            "3",
            Some(Fen(3000)),
        )
    };
    assert!(matches!(
        partial("30.00"),
        PaymentOutcome::PartlyPaid { .. }
    ));
    assert!(matches!(partial("29.99"), PaymentOutcome::Pending { .. }));
    // Fully paid, but not by this payment (cash meanwhile): not ours to call paid.
    let cash = tvmap::pos_bill(
        env(
            json!({"errcode": 0, "errmsg": "", "tag": {"billnum": "B", "paystate": "3", "billvalue": 100, "paidvalue": 100}}),
        ),
        "3",
        Some(Fen(14000)),
    );
    assert!(matches!(cash, PaymentOutcome::Pending { .. }), "{cash:?}");
}

#[test]
fn tourv5_qr_issue() {
    let ok = tvmap::qr_issued(env(json!({"errcode": 0, "errmsg": "", "tag": {"billnum": "B", "autoid": "A", "codeurl": "weixin://x"}}))).unwrap();
    assert_eq!(
        (ok.code_url.as_str(), ok.reference.as_str()),
        ("weixin://x", "A")
    );
    assert!(matches!(
        tvmap::qr_issued(env(json!({"errcode": -1, "errmsg": "billtype wrong", "tag": null}))),
        Err(e) if e.refusal().is_some_and(|r| r.said == "billtype wrong")
    ));
    assert!(matches!(
        tvmap::qr_issued(env(
            json!({"errcode": 0, "errmsg": "", "tag": {"autoid": "A"}})
        )),
        Err(Error::Call(cashier_core::CallError::NoAnswer(_)))
    ));
}

fn rc(v: serde_json::Value) -> ResponseContent {
    serde_json::from_value(v).unwrap()
}

fn order(state_key: &str, state: i64, fee: u64) -> serde_json::Value {
    json!({"order_content": {"out_trade_no": "sbx1", "transaction_id": "T1", "total_fee": fee, state_key: {"current_trade_state": state}}})
}

#[test]
fn cloudpay_never_paid_without_verified_signature() {
    let paid = rc(json!({"status": 0, "query_order": order("wxpay_order_content_ext", 2, 100)}));
    let out = |sig| cpmap::order_outcome(OrderCall::QueryOrder, &paid, sig, "sbx1", Fen(100));
    assert_eq!(
        out(Signature::Verified),
        PaymentOutcome::Paid {
            reference: Some("T1".into())
        }
    );
    assert!(matches!(
        out(Signature::Missing),
        PaymentOutcome::Unknown { .. }
    ));
    assert!(matches!(
        out(Signature::Bad),
        PaymentOutcome::Unknown { .. }
    ));
    // Signed and paid, but for another amount or another order: not ours to call paid.
    assert!(matches!(
        cpmap::order_outcome(
            OrderCall::QueryOrder,
            &paid,
            Signature::Verified,
            "sbx1",
            Fen(99)
        ),
        PaymentOutcome::Unknown { .. }
    ));
    assert!(matches!(
        cpmap::order_outcome(
            OrderCall::QueryOrder,
            &paid,
            Signature::Verified,
            "sbx2",
            Fen(100)
        ),
        PaymentOutcome::Unknown { .. }
    ));
}

#[test]
fn cloudpay_trade_states() {
    let q = |key: &str, s: i64| {
        cpmap::order_outcome(
            OrderCall::QueryOrder,
            &rc(json!({"status": 0, "query_order": order(key, s, 100)})),
            Signature::Verified,
            "sbx1",
            Fen(100),
        )
    };
    let w = "wxpay_order_content_ext";
    let a = "alipay_order_content_ext";
    for s in [2, 3] {
        assert!(matches!(q(w, s), PaymentOutcome::Paid { .. }), "wechat {s}");
    }
    for s in [1, 6, 9, 12] {
        assert!(
            matches!(q(w, s), PaymentOutcome::Pending { .. }),
            "wechat {s}"
        );
    }
    for s in [5, 7, 8, 10, 11, 4] {
        assert!(
            matches!(q(w, s), PaymentOutcome::Failed { .. }),
            "wechat {s}"
        );
    }
    assert!(matches!(q(w, 99), PaymentOutcome::Unknown { .. }));
    for s in [2, 6] {
        assert!(matches!(q(a, s), PaymentOutcome::Paid { .. }), "alipay {s}");
    }
    for s in [1, 4, 7] {
        assert!(
            matches!(q(a, s), PaymentOutcome::Pending { .. }),
            "alipay {s}"
        );
    }
    assert!(matches!(q(a, 5), PaymentOutcome::Failed { .. }));
}

#[test]
fn cloudpay_statuses() {
    let mp = |v| {
        cpmap::order_outcome(
            OrderCall::MicroPay,
            &rc(v),
            Signature::Missing,
            "sbx1",
            Fen(100),
        )
    };
    assert!(matches!(
        mp(json!({"status": 3})),
        PaymentOutcome::Unknown { .. }
    ));
    assert!(matches!(
        mp(json!({"status": 103})),
        PaymentOutcome::Unknown { .. }
    ));
    assert!(matches!(
        mp(json!({"status": 101, "description": "bad"})),
        PaymentOutcome::Failed {
            new_order_needed: false,
            ..
        }
    ));
    assert!(
        matches!(mp(json!({"status": 104, "description": "余额不足"})), PaymentOutcome::Failed { ref reason, .. } if reason == "余额不足")
    );
    assert!(matches!(
        mp(json!({"status": 102})),
        PaymentOutcome::Failed {
            new_order_needed: true,
            ..
        }
    ));
    // Duplicate order number on micro_pay: never re-pay, ask what the first attempt did.
    assert!(matches!(
        mp(json!({"status": 104, "internal_status": 407})),
        PaymentOutcome::Unknown { .. }
    ));
    assert!(matches!(
        mp(json!({"status": 555})),
        PaymentOutcome::Unknown { .. }
    ));
    // On a query, refusals are not failures of the payment.
    let q = |v| {
        cpmap::order_outcome(
            OrderCall::QueryOrder,
            &rc(v),
            Signature::Missing,
            "sbx1",
            Fen(100),
        )
    };
    assert!(matches!(
        q(json!({"status": 104})),
        PaymentOutcome::Unknown { .. }
    ));
}

#[test]
fn cloudpay_qr_close_refund() {
    let issued = rc(
        json!({"status": 0, "scan_code_pay": {"code_url": "weixin://wxpay/x", "nonce_str": "n"}}),
    );
    assert_eq!(
        cpmap::qr_issued(&issued, Signature::Verified, "sbx1")
            .unwrap()
            .reference,
        "sbx1"
    );
    assert!(cpmap::qr_issued(&issued, Signature::Bad, "sbx1").is_err());
    assert!(matches!(
        cpmap::qr_issued(&rc(json!({"status": 101})), Signature::Missing, "sbx1"),
        Err(Error::Call(cashier_core::CallError::Refused(_)))
    ));
    assert!(
        cpmap::closed(
            &rc(json!({"status": 0, "close_order": {}})),
            Signature::Verified
        )
        .is_ok()
    );
    assert!(cpmap::closed(&rc(json!({"status": 0})), Signature::Missing).is_err());
    assert!(matches!(
        cpmap::closed(
            &rc(json!({"status": 104, "description": "paid"})),
            Signature::Missing
        ),
        Err(Error::Call(cashier_core::CallError::Refused(_)))
    ));
    let refund = |state: i64, sig| {
        cpmap::refund_outcome(
            cpmap::RefundCall::Refund,
            &rc(
                json!({"status": 0, "refund": {"refund_order_content": {"out_refund_no": "r", "refund_fee": 5,
                    "wxpay_refund_order_content_ext": {"state": state}}}}),
            ),
            sig,
            "r",
            Platform::Wechat,
        )
    };
    assert_eq!(refund(1, Signature::Verified), RefundOutcome::Refunding);
    assert_eq!(
        refund(2, Signature::Verified),
        RefundOutcome::Refunded {
            refund_fee: Some(5)
        }
    );
    // A refused refund *query* is not a failed refund: the manager must not pay out again.
    let refused = rc(json!({"status": 104, "description": "not found"}));
    assert!(matches!(
        cpmap::refund_outcome(
            cpmap::RefundCall::QueryRefund,
            &refused,
            Signature::Missing,
            "r",
            Platform::Wechat,
        ),
        RefundOutcome::Unknown { .. }
    ));
    assert!(matches!(
        cpmap::refund_outcome(
            cpmap::RefundCall::Refund,
            &refused,
            Signature::Missing,
            "r",
            Platform::Wechat,
        ),
        RefundOutcome::Failed { .. }
    ));
    assert!(matches!(
        refund(3, Signature::Verified),
        RefundOutcome::Failed { .. }
    ));
    assert!(matches!(
        refund(2, Signature::Bad),
        RefundOutcome::Unknown { .. }
    ));
    // query_refund_order lists every refund of the order: the one asked about is read.
    let listed = rc(
        json!({"status": 0, "query_refund_order": {"refund_order_content": [
            {"out_refund_no": "r1", "refund_fee": 300, "alipay_refund_order_content_ext": {"refund_status": 2}},
            {"out_refund_no": "r2", "refund_fee": 200, "alipay_refund_order_content_ext": {"refund_status": 4}},
        ]}}),
    );
    let query = |no: &str| {
        cpmap::refund_outcome(
            cpmap::RefundCall::QueryRefund,
            &listed,
            Signature::Verified,
            no,
            Platform::Alipay,
        )
    };
    assert_eq!(
        query("r1"),
        RefundOutcome::Refunded {
            refund_fee: Some(300)
        }
    );
    assert_eq!(query("r2"), RefundOutcome::Refunding);
    assert!(matches!(query("r3"), RefundOutcome::Unknown { .. }));
    // An entry about another refund is never read as this one.
    let other = rc(
        json!({"status": 0, "refund": {"refund_order_content": {"out_refund_no": "x",
            "wxpay_refund_order_content_ext": {"state": 2}}}}),
    );
    assert!(matches!(
        cpmap::refund_outcome(
            cpmap::RefundCall::Refund,
            &other,
            Signature::Verified,
            "r",
            Platform::Wechat,
        ),
        RefundOutcome::Unknown { .. }
    ));
}
