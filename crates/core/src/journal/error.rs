//! What can go wrong with the journal, with a stable code and a message for the cashier.

use crate::{AttemptId, AttemptState, Fen};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JournalError {
    #[error("journal database: {0}")]
    Sqlite(String),
    #[error("journal schema migration: {0}")]
    Migration(String),
    #[error("journal file: {0}")]
    Io(String),
    #[error("not a Cashier journal, left untouched: {0}")]
    Foreign(String),
    #[error("the bill already has a payment in progress (attempt {attempt}, {state})")]
    BillBusy {
        attempt: AttemptId,
        state: AttemptState,
    },
    #[error("the bill is already paid")]
    BillPaid,
    #[error("no attempt {0} in the journal")]
    NotFound(AttemptId),
    #[error("an attempt cannot go from {from} to {to}")]
    IllegalTransition {
        from: AttemptState,
        to: AttemptState,
    },
    #[error(transparent)]
    OrderNo(#[from] crate::order_no::OrderNoError),
    #[error("amount {0} cannot be journalled (must be more than zero)")]
    BadAmount(Fen),
    #[error("journal row does not read back: {0}")]
    Corrupt(String),
    #[error("cannot resolve the attempt: {0}")]
    BadResolve(String),
    #[error("only a paid payment can be refunded; this one is {0}")]
    NotRefundable(AttemptState),
    #[error("refund {0} has not ended yet: ask again to follow it before refunding more")]
    RefundOpen(String),
    #[error("at most ¥{left} is left to refund on this payment")]
    RefundTooLarge { left: Fen },
}

impl JournalError {
    /// A stable code the UI can branch on.
    pub fn code(&self) -> crate::error::code::ErrorCode {
        use crate::error::code::ErrorCode as C;
        match self {
            Self::Sqlite(_) => C::JournalDb,
            Self::Migration(_) => C::JournalMigration,
            Self::Io(_) => C::JournalIo,
            Self::Foreign(_) => C::JournalForeign,
            Self::BillBusy { .. } => C::BillBusy,
            Self::BillPaid => C::BillPaid,
            Self::NotFound(_) => C::AttemptNotFound,
            Self::IllegalTransition { .. } => C::IllegalTransition,
            Self::OrderNo(_) => C::OrderNo,
            Self::BadAmount(_) => C::InvalidAmount,
            Self::Corrupt(_) => C::JournalCorrupt,
            Self::BadResolve(_) => C::BadResolve,
            Self::NotRefundable(_) => C::NotRefundable,
            Self::RefundOpen(_) => C::RefundOpen,
            Self::RefundTooLarge { .. } => C::RefundTooLarge,
        }
    }

    pub fn zh(&self) -> String {
        match self {
            Self::Sqlite(e) => format!("支付日志读写失败：{e}"),
            Self::Migration(e) => format!("支付日志升级失败：{e}"),
            Self::Io(e) => format!("无法打开支付日志文件：{e}"),
            Self::Foreign(e) => format!("这不是收银台的支付日志文件，未做任何改动：{e}"),
            Self::BillBusy { state, .. } => {
                format!(
                    "该单有一笔未完成的支付（状态：{}），请先查询或处理",
                    state_zh(*state)
                )
            }
            Self::BillPaid => "该单已付清".into(),
            Self::NotFound(id) => format!("支付日志中没有第 {id} 笔支付"),
            Self::IllegalTransition { from, to } => {
                format!("支付状态不能从“{}”变为“{}”", state_zh(*from), state_zh(*to))
            }
            Self::OrderNo(e) => e.zh(),
            Self::BadAmount(_) => "金额必须大于零".into(),
            Self::Corrupt(e) => format!("支付日志中有无法识别的记录：{e}"),
            Self::BadResolve(e) => format!("无法手工处理该笔支付：{e}"),
            Self::NotRefundable(state) => {
                format!("只有已支付的款项可以退款，这笔是“{}”", state_zh(*state))
            }
            Self::RefundOpen(no) => format!("退款 {no} 尚未完成，请先再次查询它"),
            Self::RefundTooLarge { left } => format!("这笔支付最多还可退 ¥{left}"),
        }
    }
}

/// How a state reads to a cashier or manager, in Chinese.
pub fn state_zh(state: AttemptState) -> &'static str {
    crate::labels::state_label(state, crate::Lang::ZhCn)
}

impl From<rusqlite::Error> for JournalError {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            // SQLite stores what it is given whatever the column says; a value of the wrong
            // type is a row that does not read back, not a database failure.
            rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::IntegralValueOutOfRange(..) => Self::Corrupt(e.to_string()),
            other => Self::Sqlite(other.to_string()),
        }
    }
}

impl From<rusqlite_migration::Error> for JournalError {
    fn from(e: rusqlite_migration::Error) -> Self {
        Self::Migration(e.to_string())
    }
}
