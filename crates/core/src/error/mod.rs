//! Errors as they cross to the UI: a kind from a closed list the UI branches on, a stable code,
//! a message in zh-CN or en, and the input field it belongs next to.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::call::{CallError, CallFate, Refusal, RefusalReason};
use crate::journal::JournalError;

use crate::managers::DeskRefusal;
use crate::print::PrintFault;
use crate::reasons::{ConfigError, NotAllowed};
use crate::{AmountError, BillError, CodeError, backend::crypto::CryptoError};

pub mod code;
pub use code::ErrorCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// The text of a term in this language, from the term written as `[zh-CN, en]`: both
    /// texts of a label stand side by side, and no table can miss a language.
    pub fn pick<T>(self, [zh, en]: [T; 2]) -> T {
        match self {
            Lang::ZhCn => zh,
            Lang::En => en,
        }
    }
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
    Pin,
    Settings,
    /// The receipts' filters: a day, the range of days, the page asked for.
    Filter,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ErrorBody {
    pub kind: ErrorKind,
    pub code: ErrorCode,
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
    /// A backend call without a usable answer, and what became of it.
    #[error(transparent)]
    Call(#[from] CallError),
    #[error("not logged in to the back office (or the session expired)")]
    NotLoggedIn,
    #[error("configuration: {}", .0.words().1)]
    Config(ConfigError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The action does not apply now or to this attempt (cancel a barcode payment).
    #[error("{}", .0.words().1)]
    NotAllowed(NotAllowed),
    /// The manager's desk refuses: a PIN, an account, a closing, the journal's integrity.
    #[error("{}", .0.words().0)]
    Desk(DeskRefusal),
    #[error("{0}")]
    NotFound(String),
    /// A report could not be written out (JSON, CSV), or the file or pipe it went to failed.
    #[error("writing the report failed: {0}")]
    Export(String),
    /// A failure inside the till: serialising, a task that died, writing a file.
    #[error("internal error: {0}")]
    Internal(String),
    /// The receipt printer did not print: offline, out of paper, cover open, or the document
    /// cannot be printed. Nothing of a payment depends on it.
    #[error("{}", .0.words().0)]
    Printer(PrintFault),
    /// The store (PostgreSQL) could not be read or refused: nothing of a payment depends on it.
    #[error("{}", store_words(.0).0)]
    Store(crate::shipping::ShipFault),
}

/// A store's fault in English and Chinese.
fn store_words(f: &crate::shipping::ShipFault) -> (String, String) {
    use crate::shipping::ShipFault;
    match f {
        ShipFault::Offline(why) => (
            format!("the store cannot be reached: {why}"),
            format!("无法连接门店数据库：{why}"),
        ),
        ShipFault::Refused { why, detail } => (
            format!("{} ({detail})", why.advice(Lang::En)),
            format!("{}（{detail}）", why.advice(Lang::ZhCn)),
        ),
    }
}

impl From<PrintFault> for Error {
    fn from(e: PrintFault) -> Self {
        Error::Printer(e)
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(e)
    }
}

impl From<DeskRefusal> for Error {
    fn from(e: DeskRefusal) -> Self {
        Error::Desk(e)
    }
}

impl From<NotAllowed> for Error {
    fn from(e: NotAllowed) -> Self {
        Error::NotAllowed(e)
    }
}

impl Error {
    pub fn input(field: Field, en: impl Into<String>, zh: impl Into<String>) -> Error {
        Error::Input {
            field,
            en: en.into(),
            zh: zh.into(),
        }
    }

    /// The request never left this machine.
    pub fn not_sent(why: impl Into<String>) -> Error {
        Error::Call(CallError::NotSent(why.into()))
    }

    /// The request may have arrived; no usable answer came back.
    pub fn no_answer(why: impl Into<String>) -> Error {
        Error::Call(CallError::NoAnswer(why.into()))
    }

    /// The backend said no; nothing moved.
    pub fn refused(
        reason: RefusalReason,
        vendor_code: impl Into<String>,
        said: impl Into<String>,
    ) -> Error {
        Error::Call(CallError::Refused(Refusal::new(reason, vendor_code, said)))
    }

    /// The backend's refusal, where this is one.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Error::Call(CallError::Refused(r)) => Some(r),
            _ => None,
        }
    }

    /// What a call that ended in this error did with the money. Decided by what the error
    /// is — never by how it is grouped or worded for a screen — so that no change of words
    /// can turn an Unknown payment into a Failed one. Checkout turns it into a state.
    pub fn fate(&self) -> CallFate {
        match self {
            Error::Call(c) => c.fate(),
            // An answer came back, but an amount in it does not read: nobody can tell.
            Error::Amount(AmountError::Wire(_)) => CallFate::MayHaveMoved,
            // Refused by the till itself, before anything was sent.
            Error::Amount(_)
            | Error::Bill(_)
            | Error::Code(_)
            | Error::Input { .. }
            | Error::Crypto(_)
            | Error::Config(_)
            | Error::NotAllowed(_)
            | Error::Desk(_)
            | Error::Printer(_)
            | Error::Store(_)
            | Error::NotLoggedIn => CallFate::NotSent,
            // Inside the till, possibly after the request left: assume the worst.
            Error::Journal(_) | Error::NotFound(_) | Error::Export(_) | Error::Internal(_) => {
                CallFate::MayHaveMoved
            }
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Amount(AmountError::Wire(_)) => ErrorKind::NoAnswer,
            Error::Amount(_) | Error::Bill(_) | Error::Code(_) | Error::Input { .. } => {
                ErrorKind::Input
            }
            Error::Crypto(_) | Error::Export(_) | Error::Internal(_) => ErrorKind::Internal,
            Error::Call(CallError::NotSent(_)) | Error::Printer(_) => ErrorKind::Unreachable,
            Error::Store(crate::shipping::ShipFault::Offline(_)) => ErrorKind::Unreachable,
            Error::Store(_) => ErrorKind::Config,
            Error::Call(CallError::NoAnswer(_)) => ErrorKind::NoAnswer,
            Error::Call(CallError::Refused(_)) => ErrorKind::Rejected,
            Error::NotLoggedIn | Error::NotAllowed(_) => ErrorKind::NotAllowed,
            Error::Desk(DeskRefusal::PinWrong { .. }) => ErrorKind::Input,
            Error::Desk(DeskRefusal::UnknownManager) => ErrorKind::NotFound,
            Error::Desk(DeskRefusal::SecretMissing { .. }) => ErrorKind::Config,
            Error::Desk(DeskRefusal::Tampered { .. }) => ErrorKind::Internal,
            Error::Desk(_) => ErrorKind::NotAllowed,
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
            Error::Desk(DeskRefusal::PinWrong { .. }) => Some(Field::Pin),
            Error::Journal(JournalError::BadResolve(_)) => Some(Field::Note),
            _ => None,
        }
    }

    /// A stable code for logs, tests and the UI's finer branches.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Amount(_) => ErrorCode::InvalidAmount,
            Error::Bill(_) => ErrorCode::InvalidBill,
            Error::Code(_) => ErrorCode::InvalidCode,
            Error::Input { .. } => ErrorCode::MissingInput,
            Error::Crypto(_) => ErrorCode::Crypto,
            Error::Call(CallError::NotSent(_)) => ErrorCode::Unreachable,
            Error::Call(CallError::NoAnswer(_)) => ErrorCode::NoAnswer,
            Error::Call(CallError::Refused(_)) => ErrorCode::Rejected,
            Error::NotLoggedIn => ErrorCode::NotLoggedIn,
            Error::Config(_) => ErrorCode::Config,
            Error::Journal(e) => e.code(),
            Error::NotAllowed(_) => ErrorCode::NotAllowed,
            Error::Desk(e) => e.code(),
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Export(_) => ErrorCode::ReportExport,
            Error::Internal(_) => ErrorCode::Internal,
            Error::Printer(_) => ErrorCode::Printer,
            Error::Store(_) => ErrorCode::Store,
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
                Error::Call(CallError::NotSent(e)) => format!("无法连接支付后台：{e}"),
                Error::Call(CallError::NoAnswer(e)) => format!("支付后台没有给出有效应答：{e}"),
                Error::Call(CallError::Refused(r)) => r.text(Lang::ZhCn),
                Error::NotLoggedIn => "尚未登录后台或会话已过期".into(),
                Error::Config(e) => format!("配置错误：{}", e.words().2),
                Error::Journal(e) => e.zh(),
                Error::NotAllowed(e) => e.words().2,
                Error::Desk(e) => e.words().1,
                Error::NotFound(e) => format!("找不到：{e}"),
                Error::Export(e) => format!("导出报表失败：{e}"),
                Error::Internal(e) => format!("收银台内部错误：{e}"),
                Error::Printer(e) => e.words().1,
                Error::Store(e) => store_words(e).1,
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
            code: self.code(),
            message,
            field: self.field(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_as_it_is_serialised() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).ok(),
                Some(serde_json::Value::String(code.as_str().into()))
            );
        }
    }
}
