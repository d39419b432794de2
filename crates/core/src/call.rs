//! What became of a call to a backend that gave no usable answer. This — not how the error is
//! worded or grouped for a screen — is what decides whether a payment is Failed (nothing
//! moved) or Unknown (money may have moved). The HTTP layer (`http::read_status`) decides it
//! once for both backends; each client only adds its vendor's own refusal codes.

use crate::Lang;

/// A backend call that did not end in an answer the till could use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// Nothing left the till: the connection was refused, the name did not resolve, TLS could
    /// not be set up. The backend never saw the request.
    #[error("backend not reachable: {0}")]
    NotSent(String),
    /// The backend answered, trustworthily, that it did nothing with the request.
    #[error("{0}")]
    Refused(Refusal),
    /// The request may have arrived and no trustworthy answer came back (a timeout after
    /// sending, a 5xx, a body that does not parse, an answer that fails its signature): the
    /// money may have moved.
    #[error("no usable answer from the backend: {0}")]
    NoAnswer(String),
}

/// What a call did with the money: the one decision checkout turns into Failed or Unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallFate {
    /// Never reached the backend.
    NotSent,
    /// Reached it, and it said no: nothing moved.
    Refused,
    /// Nobody can tell: the money may have moved.
    MayHaveMoved,
}

impl CallError {
    pub fn fate(&self) -> CallFate {
        match self {
            CallError::NotSent(_) => CallFate::NotSent,
            CallError::Refused(_) => CallFate::Refused,
            CallError::NoAnswer(_) => CallFate::MayHaveMoved,
        }
    }
}

/// A backend's "no", with what it said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: RefusalReason,
    /// The vendor's own code (an HTTP status, `errcode`, `status`) — for a failed refund, the
    /// refund's number — for logs and the screen.
    pub vendor_code: String,
    /// The vendor's own words, as it gave them.
    pub said: String,
}

/// Why a backend refused, in the till's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalReason {
    /// The signature (HAWK) or session was not accepted; nothing was processed.
    Signature,
    /// The request itself was refused (HTTP 4xx: bad model, bad field) before any processing.
    Request,
    /// The backend processed the request and declined it (a payment, a QR order, a close).
    Declined,
    /// A refund the backend says failed: nothing was returned to the customer.
    RefundFailed,
}

impl Refusal {
    pub fn new(
        reason: RefusalReason,
        vendor_code: impl Into<String>,
        said: impl Into<String>,
    ) -> Self {
        Refusal {
            reason,
            vendor_code: vendor_code.into(),
            said: said.into(),
        }
    }

    /// The refusal as a cashier reads it: the till's words for the reason, then the vendor's.
    pub fn text(&self, lang: Lang) -> String {
        let (code, said) = (&self.vendor_code, &self.said);
        match (lang, self.reason) {
            (Lang::ZhCn, RefusalReason::Signature) => {
                format!("支付后台不接受签名或会话（{code}）：{said}")
            }
            (Lang::ZhCn, RefusalReason::Request) => format!("支付后台拒收请求（{code}）：{said}"),
            (Lang::ZhCn, RefusalReason::Declined) => format!("支付后台拒绝（{code}）：{said}"),
            (Lang::ZhCn, RefusalReason::RefundFailed) => format!("退款失败（{code}）：{said}"),
            (Lang::En, RefusalReason::Signature) => {
                format!("the backend did not accept the signature or session ({code}): {said}")
            }
            (Lang::En, RefusalReason::Request) => {
                format!("the backend refused the request ({code}): {said}")
            }
            (Lang::En, RefusalReason::Declined) => format!("backend refused ({code}): {said}"),
            (Lang::En, RefusalReason::RefundFailed) => format!("refund failed ({code}): {said}"),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}
