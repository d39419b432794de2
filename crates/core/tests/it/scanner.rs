//! The scanner reader on real pseudo-terminals: the test writes to the master as a scanner gun
//! would, the reader opens the slave by name like a COM port. Every wait is bounded.
#![cfg(unix)]

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use cashier_core::ScannerFraming;
use cashier_core::scanner::{ScanEvent, Scanner, ScannerConfig, ScannerHandle, Terminator};
use serialport::{SerialPort, TTYPort};
use tokio::sync::mpsc::{self, Receiver};
use tokio::time::{sleep, timeout};

const WECHAT: &str = "134567890123456789";
const ALIPAY: &str = "2812345678901234";
const WAIT: Duration = Duration::from_secs(2);

/// A scanner on a fresh pty. The handle is the first field so it is dropped (the reader stopped)
/// before the pty closes; otherwise the reader would retry a name another test may reuse.
struct Rig {
    handle: ScannerHandle,
    rx: Receiver<ScanEvent>,
    master: TTYPort,
    _slave: TTYPort,
}

fn pty() -> (TTYPort, TTYPort, String) {
    let (master, slave) = TTYPort::pair().unwrap();
    let name = slave.name().unwrap();
    (master, slave, name)
}

fn on(port: &str) -> ScannerConfig {
    let port = port.into();
    ScannerConfig {
        port,
        ..ScannerConfig::default()
    }
}

/// `port` with fast, capped reconnects.
fn retrying(port: &str, min_ms: u64, max_ms: u64) -> ScannerConfig {
    let mut cfg = on(port);
    (cfg.reconnect_min_ms, cfg.reconnect_max_ms) = (min_ms, max_ms);
    cfg
}

fn connected(port: &str) -> ScanEvent {
    let port = port.into();
    ScanEvent::Connected { port }
}

fn start(cfg: ScannerConfig) -> (ScannerHandle, Receiver<ScanEvent>) {
    let (tx, rx) = mpsc::channel(16);
    (Scanner::spawn(cfg, tx), rx)
}

async fn rig(edit: impl FnOnce(&mut ScannerConfig)) -> Rig {
    let (master, slave, name) = pty();
    let mut cfg = on(&name);
    edit(&mut cfg);
    let (handle, mut rx) = start(cfg);
    assert_eq!(next(&mut rx).await, connected(&name));
    Rig {
        handle,
        rx,
        master,
        _slave: slave,
    }
}

async fn next(rx: &mut Receiver<ScanEvent>) -> ScanEvent {
    let event = timeout(WAIT, rx.recv()).await.expect("no event within 2 s");
    event.expect("the reader closed its channel")
}

async fn code(rx: &mut Receiver<ScanEvent>) -> String {
    match next(rx).await {
        ScanEvent::Code { code } => code.expose().to_string(),
        other => panic!("expected a code, got {other:?}"),
    }
}

