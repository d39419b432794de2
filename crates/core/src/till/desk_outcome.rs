//! How a resolve or a refund a manager approved ended, as a line of the audit trail.

use super::Till;
use crate::audit::{AuditAction, AuditEntry, AuditResult};
use crate::managers::Approver;
use crate::{Attempt, AttemptId, Error};

impl Till {
    /// The attempt's order number: the subject its approval and outcome are audited under.
    pub(super) async fn order_no(&self, id: AttemptId) -> Result<String, Error> {
        self.inner
            .journal
            .blocking(move |j| j.get(id))
            .await?
            .map(|a| a.order_no)
            .ok_or_else(|| Error::NotFound(format!("no attempt {id}")))
    }

    /// Audits what an approved resolve or refund did: done (with the attempt's state and the
    /// backend's last word), refused by a rule, or failed (with the backend's answer).
    pub(super) fn audit_outcome(
        &self,
        action: AuditAction,
        who: &Approver,
        order_no: &str,
        note: &str,
        done: &Result<Attempt, Error>,
    ) -> Result<(), Error> {
        let (result, answer) = match done {
            Ok(a) => {
                let said = a
                    .reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default();
                (AuditResult::Done, format!("{}{said}", a.state.as_str()))
            }
            Err(
                e @ (Error::Input { .. }
                | Error::NotAllowed(_)
                | Error::Desk(_)
                | Error::Config(_)
                | Error::NotLoggedIn),
            ) => (AuditResult::Refused, e.to_string()),
            Err(e) => (AuditResult::Failed, e.to_string()),
        };
        self.audit(AuditEntry {
            asked_by: Some(self.asked_by()),
            approved_by: Some(who.name.clone()),
            action: Some(action),
            subject: Some(order_no.to_string()),
            result: Some(result),
            note: Some(note.to_string()),
            answer: Some(answer),
        })
    }
}
