//! Cloud Pay answers → outcomes: the one place where `status`, `internal_status` and the trade
//! states get a meaning (docs/protocols.md §2). Never paid without a verified authen_code.

mod refund;

pub use refund::{
    AlipayRefundState, RefundAuthority, RefundCall, RefundOutcome, WechatRefundState,
    alipay_refund, refund_authorization, refund_outcome, wechat_refund,
};

use super::wire::{OrderContent, ResponseContent};
use cashier_core::{Error, Fen, PaymentOutcome, QrIssued, RefusalReason};

/// Whether the answer's authen_code verified over `response_content`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signature {
    Verified,
    /// Failures are sent unsigned (docs/protocols.md §2: statuses 3, 101–104).
    Missing,
    Bad,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// 3: unknown, retry or query.
    RetryOrQuery,
    /// 101: failed, do not retry.
    Failed,
    /// 102: failed, retry only with a new order number.
    FailedNewOrder,
    /// 103: unknown, wait 3 s then retry or query.
    WaitThenQuery,
    /// 104: failed.
    FailedFinal,
    Other(i64),
}

impl From<i64> for Status {
    fn from(v: i64) -> Self {
        match v {
            0 => Status::Ok,
            3 => Status::RetryOrQuery,
            101 => Status::Failed,
            102 => Status::FailedNewOrder,
            103 => Status::WaitThenQuery,
            104 => Status::FailedFinal,
            other => Status::Other(other),
        }
    }
}

/// `internal_status` 407 on micro_pay: the order number was used before.
const DUPLICATE_ORDER: i64 = 407;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TradeState {
    Paid,
    Pending,
    FailedOrClosed,
    Refunded,
    NotFound,
    Other(i64),
}

/// docs/protocols.md §2, WeChat: 2, 3 paid; 1, 6, 9, 12 pending; 5, 7, 8, 10, 11 failed or closed;
/// 4 refunded.
pub fn wechat_state(v: i64) -> TradeState {
    match v {
        2 | 3 => TradeState::Paid,
        1 | 6 | 9 | 12 => TradeState::Pending,
        5 | 7 | 8 | 10 | 11 => TradeState::FailedOrClosed,
        4 => TradeState::Refunded,
        other => TradeState::Other(other),
    }
}

/// docs/protocols.md §2, Alipay: 2, 6 paid; 1, 4 pending; 5 closed; 7 not found.
pub fn alipay_state(v: i64) -> TradeState {
    match v {
        2 | 6 => TradeState::Paid,
        1 | 4 => TradeState::Pending,
        5 => TradeState::FailedOrClosed,
        7 => TradeState::NotFound,
        other => TradeState::Other(other),
    }
}

pub(super) fn description(rc: &ResponseContent) -> String {
    rc.description
        .clone()
        .unwrap_or_else(|| format!("status {}", rc.status))
}

/// Which call the answer is to: a refused *payment* is definitive, a refused *query* is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderCall {
    MicroPay,
    QueryOrder,
}

pub fn order_outcome(
    call: OrderCall,
    rc: &ResponseContent,
    sig: Signature,
    out_trade_no: &str,
    amount: Fen,
) -> PaymentOutcome {
    match (Status::from(rc.status), sig) {
        (Status::Ok, Signature::Verified) => {
            let payload = match call {
                OrderCall::MicroPay => rc.micro_pay.as_ref(),
                OrderCall::QueryOrder => rc.query_order.as_ref(),
            };
            match payload.and_then(|p| p.order_content.as_ref()) {
                Some(oc) => order_content_outcome(oc, out_trade_no, amount),
                None => PaymentOutcome::unknown("signed answer without order_content"),
            }
        }
        (Status::Ok, Signature::Missing | Signature::Bad) => {
            PaymentOutcome::unknown("answer's authen_code did not verify: not treated as paid")
        }
        // "Never reverse or re-pay": the first attempt with this number decides; ask for it.
        (Status::Failed | Status::FailedFinal, _)
            if call == OrderCall::MicroPay && rc.internal_status == Some(DUPLICATE_ORDER) =>
        {
            PaymentOutcome::unknown(format!("duplicate order number: {}", description(rc)))
        }
        (Status::Failed | Status::FailedFinal, _) if call == OrderCall::MicroPay => {
            PaymentOutcome::failed(description(rc))
        }
        (Status::FailedNewOrder, _) if call == OrderCall::MicroPay => PaymentOutcome::Failed {
            reason: description(rc),
            new_order_needed: true,
        },
        (Status::Failed | Status::FailedFinal | Status::FailedNewOrder, _) => {
            PaymentOutcome::unknown(format!("query refused: {}", description(rc)))
        }
        (Status::RetryOrQuery | Status::WaitThenQuery | Status::Other(_), _) => {
            PaymentOutcome::unknown(description(rc))
        }
    }
}

