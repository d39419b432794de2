//! `cashier receipts --day D --json` as a whole process (start, configuration, journal open,
//! the day's 10,000 attempts read, the report built, serialised and written to a pipe), on
//! the journals of the core scale bench: an empty one, one day of 10,000 attempts alone, and
//! a year of 1,000,000 (built once, cached under `target/bench-data/`). `cashier --version`
//! is timed beside it in the same rounds: what starting the process costs at all.
//!
//! Goal (issue 8): ≤ 20 ms for the report's day over the million-attempt journal, and about
//! the same as over the day alone.

#[path = "../../core/benches/support/figures.rs"]
mod figures;
#[path = "../../core/benches/support/million.rs"]
mod million;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use figures::Figures;

const RECEIPTS: &str = "cashier receipts --day D --json";
const VERSION: &str = "cashier --version (process floor)";
const FIGURES: [&str; 2] = [RECEIPTS, VERSION];
const COLUMNS: [&str; 3] = ["empty", "one day (10k)", "1M attempts"];
const ROUNDS: usize = 40;

/// A configuration file naming `journal`, written beside it in `dir`.
fn config(dir: &Path, name: &str, journal: &Path) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    let text = format!(
        "db_path = {:?}\ntimezone = \"Asia/Shanghai\"\n",
        journal.display().to_string()
    );
    if let Err(e) = std::fs::write(&path, text) {
        panic!("{}: {e}", path.display());
    }
    path
}

/// Runs `cashier` with `args`, its stdout read to the end through a pipe.
fn cashier(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_cashier"))
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cashier: {e}"));
    assert!(out.status.success(), "cashier {args:?}: {}", out.status);
    out
}

fn run(figure: &str, config: &Path, day: &str) -> Output {
    let config = config.to_str().unwrap_or_else(|| panic!("path"));
    match figure {
        RECEIPTS => cashier(&["--config", config, "receipts", "--day", day, "--json"]),
        VERSION => cashier(&["--version"]),
        other => panic!("no figure {other}"),
    }
}

fn process(c: &mut Criterion) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap_or_else(|e| panic!("{e}"));
    let journals = [million::empty(), million::cached(1), million::cached(100)];
    let configs: Vec<PathBuf> = COLUMNS
        .iter()
        .zip(&journals)
        .enumerate()
        .map(|(i, (_, j))| config(dir.path(), &format!("c{i}"), j))
        .collect();
    let day = million::report_day().format("%Y-%m-%d").to_string();
    // The report the goal is about: the day's 10,000 attempts, whichever journal holds them.
    for (column, cfg) in COLUMNS.iter().zip(&configs).skip(1) {
        let out = run(RECEIPTS, cfg, &day);
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
        let n = report["attempts"].as_array().map_or(0, Vec::len);
        assert_eq!(n, million::PER_DAY as usize, "{column}");
    }
    let mut group = c.benchmark_group("receipts process");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (column, cfg) in COLUMNS.iter().zip(&configs) {
        group.bench_function(format!("{RECEIPTS} / {column}"), |b| {
            b.iter(|| run(RECEIPTS, cfg, &day))
        });
    }
    group.bench_function(VERSION, |b| b.iter(|| run(VERSION, &configs[0], &day)));
    group.finish();
    let mut figures = Figures::default();
    for round in 0..ROUNDS {
        for figure in FIGURES {
            for k in 0..COLUMNS.len() {
                let i = (k + round) % COLUMNS.len();
                figures.time(
                    figure,
                    COLUMNS[i],
                    || (),
                    |()| run(figure, &configs[i], &day),
                );
            }
        }
    }
    figures.print_columns(
        "cashier receipts as a whole process: an empty journal, one day alone, a year of 1,000,000 attempts",
        &FIGURES,
        &COLUMNS,
    );
}

criterion_group!(benches, process);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
