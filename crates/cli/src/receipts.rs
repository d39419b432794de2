//! `cashier receipts`: the day's attempts for a manager, as a table, JSON or CSV.

use std::path::PathBuf;
use std::process::ExitCode;

use cashier_core::config::Config;
use cashier_core::journal::Journal;
use cashier_core::receipts::{DayReport, Outcome, business_day, to_csv};
use cashier_core::{Clock, Error, SystemClock};
use chrono::NaiveDate;

use crate::output::state_label;
use crate::setup::load_config;

pub fn run(
    config_path: Option<PathBuf>,
    day: Option<NaiveDate>,
    csv: bool,
    search: Option<String>,
    json: bool,
) -> Result<ExitCode, Error> {
    let cfg = load_config(config_path)?;
    let journal = Journal::open(&cfg.db_path_or_default())?;
    print(&journal, &cfg, day, csv, search, json)
}

pub fn print(
    journal: &Journal,
    cfg: &Config,
    day: Option<NaiveDate>,
    csv: bool,
    search: Option<String>,
    json: bool,
) -> Result<ExitCode, Error> {
    let tz = cfg.tz()?;
    let day = day.unwrap_or_else(|| business_day(SystemClock.now(), tz));
    let attempts = match &search {
        Some(q) => journal.search(q)?,
        None => journal.day(day)?,
    };
    if csv {
        print!(
            "{}",
            to_csv(&attempts).map_err(|e| Error::Config(e.to_string()))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let report = DayReport::build(day, attempts);
    if json {
        println!(
            "{}",
            serde_json::to_string(&report).map_err(|e| Error::Config(e.to_string()))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    match &search {
        Some(q) => println!("attempts matching {q:?}"),
        None => println!("receipts for {} ({})", report.day, cfg.timezone),
    }
    println!(
        "{:<8} {:<20} {:<26} {:<18} {:>12}  state",
        "time", "bill", "order", "channel", "amount ¥"
    );
    for a in &report.attempts {
        println!(
            "{:<8} {:<20} {:<26} {:<18} {:>12}  {}",
            a.created_at.with_timezone(&tz).format("%H:%M:%S"),
            a.bill,
            a.order_no,
            a.channel,
            a.amount,
            state_label(a.state, cfg.lang)
        );
    }
    println!();
    println!(
        "collected ¥{} in {} payment(s)",
        report.collected,
        report
            .by_outcome
            .get(&Outcome::Paid)
            .map(|t| t.count)
            .unwrap_or(0)
    );
    for (channel, t) in &report.by_channel {
        println!(
            "  {:<20} {:>4} × ¥{:>12}",
            channel.as_str(),
            t.count,
            t.amount
        );
    }
    for (outcome, t) in &report.by_outcome {
        println!(
            "  {:<20} {:>4} × ¥{:>12}",
            outcome.as_str(),
            t.count,
            t.amount
        );
    }
    Ok(ExitCode::SUCCESS)
}
