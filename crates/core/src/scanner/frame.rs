//! Cuts the scanner's byte stream into reads, with no I/O and no clock of its own so every timing
//! case can be tested exactly: the caller passes the time of each write and of each idle poll.

use std::time::{Duration, Instant};

use super::config::{ScannerConfig, Terminator};

/// A pause this many inter-character timeouts long, with a terminator configured and bytes
/// pending, means the rest of the scan is not coming.
const PARTIAL_READ_FACTOR: u32 = 10;

/// One read cut out of the stream, terminator removed; the bytes are still unchecked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// Ended by the terminator, or (with no terminator) by the inter-character pause.
    Complete(Vec<u8>),
    /// The terminator never came: the line went quiet, or the port was lost.
    Partial(Vec<u8>),
    /// More than `max_len` bytes without a terminator: noise. The bytes are what was held when
    /// the limit was passed; the rest of the run up to its end is dropped unseen.
    TooLong(Vec<u8>),
}

#[derive(Debug, Clone)]
pub struct FrameAssembler {
    terminator: Terminator,
    /// The pause that ends a read: the inter-character timeout with no terminator, ten times it
    /// (a partial read) with one.
    quiet: Duration,
    max_len: usize,
    pending: Vec<u8>,
    /// Set after a `TooLong`: bytes are dropped until the run ends, so its tail is not taken
    /// for the start of a new code.
    discarding: bool,
    last_byte_at: Option<Instant>,
    /// The last byte seen was CR: with `Crlf`, the next LF ends the read.
    after_cr: bool,
}

impl FrameAssembler {
    pub fn new(terminator: Terminator, inter_char_timeout: Duration, max_len: usize) -> Self {
        let quiet = match terminator {
            Terminator::None => inter_char_timeout,
            _ => inter_char_timeout.saturating_mul(PARTIAL_READ_FACTOR),
        };
        Self {
            terminator,
            quiet,
            max_len,
            pending: Vec::new(),
            discarding: false,
            last_byte_at: None,
            after_cr: false,
        }
    }

    pub fn from_config(cfg: &ScannerConfig) -> Self {
        Self::new(cfg.terminator, cfg.inter_char_timeout(), cfg.max_len)
    }

    /// Bytes that arrived at `now`. A pause before them is honoured first, so a caller that did
    /// not poll [`tick`](Self::tick) during the pause gets the same frames as one that did.
    pub fn feed(&mut self, bytes: &[u8], now: Instant) -> Vec<Frame> {
        let mut frames: Vec<Frame> = self.tick(now).into_iter().collect();
        for &b in bytes {
            self.push(b, &mut frames);
        }
        if !bytes.is_empty() {
            self.last_byte_at = Some(now);
        }
        frames
    }

    /// Nothing arrived up to `now`: ends the pending read if the line has been quiet long enough.
    pub fn tick(&mut self, now: Instant) -> Option<Frame> {
        let last = self.last_byte_at?;
        if now.saturating_duration_since(last) < self.quiet {
            return None;
        }
        self.last_byte_at = None;
        self.after_cr = false;
        if std::mem::take(&mut self.discarding) {
            self.pending.clear();
            return None;
        }
        if self.pending.is_empty() {
            return None;
        }
        let bytes = std::mem::take(&mut self.pending);
        Some(match self.terminator {
            Terminator::None => Frame::Complete(bytes),
            _ => Frame::Partial(bytes),
        })
    }

    /// The port is gone: whatever was pending will never be finished.
    pub fn flush(&mut self) -> Option<Frame> {
        let discarding = std::mem::take(&mut self.discarding);
        self.last_byte_at = None;
        self.after_cr = false;
        let bytes = std::mem::take(&mut self.pending);
        (!discarding && !bytes.is_empty()).then_some(Frame::Partial(bytes))
    }

    /// Bytes held back, waiting for a terminator or a pause.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    fn push(&mut self, b: u8, frames: &mut Vec<Frame>) {
        let ends = match self.terminator {
            Terminator::Cr => b == b'\r',
            Terminator::Lf => b == b'\n',
            Terminator::Crlf => b == b'\n' && self.after_cr,
            Terminator::None => false,
        };
        self.after_cr = b == b'\r';
        if ends {
            // The CR of a CRLF (also under `Lf`, where the scanner may send CRLF) is not data.
            if self.terminator != Terminator::Cr && self.pending.last() == Some(&b'\r') {
                self.pending.pop();
            }
            let bytes = std::mem::take(&mut self.pending);
            // An empty read is the other half of a CRLF or a doubled terminator: not a scan.
            if !std::mem::take(&mut self.discarding) && !bytes.is_empty() {
                frames.push(Frame::Complete(bytes));
            }
            return;
        }
        if self.discarding {
            return;
        }
        // CR or LF cannot start a code: they are the tail of a CRLF (or LFCR) the terminator
        // setting only half covers, and would otherwise linger as a partial read.
        if self.pending.is_empty() && (b == b'\r' || b == b'\n') {
            return;
        }
        self.pending.push(b);
        if self.pending.len() > self.max_len {
            frames.push(Frame::TooLong(std::mem::take(&mut self.pending)));
            self.discarding = true;
        }
    }
}

#[cfg(test)]
#[path = "frame_tests.rs"]
mod tests;
