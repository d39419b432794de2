//! How a scanner gun is wired: the serial line settings and how it ends each code.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::port_name::{PortNameError, canonical_port_name};
use crate::code::{self, ScannerFraming};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Parity {
    #[default]
    None,
    Odd,
    Even,
}

/// What the scanner sends after each code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Terminator {
    /// Most scanner guns ship sending CR after each code.
    #[default]
    Cr,
    Lf,
    Crlf,
    /// Nothing: a pause of `inter_char_timeout_ms` ends a code.
    None,
}

/// The baud rates serial barcode scanners are usually set to (9600 the most common).
pub const SCANNER_BAUDS: [u32; 8] = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScannerConfig {
    /// `COM3`, `/dev/ttyUSB0`, `/dev/serial/by-id/...`; empty until the cashier picks one. Any
    /// Windows spelling of a COM port works (`com3`, `\\.\COM12`: [`canonical_port_name`]).
    pub port: String,
    pub baud: u32,
    /// 5 to 8.
    pub data_bits: u8,
    pub parity: Parity,
    /// 1 or 2.
    pub stop_bits: u8,
    pub terminator: Terminator,
    /// With no terminator, a pause this long ends a code. With a terminator, a pause of ten times
    /// this with bytes pending turns them into a rejected partial read (a cut-off scan).
    pub inter_char_timeout_ms: u64,
    pub framing: ScannerFraming,
    /// A longer run without a terminator is line noise, not a code.
    pub max_len: usize,
    pub reconnect_min_ms: u64,
    pub reconnect_max_ms: u64,
}

