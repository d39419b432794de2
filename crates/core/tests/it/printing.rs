//! Receipts on paper (docs/printing.md), as core decides them: the slips owed in the journal's
//! print queue, the worker that prints them once and never twice, the status bar, reprints,
//! reports and previews. Core cannot depend on `cashier-print`, so these tests hand the till a
//! printer of their own ([`TestPrinter`]): it keeps what it was given and can be told to be off,
//! out of paper, or stuck inside a job.

mod api;
mod queue;
mod worker;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use cashier_core::config::Config;
use cashier_core::print::{
    Doc, DocLine, Preview, PreviewLine, PrintFault, Printer, PrinterSetup, PrinterState,
};
use cashier_core::till::{Till, TillEvent, TillEvents};
use cashier_core::{AttemptId, AttemptState};
use cashier_sandbox::Sandbox;

use crate::common::*;

/// A paid WeChat code of the sandbox.
pub const PAID_CODE: &str = "134520273825387649";

/// A printer that keeps what it prints, and does as the test says.
#[derive(Debug, Default)]
pub struct TestPrinter {
    /// What reached the paper, with the printer it was sent to.
    pub printed: Mutex<Vec<(String, Doc)>>,
    /// Asked for its status: it does not answer (off, unplugged).
    pub off: AtomicBool,
    /// Asked for its status: out of paper.
    pub no_paper: AtomicBool,
    /// This many jobs go away in the middle (the printer was switched off during the job).
    pub lost_jobs: AtomicUsize,
    /// Every job sent, printed or not.
    pub sent: AtomicUsize,
    /// The next job blocks here: it says it is in, and waits to be let go.
    stuck: Mutex<Option<(mpsc::Sender<()>, mpsc::Receiver<()>)>>,
}

/// A job stuck inside the printer: `inside` says it got there, `release` lets it go.
pub struct Stuck {
    pub inside: mpsc::Receiver<()>,
    pub release: mpsc::Sender<()>,
}

impl TestPrinter {
    pub fn new() -> Arc<TestPrinter> {
        Arc::new(TestPrinter::default())
    }

    /// The next job blocks inside `print` until released.
    pub fn stick_next(&self) -> Stuck {
        let (inside_tx, inside) = mpsc::channel();
        let (release, release_rx) = mpsc::channel();
        *self.stuck.lock().unwrap() = Some((inside_tx, release_rx));
        Stuck { inside, release }
    }

    pub fn docs(&self) -> Vec<Doc> {
        self.printed
            .lock()
            .unwrap()
            .iter()
            .map(|(_, d)| d.clone())
            .collect()
    }

    fn state(&self) -> Result<PrinterState, PrintFault> {
        if self.off.load(Ordering::SeqCst) {
            return Err(PrintFault::Offline("no answer from 127.0.0.1:9100".into()));
        }
        if self.no_paper.load(Ordering::SeqCst) {
            return Ok(PrinterState::OutOfPaper);
        }
        Ok(PrinterState::Ready)
    }
}

impl Printer for TestPrinter {
    fn status(&self, _setup: &PrinterSetup) -> Result<PrinterState, PrintFault> {
        self.state()
    }

    fn print(&self, setup: &PrinterSetup, doc: &Doc) -> Result<PrinterState, PrintFault> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        let stuck = self.stuck.lock().unwrap().take();
        if let Some((inside, release)) = stuck {
            inside.send(()).unwrap();
            release.recv().unwrap();
        }
        let state = self.state()?;
        if !state.can_print() {
            return Err(PrintFault::NotReady(state));
        }
        let lost = self
            .lost_jobs
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if lost.is_ok() {
            return Err(PrintFault::Offline(
                "connection reset during the job".into(),
            ));
        }
        self.printed
            .lock()
            .unwrap()
            .push((setup.url.to_string(), doc.clone()));
        Ok(state)
    }

    /// The document's lines as text, as a decoder of the bytes would read them.
    fn preview(&self, setup: &PrinterSetup, doc: &Doc) -> Result<Preview, PrintFault> {
        let mut lines = Vec::new();
        for line in &doc.lines {
            match line {
                DocLine::Qr(payload) => lines.push(PreviewLine::Qr {
                    payload: payload.clone(),
                    svg: String::new(),
                }),
                DocLine::Cut => lines.push(PreviewLine::Cut),
                other => lines.extend(other.rendered(setup.paper).into_iter().map(|text| {
                    PreviewLine::Text {
                        text,
                        align: cashier_core::print::Align::Left,
                        bold: false,
                        double: false,
                    }
                })),
            }
        }
        Ok(Preview {
            columns: u16::try_from(setup.paper.columns()).unwrap(),
            lines,
        })
    }
}

