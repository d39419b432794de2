//! ESC/POS real-time status: `DLE EOT n` is answered by the printer at once, one byte, even in
//! the middle of a job — so the answer to a request sent after a job also says the printer took
//! every byte before it.

use std::time::{Duration, Instant};

use cashier_core::print::PrinterState;

use crate::wire::Wire;

/// `DLE EOT 2`: the offline cause (bit 2: the cover is open).
pub const ASK_OFFLINE_CAUSE: [u8; 3] = [0x10, 0x04, 0x02];
/// `DLE EOT 4`: the paper-roll sensor (bits 2–3: near end; bits 5–6: out).
pub const ASK_PAPER: [u8; 3] = [0x10, 0x04, 0x04];

const COVER_OPEN: u8 = 0x04;
const PAPER_NEAR_END: u8 = 0x0C;
const PAPER_END: u8 = 0x60;

/// XON and XOFF: a serial printer with software flow control sends them on its own. An answer to
/// `DLE EOT` always has bit 0 clear and bit 1 set, so these two are never one.
const XON: u8 = 0x11;
const XOFF: u8 = 0x13;

/// Asks the printer whether it can print: first why it might be offline (the cover), then the
/// paper, each answer awaited for `wait` at most. Each question waits for its answer before the
/// next is asked, so an answer is never taken for another's.
pub fn ask(wire: &mut Wire, wait: Duration) -> Result<PrinterState, String> {
    if answer(wire, &ASK_OFFLINE_CAUSE, wait)? & COVER_OPEN != 0 {
        return Ok(PrinterState::CoverOpen);
    }
    Ok(paper(answer(wire, &ASK_PAPER, wait)?))
}

/// What the paper-roll sensor's answer says.
pub fn paper(answer: u8) -> PrinterState {
    if answer & PAPER_END != 0 {
        PrinterState::OutOfPaper
    } else if answer & PAPER_NEAR_END != 0 {
        PrinterState::PaperLow
    } else {
        PrinterState::Ready
    }
}

fn answer(wire: &mut Wire, request: &[u8], wait: Duration) -> Result<u8, String> {
    wire.send(request)?;
    let deadline = Instant::now() + wait;
    loop {
        match wire.read_byte(deadline)? {
            XON | XOFF if Instant::now() < deadline => continue,
            XON | XOFF => return Err("the printer did not answer in time".to_owned()),
            byte => return Ok(byte),
        }
    }
}
