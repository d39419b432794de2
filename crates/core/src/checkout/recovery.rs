//! What a previous run left unfinished, and QR codes the till gave up on that the customer
//! can still pay.
//!
//! At start-up every live attempt is looked at before anything else (docs/protocols.md §5.4).
//! One still inside its channel's poll window, counted from its own start, is followed exactly
//! as a live payment would be (a customer may be typing the password right now); one past it
//! gets one query. Abandoned QR codes are asked about once, and then watched in the background
//! with back-off until they stop being payable.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use serde::Serialize;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::Checkout;
use super::settle::{CANNOT_QUERY, change_for};
use crate::journal::Change;
use crate::reasons::NotAllowed;
use crate::{Attempt, AttemptId, AttemptState, BillNo, CallError, Error, PaymentOutcome};

/// What start-up recovery did to each attempt it found unfinished.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecoveryReport {
    pub checked: Vec<Recovered>,
    /// Another live process holds this till and follows its own attempts: nothing was touched.
    pub deferred: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recovered {
    pub attempt_id: AttemptId,
    pub order_no: String,
    pub from: AttemptState,
    pub to: AttemptState,
    /// Still inside its poll window: followed in the background; `to` is where it stood.
    pub following: bool,
}

/// How often the watcher looks for abandoned codes that are due.
const WATCH_TICK: Duration = Duration::from_secs(5);
/// Back-off bounds for asking about one abandoned code.
const WATCH_MIN: Duration = Duration::from_secs(10);
const WATCH_MAX: Duration = Duration::from_secs(300);

impl Checkout {
    /// Looks at every unfinished attempt once. Called by [`Checkout::open`]; callable again.
    pub async fn recover(self: &Arc<Self>) -> Result<RecoveryReport, Error> {
        let mut report = RecoveryReport::default();
        if self.claim.is_none() {
            report.deferred = true;
            return Ok(report);
        }
        let mut found = self.journal.live()?;
        found.extend(self.journal.watched()?);
        for a in found {
            if self.lock_followed().contains_key(&a.id) {
                continue;
            }
            let from = a.state;
            let (after, following) = self.recover_one(a.clone()).await?;
            tracing::info!(attempt = %a.id, order = %a.order_no, %from, to = %after.state, following, "recovered");
            report.checked.push(Recovered {
                attempt_id: a.id,
                order_no: a.order_no.clone(),
                from,
                to: after.state,
                following,
            });
        }
        Ok(report)
    }

    async fn recover_one(self: &Arc<Self>, a: Attempt) -> Result<(Attempt, bool), Error> {
        if a.state.is_watched() {
            return Ok((self.check_abandoned(a, false).await?, false));
        }
        if a.state == AttemptState::Issuing {
            return Ok((self.abandon_unshown_qr(&a).await?, false));
        }
        if a.channel.is_qr() {
            // Nobody shows it any more: final query, close or abandon.
            return Ok((self.end_qr(a, AttemptState::Expired).await?, false));
        }
        if let Err(why) = self.backends.can_query(&a) {
            let asked_before = a.state == AttemptState::Unknown
                && self
                    .journal
                    .transitions(a.id)?
                    .last()
                    .map(|t| t.raw_status.as_str())
                    == Some(CANNOT_QUERY);
            return if asked_before {
                Ok((a, false))
            } else {
                Ok((self.needs_manager(&a, why).await?, false))
            };
        }
        if let Some(elapsed) = self.inside_poll_window(&a) {
            self.follow_recovered(a.clone(), elapsed);
            return Ok((a, true));
        }
        let outcome = self.backends.query(&a, self.collected_before(&a)?).await;
        Ok((
            self.settle_after_query(&a, outcome, "recovered after restart")
                .await?,
            false,
        ))
    }

    /// How long ago a barcode attempt began, if that is still inside its poll window.
    fn inside_poll_window(&self, a: &Attempt) -> Option<Duration> {
        let policy = self.settings.polls.for_channel(a.channel);
        let elapsed = self.age(a);
        (elapsed < policy.give_up).then_some(elapsed)
    }

    /// How long ago the attempt began, by the till's clock (zero for one stamped later).
    fn age(&self, a: &Attempt) -> Duration {
        self.clock
            .now()
            .signed_duration_since(a.created_at)
            .to_std()
            .unwrap_or(Duration::ZERO)
    }

    /// Follows a barcode attempt a previous run left in progress, to the deadline it had.
    fn follow_recovered(self: &Arc<Self>, a: Attempt, elapsed: Duration) {
        let engine = self.clone();
        let policy = self.settings.polls.for_channel(a.channel);
        let now = Instant::now();
        let started = now.checked_sub(elapsed).unwrap_or(now);
        let deadline = now + policy.give_up.saturating_sub(elapsed);
        // Registered before the task runs, so a second recovery or a query-again does not
        // take it for an attempt nobody follows.
        let guard_id = a.id;
        let (done_tx, done_rx) = tokio::sync::watch::channel(None);
        self.lock_followed().insert(
            guard_id,
            super::Followed {
                cancel: None,
                done: done_rx,
            },
        );
        let flow: JoinHandle<Result<Attempt, Error>> = tokio::spawn(async move {
            let ended = engine.poll_barcode(a, started, deadline).await;
            if let Ok(a) = &ended {
                let _ = done_tx.send(Some(a.clone()));
            }
            engine.lock_followed().remove(&guard_id);
            ended
        });
        self.recovered
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(flow);
    }

