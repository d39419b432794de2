//! One event stream for every front end: attempts (checkout), scans and the scanner's state,
//! the till's status, and what the customer display shows. A subscriber that falls behind is not left with a gap: it is sent
//! the current state of every live attempt from the journal, and the status, instead of the
//! events it missed.

use std::collections::VecDeque;

use serde::Serialize;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::task::JoinHandle;
use ts_rs::TS;

use super::status::{ScannerStatus, TillStatus};
use super::{AttemptFilter, AttemptView, Till};
use crate::checkout::CheckoutEvent;

/// One read of the serial scanner, as the screen may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ScanView {
    /// Pays with `start_scanned`; 0 for a read that is not a code.
    #[ts(type = "number")]
    pub scan_id: u64,
    pub code_masked: Option<String>,
    pub wallet_label: Option<String>,
    /// A read that is not a payment code, in words.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TillEvent {
    /// Every state change and poll tick of any attempt; a snapshot (the latest wins).
    Attempt { attempt: AttemptView },
    /// The serial scanner read something.
    Scan { scan: ScanView },
    /// The serial scanner connected, lost its port, or is off.
    Scanner { scanner: ScannerStatus },
    /// The printer was asked, or its queue changed.
    Printer { printer: super::PrinterView },
    /// Backends, counts, clock: the status bar changed.
    Status { status: TillStatus },
    /// What the customer display shows changed; for the customer's window only.
    Customer { customer: super::CustomerView },
}

/// A subscription to the till's events.
pub struct TillEvents {
    till: Till,
    rx: broadcast::Receiver<TillEvent>,
    backlog: VecDeque<TillEvent>,
}

impl TillEvents {
    pub(super) fn new(till: Till, rx: broadcast::Receiver<TillEvent>) -> TillEvents {
        TillEvents {
            till,
            rx,
            backlog: VecDeque::new(),
        }
    }

    /// The next event; `None` once the till is gone.
    pub async fn recv(&mut self) -> Option<TillEvent> {
        loop {
            if let Some(e) = self.backlog.pop_front() {
                return Some(e);
            }
            match self.rx.recv().await {
                Ok(e) => return Some(e),
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(
                        missed,
                        "an event subscriber fell behind; sending the current state"
                    );
                    let till = self.till.clone();
                    // Journal reads, off the async workers.
                    self.backlog = match tokio::task::spawn_blocking(move || till.snapshot()).await
                    {
                        Ok(backlog) => backlog,
                        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                        Err(_) => return None,
                    };
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// An event already waiting, without waiting for one.
    pub fn try_recv(&mut self) -> Option<TillEvent> {
        if let Some(e) = self.backlog.pop_front() {
            return Some(e);
        }
        loop {
            match self.rx.try_recv() {
                Ok(e) => return Some(e),
                Err(broadcast::error::TryRecvError::Lagged(_)) => {
                    self.backlog = self.till.snapshot();
                    if let Some(e) = self.backlog.pop_front() {
                        return Some(e);
                    }
                }
                Err(_) => return None,
            }
        }
    }
}

impl Till {
    /// The current state as events: the status, every live attempt, then the customer display.
    fn snapshot(&self) -> VecDeque<TillEvent> {
        let mut out = VecDeque::new();
        out.push_back(TillEvent::Status {
            status: self.status(),
        });
        let live = AttemptFilter {
            live_only: true,
            ..AttemptFilter::default()
        };
        match self.attempts_now(&live) {
            Ok(views) => out.extend(
                views
                    .into_iter()
                    .map(|attempt| TillEvent::Attempt { attempt }),
            ),
            Err(e) => tracing::warn!("re-reading live attempts for a lagging subscriber: {e}"),
        }
        out.push_back(TillEvent::Customer {
            customer: self.customer_view(),
        });
        out
    }
}

/// Turns the checkout's events into screen-ready views, and the status when counts change.
pub(super) fn forward(
    till: Till,
    mut checkout: broadcast::Receiver<CheckoutEvent>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut counts = None;
        loop {
            let e = match checkout.recv().await {
                Ok(e) => e,
                // The till's own subscribers resynchronise from the journal; this forwarder
                // only needs to carry on.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return,
            };
            // The journal reads (the attempt, its transitions, the live counts) run on the
            // blocking threads, off the async workers that carry the payments.
            let t = till.clone();
            let done = tokio::task::spawn_blocking(move || {
                let a = match t.journal().get(e.attempt_id) {
                    Ok(Some(a)) => a,
                    Ok(None) => return None,
                    Err(err) => {
                        tracing::warn!(attempt = %e.attempt_id, "reading an attempt for its event: {err}");
                        return None;
                    }
                };
                match t.view(&a, Some(e.progress)) {
                    Ok(attempt) => {
                        let _ = t.inner.events.send(TillEvent::Attempt { attempt });
                    }
                    Err(err) => tracing::warn!("building an attempt's view: {err}"),
                }
                t.customer_saw(&a, e.progress);
                Some(t.status())
            })
            .await;
            let status = match done {
                Ok(Some(status)) => status,
                Ok(None) => continue,
                Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
                Err(_) => return,
            };
            let now = Some(status.counts);
            if now != counts {
                counts = now;
                let _ = till.inner.events.send(TillEvent::Status { status });
            }
        }
    })
}
