//! Receipts written out as JSON or CSV while the journal is read, one attempt at a time: a
//! busy day's 10,000 attempts are never all in memory, and are never copied out of SQLite
//! (`cashier receipts --day D --json` took 46 ms when it built the whole report first).

use std::borrow::Cow;
use std::io::Write;

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::page::{self, ReceiptsQuery};
use super::{DayTotals, Outcome, total};
use crate::journal::{AttemptRow, Journal, Selection};
use crate::labels::{channel_label, outcome_label, state_label};
use crate::{Attempt, Error, Lang, timestamp};

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
    let mut report = JsonObject::start(out).map_err(failed)?;
    timestamp::with_day_text(day, |text| json_name(report.key("day")?, text)).map_err(failed)?;
    report
        .key("attempts")
        .map_err(failed)?
        .write_all(b"[")
        .map_err(failed)?;
    let mut first = true;
    let totals = total(journal, selection, |row| {
        if !first {
            report.out.write_all(b",").map_err(failed)?;
        }
        first = false;
        json_row(report.out, row).map_err(failed)
    })?;
    report.out.write_all(b"]").map_err(failed)?;
    serde_json::to_writer(
        report.key("by_channel").map_err(failed)?,
        &totals.by_channel,
    )
    .map_err(failed)?;
    serde_json::to_writer(
        report.key("by_outcome").map_err(failed)?,
        &totals.by_outcome,
    )
    .map_err(failed)?;
    serde_json::to_writer(report.key("collected").map_err(failed)?, &totals.collected)
        .map_err(failed)?;
    serde_json::to_writer(report.key("refunded").map_err(failed)?, &totals.refunded)
        .map_err(failed)?;
    report.end().map_err(failed)?;
    out.write_all(b"\n").map_err(failed)?;
    Ok(totals)
}

/// One attempt as JSON, byte for byte what serde makes of it (`Attempt` and `AttemptRow`
/// alike; the tests below hold them equal), but with the keys and the texts that never need
/// escaping (numbers, times, channel and state names) written as they are: through serde's
/// general path they were a third of a day's export.
fn json_row<W: Write>(out: &mut W, a: &AttemptRow<'_>) -> std::io::Result<()> {
    let mut n = itoa::Buffer::new();
    let mut o = JsonObject::start(out)?;
    o.key("id")?.write_all(n.format(a.id.0).as_bytes())?;
    json_str(o.key("bill")?, a.bill)?;
    o.key("amount")?
        .write_all(n.format(a.amount.0).as_bytes())?;
    json_name(o.key("channel")?, a.channel.as_str())?;
    json_str(o.key("order_no")?, a.order_no)?;
    json_opt(o.key("reference")?, a.reference, json_str)?;
    json_opt(o.key("wallet")?, a.wallet, json_str)?;
    json_opt(o.key("code_masked")?, a.code_masked, json_str)?;
    json_opt(o.key("code_url")?, a.code_url, json_str)?;
    json_str(o.key("operator")?, a.operator)?;
    json_str(o.key("till")?, a.till)?;
    json_name(o.key("state")?, a.state.as_str())?;
    json_opt(o.key("reason")?, a.reason, json_str)?;
    json_time(o.key("created_at")?, a.created_at)?;
    json_time(o.key("updated_at")?, a.updated_at)?;
    let day = o.key("business_day")?;
    timestamp::with_day_text(a.business_day, |text| json_name(day, text))?;
    json_opt(o.key("bill_paid_before")?, a.bill_paid_before, |out, f| {
        out.write_all(n.format(f.0).as_bytes())
    })?;
    json_opt(o.key("watch_until")?, a.watch_until, json_time)?;
    o.key("refunded")?
        .write_all(n.format(a.refunded.0).as_bytes())?;
    o.end()
}

/// A JSON object written key by key, so that the commas and the quoted keys are written in
/// one place. Keys are our own names and never need escaping.
struct JsonObject<'w, W: Write> {
    out: &'w mut W,
    first: bool,
}

impl<'w, W: Write> JsonObject<'w, W> {
    fn start(out: &'w mut W) -> std::io::Result<Self> {
        out.write_all(b"{")?;
        Ok(JsonObject { out, first: true })
    }

    /// Writes `"key":` (after a comma but for the first) and hands back the writer for its value.
    fn key(&mut self, key: &str) -> std::io::Result<&mut W> {
        if !std::mem::take(&mut self.first) {
            self.out.write_all(b",")?;
        }
        json_name(self.out, key)?;
        self.out.write_all(b":")?;
        Ok(self.out)
    }

    fn end(self) -> std::io::Result<()> {
        self.out.write_all(b"}")
    }
}

/// Text from outside (a bill number, a backend's reason), escaped by serde_json.
fn json_str<W: Write>(out: &mut W, s: &str) -> std::io::Result<()> {
    serde_json::to_writer(out, s).map_err(std::io::Error::from)
}

/// `null`, or the value as `write` writes it.
fn json_opt<W: Write, T>(
    out: &mut W,
    value: Option<T>,
    write: impl FnOnce(&mut W, T) -> std::io::Result<()>,
) -> std::io::Result<()> {
    match value {
        Some(v) => write(out, v),
        None => out.write_all(b"null"),
    }
}

/// One of our own names (`cloud-qr`, `partly_paid`): letters, digits, `-` and `_` only.
fn json_name(out: &mut impl Write, name: &str) -> std::io::Result<()> {
    out.write_all(b"\"")?;
    out.write_all(name.as_bytes())?;
    out.write_all(b"\"")
}

