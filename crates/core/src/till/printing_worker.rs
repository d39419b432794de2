//! The print worker: a task of the till that empties the journal's print queue, one job at a
//! time, oldest first (docs/printing.md, "The print queue").
//!
//! It is woken when this process queues a job, and otherwise looks every couple of seconds (so
//! that jobs another process wrote, such as `cashier recover`'s slips, print too). Before each
//! job it asks the printer whether it can print; a printer that is out of paper or has its cover
//! open is asked again every couple of seconds, one that does not answer less and less often (up
//! to half a minute), so that a printer that is off is not hammered. Every printer call runs on
//! the blocking threads and returns within the driver's own timeouts: the worker never holds up
//! the runtime the payments run on, and nothing in the payment path waits for it.

use std::sync::{Arc, Weak};
use std::time::Duration;

use super::printing::send;
use super::{Inner, Till};
use crate::Error;
use crate::journal::{Journal, JournalError};
use crate::print::{PrintFault, Printer, PrinterState};

/// How often the queue is looked at while nothing wakes the worker.
const LOOK_EVERY: Duration = Duration::from_secs(2);
/// A printer that answered it cannot print (out of paper, cover open) is asked again this soon.
const ASK_AGAIN: Duration = Duration::from_secs(2);
/// A printer that does not answer is tried again after this, doubled at each failure...
const BACKOFF_FIRST: Duration = Duration::from_secs(2);
/// ...up to this.
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Starts the worker when the till was given a printer and runs inside a tokio runtime. It
/// holds the till weakly: it ends with it.
pub(super) fn start(till: &Till) {
    let Some(printer) = till.inner.options.printer.clone() else {
        return;
    };
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!("no async runtime: the print queue is not printed by this till");
        return;
    };
    let journal = till.inner.journal.clone();
    let worker = runtime.spawn(run(Arc::downgrade(&till.inner), journal, printer));
    till.inner.printing.keep_worker(worker);
}

async fn run(till: Weak<Inner>, journal: Arc<Journal>, printer: Arc<dyn Printer>) {
    let mut backoff = BACKOFF_FIRST;
    loop {
        let wait = match till.upgrade() {
            Some(inner) => Till { inner }.print_round(&printer, &mut backoff).await,
            None => return,
        };
        tokio::select! {
            _ = journal.print_signal().notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// How a round of the worker ended.
enum Round {
    /// Nothing (more) to print now.
    Idle,
    /// The printer answered it cannot print now.
    NotReady,
    /// The printer did not answer.
    Offline,
}

impl Till {
    /// Prints waiting jobs until none is left or the printer cannot take one; how long to
    /// wait before the next round (a new job wakes it sooner).
    async fn print_round(&self, printer: &Arc<dyn Printer>, backoff: &mut Duration) -> Duration {
        let round = match self.print_jobs(printer).await {
            Ok(round) => round,
            Err(e) => {
                tracing::warn!("printing the queue: {e}");
                Round::Idle
            }
        };
        if let Err(e) = self
            .blocking(|t| {
                t.announce_printer();
                Ok(())
            })
            .await
        {
            tracing::warn!("telling the printer's state: {e}");
        }
        match round {
            Round::Idle => {
                *backoff = BACKOFF_FIRST;
                LOOK_EVERY
            }
            Round::NotReady => {
                *backoff = BACKOFF_FIRST;
                ASK_AGAIN
            }
            Round::Offline => {
                let wait = *backoff;
                *backoff = (*backoff * 2).min(BACKOFF_MAX);
                wait
            }
        }
    }

    async fn print_jobs(&self, printer: &Arc<dyn Printer>) -> Result<Round, Error> {
        if !self.blocking(|t| t.hold_print_queue()).await? {
            return Ok(Round::Idle);
        }
        // No printer set: the jobs wait for one.
        let Some(setup) = self.configured_printer()? else {
            return Ok(Round::Idle);
        };
        loop {
            let Some(job) = self
                .blocking(|t| Ok(t.inner.journal.next_print_job()?))
                .await?
            else {
                // Nothing to print: a printer never asked yet is asked once, so that the status
                // bar says whether it is there before the first slip.
                if self.inner.printing.known().online.is_none() {
                    let asked = ask(printer, &setup).await;
                    self.note_printed(&asked);
                }
                return Ok(Round::Idle);
            };
            // The status bar hears of a job as soon as the worker does.
            self.blocking(|t| {
                t.announce_printer();
                Ok(())
            })
            .await?;
            if let Err(fault) = ask(printer, &setup).await {
                self.note_printed(&Err(fault.clone()));
                return Ok(waiting_round(&fault));
            }
            let composed = {
                let job = job.clone();
                self.blocking(move |t| Ok(t.job_doc(&job))).await?
            };
            let doc = match composed {
                Ok(doc) => doc,
                // The journal could not be read now: the job waits for the next round.
                Err(e @ Error::Journal(JournalError::Sqlite(_) | JournalError::Io(_))) => {
                    return Err(e);
                }
                // Its rows do not make a document (gone, never paid): it never will.
                Err(e) => {
                    let why = e.message(crate::Lang::En);
                    self.blocking(move |t| {
                        Ok(t.inner.journal.print_job_unprintable(job.id, &why)?)
                    })
                    .await?;
                    self.note_printed(&Err(PrintFault::Unprintable(e.message(self.lang()))));
                    continue;
                }
            };
            let id = job.id;
            if !self
                .blocking(move |t| Ok(t.inner.journal.claim_print_job(id)?))
                .await?
            {
                continue;
            }
            let printed = send(printer.clone(), setup.clone(), doc).await;
            self.note_printed(&printed);
            let now = self.inner.clock.now();
            let (marked, round) = match &printed {
                Ok(_) => (self.mark(move |j| j.print_job_printed(id, now)).await, None),
                Err(PrintFault::Unprintable(why)) => {
                    let why = why.clone();
                    (
                        self.mark(move |j| j.print_job_unprintable(id, &why)).await,
                        None,
                    )
                }
                Err(fault) => {
                    let said = fault.to_string();
                    let marked = self.mark(move |j| j.print_job_failed(id, &said)).await;
                    (marked, Some(waiting_round(fault)))
                }
            };
            marked?;
            self.blocking(|t| {
                t.announce_printer();
                Ok(())
            })
            .await?;
            if let Some(round) = round {
                return Ok(round);
            }
        }
    }

    async fn mark(
        &self,
        write: impl FnOnce(&Journal) -> Result<(), JournalError> + Send + 'static,
    ) -> Result<(), Error> {
        Ok(self.inner.journal.blocking(write).await?)
    }
}

/// Asks the printer whether it can print now; a state it cannot print in is a fault.
async fn ask(
    printer: &Arc<dyn Printer>,
    setup: &crate::print::PrinterSetup,
) -> Result<PrinterState, PrintFault> {
    let (printer, setup) = (printer.clone(), setup.clone());
    let asked = match tokio::task::spawn_blocking(move || printer.status(&setup)).await {
        Ok(asked) => asked,
        Err(e) => Err(PrintFault::Offline(format!(
            "the printer driver stopped: {e}"
        ))),
    };
    match asked {
        Ok(state) if !state.can_print() => Err(PrintFault::NotReady(state)),
        other => other,
    }
}

fn waiting_round(fault: &PrintFault) -> Round {
    match fault {
        PrintFault::Offline(_) => Round::Offline,
        PrintFault::NotReady(_) | PrintFault::Unprintable(_) => Round::NotReady,
    }
}
