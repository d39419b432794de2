//! The till's printer: the status bar's view of it, the print queue's jobs as screens show them,
//! previews, reprints and reports on paper. The queue itself is in the journal; the worker that
//! empties it (`printing_worker.rs`) is started by [`Till::open`] when a
//! [`Printer`](crate::print::Printer) is given; the documents are composed in `printing_docs.rs`.
//! Nothing in the payment path calls the printer. Design: `docs/printing.md`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Till, read};
use crate::audit::{AuditAction, AuditEntry, AuditResult};
use crate::journal::PrintJob;
use crate::print::{Preview, PrintFault, PrinterSetup, PrinterState, PrinterUrl};
use crate::{AttemptId, Error};

pub use crate::print::{PrintJobState, PrintKind};

/// The printer as the status bar and the settings screen show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PrinterView {
    /// A printer is set in the settings.
    pub configured: bool,
    /// The printer as named in the settings (`tcp://…`, `serial:…`).
    pub url: Option<String>,
    /// What it said when last asked; `None`: not asked yet.
    pub state: Option<PrinterState>,
    /// Whether it answered when last asked; `None`: not asked yet.
    pub online: Option<bool>,
    /// Jobs waiting to print (slips owed, reprints, reports).
    #[ts(type = "number")]
    pub waiting: u64,
    /// Since when it has not been printing (`HH:MM`, business zone), while it is not.
    pub since: Option<String>,
    /// The status bar's words: `打印机 就绪`, `打印机 缺纸 · 2 张待打印`, `打印机 离线 自 14:05`.
    pub label: String,
    /// Shown in the colour of a fault (offline, out of paper, cover open, jobs stuck).
    pub fault: bool,
    /// The last fault in the till's language, for a tooltip and the settings screen.
    pub message: Option<String>,
}

/// One job of the print queue, as a screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PrintJobView {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: PrintKind,
    pub kind_label: String,
    pub state: PrintJobState,
    pub state_label: String,
    /// Marked 重印 / REPRINT on paper.
    pub reprint: bool,
    /// `YYYY-MM-DD HH:MM:SS`, business zone.
    pub created_at_text: String,
    pub printed_at_text: Option<String>,
}

/// A report to print (or preview): an X of a day (`YYYY-MM-DD`; null: today), or a stored Z
/// by its number (printed as a copy if it was printed before).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PrintReport {
    X { day: Option<String> },
    Z { number: u64 },
}

/// A payment's slip as it would print, and the print jobs it has had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SlipPreview {
    pub preview: Preview,
    pub jobs: Vec<PrintJobView>,
}

impl Till {
    /// Prints a test page now (not through the queue) and says how the printer is; a printer
    /// that cannot print it is an error saying why. A test page that prints wakes the queue.
    pub async fn print_test_page(&self) -> Result<PrinterView, Error> {
        let printer = self.printer_driver()?;
        let setup = self.printer_setup()?;
        let doc = crate::print::test_page(&setup);
        let printed = send(printer, setup, doc).await;
        self.note_printed(&printed);
        self.inner.journal.print_signal().notify_one();
        self.blocking(|t| {
            t.announce_printer();
            Ok(())
        })
        .await?;
        printed?;
        self.blocking(|t| Ok(t.printer_status())).await
    }

    /// Queues a reprint of a payment's slip, marked 重印 / REPRINT; a line of the audit trail.
    pub async fn reprint(&self, id: AttemptId) -> Result<PrintJobView, Error> {
        self.printer_driver()?;
        self.printer_setup()?;
        let job = self
            .blocking(move |t| {
                t.slip_doc(id, true)?;
                Ok(t.inner.journal.queue_reprint(id, t.inner.clock.now())?)
            })
            .await;
        self.audit_reprint(id, &job, None).await?;
        self.after_queued(job?).await
    }

    /// Queues an X or Z report on paper (the manager's desk must be open, as for the X).
    pub async fn print_report(&self, report: PrintReport) -> Result<PrintJobView, Error> {
        let manager = self.desk_manager()?;
        self.printer_driver()?;
        self.printer_setup()?;
        let (job, copy_of) = self
            .blocking(move |t| {
                let now = t.inner.clock.now();
                match report {
                    PrintReport::X { day } => {
                        let day = t.day(day.as_deref())?;
                        // Composed once now, so that a day that cannot be reported is refused
                        // here rather than found unprintable later.
                        t.x_doc(day)?;
                        Ok((t.inner.journal.queue_x_report(day, now)?, None))
                    }
                    PrintReport::Z { number } => {
                        t.z_doc(number, false)?;
                        let job = t.inner.journal.queue_z_report(number, now)?;
                        let copy = t.inner.journal.z_printed_before(number, job.id)?;
                        Ok((job, copy.then_some(number)))
                    }
                }
            })
            .await?;
        if let Some(number) = copy_of {
            self.audit(AuditEntry {
                asked_by: Some(manager.name),
                action: Some(AuditAction::ZCopy),
                subject: Some(format!("Z {number}")),
                result: Some(AuditResult::Done),
                note: Some("printed".into()),
                ..AuditEntry::default()
            })?;
        }
        self.after_queued(job).await
    }