fn json_time<W: Write>(out: &mut W, t: chrono::DateTime<chrono::Utc>) -> std::io::Result<()> {
    timestamp::with_text(t, |text| json_name(out, text))
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
        Cow::Owned(timestamp::day_text(a.business_day)),
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

/// The desk's export's columns, `[zh-CN, en]`.
const DESK_HEADER: [[&str; 2]; 12] = [
    ["日期", "Day"],
    ["时间", "Time"],
    ["单号", "Bill"],
    ["金额(元)", "Amount (yuan)"],
    ["渠道", "Channel"],
    ["结果", "Outcome"],
    ["状态", "State"],
    ["收银员", "Operator"],
    ["付款码", "Payment code"],
    ["订单号", "Order no."],
    ["已退款(元)", "Refunded (yuan)"],
    ["原因", "Reason"],
];

/// The desk's export of a receipts query (its paging aside, its sort kept): UTF-8 with a
/// byte-order mark so Excel opens Chinese right, headers and words in `lang`, amounts in yuan,
/// times in the business zone; streamed from the journal. Returns the rows written.
pub fn to_csv_for(
    journal: &Journal,
    query: &ReceiptsQuery,
    today: NaiveDate,
    tz: Tz,
    lang: Lang,
    out: impl Write,
) -> Result<u64, Error> {
    let filter = page::filter(query, today)?;
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
    out.write_all("\u{feff}".as_bytes()).map_err(failed)?;
    let mut w = csv::Writer::from_writer(&mut out);
    w.write_record(DESK_HEADER.iter().map(|h| lang.pick(*h)))
        .map_err(failed)?;
    let rows = journal.page(
        &filter,
        page::order(query.sort.by),
        query.sort.desc,
        &page::state_rank(),
        None,
        |a| desk_row(&mut w, &a, tz, lang),
    )?;
    w.flush().map_err(failed)?;
    drop(w);
    out.flush().map_err(failed)?;
    Ok(rows)
}

fn desk_row<W: Write>(
    w: &mut csv::Writer<W>,
    a: &AttemptRow<'_>,
    tz: Tz,
    lang: Lang,
) -> Result<(), Error> {
    let fields = [
        Cow::Owned(timestamp::day_text(a.business_day)),
        Cow::Owned(page::clock_seconds(a.created_at, tz)),
        spreadsheet_safe(a.bill),
        Cow::Owned(a.amount.to_string()),
        Cow::Borrowed(channel_label(a.channel, lang)),
        Cow::Borrowed(outcome_label(Outcome::of(a.state), lang)),
        Cow::Borrowed(state_label(a.state, lang)),
        spreadsheet_safe(a.operator),
        spreadsheet_safe(a.code_masked.unwrap_or("")),
        spreadsheet_safe(a.order_no),
        Cow::Owned(a.refunded.to_string()),
        spreadsheet_safe(a.reason.unwrap_or("")),
    ];
    w.write_record(fields.iter().map(|f| f.as_bytes()))
        .map_err(failed)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AttemptId, AttemptState, BillNo, Channel, Fen};
    use chrono::{DateTime, NaiveDate, Utc};
    use proptest::prelude::*;

    /// Text as it comes from outside: quotes, backslashes, control characters, Chinese,
    /// emoji, the characters JSON must escape and those it need not.
    fn outside() -> impl Strategy<Value = String> {
        "(\\PC|[\"\\\\\u{0}-\u{1f}\u{7f}\u{2028}\u{2029}单号😀])*"
    }

    fn time() -> impl Strategy<Value = DateTime<Utc>> {
        // Years 0 to 9999 and beyond, leap seconds left to the timestamp tests.
        (-62_167_219_200_000i64..400_000_000_000_000)
            .prop_map(|ms| DateTime::from_timestamp_millis(ms).unwrap_or_default())
    }

    prop_compose! {
        fn attempt()(
            id in any::<i64>(),
            bill in "[!-~][ -~]{0,18}[!-~]",
            amount in any::<u64>(),
            channel in proptest::sample::select(Channel::ALL.to_vec()),
            order_no in outside(),
            reference in proptest::option::of(outside()),
            wallet in proptest::option::of(outside()),
            code_masked in proptest::option::of(outside()),
            code_url in proptest::option::of(outside()),
            operator in outside(),
            till in outside(),
            state in proptest::sample::select(AttemptState::ALL.to_vec()),
            reason in proptest::option::of(outside()),
            created_at in time(),
            updated_at in time(),
            day in -100_000i32..3_000_000,
            bill_paid_before in proptest::option::of(any::<u64>()),
            watch_until in proptest::option::of(time()),
            refunded in any::<u64>(),
        ) -> Attempt {
            Attempt {
                id: AttemptId(id),
                bill: BillNo::parse(&bill).unwrap_or_else(|e| panic!("{bill:?}: {e}")),
                amount: Fen(amount),
                channel,
                order_no,
                reference,
                wallet,
                code_masked,
                code_url,
                operator,
                till,
                state,
                reason,
                created_at,
                updated_at,
                business_day: NaiveDate::from_num_days_from_ce_opt(day).unwrap_or_default(),
                bill_paid_before: bill_paid_before.map(Fen),
                watch_until,
                refunded: Fen(refunded),
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]
        #[test]
        fn a_row_written_by_hand_is_what_serde_writes(a in attempt()) {
            let mut out = Vec::new();
            json_row(&mut out, &a.as_row()).unwrap_or_else(|e| panic!("{e}"));
            let by_hand = String::from_utf8(out).unwrap_or_default();
            prop_assert_eq!(&by_hand, &serde_json::to_string(&a).unwrap_or_default());
            prop_assert_eq!(&by_hand, &serde_json::to_string(&a.as_row()).unwrap_or_default());
        }
    }
}
