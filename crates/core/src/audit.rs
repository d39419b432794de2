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
    /// A payment's slip printed again, marked 重印 / REPRINT: a second slip of one payment
    /// could pass for a second payment, so every reprint is in the trail.
    Reprint,
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

impl AuditAction {
    /// How the desk names it, in the till's language.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        use AuditAction as A;
        let (en, zh) = match self {
            A::OpenDesk => ("open the desk", "打开主管台"),
            A::Resolve => ("resolve", "处理未知结果"),
            A::Refund => ("refund", "退款"),
            A::ZReport => ("Z report", "日结（Z 报表）"),
            A::ZCopy => ("Z copy", "Z 报表副本"),
            A::Settings => ("settings", "设置"),
            A::FirstManager => ("first manager", "创建第一位主管"),
            A::AddManager => ("add a manager", "添加主管"),
            A::DisableManager => ("disable a manager", "停用主管"),
            A::ChangeManager => ("change a manager", "修改主管"),
            A::Verify => ("verify the journal", "校验账本"),
            A::Export => ("export", "导出"),
            A::Reprint => ("reprint a slip", "重印小票"),
        };
        pick(lang, en, zh)
    }

    /// The name the journal stores (serde's).
    pub fn from_wire(s: &str) -> Option<AuditAction> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
}

impl AuditResult {
    pub fn label(self, lang: crate::Lang) -> &'static str {
        use AuditResult as R;
        let (en, zh) = match self {
            R::Done => ("done", "完成"),
            R::Denied => ("wrong PIN", "PIN 错误"),
            R::LockedOut => ("locked", "已锁定"),
            R::Refused => ("refused", "被拒绝"),
            R::Failed => ("failed", "失败"),
        };
        pick(lang, en, zh)
    }

    pub fn from_wire(s: &str) -> Option<AuditResult> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
}

fn pick(lang: crate::Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        crate::Lang::En => en,
        crate::Lang::ZhCn => zh,
    }
}
