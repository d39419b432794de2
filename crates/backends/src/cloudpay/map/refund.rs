//! Cloud Pay refund answers → refund outcomes, and who authorises a refund → its
//! `pay_mch_key` members (docs/protocols.md §2). A refund's state is read only from its
//! wallet's object: WeChat's `state`, Alipay's `refund_status`, each in an exhaustive match.

use super::{Signature, Status, description};
use crate::cloudpay::Platform;
use crate::cloudpay::wire::{RefundAuthorization, RefundOrderContent, ResponseContent};
pub use cashier_core::backend::cloudpay::{RefundAuthority, RefundOutcome};

/// A refused `refund` call is a refusal; a refused `query_refund_order` says nothing about the
/// refund (it may still be registering), so it is Unknown — a manager must not refund in cash
/// on it.
///
/// The answer lists one entry per refund of the order (`query_refund_order`): the one read
/// is `out_refund_no`'s; a single entry that names no refund number is taken as it. Its state
/// is read from the object of the order's own wallet (`platform`).
pub fn refund_outcome(
    call: RefundCall,
    rc: &ResponseContent,
    sig: Signature,
    out_refund_no: &str,
    platform: Platform,
) -> RefundOutcome {
    let entries: &[RefundOrderContent] = match call {
        RefundCall::Refund => rc.refund.as_ref(),
        RefundCall::QueryRefund => rc.query_refund_order.as_ref(),
    }
    .map_or(&[], |p| p.refund_order_content.as_slice());
    let content = match entries {
        [only] if only.out_refund_no.is_none() => Some(only),
        all => all
            .iter()
            .find(|e| e.out_refund_no.as_deref() == Some(out_refund_no)),
    };
    match (Status::from(rc.status), sig) {
        (Status::Ok, Signature::Verified) => match content {
            Some(entry) => entry_outcome(entry, platform),
            None => RefundOutcome::Unknown {
                reason: format!("signed answer without a refund_order_content for {out_refund_no}"),
            },
        },
        (Status::Ok, Signature::Missing | Signature::Bad) => RefundOutcome::Unknown {
            reason: "refund answer's authen_code did not verify".into(),
        },
        (Status::Failed | Status::FailedNewOrder | Status::FailedFinal, _)
            if call == RefundCall::Refund =>
        {
            RefundOutcome::Failed {
                reason: description(rc),
            }
        }
        (Status::Failed | Status::FailedNewOrder | Status::FailedFinal, _) => {
            RefundOutcome::Unknown {
                reason: format!("refund query refused: {}", description(rc)),
            }
        }
        (Status::RetryOrQuery | Status::WaitThenQuery | Status::Other(_), _) => {
            RefundOutcome::Unknown {
                reason: description(rc),
            }
        }
    }
}

/// The entry's state, from its wallet's object; the entry has no state of its own.
fn entry_outcome(entry: &RefundOrderContent, platform: Platform) -> RefundOutcome {
    let fee = entry.refund_fee;
    match (
        platform,
        &entry.wxpay_refund_order_content_ext,
        &entry.alipay_refund_order_content_ext,
    ) {
        (Platform::Wechat, Some(w), _) => wechat_refund(WechatRefundState::from(w.state), fee),
        (Platform::Alipay, _, Some(a)) => {
            alipay_refund(AlipayRefundState::from(a.refund_status), fee)
        }
        (Platform::Wechat, None, _) => RefundOutcome::Unknown {
            reason: "refund entry without wxpay_refund_order_content_ext.state".into(),
        },
        (Platform::Alipay, _, None) => RefundOutcome::Unknown {
            reason: "refund entry without alipay_refund_order_content_ext.refund_status".into(),
        },
    }
}

/// WxpayRefundOrderState (docs/protocols.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WechatRefundState {
    /// 1: registered, not started.
    Init,
    /// 2
    Success,
    /// 3
    Failed,
    /// 4
    Processing,
    /// 5 转入代发: the money could not go back to the customer by itself; the merchant hands
    /// it over by other means.
    ToManualPayout,
    /// 6
    Void,
    Unrecognised(i64),
}

