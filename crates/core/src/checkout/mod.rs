//! The checkout engine: one call per cashier action, a stream of [`CheckoutEvent`]s.
//!
//! Every attempt is journalled before its payment call leaves, every retry reuses its order
//! number, a lost answer is `Unknown` (never failed), and a bill with a live or unknown attempt
//! cannot be charged again (PROTOCOLS §5). Time comes from the injected [`Clock`] and tokio's
//! timers, randomness from a seeded generator.

mod event;
mod flow;
mod refund;
mod route;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};

pub use event::CheckoutEvent;
pub use route::{Backends, TourV5Link};

use crate::cloudpay::Platform;
use crate::config::PollPolicies;
use crate::journal::{Change, Journal, NewAttempt, TillClaim};
use crate::order_no::OrderSchemes;
use crate::{
    Attempt, AttemptId, AttemptState, BillNo, Channel, Clock, Error, Fen, PaymentCode,
    PaymentOutcome,
};

/// Retrying a call that certainly never left this machine (connection refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendRetry {
    pub attempts: u32,
    #[serde(with = "crate::config::secs")]
    pub backoff: Duration,
}

impl Default for SendRetry {
    fn default() -> Self {
        SendRetry {
            attempts: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

#[derive(Debug, Clone)]
pub struct CheckoutSettings {
    pub operator: String,
    /// How order numbers are made, per backend.
    pub orders: OrderSchemes,
    pub tz: chrono_tz::Tz,
    pub polls: PollPolicies,
    pub send_retry: SendRetry,
    /// How long a Tour V5 QR code stays payable after it is issued (it cannot be closed).
    pub qr_payable_for: Duration,
    /// How long after an attempt began a manager may declare it failed while the backend
    /// still shows it in progress.
    pub resolve_after: Duration,
}

/// A barcode payment as the cashier entered it, already validated.
#[derive(Debug, Clone)]
pub struct BarcodePayment {
    pub bill: BillNo,
    pub amount: Fen,
    pub channel: Channel,
    pub code: PaymentCode,
}

/// A QR payment as the cashier entered it. `wallet` matters for `cloud-qr` only.
#[derive(Debug, Clone)]
pub struct QrPayment {
    pub bill: BillNo,
    pub amount: Fen,
    pub channel: Channel,
    pub wallet: Platform,
}

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
}

/// A QR poll loop running in this process, reachable by `cancel`.
struct LiveQr {
    cancel: watch::Sender<bool>,
    done: watch::Receiver<Option<Attempt>>,
}

pub struct Checkout {
    journal: Arc<Journal>,
    backends: Backends,
    settings: CheckoutSettings,
    clock: Arc<dyn Clock>,
    rng: Mutex<StdRng>,
    events: broadcast::Sender<CheckoutEvent>,
    live_qr: Mutex<HashMap<AttemptId, LiveQr>>,
    /// Held while this engine is the till's checkout; `None` for a second process (a
    /// `cashier cancel` beside a running `cashier pay`).
    claim: Option<TillClaim>,
}

impl Checkout {
    /// Opens the engine and, before it can take any payment, queries every attempt a previous
    /// run left unfinished (PROTOCOLS §5.4).
    pub async fn open(
        journal: Arc<Journal>,
        backends: Backends,
        settings: CheckoutSettings,
        clock: Arc<dyn Clock>,
        seed: u64,
    ) -> Result<(Checkout, RecoveryReport), Error> {
        let (events, _) = broadcast::channel(256);
        let claim = journal.claim_till()?;
        let engine = Checkout {
            journal,
            backends,
            settings,
            clock,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            events,
            live_qr: Mutex::new(HashMap::new()),
            claim,
        };
        let report = engine.recover().await?;
        Ok((engine, report))
    }

    pub fn subscribe(&self) -> broadcast::Receiver<CheckoutEvent> {
        self.events.subscribe()
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    pub fn settings(&self) -> &CheckoutSettings {
        &self.settings
    }

    /// Warms the connection to the channel's backend when a payment screen opens.
    pub async fn preconnect(&self, channel: Channel) {
        self.backends.preconnect(channel).await;
    }

    /// Barcode: journal → pay → paid | failed | pending → poll → paid | failed | Unknown.
    pub async fn pay_barcode(&self, p: BarcodePayment) -> Result<Attempt, Error> {
        self.check_till()?;
        if p.channel.is_qr() {
            return Err(Error::Config(format!("{} is a QR channel", p.channel)));
        }
        self.backends.check(p.channel)?;
        let wallet = match p.channel {
            Channel::CloudBarcode => {
                Some(route::wallet_name(Platform::for_code(&p.code)?).to_string())
            }
            _ => None,
        };
        self.recheck_unclosable_qr(&p.bill).await?;
        let paid_before = self.backends.bill_paid_before(p.channel, &p.bill).await;
        let a = self.begin(
            &p.bill,
            p.amount,
            p.channel,
            wallet,
            Some(p.code.masked()),
            paid_before,
        )?;
        tracing::info!(attempt = %a.id, order = %a.order_no, code = %p.code, "barcode payment journalled");
        self.barcode_flow(a, &p.code).await
    }

    /// QR: journal → issue code → poll while shown → paid | expired | cancelled.
    pub async fn pay_qr(&self, p: QrPayment) -> Result<Attempt, Error> {
        self.check_till()?;
        if !p.channel.is_qr() {
            return Err(Error::Config(format!("{} is a barcode channel", p.channel)));
        }
        self.backends.check(p.channel)?;
        let wallet = match p.channel {
            Channel::CloudQr => Some(route::wallet_name(p.wallet).to_string()),
            _ => None,
        };
        self.recheck_unclosable_qr(&p.bill).await?;
        let a = self.begin(&p.bill, p.amount, p.channel, wallet, None, None)?;
        self.qr_flow(a).await
    }

    /// Cashier cancels a QR on screen: final query, then close where the backend can.
    pub async fn cancel(&self, id: AttemptId) -> Result<Attempt, Error> {
        let a = self.get(id)?;
        if !a.channel.is_qr() {
            return Err(Error::NotAllowed(
                "a barcode payment cannot be cancelled once sent; query it again instead".into(),
            ));
        }
        if !a.state.is_live() {
            return Ok(a);
        }
        let running = self
            .lock_live()
            .get(&id)
            .map(|l| (l.cancel.clone(), l.done.clone()));
        match running {
            // The till's flow is still getting the code; it must end it (a guest closing an
            // order that does not exist yet would leave the real one open).
            None if a.state == AttemptState::Issuing && self.claim.is_none() => {
                Err(Error::NotAllowed(
                    "the QR code is still being issued; cancel it again in a moment".into(),
                ))
            }
            None if a.state == AttemptState::Issuing => self.abandon_unshown_qr(&a).await,
            Some((cancel, mut done)) => {
                let _ = cancel.send(true);
                loop {
                    if let Some(a) = done.borrow_and_update().clone() {
                        return Ok(a);
                    }
                    if done.changed().await.is_err() {
                        return self.get(id);
                    }
                }
            }
            None => self.end_qr(a, AttemptState::Cancelled).await,
        }
    }

    /// One more query for an attempt that is not known to have ended.
    pub async fn query_again(&self, id: AttemptId) -> Result<Attempt, Error> {
        let a = self.get(id)?;
        if !a.state.is_live() {
            return Ok(a);
        }
        // Followed elsewhere (a QR on screen in this process, or anything the till's own
        // process follows when this one is a guest): report what the backend says now, and
        // record only an answer that ends it — never turn it Unknown behind the follower's back.
        if self.lock_live().contains_key(&id) || self.claim.is_none() {
            let outcome = self.backends.query(&a, self.collected_before(&a)?).await?;
            // A declined QR is left for its follower to end with the final query and close.
            let ends = match &outcome {
                PaymentOutcome::Paid { .. } | PaymentOutcome::PartlyPaid { .. } => true,
                PaymentOutcome::Failed { .. } => !a.channel.is_qr(),
                PaymentOutcome::Pending { .. } | PaymentOutcome::Unknown { .. } => false,
            };
            return if ends {
                self.settle_after_query(&a, Ok(outcome), "queried again")
            } else {
                Ok(a)
            };
        }
        if a.channel.is_qr() {
            return self.end_qr(a, AttemptState::Expired).await;
        }
        let outcome = self.backends.query(&a, self.collected_before(&a)?).await;
        self.settle_after_query(&a, outcome, "queried again")
    }

    /// A manager decides an Unknown attempt by other means (the back office, the customer's
    /// phone); the decision and its note are journalled. Before a "failed" is accepted the
    /// backend is asked once more: a payment it reports paid is recorded as paid instead, and
    /// one it still shows in progress (a customer typing a password) is refused until
    /// `resolve_after` has passed since the attempt began — declaring it failed then and
    /// charging the bill again would charge the customer twice.
    pub async fn force_resolve(
        &self,
        id: AttemptId,
        to: AttemptState,
        note: &str,
        manager: &str,
    ) -> Result<Attempt, Error> {
        // Only Unknown: an attempt still being followed ends by itself.
        let current = self.get(id)?;
        if current.state != AttemptState::Unknown {
            return Err(Error::NotAllowed(format!(
                "only an Unknown attempt can be resolved; this one is {} (wait for it, or query it again)",
                current.state
            )));
        }
        if to == AttemptState::Failed {
            let outcome = self
                .backends
                .query(&current, self.collected_before(&current)?)
                .await;
            match outcome {
                Ok(o @ (PaymentOutcome::Paid { .. } | PaymentOutcome::PartlyPaid { .. })) => {
                    return self.settle_after_query(&current, Ok(o), "found paid before resolving");
                }
                Ok(PaymentOutcome::Pending { status, .. }) => {
                    let age = self.clock.now().signed_duration_since(current.created_at);
                    let wait = chrono::TimeDelta::from_std(self.settings.resolve_after)
                        .unwrap_or(chrono::TimeDelta::MAX);
                    if age < wait {
                        return Err(Error::NotAllowed(format!(
                            "the backend still shows this payment in progress ({status}); query it again, or resolve it after {} s",
                            (wait - age).num_seconds().max(1)
                        )));
                    }
                }
                Ok(PaymentOutcome::Failed { .. } | PaymentOutcome::Unknown { .. }) | Err(_) => {}
            }
        }
        let a = self
            .journal
            .resolve(id, to, note, manager, self.clock.now())?;
        self.emit(&a, 0, None);
        Ok(a)
    }

    /// Payments are taken only by the process that holds the till, so that no other process's
    /// recovery can mistake a payment in progress for one left behind by a crash.
    fn check_till(&self) -> Result<(), Error> {
        match self.claim {
            Some(_) => Ok(()),
            None => Err(Error::NotAllowed(
                "another cashier process holds this till; take the payment there, or close it first".into(),
            )),
        }
    }

    /// Queries every unfinished attempt once. Called by [`Checkout::open`]; callable again.
    pub async fn recover(&self) -> Result<RecoveryReport, Error> {
        let mut report = RecoveryReport::default();
        if self.claim.is_none() {
            report.deferred = true;
            return Ok(report);
        }
        for a in self.journal.live()? {
            if self.lock_live().contains_key(&a.id) {
                continue;
            }
            let from = a.state;
            let after = if a.state == AttemptState::Issuing {
                self.abandon_unshown_qr(&a).await?
            } else if a.channel.is_qr() {
                self.end_qr(a.clone(), AttemptState::Expired).await?
            } else {
                let outcome = self.backends.query(&a, self.collected_before(&a)?).await;
                self.settle_after_query(&a, outcome, "recovered after restart")?
            };
            tracing::info!(attempt = %a.id, order = %a.order_no, %from, to = %after.state, "recovered");
            report.checked.push(Recovered {
                attempt_id: a.id,
                order_no: a.order_no.clone(),
                from,
                to: after.state,
            });
        }
        Ok(report)
    }

    /// Tour V5 documents no close for QR orders, so a code the till gave up on may still be
    /// paid by a customer who kept it on screen. Before the bill is charged again, those
    /// attempts are asked once more; a late payment is recorded and the bill is then paid.
    /// Only codes still within `qr_payable_for` of being issued can be paid, so only those are
    /// asked; one that cannot be asked blocks the bill, as an Unknown attempt would.
    async fn recheck_unclosable_qr(&self, bill: &BillNo) -> Result<(), Error> {
        let now = self.clock.now();
        let window = chrono::TimeDelta::from_std(self.settings.qr_payable_for)
            .unwrap_or(chrono::TimeDelta::MAX);
        for a in self.journal.by_bill(bill)? {
            let unclosable = matches!(a.channel, Channel::WechatQr | Channel::AlipayQr);
            let gave_up = matches!(a.state, AttemptState::Expired | AttemptState::Cancelled);
            let payable = now.signed_duration_since(a.created_at) < window;
            if !(unclosable && gave_up && payable && a.reference.is_some()) {
                continue;
            }
            match self.backends.query(&a, self.collected_before(&a)?).await {
                Ok(o @ (PaymentOutcome::Paid { .. } | PaymentOutcome::PartlyPaid { .. })) => {
                    tracing::warn!(attempt = %a.id, order = %a.order_no, "QR paid after the till gave up on it");
                    let late = self.settle_after_query(&a, Ok(o), "paid after the QR expired")?;
                    self.emit(&late, 0, None);
                }
                Ok(PaymentOutcome::Pending { .. } | PaymentOutcome::Failed { .. }) => {}
                Ok(PaymentOutcome::Unknown { reason }) | Err(Error::NoAnswer(reason)) => {
                    return Err(Error::NotAllowed(format!(
                        "an earlier QR code for this bill ({}) may still be paid and could not be checked ({reason}); try again",
                        a.order_no
                    )));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn begin(
        &self,
        bill: &BillNo,
        amount: Fen,
        channel: Channel,
        wallet: Option<String>,
        code_masked: Option<String>,
        bill_paid_before: Option<Fen>,
    ) -> Result<Attempt, Error> {
        let now = self.clock.now();
        let nonce: u32 = self.rng.lock().unwrap_or_else(|p| p.into_inner()).r#gen();
        let new = NewAttempt {
            bill: bill.clone(),
            amount,
            channel,
            wallet,
            code_masked,
            operator: self.settings.operator.clone(),
            scheme: self.settings.orders.for_channel(channel).clone(),
            bill_paid_before,
        };
        let day = now.with_timezone(&self.settings.tz).date_naive();
        let a = self.journal.begin(new, now, day, nonce)?;
        self.emit(&a, 0, None);
        Ok(a)
    }

    fn get(&self, id: AttemptId) -> Result<Attempt, Error> {
        self.journal
            .get(id)?
            .ok_or_else(|| Error::NotAllowed(format!("no attempt {id}")))
    }

    fn collected_before(&self, a: &Attempt) -> Result<Fen, Error> {
        Ok(self.journal.bill_collected(&a.bill)?)
    }

    fn record(&self, a: &Attempt, change: Change) -> Result<Attempt, Error> {
        Ok(self.journal.record(a.id, change, self.clock.now())?)
    }

    fn emit(&self, a: &Attempt, elapsed_ms: u64, remaining_ms: Option<u64>) {
        // Nobody listening is fine: the journal is the record, events are the view.
        // A countdown means nothing once the attempt has ended.
        let remaining_ms = remaining_ms.filter(|_| a.state.is_live());
        let _ = self
            .events
            .send(CheckoutEvent::of(a, elapsed_ms, remaining_ms));
    }

    fn lock_live(&self) -> std::sync::MutexGuard<'_, HashMap<AttemptId, LiveQr>> {
        self.live_qr.lock().unwrap_or_else(|p| p.into_inner())
    }
}
