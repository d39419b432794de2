//! Errors as they cross to the UI: a kind from a closed list the UI branches on, a stable code,
//! a message in zh-CN or en, and the input field it belongs next to.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::journal::JournalError;
use crate::{AmountError, BillError, CodeError, backend::crypto::CryptoError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

/// What kind of trouble, which decides what the screen does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The till is set up wrongly; a manager must fix the settings.
    Config,
    /// What the cashier typed or scanned; shown next to `field`. Nothing was journalled or sent.
    Input,
    /// The backend refused, in its own words. Nothing moved.
    Rejected,
    NotFound,
    /// Not now, or not for this attempt (a bill already paid, a payment still in progress).
    NotAllowed,
    /// The backend could not be reached; nothing left this machine.
    Unreachable,
    /// The request may have arrived, no usable answer came back.
    NoAnswer,
    /// Something inside the till failed (disk, journal, a bug).
    Internal,
}

/// The input an error belongs next to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Bill,
    Amount,
    Code,
    Operator,
    Password,
    Note,
    Manager,
    Settings,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ErrorBody {
    pub kind: ErrorKind,
    pub code: String,
    pub message: String,
    pub field: Option<Field>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Amount(#[from] AmountError),
    #[error(transparent)]
    Bill(#[from] BillError),
    #[error(transparent)]
    Code(#[from] CodeError),
    /// Other input the cashier or manager must give (a note, a name, a password).
    #[error("{en}")]
    Input {
        field: Field,
        en: String,
        zh: String,
    },
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
    Journal(#[from] JournalError),
    /// The action does not apply now or to this attempt (cancel a barcode payment).
    #[error("{0}")]
    NotAllowed(String),
    #[error("{0}")]
    NotFound(String),
    /// A report could not be written out (JSON, CSV), or the file or pipe it went to failed.
    #[error("writing the report failed: {0}")]
    Export(String),
    /// A failure inside the till: serialising, a task that died, writing a file.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn input(field: Field, en: impl Into<String>, zh: impl Into<String>) -> Error {
        Error::Input {
            field,
            en: en.into(),
            zh: zh.into(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Amount(AmountError::Wire(_)) => ErrorKind::NoAnswer,
            Error::Amount(_) | Error::Bill(_) | Error::Code(_) | Error::Input { .. } => {
                ErrorKind::Input
            }
            Error::Crypto(_) | Error::Export(_) | Error::Internal(_) => ErrorKind::Internal,
            Error::Unreachable(_) => ErrorKind::Unreachable,
            Error::NoAnswer(_) => ErrorKind::NoAnswer,
            Error::Rejected { .. } => ErrorKind::Rejected,
            Error::NotLoggedIn | Error::NotAllowed(_) => ErrorKind::NotAllowed,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Config(_) => ErrorKind::Config,
            Error::Journal(e) => match e {
                JournalError::BillBusy { .. }
                | JournalError::BillPaid
                | JournalError::IllegalTransition { .. }
                | JournalError::NotRefundable(_)
                | JournalError::RefundOpen(_) => ErrorKind::NotAllowed,
                JournalError::NotFound(_) => ErrorKind::NotFound,
                JournalError::BadAmount(_)
                | JournalError::BadResolve(_)
                | JournalError::RefundTooLarge { .. } => ErrorKind::Input,
                JournalError::OrderNo(_) | JournalError::Foreign(_) => ErrorKind::Config,
                JournalError::Sqlite(_)
                | JournalError::Migration(_)
                | JournalError::Io(_)
                | JournalError::Corrupt(_) => ErrorKind::Internal,
            },
        }
    }

    /// The input the message belongs next to, for input errors.
    pub fn field(&self) -> Option<Field> {
        match self {
            Error::Amount(AmountError::Wire(_)) => None,
            Error::Amount(_) | Error::Journal(JournalError::RefundTooLarge { .. }) => {
                Some(Field::Amount)
            }
            Error::Journal(JournalError::BadAmount(_)) => Some(Field::Amount),
            Error::Bill(_) => Some(Field::Bill),
            Error::Code(_) => Some(Field::Code),
            Error::Input { field, .. } => Some(*field),
            Error::Journal(JournalError::BadResolve(_)) => Some(Field::Note),
            _ => None,
        }
    }

    /// Whether the request certainly moved no money: it was refused before or without any
    /// processing. A payment that fails this way is failed; any other failure after the
    /// attempt was journalled leaves it Unknown.
    pub fn nothing_moved(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::Config | ErrorKind::Input | ErrorKind::Rejected | ErrorKind::Unreachable
        ) || matches!(self, Error::Crypto(_))
    }

    /// A stable code for logs, tests and the UI's finer branches.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Amount(_) => "invalid_amount",
            Error::Bill(_) => "invalid_bill",
            Error::Code(_) => "invalid_code",
            Error::Input { .. } => "missing_input",
            Error::Crypto(_) => "crypto",
            Error::Unreachable(_) => "unreachable",
            Error::NoAnswer(_) => "no_answer",
            Error::Rejected { .. } => "rejected",
            Error::NotLoggedIn => "not_logged_in",
            Error::Config(_) => "config",
            Error::Journal(e) => e.code(),
            Error::NotAllowed(_) => "not_allowed",
            Error::NotFound(_) => "not_found",
            Error::Export(_) => "report_export",
            Error::Internal(_) => "internal",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::ZhCn => match self {
                Error::Amount(e) => e.zh(),
                Error::Bill(e) => e.zh(),
                Error::Code(e) => e.zh(),
                Error::Input { zh, .. } => zh.clone(),
                Error::Crypto(e) => format!("加密处理失败：{e}"),
                Error::Unreachable(e) => format!("无法连接支付后台：{e}"),
                Error::NoAnswer(e) => format!("支付后台没有给出有效应答：{e}"),
                Error::Rejected { code, message } => format!("支付后台拒绝（{code}）：{message}"),
                Error::NotLoggedIn => "尚未登录后台或会话已过期".into(),
                Error::Config(e) => format!("配置错误：{e}"),
                Error::Journal(e) => e.zh(),
                Error::NotAllowed(e) => format!("不能执行此操作：{e}"),
                Error::NotFound(e) => format!("找不到：{e}"),
                Error::Export(e) => format!("导出报表失败：{e}"),
                Error::Internal(e) => format!("收银台内部错误：{e}"),
            },
        }
    }

    /// What crosses to the UI. Text that came from a backend (which may echo a payment code)
    /// has any code-like number masked; the cashier's own input is shown as typed, so an
    /// amount or bill number in an input error stays readable.
    pub fn body(&self, lang: Lang) -> ErrorBody {
        let message = self.message(lang);
        let message = match self.kind() {
            ErrorKind::Input => message,
            _ => crate::code::redact_codes(&message),
        };
        ErrorBody {
            kind: self.kind(),
            code: self.code().to_string(),
            message,
            field: self.field(),
        }
    }
}