    /// A payment's slip as it would print, from the printer's own bytes read back (with the
    /// configured printer's paper and code page, or 80 mm GBK without one), and its print jobs.
    pub async fn slip_preview(&self, id: AttemptId) -> Result<SlipPreview, Error> {
        self.printer_driver()?;
        let doc = self.blocking(move |t| t.slip_doc(id, false)).await?;
        let preview = self.preview(doc).await?;
        let jobs = self
            .blocking(move |t| {
                let jobs = t.inner.journal.print_jobs_of(id)?;
                jobs.iter().map(|j| t.job_view(j)).collect()
            })
            .await?;
        Ok(SlipPreview { preview, jobs })
    }

    /// An X or Z report as it would print (desk open).
    pub async fn report_preview(&self, report: PrintReport) -> Result<Preview, Error> {
        self.desk_manager()?;
        self.printer_driver()?;
        let doc = self
            .blocking(move |t| match report {
                PrintReport::X { day } => t.x_doc(t.day(day.as_deref())?),
                PrintReport::Z { number } => t.z_doc(number, false),
            })
            .await?;
        self.preview(doc).await
    }

    /// Prints the slip of the payment with this order number **now**, marked 重印 / REPRINT, on
    /// `to` or the configured printer (the configured paper and code page either way), and
    /// records it as a printed reprint (and in the audit trail). For `cashier print --order`.
    pub async fn print_order(
        &self,
        order_no: &str,
        to: Option<PrinterUrl>,
    ) -> Result<PrintJobView, Error> {
        let printer = self.printer_driver()?;
        let setup = match to {
            Some(url) => {
                let cfg = read(&self.inner.cfg);
                PrinterSetup {
                    url,
                    paper: cfg.printer.paper,
                    code_page: cfg.printer.code_page,
                }
            }
            None => self.printer_setup()?,
        };
        let order_no = order_no.to_string();
        let (id, doc) = self
            .blocking(move |t| {
                let a = t.find_order(&order_no)?;
                Ok((a.id, t.slip_doc(a.id, true)?))
            })
            .await?;
        let printed = send(printer, setup, doc).await;
        let job = match printed {
            Ok(_) => {
                self.blocking(move |t| {
                    Ok(t.inner
                        .journal
                        .record_printed_reprint(id, t.inner.clock.now())?)
                })
                .await
            }
            Err(f) => Err(Error::Printer(f)),
        };
        self.audit_reprint(id, &job, Some("printed at once"))
            .await?;
        self.blocking(move |t| t.job_view(&job?)).await
    }

    /// The screen's view of a job.
    pub(super) fn job_view(&self, job: &PrintJob) -> Result<PrintJobView, Error> {
        let (lang, tz) = (self.lang(), self.zone()?);
        let text = |t: chrono::DateTime<chrono::Utc>| crate::print::compose::local_time(t, tz);
        Ok(PrintJobView {
            id: job.id,
            kind: job.kind,
            kind_label: job.kind.label(lang).to_string(),
            state: job.state,
            state_label: job.state.label(lang).to_string(),
            reprint: job.reprint,
            created_at_text: text(job.created_at),
            printed_at_text: job.printed_at.map(text),
        })
    }

    /// After a job was queued here: the status bar told, the job's view.
    async fn after_queued(&self, job: PrintJob) -> Result<PrintJobView, Error> {
        self.blocking(move |t| {
            t.announce_printer();
            t.job_view(&job)
        })
        .await
    }

    /// Every reprint, asked or printed at once, done or not, is a line of the audit trail,
    /// under the payment's order number.
    async fn audit_reprint(
        &self,
        id: AttemptId,
        job: &Result<PrintJob, Error>,
        how: Option<&str>,
    ) -> Result<(), Error> {
        let order_no = match self.order_no(id).await {
            Ok(o) => o,
            Err(_) => format!("attempt {id}"),
        };
        let (result, note) = match job {
            Ok(_) => (AuditResult::Done, how.map(str::to_string)),
            Err(e @ (Error::Printer(_) | Error::Journal(_) | Error::Internal(_))) => {
                (AuditResult::Failed, Some(e.to_string()))
            }
            Err(e) => (AuditResult::Refused, Some(e.to_string())),
        };
        self.audit(AuditEntry {
            asked_by: Some(self.asked_by()),
            action: Some(AuditAction::Reprint),
            subject: Some(order_no),
            result: Some(result),
            note,
            ..AuditEntry::default()
        })
    }
}

/// Prints `doc` on the blocking threads; a driver that panicked is a printer that went away.
pub(super) async fn send(
    printer: std::sync::Arc<dyn crate::print::Printer>,
    setup: PrinterSetup,
    doc: crate::print::Doc,
) -> Result<PrinterState, PrintFault> {
    match tokio::task::spawn_blocking(move || printer.print(&setup, &doc)).await {
        Ok(done) => done,
        Err(e) => Err(PrintFault::Offline(format!(
            "the printer driver stopped: {e}"
        ))),
    }
}
