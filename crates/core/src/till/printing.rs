//! The till's printer: the status bar's view of it, the print queue's jobs as screens show them,
//! previews, reprints and reports on paper. The queue itself is in the journal; the worker that
//! empties it is started by [`Till::open`] when a [`Printer`](crate::print::Printer) is given.
//! Design: `docs/printing.md`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Till;
use crate::print::{Preview, PrinterState};
use crate::{AttemptId, Error};

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

/// What a print job prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PrintKind {
    /// The customer's slip of a paid payment.
    Slip,
    /// The slip of a refund part.
    RefundSlip,
    XReport,
    ZReport,
}

/// Where a print job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PrintJobState {
    /// Owed: waits for the printer.
    Waiting,
    /// Being sent now.
    Printing,
    Printed,
    /// It can never print (a character the printer's code page lacks): said, not retried.
    Unprintable,
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

fn not_built() -> Error {
    Error::Internal("printing is not built yet".into())
}

impl Till {
    /// The printer for the status bar.
    pub fn printer_status(&self) -> PrinterView {
        PrinterView {
            configured: false,
            url: None,
            state: None,
            online: None,
            waiting: 0,
            since: None,
            label: String::new(),
            fault: false,
            message: None,
        }
    }

    /// Prints a test page now (not through the queue) and says how the printer is.
    pub async fn print_test_page(&self) -> Result<PrinterView, Error> {
        Err(not_built())
    }

    /// Queues a reprint of a payment's slip, marked 重印 / REPRINT.
    pub async fn reprint(&self, id: AttemptId) -> Result<PrintJobView, Error> {
        let _ = id;
        Err(not_built())
    }

    /// Queues an X or Z report on paper (the manager's desk must be open).
    pub async fn print_report(&self, report: PrintReport) -> Result<PrintJobView, Error> {
        let _ = report;
        Err(not_built())
    }

    /// A payment's slip as it would print, from the printer's own bytes read back.
    pub async fn slip_preview(&self, id: AttemptId) -> Result<SlipPreview, Error> {
        let _ = id;
        Err(not_built())
    }

    /// An X or Z report as it would print.
    pub async fn report_preview(&self, report: PrintReport) -> Result<Preview, Error> {
        let _ = report;
        Err(not_built())
    }
}
