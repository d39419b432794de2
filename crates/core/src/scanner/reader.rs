//! The reader thread: owns the serial port (whose API blocks), cuts its bytes into reads, and
//! reopens the port with backoff when the scanner is unplugged.

use std::io;
use std::sync::mpsc::{self as std_mpsc, RecvTimeoutError, TryRecvError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serialport::SerialPort;
use tokio::sync::mpsc::{Sender, error::TrySendError};

use super::config::ScannerConfig;
use super::event::ScanEvent;
use super::frame::FrameAssembler;

/// Upper bound on how long the thread goes without looking at the stop signal.
const STOP_LATENCY: Duration = Duration::from_millis(100);
/// How often an idle open port checks that its device node still exists: some drivers keep a
/// vanished device's reads timing out instead of failing.
#[cfg(unix)]
const PRESENCE_CHECK: Duration = Duration::from_secs(1);

/// The state of one scanner's reader thread; see [`Scanner::spawn`].
#[derive(Debug)]
pub struct Scanner {
    cfg: ScannerConfig,
    tx: Sender<ScanEvent>,
    /// Never sent on: the handle dropping its end is the stop signal.
    stop: std_mpsc::Receiver<()>,
    frames: FrameAssembler,
}

/// Stops and joins the reader thread on [`stop`](Self::stop) or drop, so the port is released
/// (and can be opened again) by the time either returns: within about 0.1 s.
#[derive(Debug)]
pub struct ScannerHandle {
    stop: Option<std_mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// The reader must end: stop was asked for, or nobody receives its events any more.
struct Stop;

impl Scanner {
    /// Starts reading `cfg.port` on its own thread and sends everything it sees to `tx`.
    ///
    /// Nothing is returned as an error: a port that cannot be opened is reported as
    /// `Disconnected` and retried; settings that fail [`ScannerConfig::validate`] are reported as
    /// `Disconnected` once and the thread ends, since retrying cannot fix them.
    pub fn spawn(cfg: ScannerConfig, tx: Sender<ScanEvent>) -> ScannerHandle {
        let (stop_tx, stop_rx) = std_mpsc::channel();
        let port = cfg.port.clone();
        let scanner = Scanner {
            frames: FrameAssembler::from_config(&cfg),
            cfg,
            tx: tx.clone(),
            stop: stop_rx,
        };
        // A fixed name: a thread name with a NUL byte (from a mistyped port) would panic.
        let thread = thread::Builder::new()
            .name("scanner".into())
            .spawn(move || scanner.run());
        let thread = match thread {
            Ok(thread) => Some(thread),
            Err(e) => {
                tracing::error!(port, error = %e, "cannot start the scanner reader thread");
                let reason = format!("cannot start the reader thread: {e}");
                // Best effort: with no thread there is nobody to retry a full channel.
                let _ = tx.try_send(ScanEvent::Disconnected { port, reason });
                None
            }
        };
        ScannerHandle {
            stop: Some(stop_tx),
            thread,
        }
    }

    fn run(mut self) {
        // `Err(Stop)` is the ordinary way out.
        let _ = self.serve();
        tracing::debug!(port = self.cfg.port, "scanner reader ended");
    }

    fn serve(&mut self) -> Result<(), Stop> {
        if let Err(e) = self.cfg.validate() {
            let reason = format!("scanner settings: {e}");
            return self.emit(ScanEvent::Disconnected {
                port: self.cfg.port.clone(),
                reason,
            });
        }
        let mut port = match self.open() {
            Ok(port) => port,
            Err(reason) => {
                let port = self.cfg.port.clone();
                self.emit(ScanEvent::Disconnected { port, reason })?;
                self.reopen()?
            }
        };
        loop {
            self.emit(ScanEvent::Connected {
                port: self.cfg.port.clone(),
            })?;
            let reason = self.read_until_lost(port.as_mut())?;
            // Closed before waiting, so the device node can go away and come back.
            drop(port);
            let name = self.cfg.port.clone();
            self.emit(ScanEvent::Disconnected { port: name, reason })?;
            if let Some(frame) = self.frames.flush() {
                self.emit(ScanEvent::from_frame(frame, &self.cfg.framing))?;
            }
            port = self.reopen()?;
        }
    }

    /// Reads until the port fails; returns why.
    fn read_until_lost(&mut self, port: &mut dyn SerialPort) -> Result<String, Stop> {
        let mut buf = [0u8; 256];
        #[cfg(unix)]
        let mut checked_at = Instant::now();
        loop {
            self.check_stop()?;
            let frames = match port.read(&mut buf) {
                Ok(0) => return Ok("the port reached end of file (unplugged?)".into()),
                Ok(n) => self.frames.feed(&buf[..n], Instant::now()),
                Err(e) if is_idle(&e) => {
                    #[cfg(unix)]
                    if checked_at.elapsed() >= PRESENCE_CHECK {
                        checked_at = Instant::now();
                        if !std::path::Path::new(&self.cfg.port).exists() {
                            return Ok(format!("{} no longer exists", self.cfg.port));
                        }
                    }
                    self.frames.tick(Instant::now()).into_iter().collect()
                }
                Err(e) => return Ok(format!("read failed: {e}")),
            };
            for frame in frames {
                self.emit(ScanEvent::from_frame(frame, &self.cfg.framing))?;
            }
        }
    }

    /// Retries the open with exponential backoff until it works or the reader must stop.
    fn reopen(&mut self) -> Result<Box<dyn SerialPort>, Stop> {
        let mut delay_ms = self.cfg.reconnect_min_ms;
        let mut attempt: u32 = 1;
        loop {
            self.emit(ScanEvent::Reconnecting {
                port: self.cfg.port.clone(),
                attempt,
                delay_ms,
            })?;
            self.wait(Duration::from_millis(delay_ms))?;
            match self.open() {
                Ok(port) => return Ok(port),
                Err(reason) => tracing::debug!(attempt, reason, "scanner still unavailable"),
            }
            delay_ms = delay_ms.saturating_mul(2).min(self.cfg.reconnect_max_ms);
            attempt = attempt.saturating_add(1);
        }
    }

    fn open(&self) -> Result<Box<dyn SerialPort>, String> {
        // Half the inter-character timeout keeps a no-terminator read ending close to its gap.
        let read_timeout =
            (self.cfg.inter_char_timeout() / 2).clamp(Duration::from_millis(5), STOP_LATENCY);
        self.cfg
            .port_builder(read_timeout)
            .open()
            .map_err(|e| format!("cannot open {}: {e}", self.cfg.port))
    }

    /// Sends an event, waiting while the channel is full (back-pressure, not loss) but never past
    /// a stop.
    fn emit(&self, event: ScanEvent) -> Result<(), Stop> {
        log(&event);
        let mut event = event;
        loop {
            match self.tx.try_send(event) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Closed(_)) => return Err(Stop),
                Err(TrySendError::Full(back)) => {
                    event = back;
                    self.wait(Duration::from_millis(10))?;
                }
            }
        }
    }

    fn check_stop(&self) -> Result<(), Stop> {
        match self.stop.try_recv() {
            Err(TryRecvError::Empty) if !self.tx.is_closed() => Ok(()),
            _ => Err(Stop),
        }
    }

    /// Sleeps for `d` unless the reader must stop first.
    fn wait(&self, d: Duration) -> Result<(), Stop> {
        let until = Instant::now() + d;
        loop {
            if self.tx.is_closed() {
                return Err(Stop);
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            match self.stop.recv_timeout(left.min(STOP_LATENCY)) {
                Err(RecvTimeoutError::Timeout) => {}
                _ => return Err(Stop),
            }
        }
    }
}

fn is_idle(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

/// Codes are logged through their masked `Display` only.
fn log(event: &ScanEvent) {
    match event {
        ScanEvent::Code { code } => {
            tracing::info!(code = %code, kind = ?code.kind(), "payment code scanned");
        }
        ScanEvent::Rejected { reason, masked } => {
            tracing::warn!(reason, masked, "scanner read rejected");
        }
        ScanEvent::Connected { port } => tracing::info!(port, "scanner connected"),
        ScanEvent::Disconnected { port, reason } => {
            tracing::warn!(port, reason, "scanner disconnected");
        }
        ScanEvent::Reconnecting {
            port,
            attempt,
            delay_ms,
        } => tracing::debug!(port, attempt, delay_ms, "scanner reconnecting"),
    }
}

impl ScannerHandle {
    /// Stops the reader and waits for it to release the port.
    pub fn stop(mut self) {
        self.shutdown();
    }

    /// The reader ended on its own: invalid settings, or the event receiver was dropped.
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    fn shutdown(&mut self) {
        // The reader sees the closed channel at its next read timeout or wait slice.
        drop(self.stop.take());
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the scanner reader thread panicked");
        }
    }
}

impl Drop for ScannerHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}
