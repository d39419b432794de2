//! The journal's costs, on real files under the target dir (not /tmp, which may be tmpfs,
//! where fsync costs nothing):
//!
//! - `durability`: what `synchronous=FULL` costs against `NORMAL` for one `begin` and one
//!   `record` per attempt: the figures behind the pragma chosen in `Journal::open_with`;
//! - `scale`: what opening the journal, a start's recovery, a barcode payment, a query and the
//!   day report (streamed out as JSON, only totalled, and copied into memory for a screen)
//!   cost on an empty journal, on one day of 10,000 attempts alone and on a year's 1,000,000
//!   attempts (built once, cached under `target/bench-data/`). The engine pays the embedded
//!   sandbox on loopback. A summary with the ratios is printed at the end;
//! - `closing`: the X of one day of 10,000 attempts (the computation a Z makes) alone and
//!   inside the year's 1,000,000, each after a Z of the day before.
//!   Measured (2-core VM, 40 rounds): 24.8 ms alone, 24.2 ms inside 1,000,000 (0.98x); the
//!   range since that Z holds the scale figures' own attempts, verified with it.

#[path = "support/figures.rs"]
mod figures;
#[path = "support/million.rs"]
mod million;
#[path = "support/till.rs"]
mod till;

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cashier_backends::cloudpay::CloudPay;
use cashier_core::checkout::{BarcodePayment, Checkout};
use cashier_core::journal::{Change, Durability, Journal, NewAttempt, Selection, ZRequest};
use cashier_core::order_no::OrderScheme;
use cashier_core::receipts::{self, DayReport, Format};
use cashier_core::{Attempt, AttemptState, BillNo, Channel, Error, Fen};
use chrono::{NaiveDate, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group};
use figures::Figures;
use tokio::runtime::Runtime;

static BILLS: AtomicU64 = AtomicU64::new(0);

fn scheme() -> OrderScheme {
    OrderScheme::internal("CA", "T01").unwrap_or_else(|e| panic!("{e}"))
}

fn one_attempt(journal: &Journal, day: NaiveDate) {
    let n = BILLS.fetch_add(1, Ordering::Relaxed);
    let Ok(bill) = BillNo::parse(&format!("B{n}")) else {
        panic!("bench bill number B{n} is invalid");
    };
    let new = NewAttempt {
        bill,
        amount: Fen(12_30),
        channel: Channel::CloudBarcode,
        wallet: Some("wechat".into()),
        code_masked: Some("1345**********7649".into()),
        operator: "op1".into(),
        scheme: scheme(),
        bill_paid_before: None,
    };
    let now = Utc::now();
    let attempt = match journal.begin(new, now, day, 7) {
        Ok(a) => a,
        Err(e) => panic!("begin: {e}"),
    };
    let paid = Change {
        reference: Some(format!("ref{n}")),
        ..Change::new(AttemptState::Paid, "SUCCESS")
    };
    if let Err(e) = journal.record(attempt.id, paid, now) {
        panic!("record: {e}");
    }
}

fn durability(c: &mut Criterion) {
    let dir = match tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")) {
        Ok(d) => d,
        Err(e) => panic!("tempdir: {e}"),
    };
    let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let mut group = c.benchmark_group("journal begin+record");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8))
        // Elements per second here is attempts per second.
        .throughput(Throughput::Elements(1));
    for (name, durability) in [("full", Durability::Full), ("normal", Durability::Normal)] {
        let path = dir.path().join(format!("{name}.sqlite"));
        let journal = match Journal::open_with(&path, durability) {
            Ok(j) => j,
            Err(e) => panic!("open {}: {e}", path.display()),
        };
        group.bench_function(name, |b| b.iter(|| one_attempt(&journal, day)));
    }
    group.finish();
}

