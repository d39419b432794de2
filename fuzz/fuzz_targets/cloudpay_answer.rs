//! Every Cloud Pay answer as a till reads it (`cloudpay::read_answer`): the envelope, the
//! authen_code over `response_content`, and each call's mapper (micro_pay, query_order,
//! scan_code_pay, close_order, refund, query_refund_order). Nothing is paid, issued, closed or
//! refunded without a verified signature; a signed answer verifies, and a one-byte change to its
//! content or its code does not.
//!
//! Input: one byte choosing the mode and options, one byte placing a change, then either the
//! whole answer body or (signed mode) the text of `response_content`.
#![no_main]

use cashier_backends::cloudpay::map::{self, OrderCall, RefundCall, Signature};
use cashier_backends::cloudpay::wire::ResponseContent;
use cashier_backends::cloudpay::{Platform, RefundOutcome, read_answer};
use cashier_backends::crypto::AuthenKey;
use cashier_backends::http::RawAnswer;
use cashier_core::{Fen, PaymentOutcome};
use libfuzzer_sys::fuzz_target;
use reqwest::StatusCode;
use secrecy::SecretString;

const AUTHEN_KEY: &str = "0123456789abcdef0123456789ABCDEF";
const OUR_ORDER: &str = "CP01T0120261130000001";
const OUR_REFUND: &str = "CP01T0120261130000001R1";

fn key() -> AuthenKey {
    AuthenKey::new(SecretString::from(AUTHEN_KEY)).expect("32 characters")
}

fn answer(body: Vec<u8>) -> RawAnswer {
    RawAnswer {
        status: StatusCode::OK,
        body,
        www_authenticate: None,
    }
}

/// Every mapper over one read answer; `ours`: take the order and amount the answer names as
/// ours, so that its paid path is reached.
fn map_all(rc: &ResponseContent, sig: Signature, ours: bool) {
    let verified_ok = sig == Signature::Verified && rc.status == 0;
    for call in [OrderCall::MicroPay, OrderCall::QueryOrder] {
        let payload = match call {
            OrderCall::MicroPay => rc.micro_pay.as_ref(),
            OrderCall::QueryOrder => rc.query_order.as_ref(),
        };
        let content = payload.and_then(|p| p.order_content.as_ref());
        let (order, amount) = match content {
            Some(c) if ours => (
                c.out_trade_no.clone().unwrap_or_else(|| OUR_ORDER.into()),
                Fen(c.total_fee.unwrap_or(1)),
            ),
            _ => (OUR_ORDER.to_string(), Fen(1)),
        };
        match map::order_outcome(call, rc, sig, &order, amount) {
            PaymentOutcome::Paid { .. } => {
                assert!(verified_ok, "paid without a verified status 0");
                let c = content.expect("paid from an order_content");
                assert!(c.out_trade_no.as_deref().is_none_or(|n| n == order));
                assert!(c.total_fee.is_none_or(|f| f == amount.0));
            }
            PaymentOutcome::PartlyPaid { .. } => panic!("Cloud Pay has no partly paid"),
            PaymentOutcome::Failed { .. } => {
                // A refused query says nothing about the money.
                assert!(
                    call == OrderCall::MicroPay || verified_ok,
                    "{call:?} failed"
                );
            }
            PaymentOutcome::Pending { .. } | PaymentOutcome::Unknown { .. } => {}
        }
    }
    if let Ok(q) = map::qr_issued(rc, sig, OUR_ORDER) {
        assert!(verified_ok && !q.code_url.is_empty() && q.reference == OUR_ORDER);
    }
    if map::closed(rc, sig).is_ok() {
        assert!(verified_ok);
    }
    for call in [RefundCall::Refund, RefundCall::QueryRefund] {
        for platform in [Platform::Wechat, Platform::Alipay] {
            let refund_no = match (ours, call) {
                (true, RefundCall::Refund) => rc.refund.as_ref(),
                (true, RefundCall::QueryRefund) => rc.query_refund_order.as_ref(),
                (false, _) => None,
            }
            .and_then(|p| p.refund_order_content.first())
            .and_then(|e| e.out_refund_no.clone())
            .unwrap_or_else(|| OUR_REFUND.into());
            match map::refund_outcome(call, rc, sig, &refund_no, platform) {
                RefundOutcome::Refunded { .. } | RefundOutcome::Refunding => {
                    assert!(verified_ok, "refund state without a verified status 0")
                }
                RefundOutcome::Failed { .. } => {
                    assert!(
                        call == RefundCall::Refund || verified_ok,
                        "a refused query failed a refund"
                    )
                }
                RefundOutcome::Unknown { .. } => {}
            }
        }
    }
}

/// The answer a server holding the key sends for `content`, with `code` as its authen_code.
fn signed_body(content: &str, code: Option<&str>) -> Vec<u8> {
    let mut v = serde_json::json!({ "response_content": content });
    if let Some(code) = code {
        v["authen_info"] = serde_json::json!({ "a": { "authen_type": 1, "authen_code": code } });
    }
    serde_json::to_vec(&v).expect("JSON of strings")
}

fn signed(content: &str, at: u8, ours: bool) {
    let key = key();
    let code = key.sign(content);
    assert!(key.verify(content, &code));
    assert!(key.verify(content, &code.to_lowercase()), "either case");
    if let Ok((rc, sig)) = read_answer(&key, &answer(signed_body(content, Some(&code)))) {
        assert_eq!(sig, Signature::Verified);
        map_all(&rc, sig, ours);
    }
    if let Ok((rc, sig)) = read_answer(&key, &answer(signed_body(content, None))) {
        assert_eq!(sig, Signature::Missing);
        map_all(&rc, sig, ours);
    }
    // One character of the content changed.
    let chars: Vec<char> = content.chars().collect();
    if !chars.is_empty() {
        let i = usize::from(at) % chars.len();
        let mut changed = chars.clone();
        changed[i] = if chars[i] == '0' { '1' } else { '0' };
        let changed: String = changed.into_iter().collect();
        assert!(!key.verify(&changed, &code), "changed at {i}");
        if let Ok((rc, sig)) = read_answer(&key, &answer(signed_body(&changed, Some(&code)))) {
            assert_eq!(sig, Signature::Bad);
            map_all(&rc, sig, ours);
        }
    }
    // One digit of the code changed (to another value: case does not count).
    let mut bad: Vec<u8> = code.clone().into_bytes();
    let j = usize::from(at) % bad.len();
    bad[j] = if bad[j] == b'0' { b'1' } else { b'0' };
    let bad = String::from_utf8(bad).expect("hex");
    assert!(!key.verify(content, &bad), "code changed at {j}");
}

fuzz_target!(|data: &[u8]| {
    let [op, at, body @ ..] = data else { return };
    let ours = op & 2 != 0;
    if op & 1 == 0 {
        let key = key();
        if let Ok((rc, sig)) = read_answer(&key, &answer(body.to_vec())) {
            map_all(&rc, sig, ours);
        }
    } else {
        signed(&String::from_utf8_lossy(body), *at, ours);
    }
});
