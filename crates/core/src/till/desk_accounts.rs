//! Manager accounts on the till: the list an approver is chosen from, the first manager, the
//! others added, changed and disabled under a PIN, the sandbox's demo manager, and the audit
//! trail's pages for the desk (docs/desk.md).

use chrono::{NaiveTime, TimeZone};
use serde::Serialize;
use ts_rs::TS;

use super::Till;
use crate::Error;
use crate::audit::{AuditAction, AuditEntry, AuditResult};
use crate::error::Field;
use crate::journal::{AuditRecord, NewManager};
use crate::managers::{
    Approval, DEMO_MANAGER_NAME, DEMO_MANAGER_PIN, DeskRefusal, ManagerId, ManagerView, pin,
};

/// The desk, opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DeskView {
    /// Who opened it.
    pub manager: String,
    /// It closes after this many seconds without use.
    pub idle_close_s: u32,
}

/// One line of the audit trail as the desk shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditRowView {
    #[ts(type = "number")]
    pub seq: i64,
    /// `YYYY-MM-DD HH:MM:SS` in the business zone.
    pub time: String,
    pub till: String,
    pub asked_by: Option<String>,
    pub approved_by: Option<String>,
    pub action: Option<AuditAction>,
    pub action_label: String,
    pub subject: Option<String>,
    pub result: Option<AuditResult>,
    pub result_label: String,
    pub note: Option<String>,
    pub answer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditPage {
    #[ts(type = "number")]
    pub total: u64,
    pub rows: Vec<AuditRowView>,
}

impl Till {
    /// Every manager, to choose an approver from (no PIN needed to see the names).
    pub fn managers(&self) -> Result<Vec<ManagerView>, Error> {
        let (now, tz) = (self.inner.clock.now(), self.business_tz());
        Ok(self
            .inner
            .journal
            .managers()?
            .iter()
            .map(|m| m.view(now, tz))
            .collect())
    }

    /// An active manager who is not the demo one exists: the till has its first manager.
    fn has_real_manager(&self) -> Result<bool, Error> {
        Ok(self
            .inner
            .journal
            .managers()?
            .iter()
            .any(|m| m.active && !m.demo))
    }

    /// Whether the first start still has to ask for the first manager.
    pub(super) fn needs_first_manager(&self) -> bool {
        !self.is_sandbox() && !self.has_real_manager().unwrap_or(true)
    }

    /// The first manager, created once without a PIN (there is no one to ask yet).
    pub async fn create_first_manager(
        &self,
        name: &str,
        pin: &str,
        staff_id: Option<String>,
    ) -> Result<Vec<ManagerView>, Error> {
        if self.has_real_manager()? {
            return Err(DeskRefusal::FirstManagerExists.into());
        }
        let name = self.insert(name, pin, staff_id, false).await?;
        self.audit(AuditEntry {
            asked_by: Some(self.asked_by()),
            action: Some(AuditAction::FirstManager),
            subject: Some(name),
            result: Some(AuditResult::Done),
            ..AuditEntry::default()
        })?;
        self.managers()
    }

    /// Another manager, under a manager's PIN.
    pub async fn add_manager(
        &self,
        name: &str,
        pin: &str,
        staff_id: Option<String>,
        approval: &Approval,
    ) -> Result<Vec<ManagerView>, Error> {
        let who = self
            .approve(approval, AuditAction::AddManager, Some(name.trim()))
            .await?;
        let name = self.insert(name, pin, staff_id, false).await?;
        self.done(AuditAction::AddManager, &who.name, name)?;
        self.managers()
    }

    /// A new PIN and/or staff id (an empty staff id clears it), under a manager's PIN.
    pub async fn change_manager(
        &self,
        id: ManagerId,
        pin: Option<String>,
        staff_id: Option<String>,
        approval: &Approval,
    ) -> Result<Vec<ManagerView>, Error> {
        let target = self
            .inner
            .journal
            .manager(id)?
            .ok_or(DeskRefusal::UnknownManager)?;
        let who = self
            .approve(approval, AuditAction::ChangeManager, Some(&target.name))
            .await?;
        let hash = match pin {
            Some(pin) => {
                pin::check_rule(&pin)?;
                let secret = pin::read_secret(&self.pin_secret_path())?;
                Some(pin::hash_off(secret, pin).await?)
            }
            None => None,
        };
        let staff = staff_id.map(|s| s.trim().to_string());
        let staff = staff
            .as_ref()
            .map(|s| Some(s.as_str()).filter(|s| !s.is_empty()));
        let now = self.inner.clock.now();
        self.inner
            .journal
            .change_manager(id, hash.as_deref(), staff, now)?;
        self.done(AuditAction::ChangeManager, &who.name, target.name)?;
        self.managers()
    }

