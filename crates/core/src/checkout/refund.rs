//! Refunds, for a manager: full refunds of paid Cloud Pay attempts, followed to their end.

use std::time::Duration;

use super::Checkout;
use crate::cloudpay::RefundOutcome;
use crate::journal::Change;
use crate::{Attempt, AttemptId, AttemptState, Error};

/// How long a refund is followed before the manager is told to look again later.
const REFUND_POLL: Duration = Duration::from_secs(3);
const REFUND_GIVE_UP: Duration = Duration::from_secs(60);

impl Checkout {
    /// Refunds a paid attempt in full and journals who asked and why. The refund number is
    /// derived from the order number, so asking again continues the same refund instead of
    /// starting a second one.
    pub async fn refund(&self, id: AttemptId, note: &str, manager: &str) -> Result<Attempt, Error> {
        let a = self.get(id)?;
        if a.state != AttemptState::Paid {
            return Err(Error::NotAllowed(format!(
                "only a paid attempt can be refunded; this one is {}",
                a.state
            )));
        }
        if note.trim().is_empty() || manager.trim().is_empty() {
            return Err(Error::NotAllowed(
                "a refund needs the manager's name and a note".into(),
            ));
        }
        self.backends.check(a.channel)?;
        let refund_no = format!("{}R", a.order_no);
        let audit = |raw: String, reason: Option<String>, to: AttemptState| Change {
            to,
            raw_status: raw,
            reason,
            actor: Some(manager.to_string()),
            note: Some(note.to_string()),
            ..Change::default()
        };
        let a = self.record(
            &a,
            audit(
                format!("refund {refund_no} requested"),
                a.reason.clone(),
                AttemptState::Paid,
            ),
        )?;
        let started = tokio::time::Instant::now();
        let mut first = true;
        loop {
            let outcome = self.backends.refund(&a, &refund_no, first).await?;
            first = false;
            match outcome {
                RefundOutcome::Refunded { .. } => {
                    let r = self.record(
                        &a,
                        audit(
                            format!("refund {refund_no} done"),
                            Some("refunded".into()),
                            AttemptState::Refunded,
                        ),
                    )?;
                    self.emit(&r, 0, None);
                    return Ok(r);
                }
                RefundOutcome::Failed { reason } => {
                    self.record(
                        &a,
                        audit(
                            format!("refund {refund_no} failed"),
                            Some(reason.clone()),
                            AttemptState::Paid,
                        ),
                    )?;
                    return Err(Error::Rejected {
                        code: "refund_failed".into(),
                        message: reason,
                    });
                }
                RefundOutcome::Refunding | RefundOutcome::Unknown { .. }
                    if started.elapsed() < REFUND_GIVE_UP =>
                {
                    tokio::time::sleep(REFUND_POLL).await;
                }
                RefundOutcome::Refunding | RefundOutcome::Unknown { .. } => {
                    return Err(Error::NoAnswer(format!(
                        "refund {refund_no} is still in progress; ask again later to follow it"
                    )));
                }
            }
        }
    }
}
