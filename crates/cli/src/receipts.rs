//! `cashier receipts`: the day's attempts for a manager, as a table, JSON or CSV.

use std::path::PathBuf;
use std::process::ExitCode;

use cashier_core::journal::Selection;
use cashier_core::receipts::{Format, Outcome};
use cashier_core::till::Till;
use cashier_core::{Error, Lang};
use chrono::NaiveDate;

use crate::term::{Pipe, out};
use cashier_core::labels::state_label;

/// CSV for scripts, or with a byte-order mark for Excel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Csv {
    Plain,
    WithBom,
}

pub fn run(
    config_path: Option<PathBuf>,
    day: Option<NaiveDate>,
    csv: Option<Csv>,
    search: Option<String>,
    json: bool,
) -> Result<ExitCode, Error> {
    let till = cashier_open::open_for_reading(&cashier_open::ConfigFile::at(config_path))?;
    print(&till, day, csv, search, json)
}

pub fn print(
    till: &Till,
    day: Option<NaiveDate>,
    csv: Option<Csv>,
    search: Option<String>,
    json: bool,
) -> Result<ExitCode, Error> {
    let cfg = till.config();
    let tz = cfg.tz()?;
    let day = match day {
        Some(d) => d,
        None => till.day(None)?,
    };
    let selection = match &search {
        Some(q) => Selection::Search(q.clone()),
        None => Selection::Day(day),
    };
    let format = match (csv, json) {
        (Some(Csv::Plain), _) => Some(Format::Csv),
        (Some(Csv::WithBom), _) => Some(Format::CsvForExcel),
        (None, true) => Some(Format::Json { day }),
        (None, false) => None,
    };
    if let Some(format) = format {
        till.write_receipts(&selection, format, Pipe::stdout())?;
        return Ok(ExitCode::SUCCESS);
    }
    let zh = cfg.lang == Lang::ZhCn;
    match (&search, zh) {
        (Some(q), true) => out!("查询 {q:?} 的收款记录"),
        (Some(q), false) => out!("attempts matching {q:?}"),
        (None, true) => out!("{day} 收款明细（{}）", cfg.timezone),
        (None, false) => out!("receipts for {day} ({})", cfg.timezone),
    }
    let head = if zh {
        ["时间", "单号", "订单号", "渠道", "金额 ¥", "状态"]
    } else {
        ["time", "bill", "order", "channel", "amount ¥", "state"]
    };
    out!(
        "{:<8} {:<20} {:<26} {:<18} {:>12}  {}",
        head[0],
        head[1],
        head[2],
        head[3],
        head[4],
        head[5]
    );
    let report = till.receipts(&selection, |a| {
        out!(
            "{:<8} {:<20} {:<26} {:<18} {:>12}  {}",
            a.created_at.with_timezone(&tz).format("%H:%M:%S"),
            a.bill,
            a.order_no,
            a.channel,
            a.amount,
            state_label(a.state, cfg.lang)
        );
        Ok(())
    })?;
    out!();
    let paid = report
        .by_outcome
        .get(&Outcome::Paid)
        .map(|t| t.count)
        .unwrap_or(0);
    if zh {
        out!("实收 ¥{}，共 {paid} 笔", report.collected);
    } else {
        out!("collected ¥{} in {paid} payment(s)", report.collected);
    }
    for (channel, t) in &report.by_channel {
        out!(
            "  {:<20} {:>4} × ¥{:>12}",
            channel.as_str(),
            t.count,
            t.amount
        );
    }
    for (outcome, t) in &report.by_outcome {
        out!(
            "  {:<20} {:>4} × ¥{:>12}",
            outcome.as_str(),
            t.count,
            t.amount
        );
    }
    Ok(ExitCode::SUCCESS)
}
