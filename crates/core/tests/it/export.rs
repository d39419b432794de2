//! Receipts streamed out of a real journal file: the JSON is byte for byte what the day's
//! `DayReport` serialises to, the CSV is what `to_csv` makes of the same attempts, the totals
//! are the report's, and a write that fails stops the export with an error of the closed set.

use std::io::Write;

use cashier_core::journal::{Change, Journal, NewAttempt, Selection};
use cashier_core::order_no::OrderScheme;
use cashier_core::receipts::{DayReport, Format, to_csv, write};
use cashier_core::{AttemptState as S, BillNo, Channel, Error, Fen};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rusqlite::params;
use tempfile::TempDir;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 4, 5).unwrap()
}

/// A journal with a day of attempts as varied as a shop's: every channel, ended and live,
/// refunded in part, Chinese reasons with quotes and commas, a reference a spreadsheet would
/// run, times written by another version, plus attempts of the day before and after.
fn journal() -> (TempDir, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let journal = Journal::open(&path).unwrap();
    let scheme = OrderScheme::internal("CA", "T01").unwrap();
    let states = [
        S::Paid,
        S::Failed,
        S::Unknown,
        S::PartlyPaid,
        S::Cancelled,
        S::Pending,
    ];
    for (n, channel) in Channel::ALL.into_iter().enumerate() {
        for (k, state) in states.into_iter().enumerate() {
            let new = NewAttempt {
                bill: BillNo::parse(&format!("B-{n}-{k}")).unwrap(),
                amount: Fen(100 * (n as u64 + 1) + k as u64),
                channel,
                wallet: channel.is_cloud().then(|| "alipay".to_string()),
                code_masked: (!channel.is_qr()).then(|| "2834**********1234".to_string()),
                operator: "收银员7".into(),
                scheme: scheme.clone(),
                bill_paid_before: None,
            };
            let at = now() + chrono::TimeDelta::seconds((n * 10 + k) as i64);
            let a = journal.begin(new, at, day(), 7).unwrap();
            if state == S::Pending && channel.is_qr() {
                continue; // left issuing: a live QR attempt
            }
            let change = Change {
                reason: Some(format!("后台说：\"{state}\", 请稍后, n={n}")),
                reference: (state == S::Paid).then(|| format!("=REF{n}")),
                ..Change::new(state, "RAW")
            };
            journal.record(a.id, change, at).unwrap();
        }
    }
    // Rows as another version or a manager's tool may have left them.
    let raw = rusqlite::Connection::open(&path).unwrap();
    let insert = |bill: &str, fen: i64, state: &str, at: &str, day: &str, refunded: i64| {
        raw.execute(
            "INSERT INTO attempts (bill, amount_fen, channel, order_no, operator, till,
                 state, created_at, updated_at, business_day, refunded_fen)
             VALUES (?1, ?2, 'cloud-barcode', 'O-' || ?1, 'op', 'T01', ?3, ?4, ?4, ?5, ?6)",
            params![bill, fen, state, at, day, refunded],
        )
        .unwrap();
    };
    // Times with an offset, or without milliseconds: still RFC 3339.
    insert(
        "OLD-1",
        990,
        "part_refunded",
        "2026-11-22T11:00:00+08:00",
        "2026-11-22",
        300,
    );
    insert(
        "OLD-2",
        1230,
        "refunded",
        "2026-11-22T03:00:00Z",
        "2026-11-22",
        1230,
    );
    insert(
        "QR-3",
        500,
        "abandoned",
        "2026-11-22T04:00:00.000Z",
        "2026-11-22",
        0,
    );
    raw.execute(
        "UPDATE attempts SET watch_until = '2026-11-22T06:00:00.000Z',
             code_url = 'weixin://wxpay/x?a=1&b=\"2\"', bill_paid_before_fen = 50
         WHERE bill = 'QR-3'",
        [],
    )
    .unwrap();
    // The neighbouring days, which the day's report leaves out.
    insert(
        "OTHER-DAY",
        700,
        "paid",
        "2026-11-21T04:00:00.000Z",
        "2026-11-21",
        0,
    );
    insert(
        "NEXT-DAY",
        800,
        "paid",
        "2026-11-23T04:00:00.000Z",
        "2026-11-23",
        0,
    );
    (dir, journal)
}

