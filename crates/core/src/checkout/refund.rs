//! Refunds, for a manager: all or part of a paid Cloud Pay payment, each part journalled
//! before it is sent and followed to its end.

use std::time::Duration;

use super::Checkout;
use crate::backend::cloudpay::{RefundAuthority, RefundOutcome};
use crate::journal::{JournalError, Refund, RefundState};
use crate::managers::Approver;
use crate::{Attempt, AttemptId, Error, Fen, RefusalReason, failpoint};

/// How long a refund is followed before the manager is told to look again later.
const REFUND_POLL: Duration = Duration::from_secs(3);
const REFUND_GIVE_UP: Duration = Duration::from_secs(60);

impl Checkout {
    /// Refunds `amount` (the rest when `None`) of a paid attempt and journals who approved
    /// and why; the refund is sent under the approver's staff id. A part whose end is not known yet is continued, with its own number, before any
    /// new part can start: asking again never refunds twice.
    pub async fn refund(
        &self,
        id: AttemptId,
        amount: Option<Fen>,
        note: &str,
        approver: &Approver,
    ) -> Result<Attempt, Error> {
        let a = self.get(id)?;
        a.channel.check_refund()?;
        self.backends.check(a.channel)?;
        // Checked before a part is journalled: a till that cannot authorise a refund must not
        // leave one open.
        let authority = self.backends.refund_authority(approver)?;
        let (part, resend) = match self.journal.open_refund(id)? {
            Some(open) if amount.is_none_or(|x| x == open.amount) => {
                // Sent again only where the backend may never have got it; the same refund
                // number makes a repeat harmless.
                let resend = matches!(open.state, RefundState::Requested | RefundState::Unknown);
                (open, resend)
            }
            Some(open) => {
                return Err(JournalError::RefundOpen(format!(
                    "{} (¥{}; ask again for that amount to follow it)",
                    open.refund_no, open.amount
                ))
                .into());
            }
            None => {
                let left = a.amount.checked_sub(a.refunded).unwrap_or(Fen::ZERO);
                let amount = amount.unwrap_or(left);
                let (manager, note) = (approver.name.clone(), note.to_string());
                let now = self.clock.now();
                let part = self
                    .journal
                    .blocking(move |j| j.begin_refund(id, amount, &manager, &note, now))
                    .await?;
                (part, true)
            }
        };
        self.follow_refund(&a, part, resend.then_some(authority))
            .await
    }

    async fn follow_refund(
        &self,
        a: &Attempt,
        part: Refund,
        mut send: Option<RefundAuthority>,
    ) -> Result<Attempt, Error> {
        let started = tokio::time::Instant::now();
        loop {
            // Sent once; afterwards only asked about.
            let sending = send.is_some();
            if sending {
                failpoint::hit(failpoint::REFUND_AFTER_JOURNAL_BEFORE_SEND);
            }
            let outcome = self.backends.refund(a, &part, send.take().as_ref()).await?;
            if sending {
                failpoint::hit(failpoint::REFUND_AFTER_SEND_BEFORE_RECORD);
            }
            let (state, reason) = match outcome {
                RefundOutcome::Refunded { .. } => (RefundState::Refunded, None),
                RefundOutcome::Failed { reason } => (RefundState::Failed, Some(reason)),
                RefundOutcome::Refunding => (RefundState::Refunding, None),
                RefundOutcome::Unknown { reason } => (RefundState::Unknown, Some(reason)),
            };
            let (part_id, said, now) = (part.id, reason.clone(), self.clock.now());
            let (recorded, attempt) = self
                .journal
                .blocking(move |j| j.record_refund(part_id, state, said, now))
                .await?;
            match recorded.state {
                RefundState::Refunded => {
                    self.emit(&attempt, 0, None);
                    return Ok(attempt);
                }
                RefundState::Failed => {
                    return Err(Error::refused(
                        RefusalReason::RefundFailed,
                        part.refund_no.clone(),
                        reason.unwrap_or_default(),
                    ));
                }
                RefundState::Requested | RefundState::Refunding | RefundState::Unknown
                    if started.elapsed() < REFUND_GIVE_UP =>
                {
                    tokio::time::sleep(REFUND_POLL).await;
                }
                // The backend's last word goes with it: a WeChat refund paid out by hand
                // (转入代发) says so there, and the manager must read it before anything else.
                RefundState::Requested | RefundState::Refunding | RefundState::Unknown => {
                    let said = reason.map(|r| format!(" ({r})")).unwrap_or_default();
                    return Err(Error::no_answer(format!(
                        "refund {} is still in progress{said}; ask again later to follow it",
                        part.refund_no
                    )));
                }
            }
        }
    }
}
