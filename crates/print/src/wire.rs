//! The connection to a printer, every wait on it bounded: a printer that is off, unplugged or
//! silent fails the call in seconds (its job waits in core's queue) and never hangs it.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cashier_core::print::PrinterUrl;

/// Connecting (and resolving a host name): a network printer that is on answers in milliseconds.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// A write that makes no progress for this long: the printer stopped taking bytes.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(3);
/// An answer to a status request: a printer answers real-time requests at once, even mid-job.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(1);
/// An answer to the status request sent after a job: it may wait in the printer's receive
/// buffer behind the end of a long job (a full buffer stops the line until the printer has room),
/// and a printer taken for gone after it printed would get the job again.
pub const ANSWER_AFTER_JOB_TIMEOUT: Duration = Duration::from_secs(3);

/// An open connection to a printer.
pub enum Wire {
    Tcp(TcpStream),
    Serial(Box<dyn serialport::SerialPort>),
    /// A USB printer's device node: takes bytes, cannot be asked.
    Usb(File),
    /// A file the bytes are appended to.
    File(File),
}

impl Wire {
    /// Opens the connection `url` names. A USB device node is never created (it exists only
    /// while the printer is plugged in); a `file:` is.
    pub fn open(url: &PrinterUrl) -> Result<Wire, String> {
        match url {
            PrinterUrl::Tcp { host, port } => connect(host, *port).map(Wire::Tcp),
            PrinterUrl::Serial { port, baud } => {
                let port = serialport::new(port, *baud)
                    .timeout(WRITE_TIMEOUT)
                    .open()
                    .map_err(|e| e.to_string())?;
                // A late answer left on the line from an earlier connection must not be taken
                // for this one's.
                port.clear(serialport::ClearBuffer::Input)
                    .map_err(|e| e.to_string())?;
                Ok(Wire::Serial(port))
            }
            PrinterUrl::Usb(path) => open_device(path).map(Wire::Usb),
            PrinterUrl::File(path) => OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map(Wire::File)
                .map_err(|e| e.to_string()),
        }
    }

    /// Whether the printer at the other end can answer a status request.
    pub fn can_be_asked(&self) -> bool {
        matches!(self, Wire::Tcp(_) | Wire::Serial(_))
    }

    /// Sends all of `bytes` and pushes them out (a file's to the disk, a serial line's onto the
    /// wire: an answer to a request sent next is then not waiting behind them), or says why not.
    pub fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        let sent = match self {
            Wire::Tcp(stream) => stream.write_all(bytes).and_then(|()| stream.flush()),
            Wire::Serial(port) => port
                .set_timeout(WRITE_TIMEOUT)
                .map_err(std::io::Error::from)
                .and_then(|()| port.write_all(bytes))
                .and_then(|()| port.flush()),
            Wire::Usb(device) => write_patiently(device, bytes).and_then(|()| device.flush()),
            Wire::File(file) => file.write_all(bytes).and_then(|()| file.sync_data()),
        };
        sent.map_err(|e| match e.kind() {
            ErrorKind::WouldBlock | ErrorKind::TimedOut => {
                format!(
                    "the printer took no bytes for {} s",
                    WRITE_TIMEOUT.as_secs()
                )
            }
            _ => e.to_string(),
        })
    }

    /// One byte from the printer, waiting until `deadline` at most.
    pub fn read_byte(&mut self, deadline: Instant) -> Result<u8, String> {
        let no_answer = || "the printer did not answer in time".to_owned();
        // A zero timeout means "wait forever" to some APIs: at least a millisecond.
        let left = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1));
        let mut byte = [0u8; 1];
        let read = match self {
            Wire::Tcp(stream) => stream
                .set_read_timeout(Some(left))
                .and_then(|()| stream.read(&mut byte)),
            Wire::Serial(port) => port
                .set_timeout(left)
                .map_err(std::io::Error::from)
                .and_then(|()| port.read(&mut byte)),
            Wire::Usb(_) | Wire::File(_) => return Err("this printer cannot be asked".to_owned()),
        };
        match read {
            Ok(1) => Ok(byte[0]),
            Ok(_) => Err("the printer closed the connection".to_owned()),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                Err(no_answer())
            }
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Connects to a network printer within [`CONNECT_TIMEOUT`], name resolution included.
fn connect(host: &str, port: u16) -> Result<TcpStream, String> {
    let deadline = Instant::now() + CONNECT_TIMEOUT;
    let mut last = "the host name has no address".to_owned();
    for addr in resolve(host, port, deadline)? {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!(
                "no connection within {} s",
                CONNECT_TIMEOUT.as_secs()
            ));
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(stream) => {
                stream
                    .set_write_timeout(Some(WRITE_TIMEOUT))
                    .map_err(|e| e.to_string())?;
                // Jobs are small and the status request must go out at once, not wait to fill
                // a segment.
                stream.set_nodelay(true).map_err(|e| e.to_string())?;
                return Ok(stream);
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(last)
}

/// The addresses of `host`. The system resolver has no timeout of its own, so a name (rather
/// than an address) is resolved on a thread of its own and given up on at `deadline`; the
/// thread ends when the resolver does and touches nothing else.
fn resolve(host: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>, String> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = mpsc::channel();
    let name = host.to_owned();
    std::thread::Builder::new()
        .name("printer-resolve".to_owned())
        .spawn(move || {
            let found = (name.as_str(), port)
                .to_socket_addrs()
                .map(|addrs| addrs.collect::<Vec<_>>())
                .map_err(|e| e.to_string());
            // The caller may have given up: nobody to tell, nothing to do.
            let _ = tx.send(found);
        })
        .map_err(|e| e.to_string())?;
    match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(found) => found,
        Err(_) => Err(format!(
            "{host:?} did not resolve within {} s",
            CONNECT_TIMEOUT.as_secs()
        )),
    }
}

/// Opens a USB printer's device node for writing, non-blocking, so a printer that stops taking
/// bytes makes a write return rather than hang.
#[cfg(unix)]
fn open_device(path: &std::path::Path) -> Result<File, String> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| e.to_string())
}

/// Windows has no device node for a USB printer that a program can write ESC/POS to: it is the
/// print spooler's. A write to what could be opened would block with no way to bound it, so
/// `usb:` is refused (the printer reads as offline, saying what to use instead).
#[cfg(not(unix))]
fn open_device(_path: &std::path::Path) -> Result<File, String> {
    Err(USB_ELSEWHERE.to_owned())
}

/// Why `usb:` does not print on this system, and what does.
#[cfg(not(unix))]
pub const USB_ELSEWHERE: &str = "usb: printers are not supported on this system: use the \
    printer's virtual COM port (serial:COM5, from its USB driver) or its network port \
    (tcp://HOST:9100)";

/// Writes all of `bytes` to a non-blocking device, waiting while it takes none, for at most
/// [`WRITE_TIMEOUT`] without progress.
fn write_patiently(device: &mut File, mut bytes: &[u8]) -> std::io::Result<()> {
    let mut progress = Instant::now();
    while !bytes.is_empty() {
        match device.write(bytes) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => {
                bytes = bytes.get(n..).unwrap_or_default();
                progress = Instant::now();
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if progress.elapsed() >= WRITE_TIMEOUT {
                    return Err(e);
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
