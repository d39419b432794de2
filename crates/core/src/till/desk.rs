//! The manager's desk on the till: approvals under a PIN, the desk session and the audit
//! trail (docs/desk.md). Manager accounts are in `desk_accounts.rs`.

use chrono::{DateTime, TimeDelta, Utc};

use super::{Till, read};
use crate::Error;
use crate::audit::{AuditAction, AuditEntry, AuditResult};
use crate::managers::{Approval, Approver, DeskRefusal, ManagerRow, account::hh_mm, pin};

/// The desk closes after this long without use.
pub const DESK_IDLE: TimeDelta = TimeDelta::minutes(5);

/// The open desk: who opened it and when it was last used.
#[derive(Debug, Clone)]
pub(super) struct DeskSession {
    approver: Approver,
    last_used: DateTime<Utc>,
}

impl Till {
    /// Checks a chosen manager's PIN for `action` on `subject`; every try, right or wrong,
    /// is a line of the audit trail, and wrong ones count towards the manager's lock.
    pub async fn approve(
        &self,
        approval: &Approval,
        action: AuditAction,
        subject: Option<&str>,
    ) -> Result<Approver, Error> {
        let journal = self.inner.journal.clone();
        let id = approval.manager;
        let row = journal.blocking(move |j| j.manager(id)).await?;
        let tried = |name: Option<&str>, result, note: String| AuditEntry {
            asked_by: Some(self.asked_by()),
            approved_by: name.map(str::to_string),
            action: Some(action),
            subject: subject.map(str::to_string),
            result: Some(result),
            note: Some(note),
            answer: None,
        };
        let refuse = |name: Option<&str>, result, why: DeskRefusal| -> Result<Approver, Error> {
            self.audit(tried(name, result, why.words().0))?;
            Err(why.into())
        };
        let Some(row) = row else {
            let none = self.inner.journal.managers()?.is_empty();
            let why = if none {
                DeskRefusal::NoManagerYet
            } else {
                DeskRefusal::UnknownManager
            };
            return refuse(None, AuditResult::Refused, why);
        };
        let name = Some(row.name.as_str());
        if row.demo && !self.is_sandbox() {
            return refuse(name, AuditResult::Refused, DeskRefusal::DemoOffSandbox);
        }
        if !row.active {
            let why = DeskRefusal::ManagerDisabled {
                name: row.name.clone(),
            };
            return refuse(name, AuditResult::Refused, why);
        }
        let now = self.inner.clock.now();
        if row.count.locked(now) {
            return refuse(name, AuditResult::LockedOut, self.locked(&row));
        }
        let secret = match pin::read_secret(&self.pin_secret_path()) {
            Ok(s) => s,
            Err(Error::Desk(why)) => return refuse(name, AuditResult::Refused, why),
            Err(e) => return Err(e),
        };
        let right = pin::verify_off(secret, approval.pin.clone(), row.pin_hash.clone()).await?;
        let now = self.inner.clock.now();
        let after = journal
            .blocking(move |j| j.record_pin(id, right, now))
            .await?
            .ok_or(DeskRefusal::UnknownManager)?;
        if !right {
            if after.count.locked(now) {
                return refuse(name, AuditResult::LockedOut, self.locked(&after));
            }
            let why = DeskRefusal::PinWrong {
                left: after.count.left(),
            };
            return refuse(name, AuditResult::Denied, why);
        }
        self.audit(tried(name, AuditResult::Done, "PIN accepted".into()))?;
        Ok(Approver {
            id: row.id,
            name: row.name,
            staff_id: row.staff_id.filter(|s| !s.trim().is_empty()),
        })
    }

    fn locked(&self, row: &ManagerRow) -> DeskRefusal {
        DeskRefusal::Locked {
            name: row.name.clone(),
            until: row
                .count
                .locked_until
                .map(|u| hh_mm(u, self.business_tz()))
                .unwrap_or_default(),
        }
    }

    /// The manager at the open desk: the desk's reads need it open (under a PIN, closed
    /// again when left alone). Each call counts as use and keeps it open.
    pub fn desk_manager(&self) -> Result<Approver, Error> {
        let now = self.inner.clock.now();
        let mut desk = self.inner.desk.lock().unwrap_or_else(|p| p.into_inner());
        match desk.as_mut() {
            Some(open) if now - open.last_used < DESK_IDLE => {
                open.last_used = now;
                Ok(open.approver.clone())
            }
            _ => {
                *desk = None;
                Err(DeskRefusal::DeskNotOpen.into())
            }
        }
    }

    /// Opens the desk under a chosen manager's PIN.
    pub async fn open_desk(&self, approval: &Approval) -> Result<Approver, Error> {
        let approver = self.approve(approval, AuditAction::OpenDesk, None).await?;
        *self.inner.desk.lock().unwrap_or_else(|p| p.into_inner()) = Some(DeskSession {
            approver: approver.clone(),
            last_used: self.inner.clock.now(),
        });
        Ok(approver)
    }

    pub fn close_desk(&self) {
        *self.inner.desk.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Appends one line to the audit trail, stamped with the time and this till; codes in
    /// the backend's answer and the note are masked first.
    pub fn audit(&self, entry: AuditEntry) -> Result<(), Error> {
        let entry = AuditEntry {
            answer: entry.answer.map(|a| crate::code::redact_codes(&a)),
            note: entry.note.map(|n| crate::code::redact_codes(&n)),
            ..entry
        };
        let till = read(&self.inner.cfg).till.clone();
        self.inner
            .journal
            .append_audit(&till, self.inner.clock.now(), &entry)?;
        Ok(())
    }

    /// Who asks: the manager at the open desk, else the operator at the till.
    pub(super) fn asked_by(&self) -> String {
        let desk = self.inner.desk.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(open) = desk.as_ref() {
            return open.approver.name.clone();
        }
        drop(desk);
        match read(&self.inner.session).as_ref() {
            Some(s) => s.operator.clone(),
            None => read(&self.inner.cfg).operator.clone(),
        }
    }

    /// The install's PIN secret: beside the journal, never in it.
    pub(super) fn pin_secret_path(&self) -> std::path::PathBuf {
        pin::secret_path(&read(&self.inner.cfg).db_path_or_default())
    }

    /// The business zone (the configuration was checked at open, so it parses).
    pub(super) fn business_tz(&self) -> chrono_tz::Tz {
        self.zone().unwrap_or(chrono_tz::Asia::Shanghai)
    }
}
