//! Where a slip's bytes go: the printer named as in the configuration and the CLI.

use std::fmt;
use std::fs::OpenOptions;
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use crate::PrintError;

/// How long to wait for a printer to answer or take bytes: a printer that is off must fail the job
/// (it waits in the queue) rather than hang it.
const TIMEOUT: Duration = Duration::from_secs(3);
/// Most thermal printers' serial default.
const DEFAULT_BAUD: u32 = 9600;

/// A printer: `serial:/dev/ttyUSB0` or `serial:COM3` (optional `?baud=9600`), `usb:/dev/usb/lp0`,
/// `tcp://HOST:PORT`, `file:PATH` (the raw bytes appended, for a print server or a test).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterUrl {
    Serial { port: String, baud: u32 },
    Usb(PathBuf),
    Tcp { host: String, port: u16 },
    File(PathBuf),
}

fn bad(given: &str, why: &str) -> PrintError {
    PrintError::BadUrl {
        given: given.to_owned(),
        why: why.to_owned(),
    }
}

impl PrinterUrl {
    pub fn parse(given: &str) -> Result<PrinterUrl, PrintError> {
        let s = given.trim();
        if let Some(rest) = s.strip_prefix("serial:") {
            let (port, query) = match rest.split_once('?') {
                Some((port, query)) => (port, Some(query)),
                None => (rest, None),
            };
            if port.is_empty() {
                return Err(bad(given, "no serial port named"));
            }
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
            return Ok(PrinterUrl::Serial {
                port: port.to_owned(),
                baud,
            });
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

/// Sends `bytes` to `printer`, all of them or an error; never waits on a silent printer longer
/// than a few seconds.
pub fn send(printer: &PrinterUrl, bytes: &[u8]) -> Result<(), PrintError> {
    let unreachable = |detail: String| PrintError::Unreachable {
        printer: printer.to_string(),
        detail,
    };
    match printer {
        PrinterUrl::File(path) => {
            let mut file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| unreachable(e.to_string()))?;
            file.write_all(bytes)
                .map_err(|e| unreachable(e.to_string()))?;
            file.sync_data().map_err(|e| unreachable(e.to_string()))
        }
        PrinterUrl::Usb(path) => {
            // The device node exists only while the printer is plugged in: never create it.
            let mut device = OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| unreachable(e.to_string()))?;
            device
                .write_all(bytes)
                .map_err(|e| unreachable(e.to_string()))?;
            device.flush().map_err(|e| unreachable(e.to_string()))
        }
        PrinterUrl::Tcp { host, port } => {
            let addrs = (host.as_str(), *port)
                .to_socket_addrs()
                .map_err(|e| unreachable(e.to_string()))?;
            let mut last = "no address".to_owned();
            for addr in addrs {
                match TcpStream::connect_timeout(&addr, TIMEOUT) {
                    Ok(mut stream) => {
                        stream
                            .set_write_timeout(Some(TIMEOUT))
                            .map_err(|e| unreachable(e.to_string()))?;
                        stream
                            .write_all(bytes)
                            .map_err(|e| unreachable(e.to_string()))?;
                        return stream.flush().map_err(|e| unreachable(e.to_string()));
                    }
                    Err(e) => last = e.to_string(),
                }
            }
            Err(unreachable(last))
        }
        PrinterUrl::Serial { port, baud } => {
            let mut serial = serialport::new(port, *baud)
                .timeout(TIMEOUT)
                .open()
                .map_err(|e| unreachable(e.to_string()))?;
            serial
                .write_all(bytes)
                .map_err(|e| unreachable(e.to_string()))?;
            serial.flush().map_err(|e| unreachable(e.to_string()))
        }
    }
}
