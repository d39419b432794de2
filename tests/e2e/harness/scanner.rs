//! Scanners as the app meets them: a keyboard wedge types the code as a burst of key events and a
//! suffix key; a serial scanner writes the code and a terminator to a port, here one end of a real
//! pseudo-terminal pair whose other end the app opens by name like a COM port.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serialport::{SerialPort, TTYPort};

use super::{App, E2eResult};

/// The key a wedge scanner sends after the code (set in the scanner's own configuration).
#[derive(Clone, Copy)]
pub enum ScanSuffix {
    Enter,
    Tab,
}

impl From<ScanSuffix> for char {
    fn from(suffix: ScanSuffix) -> char {
        match suffix {
            ScanSuffix::Enter => Key::Enter.into(),
            ScanSuffix::Tab => Key::Tab.into(),
        }
    }
}

fn keystrokes(text: &str, gap: Duration, suffix: Option<ScanSuffix>) -> KeyActions {
    let keys = text.chars().chain(suffix.map(char::from));
    let mut actions = KeyActions::new("keyboard".into());
    for (i, key) in keys.enumerate() {
        if i > 0 && !gap.is_zero() {
            actions = actions.pause(gap);
        }
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    actions
}

impl App {
    /// Types `code` as a keyboard-wedge scanner does: every key down and up with no pause between,
    /// then the suffix, into whatever has the focus.
    pub async fn scan_with_wedge(&self, code: &str, suffix: ScanSuffix) -> E2eResult<()> {
        self.client
            .perform_actions(keystrokes(code, Duration::ZERO, Some(suffix)))
            .await?;
        Ok(())
    }

    /// Types `text` as a person does, `gap` between keys: the wedge detector must leave it alone.
    pub async fn type_by_hand(&self, text: &str, gap: Duration) -> E2eResult<()> {
        self.client
            .perform_actions(keystrokes(text, gap, None))
            .await?;
        Ok(())
    }

    /// One key, such as `Key::F1` (WeChat QR) or `Key::Escape`.
    pub async fn press(&self, key: Key) -> E2eResult<()> {
        self.client
            .perform_actions(keystrokes(
                &char::from(key).to_string(),
                Duration::ZERO,
                None,
            ))
            .await?;
        Ok(())
    }
}

/// A serial scanner on a pty pair: the app opens `port_name()`, the test "scans" into the other end.
pub struct SerialScanner {
    scanner_end: TTYPort,
    // Held open so the port stays as it was set up (raw mode) until the test ends; never read.
    _port_end: TTYPort,
    port_name: String,
}

impl SerialScanner {
    pub fn plug_in() -> E2eResult<Self> {
        let (scanner_end, port_end) = TTYPort::pair().context("opening a pty pair")?;
        let port_name = port_end.name().context("the pty pair's port has no name")?;
        Ok(SerialScanner {
            scanner_end,
            _port_end: port_end,
            port_name,
        })
    }

    /// The device the app should open, e.g. `/dev/pts/7`.
    pub fn port_name(&self) -> &str {
        &self.port_name
    }

    /// Sends `code` followed by `terminator` (a scanner's usual ones: `b"\r"`, `b"\n"`, `b"\r\n"`).
    pub fn scan(&mut self, code: &str, terminator: &[u8]) -> E2eResult<()> {
        self.scanner_end.write_all(code.as_bytes())?;
        self.scanner_end.write_all(terminator)?;
        self.scanner_end.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    /// Needs no display: the pty pair carries a scan intact to a reader that opened the port by
    /// name, as the app's serial reader will.
    #[test]
    fn a_scan_reaches_whoever_opens_the_port_by_name() -> E2eResult<()> {
        let mut scanner = SerialScanner::plug_in()?;
        let mut port = serialport::new(scanner.port_name(), 9600)
            .timeout(Duration::from_secs(2))
            .open_native()?;
        scanner.scan("134520273825387649", b"\r")?;
        let mut received = [0u8; 19];
        port.read_exact(&mut received)?;
        assert_eq!(&received, b"134520273825387649\r");
        Ok(())
    }
}
