//! Closing the day on the till: the X (desk open), the Z (under a manager's PIN), the list
//! and copies of the Zs, and the journal's verification (docs/desk.md). Each leaves its line
//! in the audit trail.

use crate::audit::{AuditAction, AuditEntry, AuditResult};
use crate::closing::{ClosingView, ZSummary};
use crate::journal::{Integrity, ZRequest};
use crate::managers::Approval;
use crate::{Error, receipts, timestamp};

use super::{Till, read};

impl Till {
    /// An X report of `day` (`YYYY-MM-DD`; None: today): what a Z would say now.
    pub async fn x_report(&self, day: Option<String>) -> Result<ClosingView, Error> {
        let manager = self.desk_manager()?;
        self.blocking(move |t| {
            let day = t.day(day.as_deref())?;
            let (now, tz, till) = t.closing_context()?;
            let today = receipts::business_day(now, tz);
            let report = t
                .journal()
                .x_report(day, now, today, &till, Some(&manager.name))?;
            Ok(report.view(t.lang(), tz, false))
        })
        .await
    }

    /// Closes `day` (None: today) with a Z, under a manager's PIN. Done or refused, the
    /// audit trail says so, with the reason.
    pub async fn z_report(
        &self,
        day: Option<String>,
        approval: Approval,
    ) -> Result<ClosingView, Error> {
        let day = self.day(day.as_deref())?;
        let day_text = timestamp::day_text(day);
        let approver = self
            .approve(&approval, AuditAction::ZReport, Some(&day_text))
            .await?;
        let name = approver.name.clone();
        let taken = self
            .blocking(move |t| {
                let (now, tz, till) = t.closing_context()?;
                let report = t.journal().take_z(&ZRequest {
                    day,
                    now,
                    today: receipts::business_day(now, tz),
                    till: &till,
                    approved_by: &name,
                })?;
                Ok(report.view(t.lang(), tz, false))
            })
            .await;
        let (subject, result, note) = match &taken {
            Ok(z) => (
                format!("Z {} {day_text}", z.number),
                AuditResult::Done,
                None,
            ),
            Err(e) => (day_text, AuditResult::Refused, Some(e.message(self.lang()))),
        };
        self.audit(AuditEntry {
            asked_by: Some(approver.name.clone()),
            approved_by: Some(approver.name),
            action: Some(AuditAction::ZReport),
            subject: Some(subject),
            result: Some(result),
            note,
            answer: None,
        })?;
        taken
    }

    /// Every Z of this till, oldest first (desk open).
    pub async fn z_reports(&self) -> Result<Vec<ZSummary>, Error> {
        self.desk_manager()?;
        self.blocking(|t| {
            let tz = t.zone()?;
            Ok(t.journal()
                .z_reports()?
                .iter()
                .map(|z| z.summary(tz))
                .collect())
        })
        .await
    }

    /// A copy of Z `number`, marked 副本 / DUPLICATE (desk open).
    pub async fn z_copy(&self, number: u64) -> Result<ClosingView, Error> {
        let manager = self.desk_manager()?;
        let copy = self
            .blocking(move |t| {
                let tz = t.zone()?;
                let z = t
                    .journal()
                    .z_report(number)?
                    .ok_or_else(|| Error::NotFound(format!("no Z {number}")))?;
                Ok(z.view(t.lang(), tz, true))
            })
            .await?;
        self.audit(AuditEntry {
            asked_by: Some(manager.name),
            action: Some(AuditAction::ZCopy),
            subject: Some(format!("Z {number}")),
            result: Some(AuditResult::Done),
            ..AuditEntry::default()
        })?;
        Ok(copy)
    }

    /// Walks the journal's chains (desk open); the audit trail keeps what they said.
    pub async fn verify(&self) -> Result<Integrity, Error> {
        let manager = self.desk_manager()?;
        let mut integrity = self.blocking(|t| Ok(t.journal().verify()?)).await?;
        integrity.said = integrity.first_break.as_ref().map(|b| b.said(self.lang()));
        let note = match &integrity.first_break {
            None => format!(
                "{} seals, {} audit rows, {} Zs verify",
                integrity.seals, integrity.audit, integrity.z_reports
            ),
            Some(b) => format!("{:?} breaks at {}: {}", b.chain, b.seq, b.what),
        };
        self.audit(AuditEntry {
            asked_by: Some(manager.name),
            action: Some(AuditAction::Verify),
            result: Some(if integrity.first_break.is_none() {
                AuditResult::Done
            } else {
                AuditResult::Failed
            }),
            note: Some(note),
            ..AuditEntry::default()
        })?;
        Ok(integrity)
    }

    /// Now, the business zone and this till's id.
    fn closing_context(
        &self,
    ) -> Result<(chrono::DateTime<chrono::Utc>, chrono_tz::Tz, String), Error> {
        let cfg = read(&self.inner.cfg);
        Ok((self.inner.clock.now(), cfg.tz()?, cfg.till.clone()))
    }
}
