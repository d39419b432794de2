//! The till's side of its printer: what the print worker last learnt of it (for the status bar),
//! the worker's task and its claim on the journal's print queue, and the `printer` event.

use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use tokio::task::JoinHandle;

use super::printing::PrinterView;
use super::{Till, TillEvent};
use crate::Error;
use crate::journal::TillClaim;
use crate::print::{PrintFault, PrinterState};

/// What the worker last learnt of the printer.
#[derive(Debug, Clone, Default)]
pub(super) struct Known {
    pub state: Option<PrinterState>,
    pub online: Option<bool>,
    /// Why the last try did not print; `None` once a job printed.
    pub fault: Option<PrintFault>,
    /// When it stopped printing (the first fault since the last job printed).
    pub since: Option<DateTime<Utc>>,
    /// The last job found unprintable, until a job prints again.
    pub unprintable: Option<String>,
}

/// The till's side of its printer: what is known of it, the worker and its claim on the queue.
#[derive(Default)]
pub(super) struct PrinterLink {
    known: Mutex<Known>,
    /// The view last announced, so that an event goes out only when it changes.
    announced: Mutex<Option<PrinterView>>,
    worker: Mutex<Option<JoinHandle<()>>>,
    /// Held while this process prints the queue; released with the till.
    claim: Mutex<Option<TillClaim>>,
}

impl Drop for PrinterLink {
    fn drop(&mut self) {
        if let Some(worker) = lock(&self.worker).take() {
            worker.abort();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl PrinterLink {
    /// Keeps the worker's task, to end it with the till.
    pub(super) fn keep_worker(&self, worker: JoinHandle<()>) {
        *lock(&self.worker) = Some(worker);
    }

    pub(super) fn known(&self) -> Known {
        lock(&self.known).clone()
    }

    fn note(&self, now: DateTime<Utc>, result: &Result<PrinterState, PrintFault>) {
        let mut known = lock(&self.known);
        match result {
            Ok(state) => {
                known.state = Some(*state);
                known.online = Some(true);
                known.fault = None;
                known.since = None;
                known.unprintable = None;
            }
            Err(PrintFault::Unprintable(why)) => {
                known.online = Some(true);
                known.unprintable = Some(why.clone());
            }
            Err(fault) => {
                known.online = Some(!matches!(fault, PrintFault::Offline(_)));
                if let Some(state) = fault.state() {
                    known.state = Some(state);
                }
                if known.fault.is_none() {
                    known.since = Some(now);
                }
                known.fault = Some(fault.clone());
            }
        }
    }
}

impl Till {
    /// Whether this process prints the queue: it claims it (once; held until the till goes),
    /// and the first time it does, takes back the jobs a stopped process left half-sent.
    pub(super) fn hold_print_queue(&self) -> Result<bool, Error> {
        let link = &self.inner.printing;
        let mut claim = lock(&link.claim);
        if claim.is_some() {
            return Ok(true);
        }
        let Some(got) = self.inner.journal.claim_print_queue()? else {
            return Ok(false);
        };
        let again = self.inner.journal.requeue_interrupted_prints()?;
        if again > 0 {
            tracing::warn!(
                jobs = again,
                "print jobs left half-sent by a stopped till print again, marked REPRINT"
            );
        }
        *claim = Some(got);
        Ok(true)
    }

    /// Another printer (or none) was set: what was known of the old one is forgotten, and the
    /// worker looks at the queue at once.
    pub(super) fn printer_changed(&self) {
        *lock(&self.inner.printing.known) = Known::default();
        self.inner.journal.print_signal().notify_one();
        self.announce_printer();
    }

    /// Keeps what a print or a question to the printer said, for the status bar.
    pub(super) fn note_printed(&self, result: &Result<PrinterState, PrintFault>) {
        self.inner.printing.note(self.inner.clock.now(), result);
    }

    /// Sends the printer's view to the screens when it changed since last sent.
    pub(super) fn announce_printer(&self) {
        let view = self.printer_status();
        let mut announced = lock(&self.inner.printing.announced);
        if announced.as_ref() == Some(&view) {
            return;
        }
        *announced = Some(view.clone());
        drop(announced);
        let _ = self.inner.events.send(TillEvent::Printer { printer: view });
    }
}
