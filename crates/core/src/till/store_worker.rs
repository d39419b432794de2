//! The store worker: a task of the till that ships its journal to the store (docs/store.md,
//! "Shipping"), never in a payment's way.
//!
//! It ships at once when the till opens, then after every journal write that added seals (the
//! journal's write signal wakes it; a burst wakes it once) and every [`HEARTBEAT`] otherwise
//! (seals written by another process, such as `cashier recover`, and the store's "last seen").
//! A store that cannot be reached is tried again after 2 s, doubling up to a minute; one that
//! refuses the till (login, role, schema, a disagreement) only every few minutes, since
//! someone has to act first. While it waits, the status bar's count of rows waiting follows
//! the payments. The journal is only read here: a payment never waits for the store, and
//! whatever the store does, every row stays in the journal until it is shipped.

use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::time::Instant;

use super::{Inner, Till};
use crate::journal::Journal;
use crate::shipping::{ShipFault, Shipment, Shipper};

/// How often the journal ships while no write wakes the worker.
const HEARTBEAT: Duration = Duration::from_secs(10);
/// A store that cannot be reached is tried again after this, doubled at each failure...
const BACKOFF_FIRST: Duration = Duration::from_secs(2);
/// ...up to this.
const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// A store that refused the till is asked again this often (someone may have fixed it).
const REFUSED_RETRY: Duration = Duration::from_secs(300);
/// A shipping the store stopped answering in the middle of (a server frozen, a link that drops
/// packets) is given up after this; the next one resumes from the store's mark.
const SHIP_TIMEOUT: Duration = Duration::from_secs(120);

/// Starts the worker when the till has a `[store]` and a shipper, inside a tokio runtime. It
/// holds the till weakly, and ends with it.
pub(super) fn start(till: &Till) {
    if !till.ships() {
        return;
    }
    let Some(shipper) = till.inner.options.shipper.clone() else {
        return;
    };
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!("no async runtime: this till does not ship its journal to the store");
        return;
    };
    let journal = till.inner.journal.clone();
    let worker = runtime.spawn(run(Arc::downgrade(&till.inner), journal, shipper));
    till.inner.store.keep_worker(worker);
}

async fn run(till: Weak<Inner>, journal: Arc<Journal>, shipper: Arc<dyn Shipper>) {
    let mut backoff = BACKOFF_FIRST;
    let mut last_fault: Option<String> = None;
    // How far the journal went at the last shipping that reached the store.
    let mut shipped_to: Option<i64> = None;
    loop {
        let result = ship(shipper.as_ref(), &journal).await;
        let wait = match &result {
            Ok(shipment) => {
                if last_fault.take().is_some() {
                    tracing::info!(head = shipment.head, "the journal reaches the store again");
                }
                backoff = BACKOFF_FIRST;
                shipped_to = Some(shipment.journal_seq);
                HEARTBEAT
            }
            Err(fault) => {
                // The fault's words carry the URL with its password masked.
                let said = fault.to_string();
                if last_fault.as_ref() != Some(&said) {
                    tracing::warn!("shipping the journal to the store: {said}");
                }
                last_fault = Some(said);
                if fault.transient() {
                    let wait = backoff;
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                    wait
                } else {
                    backoff = BACKOFF_FIRST;
                    REFUSED_RETRY
                }
            }
        };
        let healthy = result.is_ok();
        if !tell(&till, move |t| {
            t.note_shipped(&result);
            t.announce_store();
        })
        .await
        {
            return;
        }
        let deadline = Instant::now() + wait;
        loop {
            tokio::select! {
                _ = journal.write_signal().notified() => {}
                _ = tokio::time::sleep_until(deadline) => break,
            }
            if healthy {
                // Ship at once, if the write sealed something (not a print job, a PIN, …).
                let last = {
                    let j = journal.clone();
                    j.blocking(|j| j.last_seal_seq()).await.ok()
                };
                if last.is_none_or(|last| shipped_to.is_none_or(|s| last > s)) {
                    break;
                }
            } else if !tell(&till, |t| t.announce_store()).await {
                // Backing off: only the count of rows waiting moves on the status bar.
                return;
            }
        }
    }
}

/// One shipping, given up if the store stops answering in the middle of it.
async fn ship(shipper: &dyn Shipper, journal: &Arc<Journal>) -> Result<Shipment, ShipFault> {
    match tokio::time::timeout(SHIP_TIMEOUT, shipper.ship(journal)).await {
        Ok(result) => result,
        Err(_) => Err(ShipFault::Offline(format!(
            "no answer from the store in {} s",
            SHIP_TIMEOUT.as_secs()
        ))),
    }
}

/// Runs `work` with the till on the blocking threads (it reads the journal); `false` once the
/// till is gone.
async fn tell(till: &Weak<Inner>, work: impl FnOnce(&Till) + Send + 'static) -> bool {
    let Some(inner) = till.upgrade() else {
        return false;
    };
    let till = Till { inner };
    if let Err(e) = till
        .blocking(move |t| {
            work(t);
            Ok(())
        })
        .await
    {
        tracing::warn!("telling the store link's state: {e}");
    }
    true
}
