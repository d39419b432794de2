//! A receipt printer's stand-in on a real TCP listener or a real pseudo-terminal: it keeps what it
//! is sent, answers `DLE EOT` status requests as told (or not at all), and can be told to go away
//! in the middle of a job.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use cashier_core::print::PrinterUrl;

/// The paper sensor's answers (`DLE EOT 4`).
pub const PAPER_OK: u8 = 0x12;
pub const PAPER_NEAR_END: u8 = 0x1E;
pub const PAPER_OUT: u8 = 0x72;
/// The offline cause's answers (`DLE EOT 2`).
pub const COVER_CLOSED: u8 = 0x12;
pub const COVER_OPEN: u8 = 0x16;

struct Shared {
    /// The answer to `DLE EOT 4`; `None`: the printer answers nothing at all.
    paper: Option<u8>,
    /// The answer to `DLE EOT 2`.
    cover: u8,
    /// Close the next connection once it has received this many bytes (then come back).
    close_after: Option<usize>,
    /// Answer this many more status requests, then none.
    answers_left: Option<usize>,
    /// What each connection sent, status requests taken out.
    jobs: Vec<Vec<u8>>,
    /// The `n` of each `DLE EOT n` received, in order.
    asked: Vec<u8>,
}

pub struct TestPrinter {
    pub url: PrinterUrl,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    /// Held open so the pseudo-terminal stays up between the till's connections.
    #[cfg(unix)]
    _slave: Option<serialport::TTYPort>,
}

fn shared() -> Arc<Mutex<Shared>> {
    Arc::new(Mutex::new(Shared {
        paper: Some(PAPER_OK),
        cover: COVER_CLOSED,
        close_after: None,
        answers_left: None,
        jobs: Vec::new(),
        asked: Vec::new(),
    }))
}

impl TestPrinter {
    /// A network printer on 127.0.0.1, one connection at a time as a real one.
    pub fn tcp() -> TestPrinter {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let (shared, stop) = (shared(), Arc::new(AtomicBool::new(false)));
        let (s, halt) = (shared.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !halt.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        stream
                            .set_read_timeout(Some(Duration::from_millis(20)))
                            .unwrap();
                        serve(&mut stream, &s, &halt);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(e) => panic!("accept: {e}"),
                }
            }
        });
        TestPrinter {
            url: PrinterUrl::Tcp {
                host: "127.0.0.1".to_owned(),
                port,
            },
            shared,
            stop,
            thread: Some(thread),
            #[cfg(unix)]
            _slave: None,
        }
    }

    /// A serial printer on the master side of a pseudo-terminal; the till opens the slave.
    #[cfg(unix)]
    pub fn serial() -> TestPrinter {
        use serialport::{SerialPort, TTYPort};
        let (mut master, slave) = TTYPort::pair().unwrap();
        master.set_timeout(Duration::from_millis(20)).unwrap();
        let name = slave.name().unwrap();
        let (shared, stop) = (shared(), Arc::new(AtomicBool::new(false)));
        let (s, halt) = (shared.clone(), stop.clone());
        let thread = std::thread::spawn(move || serve(&mut master, &s, &halt));
        TestPrinter {
            url: PrinterUrl::Serial {
                port: name,
                baud: 19200,
            },
            shared,
            stop,
            thread: Some(thread),
            _slave: Some(slave),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Shared) -> T) -> T {
        f(&mut self.shared.lock().unwrap())
    }

    /// What the paper sensor answers from now on.
    pub fn set_paper(&self, answer: u8) {
        self.with(|s| s.paper = Some(answer));
    }

    pub fn set_cover(&self, answer: u8) {
        self.with(|s| s.cover = answer);
    }

    /// Answers no status request at all (switched off, or not an ESC/POS printer).
    pub fn silent(&self) {
        self.with(|s| s.paper = None);
    }

    /// Answers the next `n` status requests, then falls silent (switched off mid-job).
    pub fn answer_only(&self, n: usize) {
        self.with(|s| s.answers_left = Some(n));
    }

    /// Goes away after the next connection has sent `n` bytes, then comes back.
    pub fn close_after(&self, n: usize) {
        self.with(|s| s.close_after = Some(n));
    }

    /// Each connection's bytes, status requests taken out.
    pub fn jobs(&self) -> Vec<Vec<u8>> {
        self.with(|s| s.jobs.clone())
    }

    /// Every byte received over all connections, status requests taken out.
    pub fn received(&self) -> Vec<u8> {
        self.jobs().concat()
    }

    /// The `n` of each `DLE EOT n` received.
    pub fn asked(&self) -> Vec<u8> {
        self.with(|s| s.asked.clone())
    }
}

impl Drop for TestPrinter {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One connection: reads until the other end closes (or the printer is told to go away),
/// answering status requests as they come.
fn serve(conn: &mut (impl Read + Write), shared: &Mutex<Shared>, stop: &AtomicBool) {
    let index = {
        let mut s = shared.lock().unwrap();
        s.jobs.push(Vec::new());
        s.jobs.len() - 1
    };
    let mut taken = 0usize;
    let mut carry = Vec::new();
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::SeqCst) {
        let want = match shared.lock().unwrap().close_after {
            Some(n) => n.saturating_sub(taken).min(buf.len()),
            None => buf.len(),
        };
        if want == 0 {
            // Gone mid-job: whatever else was sent is lost with the connection.
            shared.lock().unwrap().close_after = None;
            return;
        }
        match conn.read(&mut buf[..want]) {
            Ok(0) => return,
            Ok(n) => {
                taken += n;
                carry.extend_from_slice(&buf[..n]);
                take(&mut carry, conn, shared, index);
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return,
        }
    }
}

/// Moves the bytes in `carry` into the connection's job, answering each `DLE EOT n` in it; a
/// request cut short at the end waits in `carry` for the rest.
fn take(carry: &mut Vec<u8>, conn: &mut impl Write, shared: &Mutex<Shared>, index: usize) {
    let mut s = shared.lock().unwrap();
    let mut i = 0;
    while i < carry.len() {
        if carry[i] == 0x10 {
            if carry.len() - i < 3 {
                break;
            }
            if carry[i + 1] == 0x04 {
                let n = carry[i + 2];
                s.asked.push(n);
                let silent = s.answers_left == Some(0);
                if let Some(left) = s.answers_left.as_mut() {
                    *left = left.saturating_sub(1);
                }
                let answer = match (s.paper, n) {
                    (None, _) => None,
                    _ if silent => None,
                    (Some(paper), 4) => Some(paper),
                    (Some(_), 2) => Some(s.cover),
                    (Some(_), _) => Some(0x12),
                };
                if let Some(answer) = answer {
                    // The other end may be gone already: nothing to answer then.
                    let _ = conn.write_all(&[answer]);
                }
                i += 3;
                continue;
            }
        }
        s.jobs[index].push(carry[i]);
        i += 1;
    }
    carry.drain(..i);
}
