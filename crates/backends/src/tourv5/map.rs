//! Tour V5 answers → [`PaymentOutcome`]: the one place where the back office's codes get a
//! meaning. Every match is exhaustive; unknown vendor values land in an explicit `Other` arm.

use super::wire::{
    Envelope, PayScanCodeResult, PayStatusResult, PosSellMainRow, PosSellPaymentResult,
};
use cashier_core::{Error, Fen, PaymentOutcome, QrIssued, RefusalReason};

/// `errcode` values the seeds give a meaning to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrCode {
    Ok,
    /// Seed 002: "errcode=1 → query the payment".
    QueryNeeded,
    /// Seed 002: "errcode=-1 → failed".
    Failed,
    Other(i64),
}

impl From<i64> for ErrCode {
    fn from(v: i64) -> Self {
        match v {
            0 => ErrCode::Ok,
            1 => ErrCode::QueryNeeded,
            -1 => ErrCode::Failed,
            other => ErrCode::Other(other),
        }
    }
}

/// `paystatus` as the back office passes it on from WeChat / Alipay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayStatus {
    Success,
    /// Customer is entering the password (WeChat USERPAYING).
    UserPaying,
    /// Not paid yet / QR not scanned (WeChat NOTPAY, Alipay WAIT_BUYER_PAY).
    NotPaid,
    Closed,
    Revoked,
    PayError,
    Refunded,
    Missing,
    Other(String),
}

impl From<Option<&str>> for PayStatus {
    fn from(v: Option<&str>) -> Self {
        match v.map(str::trim) {
            None | Some("") => PayStatus::Missing,
            Some("SUCCESS") => PayStatus::Success,
            Some("USERPAYING") => PayStatus::UserPaying,
            Some("NOTPAY" | "WAIT_BUYER_PAY") => PayStatus::NotPaid,
            Some("CLOSED" | "TRADE_CLOSED") => PayStatus::Closed,
            Some("REVOKED") => PayStatus::Revoked,
            Some("PAYERROR") => PayStatus::PayError,
            Some("REFUND") => PayStatus::Refunded,
            Some(other) => PayStatus::Other(other.to_string()),
        }
    }
}

/// Seed 000: success only means a `codeurl` was issued; nothing has been paid.
pub fn qr_issued(env: Envelope<PayScanCodeResult>) -> Result<QrIssued, Error> {
    match ErrCode::from(env.errcode) {
        ErrCode::Ok => {
            let tag = env
                .tag
                .ok_or_else(|| Error::no_answer("QR answer without tag"))?;
            let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
            match (non_empty(tag.codeurl), non_empty(tag.autoid)) {
                (Some(code_url), Some(reference)) => Ok(QrIssued {
                    code_url,
                    reference,
                }),
                (None, _) | (_, None) => {
                    Err(Error::no_answer("QR answer without codeurl or autoid"))
                }
            }
        }
        ErrCode::QueryNeeded | ErrCode::Failed | ErrCode::Other(_) => Err(Error::refused(
            RefusalReason::Declined,
            env.errcode.to_string(),
            env.errmsg,
        )),
    }
}

/// Seeds 001 and 003: paid only when `errcode == 0` and `paystatus == "SUCCESS"`; with
/// `errcode == 0` any other `paystatus` is the order's current state.
pub fn pay_status(env: Envelope<PayStatusResult>, answer_to_payment: bool) -> PaymentOutcome {
    let (paystatus, desc, reference) = match &env.tag {
        Some(t) => (
            PayStatus::from(t.paystatus.as_deref()),
            t.paystatusdesc.clone().unwrap_or_default(),
            t.autoid.clone(),
        ),
        None => (PayStatus::Missing, String::new(), None),
    };
    let shown = |fallback: &str| {
        if !desc.is_empty() {
            desc.clone()
        } else if !env.errmsg.is_empty() {
            env.errmsg.clone()
        } else {
            fallback.to_string()
        }
    };
    match (ErrCode::from(env.errcode), paystatus) {
        (ErrCode::Ok, PayStatus::Success) => PaymentOutcome::Paid { reference },
        (ErrCode::Ok, PayStatus::UserPaying) => {
            PaymentOutcome::pending(shown("USERPAYING"), reference)
        }
        (ErrCode::Ok, PayStatus::NotPaid) => PaymentOutcome::pending(shown("NOTPAY"), reference),
        (
            ErrCode::Ok,
            s
            @ (PayStatus::Closed | PayStatus::Revoked | PayStatus::PayError | PayStatus::Refunded),
        ) => PaymentOutcome::failed(shown(&format!("{s:?}"))),
        // An unrecognised state is not a failure we can prove: keep asking.
        (ErrCode::Ok, PayStatus::Missing) => {
            PaymentOutcome::pending(shown("no paystatus"), reference)
        }
        (ErrCode::Ok, PayStatus::Other(s)) => PaymentOutcome::pending(shown(&s), reference),
        // Seed 002's convention, applied to the KouDaiLQ barcode call (ASSUMPTION): 1 = poll.
        (ErrCode::QueryNeeded, _) => PaymentOutcome::pending(shown("query needed"), reference),
        // -1 on the payment call is a refusal (seed 002's convention, ASSUMPTION for KouDaiLQ:
        // the customer's wallet said no). Any other code is undocumented and the back office
        // saves the attempt before calling KouDaiLQ, so the money may have moved: Unknown.
        // A refused *query* says nothing about the money either.
        (ErrCode::Failed, _) if answer_to_payment => {
            PaymentOutcome::failed(shown(&format!("errcode {}", env.errcode)))
        }
        (ErrCode::Other(_), _) if answer_to_payment => {
            PaymentOutcome::unknown(shown(&format!("undocumented errcode {}", env.errcode)))
        }
        (ErrCode::Failed | ErrCode::Other(_), _) => {
            PaymentOutcome::unknown(shown(&format!("query refused, errcode {}", env.errcode)))
        }
    }
}