impl From<i64> for WechatRefundState {
    fn from(v: i64) -> Self {
        match v {
            1 => WechatRefundState::Init,
            2 => WechatRefundState::Success,
            3 => WechatRefundState::Failed,
            4 => WechatRefundState::Processing,
            5 => WechatRefundState::ToManualPayout,
            6 => WechatRefundState::Void,
            other => WechatRefundState::Unrecognised(other),
        }
    }
}

/// AlipayRefundOrderState (docs/protocols.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlipayRefundState {
    /// 1: registered, not started.
    Init,
    /// 2
    Success,
    /// 3
    Failed,
    /// 4
    Refunding,
    /// 5: Alipay has no such refund (yet).
    NotExist,
    Unrecognised(i64),
}

impl From<i64> for AlipayRefundState {
    fn from(v: i64) -> Self {
        match v {
            1 => AlipayRefundState::Init,
            2 => AlipayRefundState::Success,
            3 => AlipayRefundState::Failed,
            4 => AlipayRefundState::Refunding,
            5 => AlipayRefundState::NotExist,
            other => AlipayRefundState::Unrecognised(other),
        }
    }
}

/// Only "success" is refunded and only "failed" and "void" (nothing moved) free the amount
/// for another refund. 转入代发 is neither: the money left the merchant's account but has
/// not reached the customer, so it stays open (Unknown) with the reason for the manager —
/// calling it failed would invite a second refund in cash.
pub fn wechat_refund(state: WechatRefundState, refund_fee: Option<u64>) -> RefundOutcome {
    match state {
        WechatRefundState::Init | WechatRefundState::Processing => RefundOutcome::Refunding,
        WechatRefundState::Success => RefundOutcome::Refunded { refund_fee },
        WechatRefundState::Failed => RefundOutcome::Failed {
            reason: "WeChat refund failed (state 3)".into(),
        },
        WechatRefundState::Void => RefundOutcome::Failed {
            reason: "WeChat refund void (state 6)".into(),
        },
        WechatRefundState::ToManualPayout => RefundOutcome::Unknown {
            reason:
                "WeChat could not return the money to the customer's account (state 5, 转入代发): \
                     it is paid out by hand; check the merchant platform before refunding again"
                    .into(),
        },
        WechatRefundState::Unrecognised(s) => RefundOutcome::Unknown {
            reason: format!("unrecognised WeChat refund state {s}"),
        },
    }
}

/// "Does not exist" is not "failed": the refund may still be registering, and sending the
/// same refund number again is harmless, so it stays open (Unknown).
pub fn alipay_refund(state: AlipayRefundState, refund_fee: Option<u64>) -> RefundOutcome {
    match state {
        AlipayRefundState::Init | AlipayRefundState::Refunding => RefundOutcome::Refunding,
        AlipayRefundState::Success => RefundOutcome::Refunded { refund_fee },
        AlipayRefundState::Failed => RefundOutcome::Failed {
            reason: "Alipay refund failed (refund_status 3)".into(),
        },
        AlipayRefundState::NotExist => RefundOutcome::Unknown {
            reason: "Alipay has no such refund (yet) (refund_status 5)".into(),
        },
        AlipayRefundState::Unrecognised(s) => RefundOutcome::Unknown {
            reason: format!("unrecognised Alipay refund_status {s}"),
        },
    }
}

/// The `pay_mch_key` members that say who authorises the refund.
pub fn refund_authorization(authority: &RefundAuthority) -> RefundAuthorization {
    match authority {
        RefundAuthority::SubMchAdmin => RefundAuthorization {
            is_sub_mch_admin: true,
            authorization_staff_id: None,
            authorization_name: None,
        },
        RefundAuthority::Staff { staff_id, name } => RefundAuthorization {
            is_sub_mch_admin: false,
            authorization_staff_id: Some(staff_id.clone()),
            authorization_name: name.clone(),
        },
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundCall {
    Refund,
    QueryRefund,
}