    /// Waits for the attempts recovery is still following, and completes `report` with how
    /// each of them ended.
    pub async fn wait_recovered(&self, mut report: RecoveryReport) -> RecoveryReport {
        let flows: Vec<_> =
            std::mem::take(&mut *self.recovered.lock().unwrap_or_else(|p| p.into_inner()));
        for flow in flows {
            let ended = match flow.await {
                Ok(Ok(a)) => a,
                Ok(Err(e)) => {
                    tracing::warn!("following a recovered attempt: {e}");
                    continue;
                }
                Err(e) => {
                    tracing::warn!("recovery task: {e}");
                    continue;
                }
            };
            if let Some(r) = report.checked.iter_mut().find(|r| r.attempt_id == ended.id) {
                r.to = ended.state;
                r.following = false;
            }
        }
        report
    }

    /// Asks about an abandoned QR code once: paid is recorded and announced; a code past its
    /// payable window is expired; anything else leaves it watched. With `strict`, an answer
    /// that could not be had is an error (the bill must not be charged again on a guess).
    pub(super) async fn check_abandoned(&self, a: Attempt, strict: bool) -> Result<Attempt, Error> {
        let outcome = self.backends.query(&a, self.collected_before(&a)?).await;
        // Older journals left such codes cancelled or expired: for them only a payment counts.
        let watched = a.state.is_watched();
        let over = self.payable_until(&a) <= self.clock.now();
        let change = match outcome {
            Ok(o @ (PaymentOutcome::Paid { .. } | PaymentOutcome::PartlyPaid { .. })) => {
                tracing::warn!(attempt = %a.id, order = %a.order_no, "an abandoned QR code was paid");
                let paid = self.record(&a, change_for(&o, true)).await?;
                self.emit_late(&paid);
                return Ok(paid);
            }
            Ok(o @ PaymentOutcome::Failed { .. }) if watched => change_for(&o, true),
            Ok(PaymentOutcome::Pending { status, .. }) if over && watched => Change {
                to: AttemptState::Expired,
                raw_status: status,
                reason: Some("not paid, and no longer payable".into()),
                ..Change::default()
            },
            Ok(PaymentOutcome::Pending { .. } | PaymentOutcome::Failed { .. }) => return Ok(a),
            Ok(PaymentOutcome::Unknown { reason: said })
            | Err(Error::Call(CallError::NoAnswer(said)))
                if strict =>
            {
                return Err(NotAllowed::EarlierQrUnchecked {
                    order_no: a.order_no.clone(),
                    said,
                }
                .into());
            }
            Err(e) if strict => return Err(e),
            Ok(PaymentOutcome::Unknown { .. }) | Err(_) => return Ok(a),
        };
        let r = self.record(&a, change).await?;
        self.emit(&r, 0, None);
        Ok(r)
    }

    /// Watches abandoned QR codes in the background until each is paid or stops being
    /// payable, asking about each less often as it ages (every 10 s at first, at most every
    /// 5 minutes). Only the process holding the till watches.
    pub fn watch_abandoned(self: &Arc<Self>) -> Option<JoinHandle<()>> {
        self.claim.as_ref()?;
        let engine = Arc::downgrade(self);
        Some(tokio::spawn(async move {
            let mut due: HashMap<AttemptId, Instant> = HashMap::new();
            loop {
                tokio::time::sleep(WATCH_TICK).await;
                let Some(engine) = engine.upgrade() else {
                    return;
                };
                let watched = match engine.journal.watched() {
                    Ok(w) => w,
                    Err(e) => {
                        tracing::warn!("listing abandoned QR codes: {e}");
                        continue;
                    }
                };
                let now = Instant::now();
                due.retain(|id, _| watched.iter().any(|a| a.id == *id));
                for a in watched {
                    if due.get(&a.id).is_some_and(|at| *at > now) {
                        continue;
                    }
                    let age = engine.age(&a);
                    due.insert(a.id, now + (age / 6).clamp(WATCH_MIN, WATCH_MAX));
                    if let Err(e) = engine.check_abandoned(a, false).await {
                        tracing::warn!("watching an abandoned QR code: {e}");
                    }
                }
            }
        }))
    }

    /// A QR code the back office cannot close may be paid by a customer who kept it on
    /// screen. Before the bill is charged again, those codes are asked once more; a late
    /// payment is recorded and the bill is then paid. One that cannot be asked blocks the
    /// bill, as an Unknown attempt would.
    pub(super) async fn recheck_unclosable_qr(&self, bill: &BillNo) -> Result<(), Error> {
        let now = self.clock.now();
        let window = TimeDelta::from_std(self.settings.qr_payable_for).unwrap_or(TimeDelta::MAX);
        for a in self.journal.by_bill(bill)? {
            // Journals from before `abandoned` existed left such codes cancelled or expired.
            let legacy = matches!(a.state, AttemptState::Expired | AttemptState::Cancelled)
                && !a.channel.can_close()
                && a.reference.is_some()
                && now.signed_duration_since(a.created_at) < window;
            if a.state.is_watched() || legacy {
                self.check_abandoned(a, true).await?;
            }
        }
        Ok(())
    }
}