/// Seed 002: errcode 0 → paid and applied to the sale bill, `billpaystate == "3"` → the bill
/// is fully paid, otherwise partly; 1 → unknown, poll; -1 → failed.
pub fn pos_barcode(env: Envelope<PosSellPaymentResult>) -> PaymentOutcome {
    let reference = env.tag.as_ref().and_then(|t| t.autoid.clone());
    let bill_state = env.tag.as_ref().and_then(|t| t.billpaystate.clone());
    match ErrCode::from(env.errcode) {
        ErrCode::Ok => match bill_state.as_deref() {
            Some("3") => PaymentOutcome::Paid { reference },
            Some(other) => PaymentOutcome::PartlyPaid {
                reference,
                bill_state: other.to_string(),
            },
            None => PaymentOutcome::PartlyPaid {
                reference,
                bill_state: String::new(),
            },
        },
        ErrCode::QueryNeeded => PaymentOutcome::pending(or(&env.errmsg, "query needed"), reference),
        ErrCode::Failed => PaymentOutcome::failed(or(&env.errmsg, "payment failed")),
        // Undocumented codes on a payment call: the money may have moved.
        ErrCode::Other(c) => PaymentOutcome::unknown(or(&env.errmsg, &format!("errcode {c}"))),
    }
}

/// The POS bill-status poll. ASSUMPTION (docs/protocols.md §1): `paystate == paid_state` ("3" by
/// default) means fully paid.
/// `paid_if_ours_landed` is what the bill's paid value reaches once this payment is applied:
/// when the back office reports it, a partial payment is recognised as such.
pub fn pos_bill(
    env: Envelope<PosSellMainRow>,
    paid_state: &str,
    paid_if_ours_landed: Option<Fen>,
) -> PaymentOutcome {
    let state = env.tag.as_ref().and_then(|t| t.paystate.clone());
    let paid = env.tag.as_ref().and_then(|t| t.paidvalue);
    // Where the back office reports the paid value, it decides whether *this* payment is on
    // the bill (a bill fully paid in cash meanwhile says paystate 3 without ours).
    let landed = match (paid, paid_if_ours_landed) {
        (Some(p), Some(want)) => Some(p >= want),
        (None, _) | (_, None) => None,
    };
    match (ErrCode::from(env.errcode), state.as_deref(), landed) {
        (ErrCode::Ok, Some(s), Some(true)) if s == paid_state => {
            PaymentOutcome::Paid { reference: None }
        }
        (ErrCode::Ok, Some(s), Some(true)) => PaymentOutcome::PartlyPaid {
            reference: None,
            bill_state: s.to_string(),
        },
        (ErrCode::Ok, Some(s), Some(false)) => PaymentOutcome::pending(
            format!("bill paystate {s}; this payment not on the bill yet"),
            None,
        ),
        (ErrCode::Ok, Some(s), None) if s == paid_state => PaymentOutcome::Paid { reference: None },
        (ErrCode::Ok, Some(s), None) => PaymentOutcome::pending(format!("bill paystate {s}"), None),
        (ErrCode::Ok, None, _) => PaymentOutcome::pending("bill paystate missing", None),
        (ErrCode::QueryNeeded | ErrCode::Failed | ErrCode::Other(_), _, _) => {
            PaymentOutcome::unknown(or(
                &env.errmsg,
                &format!("bill query refused, errcode {}", env.errcode),
            ))
        }
    }
}

fn or(s: &str, fallback: &str) -> String {
    if s.is_empty() {
        fallback.to_string()
    } else {
        s.to_string()
    }
}
