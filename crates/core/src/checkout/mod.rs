//! The checkout engine: one call per cashier action, a stream of [`CheckoutEvent`]s.
//!
//! Every attempt is journalled before its payment call leaves, every retry reuses its order
//! number, a lost answer is `Unknown` (never failed), and a bill with a live or unknown attempt
//! cannot be charged again (docs/protocols.md §5). Time comes from the injected [`Clock`] and
//! tokio's timers, randomness from a seeded generator.
//!
//! The flows live beside this file, one behaviour each: `barcode` (pay, then poll),
//! `qr` (issue, show, end), `recovery` (what a previous run left, and abandoned QR codes),
//! `settle` (what an answer means for the journal), `refund` (a manager's refunds).

mod barcode;
mod event;
mod qr;
mod recovery;
mod refund;
mod route;
mod settle;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

pub use crate::backend::Backends;
pub use event::{CheckoutEvent, Progress};
pub use recovery::{Recovered, RecoveryReport};
pub use settle::remainder_of;

use crate::backend::cloudpay::Platform;
use crate::config::PollPolicies;
use crate::journal::{Change, Journal, NewAttempt, TillClaim};
use crate::order_no::OrderSchemes;
use crate::reasons::{InProgress, NotAllowed};
use crate::{
    Attempt, AttemptId, AttemptState, BillNo, Channel, Clock, Error, Fen, ManagerDecision,
    PaymentCode, PaymentOutcome,
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

impl CheckoutSettings {
    /// The one place settings come from a configuration.
    pub fn from_config(cfg: &crate::config::Config) -> Result<CheckoutSettings, Error> {
        Ok(CheckoutSettings {
            operator: cfg.operator.clone(),
            orders: cfg.order_schemes()?,
            tz: cfg.tz()?,
            polls: cfg.poll,
            send_retry: SendRetry::default(),
            qr_payable_for: Duration::from_secs(
                cfg.tourv5
                    .as_ref()
                    .map_or(2 * 60 * 60, |t| t.qr_payable_secs),
            ),
            resolve_after: cfg.poll.resolve_after,
        })
    }
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

/// A payment flow running in this process: reachable by `cancel` (QR codes), and seen by
/// recovery and `query_again`, which must not follow the same attempt twice.
struct Followed {
    cancel: Option<watch::Sender<bool>>,
    done: watch::Receiver<Option<Attempt>>,
}

/// A running flow's end, as its spawner sees it.
pub type Flow = JoinHandle<Result<Attempt, Error>>;

pub struct Checkout {
    journal: Arc<Journal>,
    backends: Backends,
    settings: CheckoutSettings,
    clock: Arc<dyn Clock>,
    rng: Mutex<StdRng>,
    events: broadcast::Sender<CheckoutEvent>,
    followed: Mutex<HashMap<AttemptId, Followed>>,
    /// Flows recovery started for attempts a previous run left in progress.
    recovered: Mutex<Vec<Flow>>,
    /// Held while this engine is the till's checkout; `None` for a second process (a
    /// `cashier cancel` beside a running `cashier pay`).
    claim: Option<TillClaim>,
}

impl Checkout {
    /// Opens the engine and, before it can take any payment, queries every attempt a previous
    /// run left unfinished (docs/protocols.md §5.4). Attempts still inside their poll window
    /// go on being followed in the background, exactly as a live payment would.
    pub async fn open(
        journal: Arc<Journal>,
        backends: Backends,
        settings: CheckoutSettings,
        clock: Arc<dyn Clock>,
        seed: u64,
    ) -> Result<(Arc<Checkout>, RecoveryReport), Error> {
        let (events, _) = broadcast::channel(256);
        let claim = journal.claim_till()?;
        let engine = Arc::new(Checkout {
            journal,
            backends,
            settings,
            clock,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            events,
            followed: Mutex::new(HashMap::new()),
            recovered: Mutex::new(Vec::new()),
            claim,
        });
        let report = engine.recover().await?;
        Ok((engine, report))
    }

    pub fn subscribe(&self) -> broadcast::Receiver<CheckoutEvent> {
        self.events.subscribe()
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    pub fn backends(&self) -> &Backends {
        &self.backends
    }

    /// Whether this process holds the till (takes payments, recovers, watches).
    pub fn holds_till(&self) -> bool {
        self.claim.is_some()
    }

    /// Warms the connection to the channel's backend when a payment screen opens.
    pub async fn preconnect(&self, channel: Channel) {
        self.backends.preconnect(channel).await;
    }

    /// Barcode: journal → pay → paid | failed | pending → poll → paid | failed | Unknown.
    /// Returns when the attempt has ended or been given up.
    pub async fn pay_barcode(&self, p: BarcodePayment) -> Result<Attempt, Error> {
        let a = self.begin_barcode(&p).await?;
        self.barcode_flow(a, &p.code).await
    }

    /// As [`Checkout::pay_barcode`], but returns as soon as the attempt is journalled; the
    /// flow goes on in the background and reports through events.
    pub async fn start_barcode(
        self: &Arc<Self>,
        p: BarcodePayment,
    ) -> Result<(Attempt, Flow), Error> {
        let a = self.begin_barcode(&p).await?;
        let engine = self.clone();
        let started = a.clone();
        let flow = tokio::spawn(async move { engine.barcode_flow(started, &p.code).await });
        Ok((a, flow))
    }

    /// QR: journal → issue code → poll while shown → paid | expired | cancelled.
    pub async fn pay_qr(&self, p: QrPayment) -> Result<Attempt, Error> {
        let a = self.begin_qr(&p).await?;
        self.qr_flow(a).await
    }

    /// As [`Checkout::pay_qr`], but returns as soon as the attempt is journalled.
    pub async fn start_qr(self: &Arc<Self>, p: QrPayment) -> Result<(Attempt, Flow), Error> {
        let a = self.begin_qr(&p).await?;
        let engine = self.clone();
        let started = a.clone();
        let flow = tokio::spawn(async move { engine.qr_flow(started).await });
        Ok((a, flow))
    }

    async fn begin_barcode(&self, p: &BarcodePayment) -> Result<Attempt, Error> {
        self.check_till()?;
        if p.channel.is_qr() {
            return Err(NotAllowed::QrChannel(p.channel).into());
        }
        p.channel.check_code(&p.code)?;
        self.backends.check(p.channel)?;
        let wallet = match p.channel {
            Channel::CloudBarcode => {
                Some(route::wallet_name(Platform::for_code(&p.code)?).to_string())
            }
            _ => None,
        };
        self.recheck_unclosable_qr(&p.bill).await?;
        let paid_before = self.backends.bill_paid_before(p.channel, &p.bill).await;
        let a = self
            .begin(
                &p.bill,
                p.amount,
                p.channel,
                wallet,
                Some(p.code.masked()),
                paid_before,
            )
            .await?;
        tracing::info!(attempt = %a.id, order = %a.order_no, code = %p.code, "barcode payment journalled");
        Ok(a)
    }

    async fn begin_qr(&self, p: &QrPayment) -> Result<Attempt, Error> {
        self.check_till()?;
        if !p.channel.is_qr() {
            return Err(NotAllowed::BarcodeChannel(p.channel).into());
        }
        self.backends.check(p.channel)?;
        let wallet = match p.channel {
            Channel::CloudQr => Some(route::wallet_name(p.wallet).to_string()),
            _ => None,
        };
        self.recheck_unclosable_qr(&p.bill).await?;
        self.begin(&p.bill, p.amount, p.channel, wallet, None, None)
            .await
    }

    /// Cashier cancels a QR on screen: final query, then close where the backend can.
    pub async fn cancel(&self, id: AttemptId) -> Result<Attempt, Error> {
        let a = self.get(id)?;
        if !a.channel.is_qr() {
            return Err(NotAllowed::BarcodeNotCancellable.into());
        }
        if !a.state.is_live() {
            return Ok(a);
        }
        let running = self
            .lock_followed()
            .get(&id)
            .map(|l| (l.cancel.clone(), l.done.clone()));
        match running {
            // The till's flow is still getting the code; it must end it (a guest closing an
            // order that does not exist yet would leave the real one open).
            None if a.state == AttemptState::Issuing && self.claim.is_none() => {
                Err(NotAllowed::QrStillIssuing.into())
            }
            None if a.state == AttemptState::Issuing => self.abandon_unshown_qr(&a).await,
            Some((cancel, mut done)) => {
                if let Some(cancel) = cancel {
                    let _ = cancel.send(true);
                }
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

    /// One more query for an attempt that is not known to have ended, or for an abandoned QR
    /// code the customer may still pay.
    pub async fn query_again(&self, id: AttemptId) -> Result<Attempt, Error> {
        let a = self.get(id)?;
        if a.state.is_watched() {
            return self.check_abandoned(a, false).await;
        }
        if !a.state.is_live() {
            return Ok(a);
        }
        // Followed elsewhere (a flow in this process, or anything the till's own process
        // follows when this one is a guest): report what the backend says now, and record
        // only an answer that ends it — never turn it Unknown behind the follower's back.
        if self.lock_followed().contains_key(&id) || self.claim.is_none() {
            if let Err(why) = self.backends.can_query(&a) {
                return Err(why.into());
            }
            let outcome = self.backends.query(&a, self.collected_before(&a)?).await?;
            // A declined QR is left for its follower to end with the final query and close.
            let ends = match &outcome {
                PaymentOutcome::Paid { .. } | PaymentOutcome::PartlyPaid { .. } => true,
                PaymentOutcome::Failed { .. } => !a.channel.is_qr(),
                PaymentOutcome::Pending { .. } | PaymentOutcome::Unknown { .. } => false,
            };
            return if ends {
                self.settle_after_query(&a, Ok(outcome), "queried again")
                    .await
            } else {
                Ok(a)
            };
        }
        if a.channel.is_qr() {
            return self.end_qr(a, AttemptState::Expired).await;
        }
        if let Err(why) = self.backends.can_query(&a) {
            return self.needs_manager(&a, why).await;
        }
        let outcome = self.backends.query(&a, self.collected_before(&a)?).await;
        self.settle_after_query(&a, outcome, "queried again").await
    }

    /// A manager decides an Unknown attempt by other means (the back office, the customer's
    /// phone); the decision and its note are journalled. Before a "failed" is accepted the
    /// backend is asked once more: a payment it reports paid is recorded as paid instead, and
    /// one it still shows in progress (a customer typing a password) is refused until
    /// `resolve_after` has passed since the attempt began — declaring it failed then and
    /// charging the bill again would charge the customer twice. An attempt that cannot be
    /// queried is held to the same wait.
    pub async fn force_resolve(
        &self,
        id: AttemptId,
        to: ManagerDecision,
        note: &str,
        manager: &str,
    ) -> Result<Attempt, Error> {
        // Only Unknown: an attempt still being followed ends by itself.
        let current = self.get(id)?;
        if current.state != AttemptState::Unknown {
            return Err(NotAllowed::NotUnknown(current.state).into());
        }
        if to == ManagerDecision::Failed {
            let outcome = match self.backends.can_query(&current) {
                Ok(()) => Some(
                    self.backends
                        .query(&current, self.collected_before(&current)?)
                        .await,
                ),
                Err(_) => None,
            };
            let in_progress = match outcome {
                Some(Ok(o @ (PaymentOutcome::Paid { .. } | PaymentOutcome::PartlyPaid { .. }))) => {
                    return self
                        .settle_after_query(&current, Ok(o), "found paid before resolving")
                        .await;
                }
                Some(Ok(PaymentOutcome::Pending { status, .. })) => {
                    Some(InProgress::Backend(status))
                }
                None => Some(InProgress::Unqueryable),
                Some(Ok(PaymentOutcome::Failed { .. } | PaymentOutcome::Unknown { .. }))
                | Some(Err(_)) => None,
            };
            if let Some(still) = in_progress {
                let age = self.clock.now().signed_duration_since(current.created_at);
                let wait = chrono::TimeDelta::from_std(self.settings.resolve_after)
                    .unwrap_or(chrono::TimeDelta::MAX);
                if age < wait {
                    return Err(NotAllowed::TooEarlyToResolve {
                        still,
                        wait_s: (wait - age).num_seconds().max(1),
                    }
                    .into());
                }
            }
        }
        let (note, manager, now) = (note.to_string(), manager.to_string(), self.clock.now());
        let a = self
            .journal
            .blocking(move |j| j.resolve(id, to, &note, &manager, now))
            .await?;
        self.emit(&a, 0, None);
        Ok(a)
    }

    /// Payments are taken only by the process that holds the till, so that no other process's
    /// recovery can mistake a payment in progress for one left behind by a crash.
    fn check_till(&self) -> Result<(), Error> {
        match self.claim {
            Some(_) => Ok(()),
            None => Err(NotAllowed::OtherProcess.into()),
        }
    }

    async fn begin(
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
        let a = self
            .journal
            .blocking(move |j| j.begin(new, now, day, nonce))
            .await?;
        self.emit(&a, 0, None);
        Ok(a)
    }

    fn get(&self, id: AttemptId) -> Result<Attempt, Error> {
        self.journal
            .get(id)?
            .ok_or_else(|| Error::NotFound(format!("no attempt {id}")))
    }

    fn collected_before(&self, a: &Attempt) -> Result<Fen, Error> {
        Ok(self.journal.bill_collected(&a.bill)?)
    }

    /// Journal writes wait for their fsync, so they run off the runtime's worker threads.
    async fn record(&self, a: &Attempt, change: Change) -> Result<Attempt, Error> {
        let (id, now) = (a.id, self.clock.now());
        Ok(self
            .journal
            .blocking(move |j| j.record(id, change, now))
            .await?)
    }

    fn emit(&self, a: &Attempt, elapsed_ms: u64, remaining_ms: Option<u64>) {
        // Nobody listening is fine: the journal is the record, events are the view.
        // A countdown means nothing once the attempt has ended.
        let progress = Progress {
            elapsed_ms,
            remaining_ms: remaining_ms.filter(|_| a.state.is_live()),
            late: false,
        };
        let _ = self.events.send(CheckoutEvent::of(a, progress));
    }

    /// An attempt the till had stopped following turned out paid: said once, loudly.
    fn emit_late(&self, a: &Attempt) {
        let progress = Progress {
            late: true,
            ..Progress::default()
        };
        let _ = self.events.send(CheckoutEvent::of(a, progress));
    }

    fn lock_followed(&self) -> std::sync::MutexGuard<'_, HashMap<AttemptId, Followed>> {
        self.followed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a flow for `id` for as long as the returned guard lives.
    fn follow(&self, id: AttemptId, cancel: Option<watch::Sender<bool>>) -> FollowGuard<'_> {
        let (done_tx, done_rx) = watch::channel(None);
        self.lock_followed().insert(
            id,
            Followed {
                cancel,
                done: done_rx,
            },
        );
        FollowGuard {
            engine: self,
            id,
            done: done_tx,
        }
    }
}

/// Takes a flow out of the engine's map when it ends, however it ends, and tells anyone
/// waiting for it (a cancel) how it ended.
struct FollowGuard<'a> {
    engine: &'a Checkout,
    id: AttemptId,
    done: watch::Sender<Option<Attempt>>,
}

impl FollowGuard<'_> {
    fn finish(&self, a: &Attempt) {
        let _ = self.done.send(Some(a.clone()));
    }
}

impl Drop for FollowGuard<'_> {
    fn drop(&mut self) {
        self.engine.lock_followed().remove(&self.id);
    }
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
