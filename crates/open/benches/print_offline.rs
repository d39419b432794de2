//! One whole barcode payment as the app makes it — `cashier_open::open` on a configuration file
//! in a temporary directory, logged in on the embedded sandbox, `start_barcode` with a WeChat
//! code the sandbox charges at once, then `wait` until it is paid — in two shops measured in the
//! same run:
//! - `no printer`: nothing under `[printer]`;
//! - `printer offline`: `[printer] url` names a network printer that accepts the connection and
//!   never answers (the worst a printer can do: every status request waits out its timeout),
//!   slips on, so every paid payment owes a slip.
//!
//! Goal (issue 17, docs/printing.md): the two the same. Checkout never waits for a printer: the
//! slip is queued in the payment's own transaction and printed by the till's worker off the
//! async runtime. Until core's print worker lands the second shop only differs by its
//! configuration; the bench needs no change when it does.

use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cashier_core::AttemptId;
use cashier_core::AttemptState;
use cashier_core::till::Till;
use cashier_open::{ConfigFile, Opened, open};
use criterion::{Criterion, criterion_group};
use tokio::runtime::Runtime;

/// A WeChat code the sandbox charges at once, every time.
const PAID_AT_ONCE: &str = "134520273825387649";

const NO_PRINTER: &str = "no printer";
const PRINTER_OFFLINE: &str = "printer offline";

static BILLS: AtomicU64 = AtomicU64::new(0);

/// Two worker threads, like the machine: the till's runtime as the CLI and the app run it.
fn runtime() -> Runtime {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("runtime: {e}"),
    }
}

/// A network printer that takes connections and never says a word. The connections are kept
/// open (a printer that closed them would be refused at once, the cheap case); the thread lives
/// as long as the bench.
fn silent_printer() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    let port = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("local_addr: {e}"))
        .port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            match stream {
                Ok(stream) => held.push(stream),
                Err(e) => panic!("accept: {e}"),
            }
        }
    });
    port
}

/// A shop: its till logged in on its own embedded sandbox, its journal and configuration in
/// `dir`, `printer` (TOML lines) as its `[printer]` section.
fn shop(rt: &Runtime, dir: &Path, printer: &str) -> Opened {
    let path = dir.join("cashier.toml");
    let text = format!(
        "db_path = {:?}\n\n[printer]\n{printer}",
        dir.join("journal.db").display().to_string()
    );
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cfg = ConfigFile::at(Some(path.clone()))
        .load()
        .unwrap_or_else(|e| panic!("configuration: {e}"));
    assert_eq!(cfg.printer.owes_slips(), !printer.is_empty());
    let opened = rt
        .block_on(open(cfg, path))
        .unwrap_or_else(|e| panic!("open: {e}"));
    let note = opened
        .note
        .clone()
        .unwrap_or_else(|| panic!("no backend configured: the sandbox stands in"));
    rt.block_on(opened.till.login(&note.operator, note.password))
        .unwrap_or_else(|e| panic!("login: {e}"));
    opened
}

/// One payment of a bill never seen before, from the cashier's input to paid.
async fn pay(till: Till) {
    let bill = format!("PO-{}", BILLS.fetch_add(1, Ordering::Relaxed));
    let started = till
        .start_barcode(&bill, "1", PAID_AT_ONCE)
        .await
        .unwrap_or_else(|e| panic!("{bill}: {e}"));
    let done = till
        .wait(AttemptId(started.id))
        .await
        .unwrap_or_else(|e| panic!("{bill}: {e}"));
    assert_eq!(done.state, AttemptState::Paid, "{bill}");
}

fn print_offline(c: &mut Criterion) {
    let rt = runtime();
    let port = silent_printer();
    let dirs = [(); 2].map(|()| tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}")));
    let shops = [
        (NO_PRINTER, shop(&rt, dirs[0].path(), "")),
        (
            PRINTER_OFFLINE,
            shop(
                &rt,
                dirs[1].path(),
                &format!("url = \"tcp://127.0.0.1:{port}\"\nslips = true\n"),
            ),
        ),
    ];
    let mut g = c.benchmark_group("print offline");
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(5));
    for (name, opened) in &shops {
        g.bench_function(*name, |b| {
            b.iter(|| {
                // On the runtime's workers, as the app runs its payments.
                let till = opened.till.clone();
                if let Err(e) = rt.block_on(rt.spawn(pay(till))) {
                    panic!("payment task: {e}");
                }
            })
        });
    }
    g.finish();
    // The offline shop really owed its slips (they wait for the printer), or the ratio says
    // nothing about printing.
    let waiting = shops[1].1.till.printer_status().waiting;
    assert!(waiting > 0, "no slip waiting at the offline printer");
    let printer = shops[1].1.till.printer_status();
    println!(
        "printer offline: {} slips waiting ({})",
        waiting, printer.label
    );
}

criterion_group!(benches, print_offline);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