const OPEN: &str = "Journal::open";
const RECOVER: &str = "recover (nothing unfinished)";
const PAY: &str = "pay_barcode (paid at once)";
const QUERY: &str = "query_again (Unknown, found paid)";
const REPORT: &str = "day report as JSON (streamed)";
const TOTALS: &str = "day report, totals only (streamed)";
const SCREEN: &str = "day report in memory (day + build)";
const FIGURES: [&str; 7] = [OPEN, RECOVER, PAY, QUERY, REPORT, TOTALS, SCREEN];
const COLUMNS: [&str; 3] = ["empty", "one day (10k)", "1M attempts"];
const ROUNDS: usize = 40;

/// Runs `work` as a task on the runtime's workers, as the till runs its payments.
fn on_runtime<T: Send + 'static>(
    rt: &Runtime,
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    match rt.block_on(rt.spawn(work)) {
        Ok(out) => out,
        Err(e) => panic!("task: {e}"),
    }
}

/// An Unknown attempt that the sandbox has in fact charged: `query_again` finds it paid.
fn unknown_but_paid(rt: &Runtime, engine: &Checkout, cloud: &CloudPay) -> Attempt {
    let journal = engine.journal();
    let new = NewAttempt {
        bill: till::next_bill(),
        amount: Fen(100),
        channel: Channel::CloudBarcode,
        wallet: Some("wechat".into()),
        code_masked: Some("1345**********7649".into()),
        operator: "bench".into(),
        scheme: OrderScheme::cloud_pay(million::CLOUD_PREFIX, "01")
            .unwrap_or_else(|e| panic!("{e}")),
        bill_paid_before: None,
    };
    // Today, as the engine's own attempts: the report's day keeps its 10,000.
    let today = Utc::now().date_naive();
    let a = journal
        .begin(new, Utc::now(), today, 7)
        .unwrap_or_else(|e| panic!("{e}"));
    rt.block_on(cloud.micro_pay(&a.order_no, &a.bill, a.amount, &till::paid_code()))
        .unwrap_or_else(|e| panic!("{e}"));
    let lost = Change::new(AttemptState::Unknown, "after send: no_answer");
    journal
        .record(a.id, lost, Utc::now())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// One journal the figures are measured on, with an engine over it.
struct Column {
    name: &'static str,
    path: PathBuf,
    engine: Arc<Checkout>,
}

/// Everything the figures need.
struct Scale {
    rt: Runtime,
    cloud: CloudPay,
    columns: Vec<Column>,
}

impl Scale {
    /// Prepares one run of `figure` on `column` (untimed) and returns it, ready to be timed.
    fn prepare<'a>(&'a self, figure: &str, column: &'a Column) -> Box<dyn FnOnce() + 'a> {
        let rt = &self.rt;
        let engine = column.engine.clone();
        match figure {
            OPEN => Box::new(|| drop(Journal::open(&column.path))),
            RECOVER => Box::new(move || {
                on_runtime(rt, async move { engine.recover().await.map(drop) })
                    .unwrap_or_else(|e| panic!("{e}"))
            }),
            PAY => {
                let p = BarcodePayment {
                    bill: till::next_bill(),
                    amount: Fen(100),
                    channel: Channel::CloudBarcode,
                    code: till::paid_code(),
                };
                Box::new(move || {
                    on_runtime(rt, async move { engine.pay_barcode(p).await.map(drop) })
                        .unwrap_or_else(|e| panic!("{e}"))
                })
            }
            QUERY => {
                let id = unknown_but_paid(rt, &engine, &self.cloud).id;
                Box::new(move || {
                    on_runtime(rt, async move { engine.query_again(id).await.map(drop) })
                        .unwrap_or_else(|e| panic!("{e}"))
                })
            }
            // What `cashier receipts --day D --json` does in the core: every attempt read and
            // written out as JSON with the totals (to a sink: the bytes, not their storage).
            REPORT => Box::new(move || {
                let day = million::report_day();
                let json = Format::Json { day };
                receipts::write(engine.journal(), &Selection::Day(day), json, io::sink())
                    .map(drop)
                    .unwrap_or_else(|e| panic!("{e}"))
            }),
            // The same reading and totalling, nothing written.
            TOTALS => Box::new(move || {
                let day = Selection::Day(million::report_day());
                receipts::total(engine.journal(), &day, |_| Ok::<(), Error>(()))
                    .map(drop)
                    .unwrap_or_else(|e| panic!("{e}"))
            }),
            // A screen's report: every attempt copied into memory first.
            SCREEN => Box::new(move || {
                let day = million::report_day();
                let attempts = engine.journal().day(day).unwrap_or_else(|e| panic!("{e}"));
                drop(DayReport::build(day, attempts));
            }),
            other => panic!("no figure {other}"),
        }
    }
}

fn scale(c: &mut Criterion) {
    let rt = till::runtime();
    let (sandbox, cloud) = rt.block_on(till::sandbox());
    let paths = [million::empty(), million::cached(1), million::cached(100)];
    let mut columns = Vec::new();
    for (name, path) in COLUMNS.into_iter().zip(paths) {
        let engine = rt.block_on(till::engine(&path, &cloud));
        columns.push(Column { name, path, engine });
    }
    let scale = Scale { rt, cloud, columns };
    let mut group = c.benchmark_group("journal scale");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for column in &scale.columns {
        for figure in FIGURES {
            group.bench_function(format!("{figure} / {}", column.name), |b| {
                b.iter_batched(
                    || scale.prepare(figure, column),
                    |run| run(),
                    BatchSize::PerIteration,
                )
            });
        }
    }
    group.finish();
    let mut figures = Figures::default();
    for round in 0..ROUNDS {
        for figure in FIGURES {
            for k in 0..scale.columns.len() {
                let column = &scale.columns[(k + round) % scale.columns.len()];
                figures.time(
                    figure,
                    column.name,
                    || scale.prepare(figure, column),
                    |run| run(),
                );
            }
        }
    }
    figures.print_columns(
        "journal scale: an empty journal, one day alone, a year of 1,000,000 attempts",
        &FIGURES,
        &COLUMNS,
    );
    scale.rt.block_on(sandbox.shutdown());
}

const X_OF_DAY: &str = "X of the day (compute, as a Z does)";
const CLOSING_COLUMNS: [&str; 2] = ["one day (10k)", "1M attempts"];

/// The journal at `path` with a Z of the day before the report's day (taken once, kept in the
/// cache): the X of the report's day then covers the seals since, as a day's Z does. Opening a
/// cache written before the seals seals it, once.
fn closed_before_report_day(path: &std::path::Path) -> Journal {
    let journal = Journal::open(path).unwrap_or_else(|e| panic!("{e}"));
    let before = million::report_day() - chrono::TimeDelta::days(1);
    let closed = journal
        .z_reports()
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .any(|z| z.body.day == cashier_core::timestamp::day_text(before));
    if !closed {
        let now = Utc::now();
        journal
            .take_z(&ZRequest {
                day: before,
                now,
                today: now.date_naive(),
                till: "01",
                approved_by: "bench",
            })
            .unwrap_or_else(|e| panic!("Z of {before}: {e}"));
    }
    journal
}

/// The X of the report's day: the same computation as its Z (verification of the seals since
/// the last Z, the day's totals, operators, open items, corrections), without the one INSERT
/// that stores a Z: a stored Z cannot be taken twice, and a fresh copy of a gigabyte per
/// iteration would measure the copy.
fn x_of_day(journal: &Journal) {
    let now = Utc::now();
    journal
        .x_report(million::report_day(), now, now.date_naive(), "01", None)
        .map(drop)
        .unwrap_or_else(|e| panic!("X: {e}"));
}

fn closing(c: &mut Criterion) {
    let journals: Vec<Journal> = [million::cached(1), million::cached(100)]
        .iter()
        .map(|p| closed_before_report_day(p))
        .collect();
    let mut group = c.benchmark_group("journal closing");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (name, journal) in CLOSING_COLUMNS.into_iter().zip(&journals) {
        group.bench_function(format!("{X_OF_DAY} / {name}"), |b| {
            b.iter(|| x_of_day(journal))
        });
    }
    group.finish();
    let mut figures = Figures::default();
    for round in 0..ROUNDS {
        for k in 0..journals.len() {
            let i = (k + round) % journals.len();
            figures.time(
                X_OF_DAY,
                CLOSING_COLUMNS[i],
                || (),
                |()| x_of_day(&journals[i]),
            );
        }
    }
    figures.print_columns(
        "journal closing: a day of 10,000 attempts alone, and inside 1,000,000",
        &[X_OF_DAY],
        &CLOSING_COLUMNS,
    );
}

criterion_group!(benches, durability, scale, desk_reads, closing);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}