/// Every text of a document, one line each, as it renders on 80 mm paper.
pub fn text_of(doc: &Doc) -> String {
    doc.lines
        .iter()
        .flat_map(|l| l.rendered(cashier_core::print::Paper::Mm80))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A till on the embedded sandbox with a printer set in its configuration (slips on) and
/// `printer` as its driver, logged in.
pub struct Shop {
    pub till: Till,
    pub sandbox: Sandbox,
    pub dir: tempfile::TempDir,
}

pub const SHOP: &str = "黄山风景区 东门售票处";

/// The configuration's printer section, pointed at a file in `dir`.
pub fn with_printer(dir: &std::path::Path) -> impl FnOnce(&mut Config) {
    let url = format!("file:{}", dir.join("printer.bin").display());
    move |cfg: &mut Config| {
        cfg.shop = SHOP.into();
        cfg.printer.url = url;
        cfg.printer.slips = true;
    }
}

/// A shop whose till prints on `printer` (`None`: the till has no driver, as one opened for
/// reading), in `dir`.
pub async fn open_in(dir: tempfile::TempDir, printer: Option<Arc<TestPrinter>>) -> Shop {
    open_with(dir, printer, |_| {}).await
}

pub async fn open_with(
    dir: tempfile::TempDir,
    printer: Option<Arc<TestPrinter>>,
    edit: impl FnOnce(&mut Config),
) -> Shop {
    let configure = with_printer(dir.path());
    let (till, sandbox, note) = crate::common::sandbox_till_printing(
        dir.path(),
        dir.path().join("cashier.toml"),
        |cfg| {
            configure(cfg);
            edit(cfg);
        },
        printer.map(|p| p as Arc<dyn Printer>),
    )
    .await;
    till.login(&note.operator, note.password.clone())
        .await
        .unwrap();
    Shop { till, sandbox, dir }
}

pub async fn open(printer: &Arc<TestPrinter>) -> Shop {
    open_in(tempfile::tempdir().unwrap(), Some(printer.clone())).await
}

impl Shop {
    /// A WeChat code payment of `yuan` on `bill`, followed to its end.
    pub async fn pay(&self, bill: &str, yuan: &str) -> cashier_core::till::AttemptView {
        let started = self
            .till
            .start_barcode(bill, yuan, PAID_CODE)
            .await
            .unwrap();
        let done = self.till.wait(AttemptId(started.id)).await.unwrap();
        assert_eq!(done.state, AttemptState::Paid, "{done:?}");
        done
    }

    /// The payment's print jobs as the journal has them.
    pub fn jobs(&self, id: i64) -> Vec<cashier_core::journal::PrintJob> {
        self.till.journal().print_jobs_of(AttemptId(id)).unwrap()
    }
}

/// Waits (up to a minute) until `done` holds.
pub async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let waited = tokio::time::timeout(Duration::from_secs(60), async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "waited a minute for {what}");
}

/// Waits for a `printer` event whose view `matches`.
pub async fn printer_event(
    events: &mut TillEvents,
    matches: impl Fn(&cashier_core::till::PrinterView) -> bool,
) -> cashier_core::till::PrinterView {
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let Some(TillEvent::Printer { printer }) = events.recv().await
                && matches(&printer)
            {
                return printer;
            }
        }
    })
    .await
    .expect("the printer event arrives in time")
}