fn export(journal: &Journal, selection: &Selection, format: Format) -> String {
    let mut out = Vec::new();
    write(journal, selection, format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn the_streamed_json_is_the_day_reports_json() {
    let (_dir, journal) = journal();
    let report = DayReport::build(day(), journal.day(day()).unwrap());
    assert_eq!(
        report.attempts.len(),
        6 * 6 + 3,
        "the day's, not its neighbours'"
    );
    let streamed = export(
        &journal,
        &Selection::Day(day()),
        Format::Json { day: day() },
    );
    assert_eq!(streamed, serde_json::to_string(&report).unwrap() + "\n");
    // And it is JSON a script reads back, totals included.
    let v: serde_json::Value = serde_json::from_str(&streamed).unwrap();
    assert_eq!(v["attempts"].as_array().unwrap().len(), 39);
    assert_eq!(
        v["collected"],
        serde_json::to_value(report.totals.collected).unwrap()
    );
    assert_eq!(v["refunded"], 300 + 1230);
}

#[test]
fn an_empty_day_and_a_search_stream_too() {
    let (_dir, journal) = journal();
    let empty = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let streamed = export(
        &journal,
        &Selection::Day(empty),
        Format::Json { day: empty },
    );
    let report = DayReport::build(empty, Vec::new());
    assert_eq!(streamed, serde_json::to_string(&report).unwrap() + "\n");

    let found = journal.search("OLD").unwrap();
    assert_eq!(found.len(), 2);
    let report = DayReport::build(day(), found);
    let selection = Selection::Search(" OLD ".into());
    let streamed = export(&journal, &selection, Format::Json { day: day() });
    assert_eq!(streamed, serde_json::to_string(&report).unwrap() + "\n");
}

#[test]
fn the_streamed_csv_is_to_csv_of_the_day() {
    let (_dir, journal) = journal();
    let attempts = journal.day(day()).unwrap();
    let csv = to_csv(&attempts).unwrap();
    assert_eq!(export(&journal, &Selection::Day(day()), Format::Csv), csv);
    let excel = export(&journal, &Selection::Day(day()), Format::CsvForExcel);
    assert_eq!(excel.strip_prefix('\u{feff}'), Some(csv.as_str()));
    // Formula-like references neutralised, quotes and commas quoted.
    assert!(csv.contains(",'=REF0,"), "{csv}");
    assert!(
        csv.contains("\"后台说：\"\"paid\"\", 请稍后, n=0\""),
        "{csv}"
    );
    // The times of another version read back as the same instants.
    assert!(
        csv.contains("2026-11-22,2026-11-22T03:00:00.000Z,OLD-1,"),
        "{csv}"
    );
}

#[test]
fn the_totals_returned_are_the_reports() {
    let (_dir, journal) = journal();
    let report = DayReport::build(day(), journal.day(day()).unwrap());
    let mut seen = Vec::new();
    let totals = cashier_core::receipts::total(&journal, &Selection::Day(day()), |row| {
        seen.push(row.to_attempt());
        Ok::<(), Error>(())
    })
    .unwrap();
    assert_eq!(totals, report.totals);
    assert_eq!(seen, report.attempts);
    assert_eq!(totals.count(), 39);
    for format in [Format::Csv, Format::Json { day: day() }] {
        let mut out = Vec::new();
        let written = write(&journal, &Selection::Day(day()), format, &mut out).unwrap();
        assert_eq!(written, report.totals);
    }
}

/// A disk that fills up half-way: the export stops at the failing write with `Export`.
struct FailsAfter {
    left: usize,
    writes: usize,
}

impl Write for FailsAfter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writes += 1;
        if buf.len() > self.left {
            return Err(std::io::Error::other("No space left on device"));
        }
        self.left -= buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_write_stops_the_export_with_an_export_error() {
    let (_dir, journal) = journal();
    for format in [
        Format::Json { day: day() },
        Format::Csv,
        Format::CsvForExcel,
    ] {
        let mut out = FailsAfter {
            left: 2_000,
            writes: 0,
        };
        let e = write(&journal, &Selection::Day(day()), format, &mut out).unwrap_err();
        assert!(matches!(e, Error::Export(_)), "{format:?}: {e:?}");
        assert_eq!(e.code(), "report_export");
        assert!(e.to_string().contains("No space left"), "{e}");
    }
    // The journal is untouched and still reads.
    assert_eq!(journal.day(day()).unwrap().len(), 39);
}