fn order_content_outcome(oc: &OrderContent, out_trade_no: &str, amount: Fen) -> PaymentOutcome {
    if oc
        .out_trade_no
        .as_deref()
        .is_some_and(|n| n != out_trade_no)
    {
        return PaymentOutcome::unknown(format!(
            "answer is about another order: {:?}",
            oc.out_trade_no
        ));
    }
    let reference = oc
        .transaction_id
        .clone()
        .or_else(|| Some(out_trade_no.to_string()));
    let (state, raw) = match (&oc.wxpay_order_content_ext, &oc.alipay_order_content_ext) {
        (Some(w), _) => (
            wechat_state(w.current_trade_state),
            format!("WeChat state {}", w.current_trade_state),
        ),
        (None, Some(a)) => (
            alipay_state(a.current_trade_state),
            format!("Alipay state {}", a.current_trade_state),
        ),
        (None, None) => return PaymentOutcome::unknown("order_content without a trade state"),
    };
    match state {
        TradeState::Paid if oc.total_fee.is_some_and(|f| f != amount.0) => {
            PaymentOutcome::unknown(format!(
                "paid amount {} fen differs from the bill's {} fen",
                oc.total_fee.unwrap_or_default(),
                amount.0
            ))
        }
        TradeState::Paid => PaymentOutcome::Paid { reference },
        TradeState::Pending => PaymentOutcome::pending("user paying / not paid yet", reference),
        TradeState::NotFound => PaymentOutcome::pending("order not found yet", reference),
        // The state number says which (declined, closed, revoked): keep it for the cashier.
        TradeState::FailedOrClosed => {
            PaymentOutcome::failed(format!("order failed or closed ({raw})"))
        }
        TradeState::Refunded => PaymentOutcome::failed(format!("order was refunded ({raw})")),
        TradeState::Other(s) => PaymentOutcome::unknown(format!("unrecognised trade state {s}")),
    }
}

pub fn qr_issued(
    rc: &ResponseContent,
    sig: Signature,
    out_trade_no: &str,
) -> Result<QrIssued, Error> {
    moves_no_money(rc, sig, "QR", || {
        match rc.scan_code_pay.as_ref().filter(|p| !p.code_url.is_empty()) {
            Some(p) => Ok(QrIssued {
                code_url: p.code_url.clone(),
                reference: out_trade_no.to_string(),
            }),
            None => Err(Error::no_answer("signed answer without code_url")),
        }
    })
}

/// close_order: `Ok` once the backend confirmed (signed) that the order is closed.
pub fn closed(rc: &ResponseContent, sig: Signature) -> Result<(), Error> {
    moves_no_money(rc, sig, "close", || Ok(()))
}

/// The answer to a call that moves no money (issue a QR, close): its verified success read
/// by `read`; a failing status is the backend's refusal, and a status that says "unknown, ask
/// again" (or one not documented) is no usable answer.
fn moves_no_money<T>(
    rc: &ResponseContent,
    sig: Signature,
    what: &str,
    read: impl FnOnce() -> Result<T, Error>,
) -> Result<T, Error> {
    match (Status::from(rc.status), sig) {
        (Status::Ok, Signature::Verified) => read(),
        (Status::Ok, Signature::Missing | Signature::Bad) => Err(Error::no_answer(format!(
            "{what} answer's authen_code did not verify"
        ))),
        (Status::Failed | Status::FailedNewOrder | Status::FailedFinal, _) => Err(Error::refused(
            RefusalReason::Declined,
            rc.status.to_string(),
            description(rc),
        )),
        (Status::RetryOrQuery | Status::WaitThenQuery | Status::Other(_), _) => {
            Err(Error::no_answer(description(rc)))
        }
    }
}
