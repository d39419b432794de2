//! The audit trail: every approval, denial, lock-out, resolve, refund, Z, settings change and
//! manager change, as an append-only, hash-chained row (docs/desk.md).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What was done or asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// The manager's desk opened under a PIN.
    OpenDesk,
    /// An Unknown attempt decided paid or failed.
    Resolve,
    /// A refund, whole or part.
    Refund,
    /// A business day closed.
    ZReport,
    /// A copy of a Z printed or shown.
    ZCopy,
    /// The settings saved.
    Settings,
    /// The first manager created.
    FirstManager,
    AddManager,
    DisableManager,
    /// A manager's PIN or staff id changed.
    ChangeManager,
    /// The journal's chains checked (and what they said).
    Verify,
    /// The day's receipts exported.
    Export,
}

/// How it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AuditResult {
    /// Done as asked.
    Done,
    /// A wrong PIN.
    Denied,
    /// The wrong PIN that locked the manager, or a try while locked.
    LockedOut,
    /// Refused by a rule (the reason is in the note).
    Refused,
    /// Tried and failed (the backend's answer says how).
    Failed,
}

/// One line to append; the journal adds when, the till, the sequence and the hashes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditEntry {
    pub asked_by: Option<String>,
    pub approved_by: Option<String>,
    pub action: Option<AuditAction>,
    pub subject: Option<String>,
    pub result: Option<AuditResult>,
    pub note: Option<String>,
    /// The backend's answer; codes are masked before it is written.
    pub answer: Option<String>,
}
