//! Receipts on paper, as core sees them (issue 17): what a printed document says ([`Doc`]), which
//! printer takes it ([`PrinterSetup`], named by a [`PrinterUrl`]), and the port through which core
//! asks a printer to print ([`Printer`]).
//!
//! Core decides *what* is printed and *when* (the slips owed in the journal's print queue, the
//! reports, reprints); the `cashier-print` crate beside it decides *how* (ESC/POS bytes, code pages,
//! the wire to the printer) and implements [`Printer`]. Core never sees a byte of ESC/POS, so the
//! heavy printing dependencies stay out of it and the compiler keeps the layers apart.
//! The design: `docs/printing.md`.

pub mod compose;
mod doc;
mod job;
mod report;
mod setup;
mod url;

pub use compose::{REPRINT_WORDS, SlipHeader, customer_slip, refund_slip, test_page};
pub use doc::{Align, Doc, DocLine, Paper, Preview, PreviewLine, pad_pair};
pub use job::{PrintJobState, PrintKind};
pub use report::closing_report;
pub use setup::{CodePage, PrinterConfig, PrinterSetup};
pub use url::{PrinterUrl, PrinterUrlError};

use serde::Serialize;
use ts_rs::TS;

/// What a printer says of itself when asked (ESC/POS real-time status, `DLE EOT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PrinterState {
    Ready,
    /// The paper-near-end sensor: it still prints, someone should change the roll soon.
    PaperLow,
    OutOfPaper,
    CoverOpen,
    /// A connection that cannot be asked (a USB device node, a file): it took the bytes, and
    /// that is all that can be known.
    NotAsked,
}

impl PrinterState {
    /// Whether a job may be sent now.
    pub fn can_print(self) -> bool {
        match self {
            PrinterState::Ready | PrinterState::PaperLow | PrinterState::NotAsked => true,
            PrinterState::OutOfPaper | PrinterState::CoverOpen => false,
        }
    }
}

/// Why a document did not reach the paper.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintFault {
    /// Off, unplugged, refused, no answer in time, or it went away during the job. The job waits
    /// and is sent again, whole, when the printer is back.
    #[error("the printer cannot be reached: {0}")]
    Offline(String),
    /// The printer answered that it cannot print now (out of paper, cover open): the job waits.
    #[error("the printer cannot print now: {0:?}")]
    NotReady(PrinterState),
    /// The document itself cannot be printed (a character the code page lacks): sending it again
    /// will not help, so the job is not retried.
    #[error("the document cannot be printed: {0}")]
    Unprintable(String),
}

impl PrinterState {
    /// How the status bar names the state: `[zh-CN, en]`.
    pub fn words(self) -> [&'static str; 2] {
        match self {
            PrinterState::Ready | PrinterState::NotAsked => ["就绪", "ready"],
            PrinterState::PaperLow => ["纸将用完", "paper low"],
            PrinterState::OutOfPaper => ["缺纸", "out of paper"],
            PrinterState::CoverOpen => ["上盖未合", "cover open"],
        }
    }
}

impl PrintFault {
    /// The fault as a cashier reads it, in English and in Chinese.
    pub fn words(&self) -> (String, String) {
        match self {
            PrintFault::Offline(why) => (
                format!("the printer cannot be reached ({why}): check that it is on and connected"),
                format!("无法连接打印机（{why}）：请检查电源和连线"),
            ),
            PrintFault::NotReady(PrinterState::OutOfPaper) => (
                "the printer is out of paper: put in a new roll".into(),
                "打印机缺纸：请换上新纸卷".into(),
            ),
            PrintFault::NotReady(PrinterState::CoverOpen) => (
                "the printer's cover is open: close it".into(),
                "打印机上盖未合：请合上".into(),
            ),
            PrintFault::NotReady(state) => {
                let [zh, en] = state.words();
                (
                    format!("the printer cannot print now ({en})"),
                    format!("打印机现在不能打印（{zh}）"),
                )
            }
            PrintFault::Unprintable(why) => (
                format!("this cannot be printed: {why}"),
                format!("无法打印此单据：{why}"),
            ),
        }
    }

    /// The state the printer is in, as far as this fault says.
    pub fn state(&self) -> Option<PrinterState> {
        match self {
            PrintFault::NotReady(state) => Some(*state),
            PrintFault::Offline(_) | PrintFault::Unprintable(_) => None,
        }
    }
}

/// A printer, as core asks it to print. Implemented by `cashier-print` (ESC/POS over serial,
/// USB, TCP or a file). Calls block for at most a few seconds each (a silent printer is
/// `Offline`, never a hang): core calls them off the async runtime.
pub trait Printer: Send + Sync + std::fmt::Debug {
    /// Asks the printer whether it can print now.
    fn status(&self, setup: &PrinterSetup) -> Result<PrinterState, PrintFault>;

    /// Prints `doc` whole. `Ok` only once the printer has taken all of it (and, where it can be
    /// asked, answered a status request sent after it), so that an `Ok` job is never sent again
    /// and any `Err` job may be.
    fn print(&self, setup: &PrinterSetup, doc: &Doc) -> Result<PrinterState, PrintFault>;

    /// What `doc` prints on `setup`'s paper, read back from the very bytes the printer would
    /// get: the on-screen preview of a shop without a printer.
    fn preview(&self, setup: &PrinterSetup, doc: &Doc) -> Result<Preview, PrintFault>;
}