impl Default for ScannerConfig {
    fn default() -> Self {
        Self {
            port: String::new(),
            baud: 9600,
            data_bits: 8,
            parity: Parity::None,
            stop_bits: 1,
            terminator: Terminator::Cr,
            inter_char_timeout_ms: 50,
            framing: ScannerFraming::default(),
            max_len: 64,
            reconnect_min_ms: 200,
            reconnect_max_ms: 5000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScannerConfigError {
    #[error("no scanner port is configured")]
    NoPort,
    #[error("{0}")]
    Port(PortNameError),
    #[error("the baud rate must be above 0")]
    Baud,
    #[error("data bits must be 5 to 8, not {0}")]
    DataBits(u8),
    #[error("stop bits must be 1 or 2, not {0}")]
    StopBits(u8),
    #[error("the inter-character timeout must be at least 1 ms")]
    InterCharTimeout,
    #[error("the longest read must be at least {min} bytes (the shortest payment code), not {0}", min = code::MIN_LEN)]
    MaxLen(usize),
    #[error("reconnect delays must satisfy 1 ms <= minimum <= maximum; got {0} ms and {1} ms")]
    Reconnect(u64, u64),
}

impl ScannerConfig {
    /// Checks what the serial line and the reader loop cannot work with, so the settings screen
    /// can refuse it before saving rather than the reader failing later.
    pub fn validate(&self) -> Result<(), ScannerConfigError> {
        match canonical_port_name(&self.port) {
            Err(PortNameError::Empty) => return Err(ScannerConfigError::NoPort),
            Err(e) => return Err(ScannerConfigError::Port(e)),
            Ok(_) => {}
        }
        if self.baud == 0 {
            return Err(ScannerConfigError::Baud);
        }
        if !(5..=8).contains(&self.data_bits) {
            return Err(ScannerConfigError::DataBits(self.data_bits));
        }
        if !(1..=2).contains(&self.stop_bits) {
            return Err(ScannerConfigError::StopBits(self.stop_bits));
        }
        if self.inter_char_timeout_ms == 0 {
            return Err(ScannerConfigError::InterCharTimeout);
        }
        if self.max_len < code::MIN_LEN {
            return Err(ScannerConfigError::MaxLen(self.max_len));
        }
        // A zero minimum would make the retry loop spin.
        if self.reconnect_min_ms == 0 || self.reconnect_min_ms > self.reconnect_max_ms {
            return Err(ScannerConfigError::Reconnect(
                self.reconnect_min_ms,
                self.reconnect_max_ms,
            ));
        }
        Ok(())
    }

    pub fn inter_char_timeout(&self) -> Duration {
        Duration::from_millis(self.inter_char_timeout_ms)
    }

    /// The serial builder for this configuration; `read_timeout` paces the reader loop.
    pub(crate) fn port_builder(&self, read_timeout: Duration) -> serialport::SerialPortBuilder {
        let data_bits = match self.data_bits {
            5 => serialport::DataBits::Five,
            6 => serialport::DataBits::Six,
            7 => serialport::DataBits::Seven,
            _ => serialport::DataBits::Eight,
        };
        let parity = match self.parity {
            Parity::None => serialport::Parity::None,
            Parity::Odd => serialport::Parity::Odd,
            Parity::Even => serialport::Parity::Even,
        };
        let stop_bits = match self.stop_bits {
            2 => serialport::StopBits::Two,
            _ => serialport::StopBits::One,
        };
        // Checked by `validate` before any open; a name it refused fails the open instead.
        let port = canonical_port_name(&self.port).unwrap_or_else(|_| self.port.clone());
        serialport::new(port, self.baud)
            .data_bits(data_bits)
            .parity(parity)
            .stop_bits(stop_bits)
            .flow_control(serialport::FlowControl::None)
            .timeout(read_timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_partial_toml_like_json() {
        let cfg: ScannerConfig =
            serde_json::from_str(r#"{"port":"COM3","terminator":"crlf","parity":"even"}"#).unwrap();
        assert_eq!(cfg.port, "COM3");
        assert_eq!(cfg.terminator, Terminator::Crlf);
        assert_eq!(cfg.parity, Parity::Even);
        assert_eq!(cfg.baud, 9600);
        assert_eq!(cfg.max_len, 64);
        assert_eq!(cfg.inter_char_timeout_ms, 50);
        assert_eq!((cfg.reconnect_min_ms, cfg.reconnect_max_ms), (200, 5000));
        assert_eq!(cfg.validate(), Ok(()));
        let none: ScannerConfig = serde_json::from_str(r#"{"terminator":"none"}"#).unwrap();
        assert_eq!(none.terminator, Terminator::None);
        assert_eq!(ScannerConfig::default().terminator, Terminator::Cr);
    }

    #[test]
    fn validate_refuses_unusable_settings() {
        let ok = ScannerConfig {
            port: "/dev/ttyUSB0".into(),
            ..ScannerConfig::default()
        };
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(
            ScannerConfig::default().validate(),
            Err(ScannerConfigError::NoPort)
        );
        let bad = |f: fn(&mut ScannerConfig)| {
            let mut c = ok.clone();
            f(&mut c);
            c.validate().unwrap_err()
        };
        assert_eq!(
            bad(|c| c.port = "COM0".into()),
            ScannerConfigError::Port(PortNameError::ComNumber("COM0".into()))
        );
        assert_eq!(bad(|c| c.port = r"\\.\".into()), ScannerConfigError::NoPort);
        for windows in ["COM3", "com12", r"\\.\COM12", "COM3:"] {
            let c = ScannerConfig {
                port: windows.into(),
                ..ok.clone()
            };
            assert_eq!(c.validate(), Ok(()), "{windows:?}");
        }
        assert_eq!(bad(|c| c.data_bits = 9), ScannerConfigError::DataBits(9));
        assert_eq!(bad(|c| c.data_bits = 4), ScannerConfigError::DataBits(4));
        assert_eq!(bad(|c| c.stop_bits = 3), ScannerConfigError::StopBits(3));
        assert_eq!(bad(|c| c.baud = 0), ScannerConfigError::Baud);
        assert_eq!(
            bad(|c| c.inter_char_timeout_ms = 0),
            ScannerConfigError::InterCharTimeout
        );
        assert_eq!(bad(|c| c.max_len = 9), ScannerConfigError::MaxLen(9));
        assert_eq!(
            bad(|c| c.reconnect_min_ms = 0),
            ScannerConfigError::Reconnect(0, 5000)
        );
        assert_eq!(
            bad(|c| c.reconnect_max_ms = 100),
            ScannerConfigError::Reconnect(200, 100)
        );
    }
}
