//! Receipts written out as JSON or CSV while the journal is read, one attempt at a time: a
//! busy day's 10,000 attempts are never all in memory, and are never copied out of SQLite
//! (`cashier receipts --day D --json` took 46 ms when it built the whole report first).

use std::borrow::Cow;
use std::io::Write;

use chrono::NaiveDate;

use super::{DayTotals, Outcome, total};
use crate::journal::{AttemptRow, Journal, Selection};
use crate::{Attempt, Error, timestamp};

/// How receipts are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The report of `day`: `{day, attempts, by_channel, by_outcome, collected, refunded}`,
    /// exactly what a `DayReport` of the same attempts serialises to.
    Json { day: NaiveDate },
    /// One row per attempt after a header row.
    Csv,
    /// CSV with a UTF-8 byte-order mark in front: Excel reads Chinese reasons as GBK without.
    CsvForExcel,
}

/// Writes the selected attempts to `out` and returns their totals. A failed write stops the
/// reading at once.
pub fn write(
    journal: &Journal,
    selection: &Selection,
    format: Format,
    out: impl Write,
) -> Result<DayTotals, Error> {
    // JSON and CSV are made in pieces of a few bytes; `out` gets them by the block.
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
    let totals = match format {
        Format::Json { day } => json(journal, selection, day, &mut out)?,
        Format::Csv => csv(journal, selection, &mut out)?,
        Format::CsvForExcel => {
            out.write_all("\u{feff}".as_bytes()).map_err(failed)?;
            csv(journal, selection, &mut out)?
        }
    };
    out.flush().map_err(failed)?;
    Ok(totals)
}

fn failed(e: impl std::fmt::Display) -> Error {
    Error::Export(e.to_string())
}

fn json(
    journal: &Journal,
    selection: &Selection,
    day: NaiveDate,
    out: &mut impl Write,
) -> Result<DayTotals, Error> {
    // The keys in `DayReport`'s order; tests/receipts.rs holds the two outputs equal.
    write!(
        out,
        "{{\"day\":\"{}\",\"attempts\":[",
        day.format("%Y-%m-%d")
    )
    .map_err(failed)?;
    let mut first = true;
    let totals = total(journal, selection, |row| {
        if !first {
            out.write_all(b",").map_err(failed)?;
        }
        first = false;
        serde_json::to_writer(&mut *out, row).map_err(failed)
    })?;
    out.write_all(b"],\"by_channel\":").map_err(failed)?;
    serde_json::to_writer(&mut *out, &totals.by_channel).map_err(failed)?;
    out.write_all(b",\"by_outcome\":").map_err(failed)?;
    serde_json::to_writer(&mut *out, &totals.by_outcome).map_err(failed)?;
    out.write_all(b",\"collected\":").map_err(failed)?;
    serde_json::to_writer(&mut *out, &totals.collected).map_err(failed)?;
    out.write_all(b",\"refunded\":").map_err(failed)?;
    serde_json::to_writer(&mut *out, &totals.refunded).map_err(failed)?;
    out.write_all(b"}\n").map_err(failed)?;
    Ok(totals)
}

pub const CSV_HEADER: [&str; 14] = [
    "business_day",
    "created_at",
    "bill",
    "order_no",
    "channel",
    "amount_yuan",
    "refunded_yuan",
    "state",
    "outcome",
    "reference",
    "code_masked",
    "operator",
    "till",
    "reason",
];

/// Times are RFC 3339 UTC next to the business day, so the file means the same wherever it
/// is opened.
fn csv(journal: &Journal, selection: &Selection, out: &mut impl Write) -> Result<DayTotals, Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER).map_err(failed)?;
    let totals = total(journal, selection, |row| csv_row(&mut w, row))?;
    w.flush().map_err(failed)?;
    Ok(totals)
}

fn csv_row<W: Write>(w: &mut csv::Writer<W>, a: &AttemptRow<'_>) -> Result<(), Error> {
    let fields = [
        Cow::Owned(timestamp::Day(a.business_day).to_string()),
        Cow::Owned(timestamp::text(a.created_at)),
        spreadsheet_safe(a.bill),
        spreadsheet_safe(a.order_no),
        Cow::Borrowed(a.channel.as_str()),
        Cow::Owned(a.amount.to_string()),
        Cow::Owned(a.refunded.to_string()),
        Cow::Borrowed(a.state.as_str()),
        Cow::Borrowed(Outcome::of(a.state).as_str()),
        spreadsheet_safe(a.reference.unwrap_or("")),
        spreadsheet_safe(a.code_masked.unwrap_or("")),
        spreadsheet_safe(a.operator),
        spreadsheet_safe(a.till),
        spreadsheet_safe(a.reason.unwrap_or("")),
    ];
    w.write_record(fields.iter().map(|f| f.as_bytes()))
        .map_err(failed)
}

/// Attempts in memory as CSV text, one row each after a header row: the same rows [`write`]
/// streams.
pub fn to_csv(attempts: &[Attempt]) -> Result<String, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER).map_err(failed)?;
    for a in attempts {
        csv_row(&mut w, &a.as_row())?;
    }
    let bytes = w.into_inner().map_err(failed)?;
    String::from_utf8(bytes).map_err(failed)
}

/// Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula; bill numbers,
/// references and backend reasons come from outside, so such a cell is prefixed with `'`.
fn spreadsheet_safe(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}