/// (reason, masked)
async fn rejected(rx: &mut Receiver<ScanEvent>) -> (String, String) {
    match next(rx).await {
        ScanEvent::Rejected { reason, masked } => (reason, masked),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

/// (port, reason)
async fn disconnected(rx: &mut Receiver<ScanEvent>) -> (String, String) {
    match next(rx).await {
        ScanEvent::Disconnected { port, reason } => (port, reason),
        other => panic!("expected Disconnected, got {other:?}"),
    }
}

fn reconnecting(port: &str, attempt: u32, delay_ms: u64) -> ScanEvent {
    let port = port.into();
    ScanEvent::Reconnecting {
        port,
        attempt,
        delay_ms,
    }
}

async fn ended(handle: &ScannerHandle) {
    let start = Instant::now();
    while !handle.is_finished() {
        assert!(start.elapsed() < WAIT / 2, "the reader still runs");
        sleep(Duration::from_millis(10)).await;
    }
}

fn send(master: &mut TTYPort, bytes: impl AsRef<[u8]>) {
    master.write_all(bytes.as_ref()).unwrap();
}

#[tokio::test]
async fn each_terminator_ends_a_code() {
    let (cr, lf, crlf) = (Terminator::Cr, Terminator::Lf, Terminator::Crlf);
    // CRLF under `Cr` last: a scanner sending more than configured.
    for (term, end) in [(cr, "\r"), (lf, "\n"), (crlf, "\r\n"), (cr, "\r\n")] {
        let mut r = rig(|c| (c.terminator, c.inter_char_timeout_ms) = (term, 20)).await;
        send(&mut r.master, format!("{WECHAT}{end}{ALIPAY}{end}"));
        assert_eq!(code(&mut r.rx).await, WECHAT, "{term:?}");
        assert_eq!(code(&mut r.rx).await, ALIPAY, "{term:?}");
        // Past the partial-read pause (10 x 20 ms) nothing is left: no empty or partial read.
        let after = timeout(Duration::from_millis(300), r.rx.recv()).await;
        assert!(after.is_err(), "{term:?} {end:?}: {after:?}");
    }
}

#[tokio::test]
async fn no_terminator_a_pause_ends_each_code() {
    let mut r = rig(|c| c.terminator = Terminator::None).await;
    send(&mut r.master, WECHAT);
    assert_eq!(code(&mut r.rx).await, WECHAT);
    send(&mut r.master, ALIPAY);
    sleep(Duration::from_millis(150)).await;
    send(&mut r.master, WECHAT);
    assert_eq!(code(&mut r.rx).await, ALIPAY);
    assert_eq!(code(&mut r.rx).await, WECHAT);
}

#[tokio::test]
async fn a_code_split_over_three_writes() {
    let mut r = rig(|_| {}).await;
    for part in ["134567", "890123", "456789\r"] {
        send(&mut r.master, part);
        sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(code(&mut r.rx).await, WECHAT);
}

#[tokio::test]
async fn two_codes_in_one_write() {
    let mut r = rig(|_| {}).await;
    send(&mut r.master, format!("{ALIPAY}\r{WECHAT}\r"));
    assert_eq!(code(&mut r.rx).await, ALIPAY);
    assert_eq!(code(&mut r.rx).await, WECHAT);
}

#[tokio::test]
async fn garbage_is_rejected_without_clear_digits() {
    let mut r = rig(|_| {}).await;
    send(&mut r.master, b"HELLO\x01\x02world\r");
    let (reason, masked) = rejected(&mut r.rx).await;
    assert!(reason.contains("only digits"), "{reason}");
    assert_eq!(masked, "HELL****orld");
    // Digits with a stray escape sequence: a mis-scan of a real code.
    send(&mut r.master, b"1345678901\x1b[B23456789\r");
    let (reason, masked) = rejected(&mut r.rx).await;
    assert!(reason.contains("only digits"), "{reason}");
    let longest_run = reason
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max();
    assert!(longest_run < Some(5), "digits leaked into {reason}");
    assert!(
        masked.chars().filter(char::is_ascii_digit).count() <= 8,
        "{masked}"
    );
    assert!(!masked.chars().any(char::is_control), "{masked:?}");
    // The reader carries on.
    send(&mut r.master, format!("{WECHAT}\r"));
    assert_eq!(code(&mut r.rx).await, WECHAT);
}

#[tokio::test]
async fn too_short_and_too_long_are_rejected() {
    let mut r = rig(|_| {}).await;
    send(&mut r.master, b"12345\r");
    let (reason, masked) = rejected(&mut r.rx).await;
    assert!(
        reason.contains("10 to 32 digits") && reason.ends_with('5'),
        "{reason}"
    );
    assert_eq!(masked, "*****");
    send(&mut r.master, [b'7'; 100]);
    send(&mut r.master, b"\r");
    let (reason, masked) = rejected(&mut r.rx).await;
    assert!(reason.starts_with("noise"), "{reason}");
    assert_eq!(masked.matches('7').count(), 8);
    send(&mut r.master, format!("{ALIPAY}\r"));
    assert_eq!(code(&mut r.rx).await, ALIPAY);
}

#[tokio::test]
async fn a_cut_off_scan_is_a_partial_read() {
    let mut r = rig(|c| c.inter_char_timeout_ms = 20).await;
    let start = Instant::now();
    send(&mut r.master, b"13456789");
    let (reason, masked) = rejected(&mut r.rx).await;
    assert!(reason.starts_with("partial read"), "{reason}");
    assert_eq!(masked, "********");
    assert!(start.elapsed() >= Duration::from_millis(200));
    send(&mut r.master, format!("{WECHAT}\r"));
    assert_eq!(code(&mut r.rx).await, WECHAT);
}

#[tokio::test]
async fn prefix_and_suffix_are_stripped() {
    let (prefix, suffix) = ("]Q1".to_string(), "#".to_string());
    let mut r = rig(|c| c.framing = ScannerFraming { prefix, suffix }).await;
    send(&mut r.master, format!("]Q1{WECHAT}#\r"));
    assert_eq!(code(&mut r.rx).await, WECHAT);
}

#[tokio::test]
async fn unplug_and_replug() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("scanner");
    let repoint = |target: &Path| {
        let tmp = dir.path().join("scanner.new");
        std::os::unix::fs::symlink(target, &tmp).unwrap();
        std::fs::rename(&tmp, &link).unwrap();
    };
    let (mut master, slave, name) = pty();
    repoint(Path::new(&name));
    let port = link.to_str().unwrap().to_string();
    let (_handle, mut rx) = start(retrying(&port, 50, 100));
    assert_eq!(next(&mut rx).await, connected(&port));
    send(&mut master, format!("{WECHAT}\r1345"));
    assert_eq!(code(&mut rx).await, WECHAT);
    sleep(Duration::from_millis(50)).await;

    // Unplug. The link first points nowhere, so the freed pty number cannot be picked up again
    // through it while another test reuses it.
    repoint(&dir.path().join("unplugged"));
    drop((master, slave));
    let (p, reason) = disconnected(&mut rx).await;
    assert_eq!(p, port);
    assert!(reason.starts_with("read failed"), "{reason}");
    let (reason, masked) = rejected(&mut rx).await;
    assert!(reason.starts_with("partial read"), "{reason}");
    assert_eq!(masked, "****");
    for (attempt, delay_ms) in (1..).zip([50, 100, 100]) {
        assert_eq!(next(&mut rx).await, reconnecting(&port, attempt, delay_ms));
    }

    // Replug on a new pty.
    let (mut master, _slave, name) = pty();
    repoint(Path::new(&name));
    loop {
        match next(&mut rx).await {
            ScanEvent::Connected { port: p } => break assert_eq!(p, port),
            ScanEvent::Reconnecting { delay_ms, .. } => assert_eq!(delay_ms, 100),
            other => panic!("expected Connected, got {other:?}"),
        }
    }
    send(&mut master, format!("{ALIPAY}\r"));
    assert_eq!(code(&mut rx).await, ALIPAY);
}

#[tokio::test]
async fn an_absent_port_is_retried_with_capped_backoff() {
    let dir = tempfile::tempdir().unwrap();
    let port = dir.path().join("ttyUSB9").to_str().unwrap().to_string();
    let (handle, mut rx) = start(retrying(&port, 10, 35));
    let (p, reason) = disconnected(&mut rx).await;
    assert_eq!(p, port);
    assert!(reason.starts_with("cannot open"), "{reason}");
    for (attempt, delay_ms) in (1..).zip([10, 20, 35, 35]) {
        assert_eq!(next(&mut rx).await, reconnecting(&port, attempt, delay_ms));
    }
    handle.stop();
}

#[tokio::test]
async fn stop_is_prompt_and_releases_the_port() {
    let (mut master, _slave, name) = pty();
    let (handle, mut rx) = start(on(&name));
    assert_eq!(next(&mut rx).await, connected(&name));
    // The port is opened exclusively: a second reader is refused while the first holds it.
    let (second, mut rx2) = start(on(&name));
    let (_, reason) = disconnected(&mut rx2).await;
    assert!(reason.starts_with("cannot open"), "{reason}");
    second.stop();
    let t = Instant::now();
    handle.stop();
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    let closed = timeout(WAIT, rx.recv()).await.unwrap();
    assert_eq!(closed, None, "the channel closes");

    // Released: a new reader gets it.
    let (_handle, mut rx) = start(on(&name));
    assert_eq!(next(&mut rx).await, connected(&name));
    send(&mut master, format!("{WECHAT}\r"));
    assert_eq!(code(&mut rx).await, WECHAT);

    // A stop also cuts a backoff wait short.
    let (handle, mut rx) = start(retrying("/nonexistent/ttyS99", 5000, 5000));
    disconnected(&mut rx).await;
    let reconnecting = next(&mut rx).await;
    assert!(matches!(reconnecting, ScanEvent::Reconnecting { .. }));
    let t = Instant::now();
    drop(handle);
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
}

#[tokio::test]
async fn the_reader_ends_when_nobody_listens() {
    let r = rig(|_| {}).await;
    drop(r.rx);
    ended(&r.handle).await;
}

#[tokio::test]
async fn bad_settings_are_reported_once() {
    let data_bits = 9;
    let (handle, mut rx) = start(ScannerConfig {
        data_bits,
        ..on("/dev/ttyUSB0")
    });
    let (_, reason) = disconnected(&mut rx).await;
    assert!(reason.contains("data bits"), "{reason}");
    assert_eq!(timeout(WAIT, rx.recv()).await.unwrap(), None);
    ended(&handle).await;
}