// —— the desk's reads ——
//
// The receipts screen's first page (50 rows, the default sort) and the summary (totals,
// hourly series, operators) of the report's day of 10,000 attempts, inside the year of
// 1,000,000 attempts against the same day alone: each read is answered from the
// `business_day` index, so the year around it should cost next to nothing.

const DESK_PAGE: &str = "receipts: first page (50, default sort)";
const DESK_SUMMARY: &str = "receipts: summary of the day";
const DESK_FIGURES: [&str; 2] = [DESK_PAGE, DESK_SUMMARY];
const DESK_COLUMNS: [&str; 2] = ["one day (10k)", "1M attempts"];

fn desk_query() -> cashier_core::receipts::page::ReceiptsQuery {
    let day = cashier_core::timestamp::day_text(million::report_day());
    cashier_core::receipts::page::ReceiptsQuery {
        from: Some(day.clone()),
        to: Some(day),
        limit: 50,
        ..Default::default()
    }
}

fn desk_read(journal: &Journal, figure: &str) {
    use cashier_core::receipts::page;
    let (q, day, tz) = (
        desk_query(),
        million::report_day(),
        chrono_tz::Asia::Shanghai,
    );
    let lang = cashier_core::Lang::ZhCn;
    match figure {
        DESK_PAGE => match page::page(journal, &q, day, tz, lang) {
            Ok(p) if p.rows.len() == 50 && p.total == 10_000 => drop(p),
            Ok(p) => panic!("page of {} rows of {}", p.rows.len(), p.total),
            Err(e) => panic!("{e}"),
        },
        DESK_SUMMARY => match page::summary(journal, &q, day, tz, lang) {
            Ok(s) if s.count == 10_000 => drop(s),
            Ok(s) => panic!("summary of {} attempts", s.count),
            Err(e) => panic!("{e}"),
        },
        other => panic!("no figure {other}"),
    }
}

fn desk_reads(c: &mut Criterion) {
    let journals: Vec<Journal> = [million::cached(1), million::cached(100)]
        .iter()
        .map(|path| Journal::open(path).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let mut group = c.benchmark_group("desk reads");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, journal) in DESK_COLUMNS.into_iter().zip(&journals) {
        for figure in DESK_FIGURES {
            group.bench_function(format!("{figure} / {name}"), |b| {
                b.iter(|| desk_read(journal, figure))
            });
        }
    }
    group.finish();
    let mut figures = Figures::default();
    for round in 0..ROUNDS {
        for figure in DESK_FIGURES {
            for k in 0..journals.len() {
                let k = (k + round) % journals.len();
                figures.time(
                    figure,
                    DESK_COLUMNS[k],
                    || (),
                    |()| desk_read(&journals[k], figure),
                );
            }
        }
    }
    figures.print_columns(
        "desk reads: the report's day alone, and inside a year of 1,000,000 attempts",
        &DESK_FIGURES,
        &DESK_COLUMNS,
    );
}
