//! The payment flows: what happens between the journal write and a final state.

use tokio::sync::watch;
use tokio::time::{Instant, sleep_until};

use super::{Checkout, LiveQr};
use crate::failpoint;
use crate::journal::Change;
use crate::{Attempt, AttemptState, Error, PaymentCode, PaymentOutcome};

/// The journal row change an outcome calls for, while the attempt is still being followed.
fn change_for(outcome: &PaymentOutcome, qr: bool) -> Change {
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

/// What issuing a QR code came to.
enum Issued {
    Shown(Attempt),
    Failed(Attempt),
}

/// Takes a QR attempt out of the engine's live map when its flow ends, however it ends.
struct LiveGuard<'a> {
    engine: &'a Checkout,
    id: crate::AttemptId,
}

impl Drop for LiveGuard<'_> {
    fn drop(&mut self) {
        self.engine.lock_live().remove(&self.id);
    }
}

fn ms(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Checkout {
    /// Sends a call that may be refused before it leaves (connection refused) again, a few
    /// times, with the same order number.
    async fn with_send_retry<T, F, Fut>(&self, mut call: F) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
        let policy = self.settings.send_retry;
        let mut tries = 0;
        loop {
            tries += 1;
            match call().await {
                Err(Error::Unreachable(e)) if tries < policy.attempts.max(1) => {
                    tracing::warn!("backend unreachable (try {tries}), retrying: {e}");
                    tokio::time::sleep(policy.backoff * tries).await;
                }
                other => return other,
            }
        }
    }

    pub(super) async fn barcode_flow(
        &self,
        a: Attempt,
        code: &PaymentCode,
    ) -> Result<Attempt, Error> {
        let started = Instant::now();
        failpoint::hit(failpoint::AFTER_JOURNAL_BEFORE_SEND);
        let sent = self
            .with_send_retry(|| self.backends.pay_barcode(&a, code))
            .await;
        failpoint::hit(failpoint::AFTER_SEND_BEFORE_RECORD);
        let change = match sent {
            Ok(outcome) => change_for(&outcome, false),
            // Refused before any processing (unreachable, 401/400, bad input): nothing moved.
            Err(
                e @ (Error::Unreachable(_)
                | Error::Rejected { .. }
                | Error::Crypto(_)
                | Error::Config(_)),
            ) => Change {
                to: AttemptState::Failed,
                raw_status: format!("not processed: {}", e.code()),
                reason: Some(e.to_string()),
                ..Change::default()
            },
            // Anything else after the call left (a journal hiccup, a lost session): the money
            // may have moved, so the attempt is Unknown and followed like one.
            Err(e) => Change {
                to: AttemptState::Unknown,
                raw_status: format!("after send: {}", e.code()),
                reason: Some(e.to_string()),
                ..Change::default()
            },
        };
        let mut a = self.record(&a, change)?;
        if a.state == AttemptState::PartlyPaid {
            a = self.note_remainder(a).await?;
        }
        let policy = self.settings.polls.for_channel(a.channel);
        let deadline = started + policy.give_up;
        self.emit(
            &a,
            ms(started.elapsed()),
            Some(ms(deadline.saturating_duration_since(Instant::now()))),
        );
        let mut next = started + policy.first_after;
        while a.state.is_live() {
            sleep_until(next.min(deadline)).await;
            next += policy.every;
            if let Some(ended) = self.ended_elsewhere(&a)? {
                return Ok(ended);
            }
            let outcome = self.backends.query(&a, self.collected_before(&a)?).await;
            let now = Instant::now();
            a = match outcome {
                Ok(o @ PaymentOutcome::PartlyPaid { .. }) => {
                    let partly = self.record(&a, change_for(&o, false))?;
                    self.note_remainder(partly).await?
                }
                Ok(o) => self.record(&a, change_for(&o, false))?,
                // A query that could not be sent says nothing new: keep following.
                Err(e) => {
                    tracing::warn!(attempt = %a.id, "query failed: {e}");
                    a
                }
            };
            if a.state.is_live() && now >= deadline {
                a = self.record(
                    &a,
                    Change {
                        to: AttemptState::Unknown,
                        raw_status: "poll deadline".into(),
                        reason: Some(format!(
                            "no final answer within {} s; query again",
                            policy.give_up.as_secs()
                        )),
                        ..Change::default()
                    },
                )?;
                self.emit(&a, ms(started.elapsed()), Some(0));
                return Ok(a);
            }
            self.emit(
                &a,
                ms(started.elapsed()),
                Some(ms(deadline.saturating_duration_since(now))),
            );
        }
        Ok(a)
    }

    pub(super) async fn qr_flow(&self, a: Attempt) -> Result<Attempt, Error> {
        // Reachable by `cancel` from the moment the attempt exists, even while the code is
        // still being issued; the guard takes the entry out however this function ends.
        let (cancel_tx, cancel_rx) = watch::channel(false);
        let (done_tx, done_rx) = watch::channel(None);
        self.lock_live().insert(
            a.id,
            LiveQr {
                cancel: cancel_tx,
                done: done_rx,
            },
        );
        let _registered = LiveGuard {
            engine: self,
            id: a.id,
        };
        let started = Instant::now();
        let result = match self.issue(a, started).await? {
            Issued::Failed(failed) => Ok(failed),
            Issued::Shown(shown) => self.follow_qr(shown, started, cancel_rx).await,
        };
        if let Ok(r) = &result {
            self.emit(r, ms(started.elapsed()), None);
            let _ = done_tx.send(Some(r.clone()));
        }
        result
    }

    async fn issue(&self, a: Attempt, started: Instant) -> Result<Issued, Error> {
        // The backend's own expiry comes a minute after the till's, so the till always runs
        // its final query and close first and the attempt ends "expired", not "closed by
        // the backend" half a second early.
        let policy = self.settings.polls.qr;
        let expires_at = self.clock.now()
            + chrono::TimeDelta::from_std(policy.give_up + std::time::Duration::from_secs(60))
                .unwrap_or(chrono::TimeDelta::MAX);
        failpoint::hit(failpoint::AFTER_JOURNAL_BEFORE_SEND);
        let issued = self
            .with_send_retry(|| self.backends.issue_qr(&a, expires_at))
            .await;
        failpoint::hit(failpoint::AFTER_SEND_BEFORE_RECORD);
        match issued {
            Ok(qr) => Ok(Issued::Shown(self.record(
                &a,
                Change {
                    to: AttemptState::Shown,
                    raw_status: "code issued".into(),
                    reference: Some(qr.reference),
                    code_url: Some(qr.code_url),
                    ..Change::default()
                },
            )?)),
            Err(e) => {
                // No code reached a customer, so nothing can have been paid; a Cloud Pay order
                // that may exist is closed so it cannot be paid later.
                if a.channel.is_cloud() {
                    let _ = self.backends.close_qr(&a).await;
                }
                let failed = self.record(
                    &a,
                    Change {
                        to: AttemptState::Failed,
                        raw_status: format!("no code issued: {}", e.code()),
                        reason: Some(e.to_string()),
                        ..Change::default()
                    },
                )?;
                self.emit(&failed, ms(started.elapsed()), None);
                Ok(Issued::Failed(failed))
            }
        }
    }

    /// Polls a QR on screen until it is paid, fails, is cancelled or runs out of time; then
    /// ends it. A journal error mid-way still ends the QR (final query, close) before it is
    /// reported, so no code stays payable behind the cashier's back.
    async fn follow_qr(
        &self,
        mut a: Attempt,
        started: Instant,
        mut cancel_rx: watch::Receiver<bool>,
    ) -> Result<Attempt, Error> {
        let policy = self.settings.polls.qr;
        let deadline = started + policy.give_up;
        self.emit(&a, 0, Some(ms(policy.give_up)));
        let mut next = started + policy.first_after;
        let end = loop {
            // A cancel that came while the code was being issued counts too.
            if *cancel_rx.borrow_and_update() {
                break Ok(AttemptState::Cancelled);
            }
            tokio::select! {
                _ = sleep_until(next.min(deadline)) => {}
                _ = cancel_rx.changed() => continue,
            }
            next += policy.every;
            match self.poll_qr_once(&a).await {
                Ok(polled) => a = polled,
                Err(e) => break Err(e),
            }
            if !a.state.is_live() {
                break Ok(a.state);
            }
            let now = Instant::now();
            if now >= deadline {
                break Ok(AttemptState::Expired);
            }
            self.emit(
                &a,
                ms(started.elapsed()),
                Some(ms(deadline.saturating_duration_since(now))),
            );
        };
        match end {
            Ok(_) if !a.state.is_live() => Ok(a),
            Ok(end) => self.end_qr(a, end).await,
            Err(e) => {
                tracing::error!(attempt = %a.id, "QR follow failed, ending it: {e}");
                let _ = self.end_qr(a, AttemptState::Expired).await;
                Err(e)
            }
        }
    }

    /// One poll: the journal first (another process may have ended it), then the backend.
    async fn poll_qr_once(&self, a: &Attempt) -> Result<Attempt, Error> {
        if let Some(ended) = self.ended_elsewhere(a)? {
            return Ok(ended);
        }
        match self.backends.query(a, self.collected_before(a)?).await {
            Ok(o) => self.record(a, change_for(&o, true)),
            Err(e) => {
                tracing::warn!(attempt = %a.id, "QR query failed: {e}");
                Ok(a.clone())
            }
        }
    }

    /// A partly paid bill stays open: tell the cashier what is left, where the backend says.
    async fn note_remainder(&self, a: Attempt) -> Result<Attempt, Error> {
        let Some(left) = self.backends.remainder(&a).await else {
            return Ok(a);
        };
        self.record(
            &a,
            Change {
                to: AttemptState::PartlyPaid,
                raw_status: format!("remainder {}", left.0),
                reason: Some(format!("bill not fully paid: ¥{left} still to pay")),
                ..Change::default()
            },
        )
    }

    /// A QR attempt that never reached `Shown` was never on screen, so nobody can have paid
    /// it; a Cloud Pay order that may exist is closed so that stays true.
    pub(super) async fn abandon_unshown_qr(&self, a: &Attempt) -> Result<Attempt, Error> {
        let closed = if a.channel.is_cloud() {
            self.backends.close_qr(a).await.is_ok()
        } else {
            false
        };
        self.record(
            a,
            Change {
                to: AttemptState::Cancelled,
                raw_status: if closed {
                    "closed".into()
                } else {
                    "never shown".into()
                },
                reason: Some("the QR code was never shown; nothing can have been paid".into()),
                ..Change::default()
            },
        )
    }

    /// Ends a QR attempt: one final query, then close where possible (PROTOCOLS §5.3).
    pub(super) async fn end_qr(&self, a: Attempt, end: AttemptState) -> Result<Attempt, Error> {
        let last = self.backends.query(&a, self.collected_before(&a)?).await;
        failpoint::hit(failpoint::BEFORE_CLOSE);
        let change = match last {
            Ok(
                o @ (PaymentOutcome::Paid { .. }
                | PaymentOutcome::PartlyPaid { .. }
                | PaymentOutcome::Failed { .. }),
            ) => change_for(&o, true),
            Ok(PaymentOutcome::Pending { .. })
                if a.reference.is_none() && !a.channel.is_cloud() =>
            {
                Change {
                    to: end,
                    raw_status: "never shown".into(),
                    reason: Some("the QR code was never shown".into()),
                    ..Change::default()
                }
            }
            Ok(PaymentOutcome::Pending { status, .. }) => match self.backends.close_qr(&a).await {
                Ok(closed) => Change {
                    to: end,
                    raw_status: status,
                    reason: Some(if closed {
                        "closed".into()
                    } else {
                        "not paid; this back office has no close".into()
                    }),
                    ..Change::default()
                },
                // Refused close: it may have been paid in between. Ask once more.
                Err(e) => match self.backends.query(&a, self.collected_before(&a)?).await {
                    Ok(o @ (PaymentOutcome::Paid { .. } | PaymentOutcome::PartlyPaid { .. })) => {
                        change_for(&o, true)
                    }
                    _ => Change {
                        to: AttemptState::Unknown,
                        raw_status: format!("close failed: {}", e.code()),
                        reason: Some(format!("could not close the QR order: {e}")),
                        ..Change::default()
                    },
                },
            },
            // The final query said nothing; where the backend can close, a confirmed close
            // still settles it (Cloud Pay refuses to close a paid order).
            Ok(PaymentOutcome::Unknown { reason }) => self.close_or_unknown(&a, end, reason).await,
            Err(e) => self.close_or_unknown(&a, end, e.to_string()).await,
        };
        match self.record(&a, change) {
            Ok(r) => Ok(r),
            // Another process ended it first; its word stands.
            Err(e) => self.ended_elsewhere(&a)?.ok_or(e),
        }
    }

    async fn close_or_unknown(&self, a: &Attempt, end: AttemptState, reason: String) -> Change {
        match (a.channel.is_cloud(), self.backends.close_qr(a).await) {
            (true, Ok(true)) => Change {
                to: end,
                raw_status: "closed after an unknown final query".into(),
                reason: Some("closed".into()),
                ..Change::default()
            },
            _ => Change {
                to: AttemptState::Unknown,
                raw_status: "final query unknown".into(),
                reason: Some(reason),
                ..Change::default()
            },
        }
    }

    /// After a one-off query (query again, recovery): pending becomes Unknown, because nobody
    /// is following it any more.
    pub(super) fn settle_after_query(
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
        let r = self.record(a, change)?;
        self.emit(&r, 0, None);
        Ok(r)
    }

    /// The journal row, if another process (or a manager) has ended the attempt meanwhile.
    fn ended_elsewhere(&self, a: &Attempt) -> Result<Option<Attempt>, Error> {
        Ok(self.journal.get(a.id)?.filter(|row| !row.state.is_live()))
    }
}
