//! Every Tour V5 answer as a till reads it: the body of each endpoint's answer through its
//! envelope and its mapper (`tourv5::map`), the status rule, and the login's `HawkRealKey`
//! through TripleDES profile detection. Paid is only ever what the seeds call paid; a poll never
//! fails a payment; a refused query never fails one either.
//!
//! Input: one byte choosing the endpoint and its options, then the answer's body.
#![no_main]

use cashier_backends::crypto::{TdesCipher, TdesProfile, tdes};
use cashier_backends::http::{RawAnswer, read_json};
use cashier_backends::tourv5::map;
use cashier_backends::tourv5::wire::{
    Envelope, LoginResult, PayScanCodeResult, PayStatusResult, PosSellMainRow, PosSellPaymentResult,
};
use cashier_core::{Fen, PaymentOutcome};
use libfuzzer_sys::fuzz_target;
use reqwest::StatusCode;

/// A `UPPER(MD5(password))` key, as the login uses.
const KEY: &str = "E10ADC3949BA59ABBE56E057F20F883E";

fn envelope<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<Envelope<T>> {
    read_json(body, "answer").ok()
}

fn qr(body: &[u8]) {
    let Some(env) = envelope::<PayScanCodeResult>(body) else {
        return;
    };
    let (errcode, tag) = (env.errcode, env.tag.clone());
    if let Ok(q) = map::qr_issued(env) {
        let tag = tag.expect("a QR is issued only from a tag");
        assert_eq!(errcode, 0);
        assert!(!q.code_url.is_empty() && !q.reference.is_empty());
        assert_eq!(Some(q.code_url), tag.codeurl);
        assert_eq!(Some(q.reference), tag.autoid);
    }
}

fn pay_status(body: &[u8], answer_to_payment: bool) {
    let Some(env) = envelope::<PayStatusResult>(body) else {
        return;
    };
    let errcode = env.errcode;
    let paystatus = env.tag.as_ref().and_then(|t| t.paystatus.clone());
    match map::pay_status(env, answer_to_payment) {
        PaymentOutcome::Paid { .. } => {
            assert_eq!(errcode, 0);
            assert_eq!(paystatus.as_deref().map(str::trim), Some("SUCCESS"));
        }
        PaymentOutcome::PartlyPaid { .. } => {
            panic!("KouDaiLQ and QR answers are never partly paid")
        }
        PaymentOutcome::Failed {
            new_order_needed, ..
        } => {
            assert!(!new_order_needed);
            assert!(
                errcode == 0 || (errcode == -1 && answer_to_payment),
                "errcode {errcode}"
            );
        }
        PaymentOutcome::Pending { .. } | PaymentOutcome::Unknown { .. } => {}
    }
}

fn pos_barcode(body: &[u8]) {
    let Some(env) = envelope::<PosSellPaymentResult>(body) else {
        return;
    };
    let errcode = env.errcode;
    let state = env.tag.as_ref().and_then(|t| t.billpaystate.clone());
    match map::pos_barcode(env) {
        PaymentOutcome::Paid { .. } => assert!(errcode == 0 && state.as_deref() == Some("3")),
        PaymentOutcome::PartlyPaid { .. } => assert_eq!(errcode, 0),
        PaymentOutcome::Failed { .. } => assert_eq!(errcode, -1),
        PaymentOutcome::Pending { .. } | PaymentOutcome::Unknown { .. } => {}
    }
}

fn pos_bill(body: &[u8], paid_state: &str, want: Option<Fen>) {
    let Some(env) = envelope::<PosSellMainRow>(body) else {
        return;
    };
    let errcode = env.errcode;
    let (state, paid) = match &env.tag {
        Some(t) => (t.paystate.clone(), t.paidvalue),
        None => (None, None),
    };
    match map::pos_bill(env, paid_state, want) {
        PaymentOutcome::Paid { .. } => {
            assert_eq!(errcode, 0);
            assert_eq!(state.as_deref(), Some(paid_state));
            if let (Some(p), Some(w)) = (paid, want) {
                assert!(p >= w, "paid {p:?} < {w:?}");
            }
        }
        PaymentOutcome::PartlyPaid { .. } => {
            assert_eq!(errcode, 0);
            assert!(matches!((paid, want), (Some(p), Some(w)) if p >= w));
        }
        PaymentOutcome::Failed { .. } => panic!("a bill poll never fails a payment"),
        PaymentOutcome::Pending { .. } | PaymentOutcome::Unknown { .. } => {}
    }
}

fn login(body: &[u8], profile: TdesProfile) {
    let Some(env) = envelope::<LoginResult>(body) else {
        return;
    };
    let Some(tag) = env.tag else { return };
    if let Some((p, key)) = tdes::detect(profile, KEY, &tag.hawk_real_key) {
        // What opened reads back through the same profile.
        let again = p
            .encrypt(KEY, &key)
            .expect("a profile that decrypts encrypts");
        assert_eq!(p.decrypt(KEY, &again).ok(), Some(key));
    }
    // A key the back office encrypts under the configured profile opens under it.
    if let Ok(ct) = profile.encrypt(KEY, &tag.hawk_real_key)
        && profile.decrypt(KEY, &ct).is_ok()
    {
        assert_eq!(
            tdes::detect(profile, KEY, &ct),
            Some((profile, tag.hawk_real_key.clone()))
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&op, body)) = data.split_first() else {
        return;
    };
    let profile = TdesProfile::ALL[usize::from(op >> 4) % TdesProfile::ALL.len()];
    let want =
        [None, Some(Fen(0)), Some(Fen(3000)), Some(Fen(1_234_567))][usize::from(op >> 4) % 4];
    let paid_state = if op & 0x80 == 0 { "3" } else { "paid" };
    match op % 8 {
        0 => qr(body),
        1 => pay_status(body, true),
        2 => pay_status(body, false),
        3 => pos_barcode(body),
        4 => pos_bill(body, paid_state, want),
        5 => login(body, profile),
        _ => {
            // The status rule both backends share, on any status with this body.
            let status = u16::from_le_bytes([body.first().copied().unwrap_or(0), op >> 3]);
            if let Ok(status) = StatusCode::from_u16(status) {
                let ans = RawAnswer {
                    status,
                    body: body.to_vec(),
                    www_authenticate: None,
                };
                assert_eq!(ans.status_ok().is_ok(), status == StatusCode::OK);
                let _ = ans.json::<Envelope<PayStatusResult>>();
            }
        }
    }
});
