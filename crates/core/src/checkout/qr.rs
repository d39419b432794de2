//! QR payments: issue a code, poll while it is on screen, end it with a final query and a
//! close where the backend can (docs/protocols.md §5.3). A code the back office cannot close
//! is not over when the till stops showing it: it is abandoned and watched (`recovery`).

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until};

use super::barcode::far_future;
use super::settle::change_for;
use super::{Checkout, ms};
use crate::failpoint;
use crate::journal::Change;
use crate::{Attempt, AttemptState, Error, PaymentOutcome};

/// What issuing a QR code came to.
enum Issued {
    Shown(Attempt),
    Failed(Attempt),
}

impl Checkout {
    pub(super) async fn qr_flow(&self, a: Attempt) -> Result<Attempt, Error> {
        // Reachable by `cancel` from the moment the attempt exists, even while the code is
        // still being issued; the guard takes the entry out however this function ends.
        let (cancel_tx, cancel_rx) = watch::channel(false);
        let guard = self.follow(a.id, Some(cancel_tx));
        let started = Instant::now();
        let result = match self.issue(a, started).await? {
            Issued::Failed(failed) => Ok(failed),
            Issued::Shown(shown) => self.follow_qr(shown, started, cancel_rx).await,
        };
        if let Ok(r) = &result {
            self.emit(r, ms(started.elapsed()), None);
            guard.finish(r);
        }
        result
    }

    async fn issue(&self, a: Attempt, started: Instant) -> Result<Issued, Error> {
        // The backend's own expiry comes a minute after the till's, so the till always runs
        // its final query and close first and the attempt ends "expired", not "closed by
        // the backend" half a second early.
        let policy = self.settings.polls.qr;
        let expires_at = TimeDelta::from_std(policy.give_up + std::time::Duration::from_secs(60))
            .ok()
            .and_then(|d| self.clock.now().checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        failpoint::hit(failpoint::AFTER_JOURNAL_BEFORE_SEND);
        let issued = self
            .with_send_retry(|| self.backends.issue_qr(&a, expires_at))
            .await;
        failpoint::hit(failpoint::AFTER_SEND_BEFORE_RECORD);
        match issued {
            Ok(qr) => Ok(Issued::Shown(
                self.record(
                    &a,
                    Change {
                        to: AttemptState::Shown,
                        raw_status: "code issued".into(),
                        reference: Some(qr.reference),
                        code_url: Some(qr.code_url),
                        ..Change::default()
                    },
                )
                .await?,
            )),
            Err(e) => {
                // No code reached a customer, so nothing can have been paid; an order that
                // may exist is closed where the backend can, so it cannot be paid later.
                let _ = self.backends.close_qr(&a).await;
                let failed = self
                    .record(
                        &a,
                        Change {
                            to: AttemptState::Failed,
                            raw_status: format!("no code issued: {}", e.code()),
                            reason: Some(e.to_string()),
                            ..Change::default()
                        },
                    )
                    .await?;
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
        let deadline = started
            .checked_add(policy.give_up)
            .unwrap_or_else(far_future);
        self.emit(&a, 0, Some(ms(policy.give_up)));
        let mut next = started
            .checked_add(policy.first_after)
            .unwrap_or_else(far_future);
        let end = loop {
            // A cancel that came while the code was being issued counts too.
            if *cancel_rx.borrow_and_update() {
                break Ok(AttemptState::Cancelled);
            }
            tokio::select! {
                _ = sleep_until(next.min(deadline)) => {}
                _ = cancel_rx.changed() => continue,
            }
            next = next.checked_add(policy.every).unwrap_or(deadline);
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
            Ok(o) => self.record_polled(a, change_for(&o, true)).await,
            Err(e) => {
                tracing::warn!(attempt = %a.id, "QR query failed: {e}");
                Ok(a.clone())
            }
        }
    }

    /// A QR attempt that never reached `Shown` was never on screen, so nobody can have paid
    /// it; an order that may exist is closed where the backend can, so that stays true.
    pub(super) async fn abandon_unshown_qr(&self, a: &Attempt) -> Result<Attempt, Error> {
        let closed = self.backends.close_qr(a).await.unwrap_or(false);
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
        .await
    }

    /// Ends a QR attempt: one final query, then close where possible. A code the back office
    /// cannot close is abandoned instead: still payable, and watched until it no longer is.
    pub(super) async fn end_qr(&self, a: Attempt, end: AttemptState) -> Result<Attempt, Error> {
        let last = if self.backends.can_query(&a).is_ok() {
            self.backends.query(&a, self.collected_before(&a)?).await
        } else {
            Ok(PaymentOutcome::pending("never shown", None))
        };
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
                Ok(true) => Change {
                    to: end,
                    raw_status: status,
                    reason: Some("closed".into()),
                    ..Change::default()
                },
                Ok(false) => self.abandoned(&a, end, status),
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
        let recorded = self.record(&a, change).await;
        let r = match recorded {
            Ok(r) => r,
            // Another process ended it first; its word stands.
            Err(e) => return self.ended_elsewhere(&a)?.ok_or(e),
        };
        self.emit(&r, 0, None);
        Ok(r)
    }

    /// The change for an unpaid code the back office cannot close: abandoned and watched while
    /// it can still be paid; past that, simply how the till ended it.
    fn abandoned(&self, a: &Attempt, end: AttemptState, status: String) -> Change {
        let until = self.payable_until(a);
        if until <= self.clock.now() {
            return Change {
                to: end,
                raw_status: status,
                reason: Some("not paid, and no longer payable".into()),
                ..Change::default()
            };
        }
        let why = match end {
            AttemptState::Cancelled => "cancelled by the cashier",
            _ => "no longer on screen",
        };
        Change {
            to: AttemptState::Abandoned,
            raw_status: status,
            reason: Some(format!(
                "{why}; the customer can still pay this code until {} (watched)",
                until
                    .with_timezone(&self.settings.tz)
                    .format("%Y-%m-%d %H:%M")
            )),
            watch_until: Some(until),
            ..Change::default()
        }
    }

    /// When an unclosable code stops being payable: `qr_payable_for` after it was issued.
    pub(super) fn payable_until(&self, a: &Attempt) -> DateTime<Utc> {
        a.watch_until.unwrap_or_else(|| {
            TimeDelta::from_std(self.settings.qr_payable_for)
                .ok()
                .and_then(|d| a.created_at.checked_add_signed(d))
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
        })
    }

    async fn close_or_unknown(&self, a: &Attempt, end: AttemptState, reason: String) -> Change {
        match self.backends.close_qr(a).await {
            Ok(true) => Change {
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
}
