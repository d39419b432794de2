//! How a printer is named, the same in the configuration, the settings screen and the CLI:
//! `serial:/dev/ttyUSB0` or `serial:COM3` (optional `?baud=9600`), `usb:/dev/usb/lp0`,
//! `tcp://HOST:PORT`, `file:PATH`. A serial port is named as the scanner's is
//! ([`canonical_port_name`]).

use std::fmt;
use std::path::PathBuf;

use crate::scanner::{PortNameError, canonical_port_name};

/// Most thermal printers' serial default.
const DEFAULT_BAUD: u32 = 9600;

/// A printer name that is not one of the forms above, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a printer: {given:?} ({why})")]
pub struct PrinterUrlError {
    pub given: String,
    pub why: String,
}

/// A printer: `serial:/dev/ttyUSB0` or `serial:COM3` (optional `?baud=9600`), `usb:/dev/usb/lp0`,
/// `tcp://HOST:PORT`, `file:PATH` (the raw bytes appended, for a print server or a test).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterUrl {
    Serial { port: String, baud: u32 },
    Usb(PathBuf),
    Tcp { host: String, port: u16 },
    File(PathBuf),
}

impl PrinterUrlError {
    /// What to write instead, in English (the error's `Display` is the short form).
    pub fn en(&self) -> String {
        format!(
            "{:?} is not a printer ({}). Use serial:/dev/ttyUSB0 (or serial:COM3, optionally \
             ?baud=9600), usb:/dev/usb/lp0, tcp://HOST:PORT or file:PATH.",
            self.given, self.why
        )
    }

    /// The same in Chinese.
    pub fn zh(&self) -> String {
        format!(
            "{:?} 不是打印机地址（{}）。请用 serial:/dev/ttyUSB0（或 serial:COM3，可加 \
             ?baud=9600）、usb:/dev/usb/lp0、tcp://主机:端口 或 file:路径。",
            self.given, self.why
        )
    }
}

fn bad(given: &str, why: &str) -> PrinterUrlError {
    PrinterUrlError {
        given: given.to_owned(),
        why: why.to_owned(),
    }
}

impl PrinterUrl {
    pub fn parse(given: &str) -> Result<PrinterUrl, PrinterUrlError> {
        let s = given.trim();
        if let Some(rest) = s.strip_prefix("serial:") {
            let (port, query) = match rest.split_once('?') {
                Some((port, query)) => (port, Some(query)),
                None => (rest, None),
            };
            // One name for one port, whatever Windows spelling was typed (`com3`, `\\.\COM12`).
            let port = canonical_port_name(port).map_err(|e| match e {
                PortNameError::Empty => bad(given, "no serial port named"),
                other => bad(given, &other.to_string()),
            })?;
            let baud = match query {
                None => DEFAULT_BAUD,
                Some(query) => {
                    let value = query
                        .strip_prefix("baud=")
                        .ok_or_else(|| bad(given, "the only option is ?baud=N"))?;
                    match value.parse::<u32>() {
                        Ok(baud) if baud > 0 => baud,
                        _ => return Err(bad(given, "the baud rate is not a positive number")),
                    }
                }
            };
            return Ok(PrinterUrl::Serial { port, baud });
        }
        if let Some(path) = s.strip_prefix("usb:") {
            if path.is_empty() {
                return Err(bad(given, "no USB printer device named"));
            }
            return Ok(PrinterUrl::Usb(PathBuf::from(path)));
        }
        if let Some(rest) = s.strip_prefix("tcp://") {
            let rest = rest.strip_suffix('/').unwrap_or(rest);
            let (host, port) = rest
                .rsplit_once(':')
                .ok_or_else(|| bad(given, "a network printer needs HOST:PORT, e.g. :9100"))?;
            let host = host.trim_start_matches('[').trim_end_matches(']');
            if host.is_empty() {
                return Err(bad(given, "no host"));
            }
            let port = match port.parse::<u16>() {
                Ok(port) if port > 0 => port,
                _ => return Err(bad(given, "the port is not a number from 1 to 65535")),
            };
            return Ok(PrinterUrl::Tcp {
                host: host.to_owned(),
                port,
            });
        }
        if let Some(path) = s.strip_prefix("file:") {
            if path.is_empty() {
                return Err(bad(given, "no file named"));
            }
            return Ok(PrinterUrl::File(PathBuf::from(path)));
        }
        Err(bad(given, "unknown kind of printer"))
    }
}

impl fmt::Display for PrinterUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrinterUrl::Serial { port, baud } => write!(f, "serial:{port}?baud={baud}"),
            PrinterUrl::Usb(path) => write!(f, "usb:{}", path.display()),
            PrinterUrl::Tcp { host, port } if host.contains(':') => {
                write!(f, "tcp://[{host}]:{port}")
            }
            PrinterUrl::Tcp { host, port } => write!(f, "tcp://{host}:{port}"),
            PrinterUrl::File(path) => write!(f, "file:{}", path.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serial(url: &str) -> (String, u32) {
        match PrinterUrl::parse(url) {
            Ok(PrinterUrl::Serial { port, baud }) => (port, baud),
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn windows_com_ports_in_every_spelling() {
        assert_eq!(serial("serial:COM3"), ("COM3".into(), 9600));
        assert_eq!(serial("serial:com3?baud=19200"), ("COM3".into(), 19200));
        assert_eq!(serial("serial:COM12"), ("COM12".into(), 9600));
        assert_eq!(serial(r"serial:\\.\COM12"), ("COM12".into(), 9600));
        assert_eq!(
            serial(r"serial:\\.\COM12?baud=115200"),
            ("COM12".into(), 115200)
        );
        assert_eq!(serial("serial:COM5:"), ("COM5".into(), 9600));
        // A virtual port driver's device keeps its name; a Unix path is untouched.
        assert_eq!(serial(r"serial:\\.\CNCA0"), (r"\\.\CNCA0".into(), 9600));
        assert_eq!(serial("serial:/dev/ttyS0"), ("/dev/ttyS0".into(), 9600));
        // Written back in the one form, so the settings show what is opened.
        let url = PrinterUrl::parse(r"serial:\\.\com12?baud=9600").unwrap();
        assert_eq!(url.to_string(), "serial:COM12?baud=9600");
    }

    #[test]
    fn a_serial_name_that_is_no_port_is_refused_saying_why() {
        let err = PrinterUrl::parse("serial:COM0").unwrap_err();
        assert!(err.why.contains("COM1"), "{err}");
        assert!(err.en().contains("serial:COM3"), "{}", err.en());
        let err = PrinterUrl::parse(r"serial:\\.\?baud=9600").unwrap_err();
        assert_eq!(err.why, "no serial port named");
    }

    #[test]
    fn windows_file_paths_are_files() {
        assert_eq!(
            PrinterUrl::parse(r"file:C:\Users\till\slips.bin").unwrap(),
            PrinterUrl::File(PathBuf::from(r"C:\Users\till\slips.bin"))
        );
    }
}
