//! The stable codes of errors: a closed list exported to TypeScript, apart from `Error` so that
//! the journal's errors can name theirs without depending on the till's error type.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The stable code of an error, for logs, tests and the UI's finer branches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidAmount,
    InvalidBill,
    InvalidCode,
    MissingInput,
    Crypto,
    Unreachable,
    NoAnswer,
    Rejected,
    NotLoggedIn,
    Config,
    NotAllowed,
    NotFound,
    ReportExport,
    Internal,
    JournalDb,
    JournalMigration,
    JournalIo,
    JournalForeign,
    JournalCorrupt,
    BillBusy,
    BillPaid,
    AttemptNotFound,
    IllegalTransition,
    OrderNo,
    BadResolve,
    NotRefundable,
    RefundOpen,
    RefundTooLarge,
    PinWrong,
    ManagerLocked,
    DeskRefused,
    ClosingRefused,
    JournalTampered,
    /// The receipt printer could not print (offline, out of paper, cover open, or the document
    /// cannot be encoded).
    Printer,
    /// The store (PostgreSQL) could not be read, or refused the till.
    Store,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 35] = {
        use ErrorCode as C;
        [
            C::InvalidAmount,
            C::InvalidBill,
            C::InvalidCode,
            C::MissingInput,
            C::Crypto,
            C::Unreachable,
            C::NoAnswer,
            C::Rejected,
            C::NotLoggedIn,
            C::Config,
            C::NotAllowed,
            C::NotFound,
            C::ReportExport,
            C::Internal,
            C::JournalDb,
            C::JournalMigration,
            C::JournalIo,
            C::JournalForeign,
            C::JournalCorrupt,
            C::BillBusy,
            C::BillPaid,
            C::AttemptNotFound,
            C::IllegalTransition,
            C::OrderNo,
            C::BadResolve,
            C::NotRefundable,
            C::RefundOpen,
            C::RefundTooLarge,
            C::PinWrong,
            C::ManagerLocked,
            C::DeskRefused,
            C::ClosingRefused,
            C::JournalTampered,
            C::Printer,
            C::Store,
        ]
    };

    /// The code as it is serialised (a unit test holds the two together).
    pub fn as_str(self) -> &'static str {
        use ErrorCode as C;
        match self {
            C::InvalidAmount => "invalid_amount",
            C::InvalidBill => "invalid_bill",
            C::InvalidCode => "invalid_code",
            C::MissingInput => "missing_input",
            C::Crypto => "crypto",
            C::Unreachable => "unreachable",
            C::NoAnswer => "no_answer",
            C::Rejected => "rejected",
            C::NotLoggedIn => "not_logged_in",
            C::Config => "config",
            C::NotAllowed => "not_allowed",
            C::NotFound => "not_found",
            C::ReportExport => "report_export",
            C::Internal => "internal",
            C::JournalDb => "journal_db",
            C::JournalMigration => "journal_migration",
            C::JournalIo => "journal_io",
            C::JournalForeign => "journal_foreign",
            C::JournalCorrupt => "journal_corrupt",
            C::BillBusy => "bill_busy",
            C::BillPaid => "bill_paid",
            C::AttemptNotFound => "attempt_not_found",
            C::IllegalTransition => "illegal_transition",
            C::OrderNo => "order_no",
            C::BadResolve => "bad_resolve",
            C::NotRefundable => "not_refundable",
            C::RefundOpen => "refund_open",
            C::RefundTooLarge => "refund_too_large",
            C::PinWrong => "pin_wrong",
            C::ManagerLocked => "manager_locked",
            C::DeskRefused => "desk_refused",
            C::ClosingRefused => "closing_refused",
            C::JournalTampered => "journal_tampered",
            C::Printer => "printer",
            C::Store => "store",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}
