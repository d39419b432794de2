//! The serial scanner as the till sees it: its port's state for the status bar, and each code
//! it reads held here (the clear digits never leave core) under a number the screen pays with.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use super::events::{ScanView, TillEvent};
use super::input::wallet_label;
use super::status::{ScannerState, ScannerStatus};
use crate::error::Field;
use crate::scanner::{ScanEvent, Scanner, ScannerConfig, ScannerHandle};
use crate::{Error, Lang, PaymentCode};

/// A payment code is good for about a minute on the customer's phone.
const SCAN_KEPT_FOR: Duration = Duration::from_secs(60);

pub(super) struct Link {
    events: broadcast::Sender<TillEvent>,
    status: Mutex<ScannerStatus>,
    scans: Mutex<HashMap<u64, (PaymentCode, Instant)>>,
    next_id: AtomicU64,
    reader: Mutex<Option<ScannerHandle>>,
}

impl Link {
    pub(super) fn new(events: broadcast::Sender<TillEvent>) -> Link {
        Link {
            events,
            status: Mutex::new(ScannerStatus {
                state: ScannerState::Off,
                port: None,
                message: None,
            }),
            scans: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            reader: Mutex::new(None),
        }
    }

    pub(super) fn status(&self) -> ScannerStatus {
        lock(&self.status).clone()
    }

    fn set(&self, status: ScannerStatus) {
        *lock(&self.status) = status.clone();
        let _ = self.events.send(TillEvent::Scanner { scanner: status });
    }

    /// Starts reading the configured port (none configured: the scanner is off). Needs a
    /// tokio runtime for the task that carries its events.
    pub(super) fn start(self: &std::sync::Arc<Self>, cfg: &ScannerConfig, lang: Lang) {
        if let Some(old) = lock(&self.reader).take() {
            // Joining the reader thread blocks for up to its stop latency: not on a worker.
            std::thread::spawn(move || old.stop());
        }
        if cfg.port.trim().is_empty() {
            self.set(ScannerStatus {
                state: ScannerState::Off,
                port: None,
                message: None,
            });
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("no async runtime: the serial scanner is not started");
            return;
        };
        self.set(ScannerStatus {
            state: ScannerState::Connecting,
            port: Some(cfg.port.clone()),
            message: None,
        });
        let (tx, mut rx) = tokio::sync::mpsc::channel(64);
        *lock(&self.reader) = Some(Scanner::spawn(cfg.clone(), tx));
        let link = std::sync::Arc::downgrade(self);
        runtime.spawn(async move {
            while let Some(ev) = rx.recv().await {
                let Some(link) = link.upgrade() else { return };
                link.on_event(ev, lang);
            }
        });
    }

    fn on_event(&self, ev: ScanEvent, lang: Lang) {
        let zh = lang == Lang::ZhCn;
        match ev {
            ScanEvent::Code { code } => {
                let scan_id = self.next_id.fetch_add(1, Ordering::Relaxed);
                let view = ScanView {
                    scan_id,
                    code_masked: Some(code.masked()),
                    wallet_label: Some(wallet_label(code.kind(), lang).to_string()),
                    error: None,
                };
                let mut scans = lock(&self.scans);
                scans.retain(|_, (_, at)| at.elapsed() < SCAN_KEPT_FOR);
                scans.insert(scan_id, (code, Instant::now()));
                drop(scans);
                let _ = self.events.send(TillEvent::Scan { scan: view });
            }
            ScanEvent::Rejected { reason, masked } => {
                tracing::info!(masked, reason, "scanner read rejected");
                let error = if zh {
                    "扫码不完整或不是付款码，请重扫"
                } else {
                    "Incomplete scan or not a payment code — scan again"
                };
                let _ = self.events.send(TillEvent::Scan {
                    scan: ScanView {
                        scan_id: 0,
                        code_masked: Some(masked),
                        wallet_label: None,
                        error: Some(error.to_string()),
                    },
                });
            }
            ScanEvent::Connected { port } => self.set(ScannerStatus {
                state: ScannerState::Connected,
                port: Some(port),
                message: None,
            }),
            ScanEvent::Disconnected { port, reason } => self.set(ScannerStatus {
                state: ScannerState::Disconnected,
                port: Some(port),
                message: Some(reason),
            }),
            ScanEvent::Reconnecting { port, .. } => {
                let message = lock(&self.status).message.clone();
                self.set(ScannerStatus {
                    state: ScannerState::Reconnecting,
                    port: Some(port),
                    message,
                });
            }
        }
    }

    /// The code read as `scan_id`, once: a payment code is single-use.
    pub(super) fn take(&self, scan_id: u64) -> Result<PaymentCode, Error> {
        match lock(&self.scans).remove(&scan_id) {
            Some((code, at)) if at.elapsed() < SCAN_KEPT_FOR => Ok(code),
            _ => Err(Error::input(
                Field::Code,
                "that scan is no longer available (used, or over a minute old): scan the code again",
                "该付款码已使用或已超过一分钟，请重新扫码",
            )),
        }
    }
}

/// The machine's serial ports, for the settings screen.
pub(super) fn ports() -> Vec<String> {
    match serialport::available_ports() {
        Ok(ports) => ports.into_iter().map(|p| p.port_name).collect(),
        Err(e) => {
            tracing::warn!("listing serial ports: {e}");
            Vec::new()
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