    /// Disables a manager (never deleted), under a manager's PIN; not the last active one.
    pub async fn disable_manager(
        &self,
        id: ManagerId,
        approval: &Approval,
    ) -> Result<Vec<ManagerView>, Error> {
        let target = self
            .inner
            .journal
            .manager(id)?
            .ok_or(DeskRefusal::UnknownManager)?;
        let who = self
            .approve(approval, AuditAction::DisableManager, Some(&target.name))
            .await?;
        if !self
            .inner
            .journal
            .disable_manager(id, self.inner.clock.now())?
        {
            return Err(DeskRefusal::LastActiveManager.into());
        }
        self.done(AuditAction::DisableManager, &who.name, target.name)?;
        self.managers()
    }

    fn done(&self, action: AuditAction, approver: &str, subject: String) -> Result<(), Error> {
        self.audit(AuditEntry {
            asked_by: Some(self.asked_by()),
            approved_by: Some(approver.to_string()),
            action: Some(action),
            subject: Some(subject),
            result: Some(AuditResult::Done),
            ..AuditEntry::default()
        })
    }

    /// Checks the name and PIN, hashes the PIN (creating the install's secret for the
    /// first manager) and adds the account. Returns the name as stored.
    async fn insert(
        &self,
        name: &str,
        pin: &str,
        staff_id: Option<String>,
        demo: bool,
    ) -> Result<String, Error> {
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().count() > 32 {
            return Err(Error::input(
                Field::Manager,
                "the manager's name: 1 to 32 characters",
                "主管姓名：1 到 32 个字符",
            ));
        }
        pin::check_rule(pin)?;
        let secret = self.secret_for_new()?;
        let hash = pin::hash_off(secret, pin.to_string()).await?;
        let staff = staff_id
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let new = NewManager {
            name: &name,
            pin_hash: &hash,
            staff_id: staff.as_deref(),
            demo,
        };
        match self
            .inner
            .journal
            .insert_manager(&new, self.inner.clock.now())?
        {
            Some(_) => Ok(name),
            None => Err(DeskRefusal::DuplicateName { name }.into()),
        }
    }

    /// The secret a new PIN is hashed with: created with the first account only. With
    /// accounts and no secret file, a new one would orphan their hashes: refused instead.
    fn secret_for_new(&self) -> Result<Vec<u8>, Error> {
        let path = self.pin_secret_path();
        if self.inner.journal.managers()?.is_empty() {
            pin::secret_for_first(&path)
        } else {
            pin::read_secret(&path)
        }
    }

    /// On the embedded sandbox: the demo manager, created once (at open, before anyone can
    /// ask for it). Hashing takes tens of milliseconds, once per journal.
    pub(super) fn ensure_demo_manager(&self) -> Result<(), Error> {
        if !self.is_sandbox() || self.inner.journal.managers()?.iter().any(|m| m.demo) {
            return Ok(());
        }
        let secret = self.secret_for_new()?;
        let hash = pin::hash(&secret, DEMO_MANAGER_PIN)?;
        let new = NewManager {
            name: DEMO_MANAGER_NAME,
            pin_hash: &hash,
            staff_id: None,
            demo: true,
        };
        self.inner
            .journal
            .insert_manager(&new, self.inner.clock.now())?;
        Ok(())
    }

    /// A page of the audit trail, newest first (a business day, `YYYY-MM-DD`, or all): the
    /// desk must be open.
    pub async fn audit_trail(
        &self,
        day: Option<String>,
        offset: u32,
        limit: u32,
    ) -> Result<AuditPage, Error> {
        self.desk_manager()?;
        let tz = self.business_tz();
        let range = match day.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(raw) => {
                let day = crate::timestamp::parse_day(raw).ok_or_else(|| {
                    Error::input(
                        Field::Settings,
                        format!("{raw} is not a day (YYYY-MM-DD)"),
                        format!("{raw} 不是日期（YYYY-MM-DD）"),
                    )
                })?;
                let start = |d: chrono::NaiveDate| {
                    tz.from_local_datetime(&d.and_time(NaiveTime::MIN))
                        .earliest()
                        .map(|t| t.to_utc())
                };
                let next = day.succ_opt().unwrap_or(day);
                match (start(day), start(next)) {
                    (Some(from), Some(to)) => Some((from, to)),
                    _ => None,
                }
            }
        };
        let journal = self.inner.journal.clone();
        let (total, rows) = journal
            .blocking(move |j| j.audit_page(range, offset, limit.min(500)))
            .await?;
        let lang = self.lang();
        let view = |r: AuditRecord| {
            let action = AuditAction::from_wire(&r.action);
            let result = AuditResult::from_wire(&r.result);
            AuditRowView {
                seq: r.seq,
                time: r
                    .at
                    .with_timezone(&tz)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string(),
                till: r.till,
                asked_by: r.asked_by,
                approved_by: r.approved_by,
                action_label: action.map_or(r.action, |a| a.label(lang).to_string()),
                action,
                subject: r.subject,
                result_label: result.map_or(r.result, |x| x.label(lang).to_string()),
                result,
                note: r.note,
                answer: r.answer,
            }
        };
        Ok(AuditPage {
            total,
            rows: rows.into_iter().map(view).collect(),
        })
    }
}
