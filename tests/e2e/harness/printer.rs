//! A receipt printer on a pty pair, as a serial (COM) printer: the app opens `port_name()` by
//! name; the test's end keeps every byte the app sends and answers the printer's real-time status
//! requests (`DLE EOT n`) as a thermal printer does — with the paper-end bits set while the test
//! says the roll is out.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, anyhow};
use cashier_core::print::CodePage;
use cashier_print::{Decoded, decode};
use serialport::{SerialPort, TTYPort};

use super::E2eResult;
use super::page::poll;

/// `DLE EOT n`: a real-time status request.
const DLE: u8 = 0x10;
const EOT: u8 = 0x04;
/// The status byte with only its fixed bits (1 and 4) set: all is well.
const STATUS_OK: u8 = 0x12;
/// Bits 5 and 6 of `DLE EOT 4`'s answer: the paper-end sensor sees no paper.
const PAPER_END: u8 = 0x60;

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<u8>>,
    out_of_paper: AtomicBool,
    stop: AtomicBool,
}

pub struct SerialPrinter {
    shared: Arc<Shared>,
    port_name: String,
    // Held open so the port stays as it was set up (raw mode) until the test ends.
    _port_end: TTYPort,
    reader: Option<JoinHandle<()>>,
}

impl SerialPrinter {
    pub fn plug_in() -> E2eResult<Self> {
        let (mut printer_end, port_end) = TTYPort::pair().context("opening a pty pair")?;
        let port_name = port_end.name().context("the pty pair's port has no name")?;
        printer_end.set_timeout(Duration::from_millis(50))?;
        let shared = Arc::new(Shared::default());
        let seen = Arc::clone(&shared);
        let reader = std::thread::spawn(move || serve(printer_end, &seen));
        Ok(SerialPrinter {
            shared,
            port_name,
            _port_end: port_end,
            reader: Some(reader),
        })
    }

    /// The device the app should open, e.g. `/dev/pts/7`.
    pub fn port_name(&self) -> &str {
        &self.port_name
    }

    /// The roll runs out (or is put back): status requests answer so from now on.
    pub fn set_out_of_paper(&self, out: bool) {
        self.shared.out_of_paper.store(out, Ordering::SeqCst);
    }

    /// Everything the app has sent so far, decoded in GBK.
    pub fn decoded(&self) -> Decoded {
        let bytes = match self.shared.received.lock() {
            Ok(bytes) => bytes.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        decode(&bytes, CodePage::Gbk)
    }

    /// Waits until `cuts` documents have been printed whole, and gives what was printed; more
    /// than `cuts` is an error (a slip printed twice).
    pub async fn wait_for_cuts(&self, cuts: u32, timeout: Duration) -> E2eResult<Decoded> {
        let printed = poll(
            &format!("{cuts} cut(s) on the printer"),
            timeout,
            || async {
                let printed = self.decoded();
                if printed.cuts >= cuts {
                    Ok(printed)
                } else {
                    Err(format!("{} cut(s): {:?}", printed.cuts, printed.lines))
                }
            },
        )
        .await?;
        if printed.cuts != cuts {
            return Err(anyhow!(
                "{} documents printed, {cuts} expected: {:?}",
                printed.cuts,
                printed.lines
            ));
        }
        Ok(printed)
    }
}

impl Drop for SerialPrinter {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// Keeps what arrives and answers each `DLE EOT n` at once, as a printer answers real-time
/// requests even while it prints.
fn serve(mut port: TTYPort, shared: &Shared) {
    let mut buf = [0u8; 4096];
    let mut tail: Vec<u8> = Vec::new();
    while !shared.stop.load(Ordering::SeqCst) {
        let n = match port.read(&mut buf) {
            Ok(0) => continue,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
            Err(_) => {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let chunk = &buf[..n];
        if let Ok(mut received) = shared.received.lock() {
            received.extend_from_slice(chunk);
        }
        // A request may be split across reads: look at the last two bytes of the previous read too.
        tail.extend_from_slice(chunk);
        let mut i = 0;
        while i + 2 < tail.len() {
            if tail[i] == DLE && tail[i + 1] == EOT {
                let answer = if tail[i + 2] == 4 && shared.out_of_paper.load(Ordering::SeqCst) {
                    STATUS_OK | PAPER_END
                } else {
                    STATUS_OK
                };
                let _ = port.write_all(&[answer]);
                let _ = port.flush();
                i += 3;
            } else {
                i += 1;
            }
        }
        let keep = tail.len().saturating_sub(i);
        tail.drain(..tail.len() - keep);
    }
}
