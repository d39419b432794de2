//! What one backend answer means for the journal, whichever flow got it.

use super::Checkout;
use crate::journal::{Change, JournalError};
use crate::reasons::NotAllowed;
use crate::{Attempt, AttemptState, CallError, Error, PaymentOutcome};

/// `raw_status` of an attempt that waits for a manager because it cannot be queried; a later
/// start finds it with this status and sends nothing.
pub(super) const CANNOT_QUERY: &str = "cannot be queried";

/// `raw_status` of the transition that notes what a partly paid bill still owes.
const REMAINDER: &str = "remainder ";

/// What a partly paid bill still owes, from the transition that noted it.
pub fn remainder_of(raw_status: &str) -> Option<crate::Fen> {
    raw_status
        .strip_prefix(REMAINDER)
        .and_then(|fen| fen.parse().ok())
        .map(crate::Fen)
}

/// The journal row change an outcome calls for, while the attempt is still being followed.
pub(super) fn change_for(outcome: &PaymentOutcome, qr: bool) -> Change {
    let raw_status = serde_json::to_string(outcome).unwrap_or_default();
    let (to, reason, reference) = match outcome {
        PaymentOutcome::Paid { reference } => (AttemptState::Paid, None, reference.clone()),
        PaymentOutcome::PartlyPaid {
            reference,
            bill_state,
        } => (
            AttemptState::PartlyPaid,
            Some(format!("bill not fully paid (billpaystate {bill_state})")),
            reference.clone(),
        ),
        PaymentOutcome::Pending { status, reference } => (
            if qr {
                AttemptState::Shown
            } else {
                AttemptState::Pending
            },
            Some(status.clone()),
            reference.clone(),
        ),
        PaymentOutcome::Failed { reason, .. } => (AttemptState::Failed, Some(reason.clone()), None),
        PaymentOutcome::Unknown { reason } => (
            if qr {
                AttemptState::Shown
            } else {
                AttemptState::Unknown
            },
            Some(reason.clone()),
            None,
        ),
    };
    Change {
        to,
        raw_status,
        reason,
        reference,
        ..Change::default()
    }
}

impl Checkout {
    /// Sends a call that may be refused before it leaves (connection refused) again, a few
    /// times, with the same order number.
    pub(super) async fn with_send_retry<T, F, Fut>(&self, mut call: F) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
        let policy = self.settings.send_retry;
        let mut tries = 0;
        loop {
            tries += 1;
            match call().await {
                Err(Error::Call(CallError::NotSent(e))) if tries < policy.attempts.max(1) => {
                    tracing::warn!("backend unreachable (try {tries}), retrying: {e}");
                    tokio::time::sleep(policy.backoff.saturating_mul(tries)).await;
                }
                other => return other,
            }
        }
    }

    /// After a one-off query (query again, recovery): pending becomes Unknown, because nobody
    /// is following it any more.
    pub(super) async fn settle_after_query(
        &self,
        a: &Attempt,
        outcome: Result<PaymentOutcome, Error>,
        why: &str,
    ) -> Result<Attempt, Error> {
        let mut change = match outcome {
            Ok(o) => change_for(&o, false),
            Err(e) => Change {
                to: AttemptState::Unknown,
                raw_status: format!("query failed: {}", e.code()),
                reason: Some(e.to_string()),
                ..Change::default()
            },
        };
        if change.to == AttemptState::Pending || change.to == AttemptState::Sending {
            change.to = AttemptState::Unknown;
            change.reason = Some(format!(
                "{why}: still in progress ({}); query again",
                change.reason.unwrap_or_default()
            ));
        }
        let was_given_up = !a.state.is_live() || a.state == AttemptState::Unknown;
        let r = self.record(a, change).await?;
        if was_given_up && r.state.is_collected() {
            self.emit_late(&r);
        } else {
            self.emit(&r, 0, None);
        }
        Ok(r)
    }

    /// An attempt the backend cannot be asked about (a KouDaiLQ payment whose answer, and so
    /// its `autoid`, was lost): Unknown, with a reason a manager can act on. Sending the query
    /// anyway would only be refused, at every start.
    pub(super) async fn needs_manager(
        &self,
        a: &Attempt,
        why: NotAllowed,
    ) -> Result<Attempt, Error> {
        // The journal keeps the manager's reason in English, like every journalled reason.
        let why = why.words().1;
        let r = self
            .record(
                a,
                Change {
                    to: AttemptState::Unknown,
                    raw_status: CANNOT_QUERY.into(),
                    reason: Some(format!(
                        "{why}; check the payment in the back office and resolve it by hand"
                    )),
                    ..Change::default()
                },
            )
            .await?;
        self.emit(&r, 0, None);
        Ok(r)
    }

    /// A partly paid bill stays open: tell the cashier what is left, where the backend says.
    pub(super) async fn note_remainder(&self, a: Attempt) -> Result<Attempt, Error> {
        let Some(left) = self.backends.remainder(&a).await else {
            return Ok(a);
        };
        self.record(
            &a,
            Change {
                to: AttemptState::PartlyPaid,
                raw_status: format!("{REMAINDER}{}", left.0),
                reason: Some(format!("bill not fully paid: ¥{left} still to pay")),
                ..Change::default()
            },
        )
        .await
    }

    /// Records what a poll's query learnt. Another process (a guest's cancel, a manager) may
    /// have ended the attempt while the query was on its way; the journal then refuses the
    /// change, and the ending already recorded stands.
    pub(super) async fn record_polled(
        &self,
        a: &Attempt,
        change: Change,
    ) -> Result<Attempt, Error> {
        match self.record(a, change).await {
            Err(e @ Error::Journal(JournalError::IllegalTransition { .. })) => {
                self.ended_elsewhere(a)?.ok_or(e)
            }
            recorded => recorded,
        }
    }

    /// The journal row, if another process (or a manager) has ended the attempt meanwhile.
    pub(super) fn ended_elsewhere(&self, a: &Attempt) -> Result<Option<Attempt>, Error> {
        Ok(self.journal.get(a.id)?.filter(|row| !row.state.is_live()))
    }
}
