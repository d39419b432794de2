//! The ESC/POS printer as core asks it: [`EscPos`] implements core's [`Printer`] port, and
//! [`send`] puts raw bytes on a printer's wire.

use cashier_core::print::{
    Doc, Preview, PrintFault, Printer, PrinterSetup, PrinterState, PrinterUrl,
};

use crate::wire::{ANSWER_AFTER_JOB_TIMEOUT, ANSWER_TIMEOUT, Wire};
use crate::{PrintError, decode, encode, status};

/// An ESC/POS receipt printer on serial, USB, TCP or a file: what the app and the CLI hand their
/// till. It keeps nothing between calls: each call opens its own connection and closes it.
#[derive(Debug, Clone, Copy, Default)]
pub struct EscPos;

fn offline(url: &PrinterUrl, detail: String) -> PrintFault {
    PrintFault::Offline(format!("{url}: {detail}"))
}

impl Printer for EscPos {
    fn status(&self, setup: &PrinterSetup) -> Result<PrinterState, PrintFault> {
        let url = &setup.url;
        let mut wire = Wire::open(url).map_err(|e| offline(url, e))?;
        if !wire.can_be_asked() {
            return Ok(PrinterState::NotAsked);
        }
        status::ask(&mut wire, ANSWER_TIMEOUT).map_err(|e| offline(url, e))
    }

    /// One connection per job: the printer is asked first and gets nothing if it cannot print;
    /// the job goes whole; a status request after it is answered only once the printer has taken
    /// every byte before it.
    fn print(&self, setup: &PrinterSetup, doc: &Doc) -> Result<PrinterState, PrintFault> {
        let bytes = encode(doc, setup.paper, setup.code_page)
            .map_err(|e| PrintFault::Unprintable(detail(e)))?;
        let url = &setup.url;
        let mut wire = Wire::open(url).map_err(|e| offline(url, e))?;
        if !wire.can_be_asked() {
            wire.send(&bytes).map_err(|e| offline(url, e))?;
            return Ok(PrinterState::NotAsked);
        }
        let before = status::ask(&mut wire, ANSWER_TIMEOUT).map_err(|e| offline(url, e))?;
        if !before.can_print() {
            return Err(PrintFault::NotReady(before));
        }
        wire.send(&bytes).map_err(|e| offline(url, e))?;
        status::ask(&mut wire, ANSWER_AFTER_JOB_TIMEOUT)
            .map_err(|e| offline(url, format!("after the job: {e}")))
    }

    fn preview(&self, setup: &PrinterSetup, doc: &Doc) -> Result<Preview, PrintFault> {
        let bytes = encode(doc, setup.paper, setup.code_page)
            .map_err(|e| PrintFault::Unprintable(detail(e)))?;
        Ok(Preview {
            columns: u16::try_from(setup.paper.columns()).unwrap_or(u16::MAX),
            lines: decode(&bytes, setup.code_page).printed,
        })
    }
}

fn detail(e: PrintError) -> String {
    match e {
        PrintError::Encode(detail) => detail,
        other => other.to_string(),
    }
}

/// Sends `bytes` to `printer`, all of them or an error, without asking it anything; never waits
/// on a silent printer longer than a few seconds.
pub fn send(printer: &PrinterUrl, bytes: &[u8]) -> Result<(), PrintError> {
    let unreachable = |detail: String| PrintError::Unreachable {
        printer: printer.to_string(),
        detail,
    };
    Wire::open(printer)
        .map_err(unreachable)?
        .send(bytes)
        .map_err(unreachable)
}
