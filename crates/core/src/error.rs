//! Errors as they cross to the UI: a stable code from a closed list and a message in zh-CN or en.
//!
//! Only add a code when the UI branches on it; everything else rides in the message.

use serde::Serialize;

use crate::{AmountError, BillError, CodeError, crypto::CryptoError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Amount(#[from] AmountError),
    #[error(transparent)]
    Bill(#[from] BillError),
    #[error(transparent)]
    Code(#[from] CodeError),
    #[error("cryptography: {0}")]
    Crypto(#[from] CryptoError),
    /// The request never left this machine (connection refused, DNS, TLS set-up): safe to retry.
    #[error("backend not reachable: {0}")]
    Unreachable(String),
    /// The request may have reached the backend but no usable answer came back.
    #[error("no usable answer from the backend: {0}")]
    NoAnswer(String),
    /// The backend answered with a definite refusal, shown to the cashier as it said it.
    #[error("backend refused ({code}): {message}")]
    Rejected { code: String, message: String },
    #[error("not logged in to the back office (or the session expired)")]
    NotLoggedIn,
    #[error("configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Journal(#[from] crate::journal::JournalError),
    /// The action does not apply to this attempt (cancel a barcode payment, unknown id).
    #[error("{0}")]
    NotAllowed(String),
}

impl Error {
    /// The closed list of codes the UI branches on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Amount(_) => "invalid_amount",
            Error::Bill(_) => "invalid_bill",
            Error::Code(_) => "invalid_code",
            Error::Crypto(_) => "crypto",
            Error::Unreachable(_) => "unreachable",
            Error::NoAnswer(_) => "no_answer",
            Error::Rejected { .. } => "rejected",
            Error::NotLoggedIn => "not_logged_in",
            Error::Config(_) => "config",
            Error::Journal(e) => e.code(),
            Error::NotAllowed(_) => "not_allowed",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::ZhCn => match self {
                Error::Amount(e) => e.zh(),
                Error::Bill(e) => e.zh(),
                Error::Code(e) => e.zh(),
                Error::Crypto(e) => format!("加密处理失败：{e}"),
                Error::Unreachable(e) => format!("无法连接支付后台：{e}"),
                Error::NoAnswer(e) => format!("支付后台没有给出有效应答：{e}"),
                Error::Rejected { code, message } => format!("支付后台拒绝（{code}）：{message}"),
                Error::NotLoggedIn => "尚未登录后台或会话已过期".into(),
                Error::Config(e) => format!("配置错误：{e}"),
                Error::Journal(e) => e.zh(),
                Error::NotAllowed(e) => format!("不能执行此操作：{e}"),
            },
        }
    }

    /// What crosses to the UI. Text that came from a backend (which may echo a payment code)
    /// has any code-like number masked; the cashier's own input is shown as typed, so an
    /// amount or bill number in an input error stays readable.
    pub fn body(&self, lang: Lang) -> ErrorBody {
        let message = self.message(lang);
        let message = match self {
            Error::Amount(_) | Error::Bill(_) | Error::Code(_) => message,
            _ => crate::code::redact_codes(&message),
        };
        ErrorBody {
            code: self.code(),
            message,
        }
    }
}
