//! The desk's reads (docs/desk.md, "The day's receipts"): pages, filters and search, the
//! summary against the pages and the day's report, the hourly series in the business zone, an
//! attempt's timeline with codes masked, the worklist, and the CSV for Excel. On a real
//! journal file, written the way the engine writes it (`begin`, then `record`).

use std::collections::BTreeSet;

use cashier_core::error::Field;
use cashier_core::journal::{Change, Journal, NewAttempt, RefundState};
use cashier_core::order_no::OrderScheme;
use cashier_core::receipts::page::{self, ReceiptsQuery, ReceiptsSort, SortBy};
use cashier_core::receipts::timeline;
use cashier_core::receipts::worklist::{self, WorkKind};
use cashier_core::receipts::{DayReport, Outcome, business_day, to_csv_for};
use cashier_core::till::AttemptView;
use cashier_core::{Attempt, AttemptId, AttemptState as S, BillNo, Channel, Fen, Lang};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// The moment the tests read at: the evening of `day()` in Shanghai.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 14, 0, 0).unwrap()
}

fn open() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(&dir.path().join("journal.db")).unwrap();
    (dir, journal)
}

struct New<'a> {
    bill: &'a str,
    fen: u64,
    channel: Channel,
    operator: &'a str,
    code: Option<String>,
    at: DateTime<Utc>,
    to: S,
    raw: &'a str,
}

fn add(j: &Journal, n: New<'_>) -> Attempt {
    let new = NewAttempt {
        bill: BillNo::parse(n.bill).unwrap(),
        amount: Fen(n.fen),
        channel: n.channel,
        wallet: None,
        code_masked: n.code,
        operator: n.operator.into(),
        scheme: OrderScheme::internal("CA", "T01").unwrap(),
        bill_paid_before: None,
    };
    let a = j.begin(new, n.at, business_day(n.at, Shanghai), 7).unwrap();
    if n.to == a.state {
        return a;
    }
    j.record(a.id, Change::new(n.to, n.raw), n.at + Duration::seconds(3))
        .unwrap()
}

const STATES: [S; 6] = [
    S::Paid,
    S::Failed,
    S::Unknown,
    S::Paid,
    S::Pending,
    S::Cancelled,
];
const OPERATORS: [&str; 3] = ["op1", "op2", "王店长"];

/// 60 attempts of `day()` across its hours, amounts with repeats (ties for the sort), every
/// barcode one with a masked code; one attempt on each neighbouring day.
fn busy_day() -> (tempfile::TempDir, Journal) {
    let (dir, j) = open();
    let start = Utc.with_ymd_and_hms(2026, 11, 21, 16, 5, 0).unwrap();
    for i in 0..60u64 {
        let channel = Channel::ALL[usize::try_from(i).unwrap() % Channel::ALL.len()];
        let code = (!channel.is_qr()).then(|| format!("1345**********{:04}", 7000 + i));
        add(
            &j,
            New {
                bill: &format!("B{i:03}"),
                fen: 1_00 * (i % 7 + 1),
                channel,
                operator: OPERATORS[usize::try_from(i).unwrap() % 3],
                code,
                at: start + Duration::minutes(i64::try_from(i).unwrap() * 23),
                // Not in step with the channel, so every channel has several outcomes.
                to: STATES[usize::try_from(i + i / 6).unwrap() % STATES.len()],
                raw: "answer",
            },
        );
    }
    for (bill, at) in [
        (
            "PREV",
            Utc.with_ymd_and_hms(2026, 11, 21, 15, 0, 0).unwrap(),
        ),
        (
            "NEXT",
            Utc.with_ymd_and_hms(2026, 11, 22, 17, 0, 0).unwrap(),
        ),
    ] {
        add(
            &j,
            New {
                bill,
                fen: 9_99,
                channel: Channel::CloudBarcode,
                operator: "op9",
                code: None,
                at,
                to: S::Paid,
                raw: "paid",
            },
        );
    }
    (dir, j)
}

fn query() -> ReceiptsQuery {
    ReceiptsQuery {
        from: Some("2026-11-22".into()),
        to: Some("2026-11-22".into()),
        limit: 50,
        ..ReceiptsQuery::default()
    }
}

fn page(j: &Journal, q: &ReceiptsQuery) -> page::ReceiptsPage {
    page::page(j, q, day(), Shanghai, Lang::En).unwrap()
}

/// Every id the query selects, page by page.
fn all_pages(j: &Journal, q: &ReceiptsQuery, size: u32) -> (u64, Vec<i64>) {
    let mut ids = Vec::new();
    let mut offset = 0;
    loop {
        let p = page(
            j,
            &ReceiptsQuery {
                offset,
                limit: size,
                ..q.clone()
            },
        );
        if p.rows.is_empty() {
            return (p.total, ids);
        }
        assert!(p.rows.len() <= usize::try_from(size).unwrap());
        ids.extend(p.rows.iter().map(|r| r.id));
        offset += size;
    }
}

#[test]
fn pages_cover_every_row_once_in_both_directions() {
    let (_dir, j) = busy_day();
    let day_ids: BTreeSet<i64> = j.day(day()).unwrap().iter().map(|a| a.id.0).collect();
    assert_eq!(day_ids.len(), 60);
    for by in [
        SortBy::Time,
        SortBy::Amount,
        SortBy::Bill,
        SortBy::Channel,
        SortBy::Outcome,
        SortBy::Operator,
    ] {
        let mut orders = Vec::new();
        for desc in [false, true] {
            let q = ReceiptsQuery {
                sort: ReceiptsSort { by, desc },
                ..query()
            };
            let (total, ids) = all_pages(&j, &q, 7);
            assert_eq!(total, 60, "{by:?}");
            let set: BTreeSet<i64> = ids.iter().copied().collect();
            assert_eq!(set.len(), ids.len(), "{by:?} {desc}: a row on two pages");
            assert_eq!(set, day_ids, "{by:?} {desc}");
            orders.push(ids);
        }
        // The tie-break runs with the sort, so descending is exactly ascending reversed.
        let mut reversed = orders[0].clone();
        reversed.reverse();
        assert_eq!(reversed, orders[1], "{by:?}");
    }
    // Amounts really are in order.
    let q = ReceiptsQuery {
        sort: ReceiptsSort {
            by: SortBy::Amount,
            desc: false,
        },
        limit: 200,
        ..query()
    };
    let amounts: Vec<String> = page(&j, &q).rows.into_iter().map(|r| r.amount).collect();
    let mut sorted = amounts.clone();
    sorted.sort();
    assert_eq!(amounts, sorted);
}

fn found(j: &Journal, q: ReceiptsQuery) -> BTreeSet<i64> {
    let (total, ids) = all_pages(j, &q, 200);
    assert_eq!(total, u64::try_from(ids.len()).unwrap());
    ids.into_iter().collect()
}

#[track_caller]
fn expected(j: &Journal, keep: impl Fn(&Attempt) -> bool) -> BTreeSet<i64> {
    let ids: BTreeSet<i64> = j
        .day(day())
        .unwrap()
        .into_iter()
        .filter(|a| keep(a))
        .map(|a| a.id.0)
        .collect();
    assert!(
        !ids.is_empty(),
        "a filter that finds nothing proves nothing"
    );
    ids
}

#[test]
fn filters_and_search_find_exactly_the_right_rows() {
    let (_dir, j) = busy_day();
    let q = || query();
    let by_channel = ReceiptsQuery {
        channel: Some(Channel::CloudQr),
        ..q()
    };
    assert_eq!(
        found(&j, by_channel),
        expected(&j, |a| a.channel == Channel::CloudQr)
    );
    // Unknown as a manager counts it: pending ones too.
    let unknown = ReceiptsQuery {
        outcome: Some(Outcome::Unknown),
        ..q()
    };
    let want = expected(&j, |a| matches!(a.state, S::Unknown | S::Pending));
    assert!(j.day(day()).unwrap().iter().any(|a| a.state == S::Pending));
    assert_eq!(found(&j, unknown), want);
    let operator = ReceiptsQuery {
        operator: Some("王店长".into()),
        ..q()
    };
    assert_eq!(
        found(&j, operator),
        expected(&j, |a| a.operator == "王店长")
    );
    // A bill number's middle.
    let bill = ReceiptsQuery {
        search: Some("03".into()),
        ..q()
    };
    assert_eq!(
        found(&j, bill),
        expected(&j, |a| a.bill.as_str().contains("03")
            || a.order_no.contains("03"))
    );
    // An order number, whole.
    let one = &j.day(day()).unwrap()[17];
    let order = ReceiptsQuery {
        search: Some(one.order_no.clone()),
        ..q()
    };
    assert_eq!(found(&j, order), BTreeSet::from([one.id.0]));
    // A code's last four digits: 7014 is B014's code.
    let four = ReceiptsQuery {
        search: Some("7014".into()),
        ..q()
    };
    let want = expected(&j, |a| {
        a.code_masked
            .as_deref()
            .is_some_and(|c| c.ends_with("7014"))
            || a.bill.as_str().contains("7014")
            || a.order_no.contains("7014")
    });
    assert!(want.iter().any(|id| *id == j.day(day()).unwrap()[14].id.0));
    assert_eq!(found(&j, four), want);
    // The range: the day before, the day and the day after.
    let range = ReceiptsQuery {
        from: Some("2026-11-21".into()),
        to: Some("2026-11-23".into()),
        ..q()
    };
    assert_eq!(found(&j, range).len(), 62);
    // Wildcards are text: nothing has a % in it.
    let percent = ReceiptsQuery {
        search: Some("%".into()),
        ..q()
    };
    assert!(page(&j, &percent).rows.is_empty());
}

#[test]
fn the_summary_is_the_pages_and_the_days_report() {
    let (_dir, j) = busy_day();
    // One refunded part, so the refunds count too.
    let paid = j
        .day(day())
        .unwrap()
        .into_iter()
        .find(|a| a.state == S::Paid && a.channel.can_refund())
        .unwrap();
    let r = j
        .begin_refund(paid.id, Fen(50), "王店长", "one item back", now())
        .unwrap();
    j.record_refund(r.id, RefundState::Refunded, None, now())
        .unwrap();

    let s = page::summary(&j, &query(), day(), Shanghai, Lang::En).unwrap();
    let report = DayReport::build(day(), j.day(day()).unwrap());
    assert_eq!(s.count, u64::try_from(report.attempts.len()).unwrap());
    assert_eq!(s.collected_fen, report.totals.collected.0);
    assert_eq!(s.refunded, "¥0.50");
    let by_channel: Vec<(Channel, u64, String)> = s
        .by_channel
        .iter()
        .map(|t| (t.channel, t.count, t.amount.clone()))
        .collect();
    let want: Vec<(Channel, u64, String)> = report
        .totals
        .by_channel
        .iter()
        .map(|(c, t)| (*c, t.count, format!("¥{}", t.amount)))
        .collect();
    assert_eq!(by_channel, want);
    let by_outcome: Vec<(Outcome, u64, String)> = s
        .by_outcome
        .iter()
        .map(|t| (t.outcome, t.count, t.amount.clone()))
        .collect();
    let want: Vec<(Outcome, u64, String)> = report
        .totals
        .by_outcome
        .iter()
        .map(|(o, t)| (*o, t.count, format!("¥{}", t.amount)))
        .collect();
    assert_eq!(by_outcome, want);
    // The hourly bars add up to the day.
    let bars: u64 = s.hourly.iter().map(|h| h.count).sum();
    assert_eq!(bars, s.count);
    let collected: i64 = s.hourly.iter().map(|h| h.collected_fen).sum();
    assert_eq!(u64::try_from(collected).unwrap(), s.collected_fen);
    assert_eq!(s.operators, vec!["op1", "op2", "王店长"]);
    assert_eq!(s.outcomes.len(), Outcome::ALL.len());

    // Under a filter, the summary counts exactly the pages' rows.
    for q in [
        ReceiptsQuery {
            channel: Some(Channel::CloudBarcode),
            ..query()
        },
        ReceiptsQuery {
            outcome: Some(Outcome::Paid),
            operator: Some("op1".into()),
            ..query()
        },
    ] {
        let s = page::summary(&j, &q, day(), Shanghai, Lang::En).unwrap();
        let (total, ids) = all_pages(&j, &q, 9);
        assert_eq!(s.count, total);
        let rows: Vec<Attempt> = ids
            .iter()
            .map(|id| j.get(AttemptId(*id)).unwrap().unwrap())
            .collect();
        let report = DayReport::build(day(), rows);
        assert_eq!(s.collected_fen, report.totals.collected.0);
    }
}

#[test]
fn hourly_bars_are_in_the_business_zone() {
    let (_dir, j) = open();
    // 23:30 UTC on the 22nd is 07:30 on the 23rd in Shanghai.
    add(
        &j,
        New {
            bill: "LATE",
            fen: 12_30,
            channel: Channel::CloudBarcode,
            operator: "op1",
            code: None,
            at: Utc.with_ymd_and_hms(2026, 11, 22, 23, 30, 0).unwrap(),
            to: S::Paid,
            raw: "paid",
        },
    );
    let q = ReceiptsQuery {
        from: Some("2026-11-23".into()),
        to: Some("2026-11-23".into()),
        ..query()
    };
    let s = page::summary(&j, &q, day(), Shanghai, Lang::ZhCn).unwrap();
    assert_eq!(s.hourly.len(), 24);
    let lit: Vec<(u8, u64, i64)> = s
        .hourly
        .iter()
        .filter(|h| h.count > 0)
        .map(|h| (h.hour, h.count, h.collected_fen))
        .collect();
    assert_eq!(lit, vec![(7, 1, 12_30)]);
    assert_eq!(s.hourly[7].collected, "¥12.30");
    assert_eq!(page(&j, &q).rows[0].time, "07:30:00");
}

#[test]
fn bad_queries_are_refused_with_the_filter_field() {
    let (_dir, j) = open();
    for q in [
        ReceiptsQuery {
            from: Some("2026-13-01".into()),
            ..query()
        },
        ReceiptsQuery {
            from: Some("2026-11-23".into()),
            ..query()
        },
        ReceiptsQuery {
            from: Some("2026-08-21".into()),
            ..query()
        },
        ReceiptsQuery {
            limit: 0,
            ..query()
        },
    ] {
        let e = page::page(&j, &q, day(), Shanghai, Lang::En).unwrap_err();
        assert_eq!(e.field(), Some(Field::Filter), "{q:?}: {e}");
    }
    // 92 days is allowed, and a big limit is capped.
    let q = ReceiptsQuery {
        from: Some("2026-08-23".into()),
        limit: 100_000,
        ..query()
    };
    page::page(&j, &q, day(), Shanghai, Lang::En).unwrap();
}

fn view(a: &Attempt) -> Result<AttemptView, cashier_core::Error> {
    Ok(AttemptView::of(
        a,
        None,
        None,
        a.channel.can_refund(),
        Lang::En,
        Shanghai,
        now(),
    ))
}

#[test]
fn the_timeline_lists_every_transition_with_codes_masked() {
    let (_dir, j) = open();
    let a = add(
        &j,
        New {
            bill: "T1",
            fen: 12_30,
            channel: Channel::PosWechatBarcode,
            operator: "op1",
            code: Some("1345**********7649".into()),
            at: now() - Duration::minutes(30),
            to: S::Unknown,
            raw: "timeout",
        },
    );
    j.record(
        a.id,
        Change::new(S::Paid, "SUCCESS auth_code=134512345678907649 paid"),
        now(),
    )
    .unwrap();
    let d = timeline::detail(&j, a.id, Shanghai, Lang::En, view).unwrap();
    let transitions = j.transitions(a.id).unwrap();
    assert_eq!(d.lines.len(), transitions.len());
    assert_eq!(d.lines.len(), 3);
    assert_eq!(d.lines[0].from, None);
    assert_eq!(
        d.lines[2].from.as_deref(),
        Some("Result unknown — do not charge again")
    );
    assert_eq!(d.lines[2].to, "Paid");
    let last = &d.lines[2].answer;
    assert!(!last.contains("134512345678907649"), "{last}");
    assert!(last.contains("1345**********7649"), "{last}");
    assert_eq!(d.lines[2].time, "22:00:00");
    // A Tour V5 payment is refunded in the back office, and the detail says so.
    assert!(!d.can_refund);
    assert!(d.refund_where.as_deref().unwrap().contains("back office"));
    assert_eq!(d.refund_left, "¥12.30");
}

#[test]
fn the_worklist_holds_unknown_long_pending_abandoned_and_open_refunds() {
    let (_dir, j) = open();
    let at = |m: i64| now() - Duration::minutes(m);
    let mk = |bill: &str, channel: Channel, minutes: i64, to: S, raw: &str| {
        add(
            &j,
            New {
                bill,
                fen: 10_00,
                channel,
                operator: "op1",
                code: None,
                at: at(minutes),
                to,
                raw,
            },
        )
    };
    // Two days ago: the worklist is not today's only.
    let unknown = mk(
        "U1",
        Channel::CloudBarcode,
        2 * 1440 + 65,
        S::Unknown,
        "no answer 134512345678907649",
    );
    let pending = mk("P1", Channel::CloudBarcode, 11, S::Pending, "USERPAYING");
    mk("P2", Channel::CloudBarcode, 5, S::Pending, "USERPAYING");
    let qr = mk("Q1", Channel::CloudQr, 125, S::Shown, "shown");
    j.record(
        qr.id,
        Change::new(S::Abandoned, "closed on screen"),
        at(120),
    )
    .unwrap();
    mk("OK", Channel::CloudBarcode, 200, S::Paid, "paid");
    let paid = mk("R1", Channel::CloudBarcode, 300, S::Paid, "paid");
    let r = j
        .begin_refund(paid.id, Fen(3_00), "王店长", "returned", at(90))
        .unwrap();
    let manual = "WeChat could not return the money (state 5, 转入代发)";
    j.record_refund(r.id, RefundState::Unknown, Some(manual.into()), at(89))
        .unwrap();

    let items = worklist::items(&j, now(), Lang::En, view).unwrap();
    let got: Vec<(String, WorkKind, String)> = items
        .iter()
        .map(|w| (w.attempt.bill.clone(), w.kind, w.age.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("U1".into(), WorkKind::Unknown, "2 d 01 h".into()),
            ("Q1".into(), WorkKind::Abandoned, "2 h 05 min".into()),
            ("R1".into(), WorkKind::RefundManual, "1 h 30 min".into()),
            ("P1".into(), WorkKind::LongPending, "11 min".into()),
        ]
    );
    assert_eq!(items[0].attempt.id, unknown.id.0);
    assert_eq!(items[3].attempt.id, pending.id.0);
    assert_eq!(items[3].age_s, 11 * 60);
    assert!(
        !items[0].last_answer.contains("134512345678907649"),
        "{}",
        items[0].last_answer
    );
    assert!(items[2].last_answer.contains("state 5"));
    let zh = worklist::items(&j, now(), Lang::ZhCn, view).unwrap();
    assert_eq!(zh[1].age, "2小时05分");
}

#[test]
fn the_csv_is_for_excel_in_the_tills_language() {
    let (_dir, j) = busy_day();
    let q = ReceiptsQuery {
        sort: ReceiptsSort {
            by: SortBy::Amount,
            desc: true,
        },
        ..query()
    };
    let mut out = Vec::new();
    let rows = to_csv_for(&j, &q, day(), Shanghai, Lang::ZhCn, &mut out).unwrap();
    assert_eq!(rows, 60);
    assert!(out.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(out).unwrap();
    let body = text.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&header[..4], ["日期", "时间", "单号", "金额(元)"]);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 60);
    // Amounts in yuan, the query's order (largest first), words in Chinese.
    assert_eq!(&records[0][3], "7.00");
    assert_eq!(&records[59][3], "1.00");
    assert!(records.iter().any(|r| &r[4] == "云支付付款码"));
    // Every row is the page's row.
    let all = page(
        &j,
        &ReceiptsQuery {
            limit: 200,
            ..q.clone()
        },
    );
    for (r, p) in records.iter().zip(&all.rows) {
        assert_eq!(&r[2], p.bill);
        assert_eq!(format!("¥{}", &r[3]), p.amount);
    }
    let mut en = Vec::new();
    to_csv_for(&j, &q, day(), Shanghai, Lang::En, &mut en).unwrap();
    assert!(
        String::from_utf8(en)
            .unwrap()
            .starts_with("\u{feff}Day,Time,Bill,Amount (yuan)")
    );
}

mod on_the_till {
    //! Through `Till`: each read needs the desk open.

    use super::*;
    use cashier_core::error::ErrorKind;

    #[tokio::test]
    async fn a_closed_desk_refuses_the_reads() {
        let dir = tempfile::tempdir().unwrap();
        let (till, sandbox, _) =
            crate::common::sandbox_till(dir.path(), dir.path().join("cashier.toml"), |_| {}).await;
        let e = till.receipts_page(query()).await.unwrap_err();
        assert_ne!(e.kind(), ErrorKind::Input, "{e}");
        assert!(till.worklist().await.is_err());
        let path = dir.path().join("out.csv");
        assert!(
            till.export_receipts(query(), path.display().to_string())
                .await
                .is_err()
        );
        assert!(!path.exists());
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn the_reads_answer_on_an_open_desk() {
        let dir = tempfile::tempdir().unwrap();
        let (till, sandbox, _) =
            crate::common::sandbox_till(dir.path(), dir.path().join("cashier.toml"), |_| {}).await;
        till.open_desk(&crate::common::demo_approval(&till))
            .await
            .unwrap();
        let today = ReceiptsQuery {
            from: None,
            to: None,
            limit: 50,
            ..ReceiptsQuery::default()
        };
        let p = till.receipts_page(today.clone()).await.unwrap();
        assert_eq!(p.total, 0);
        let s = till.receipts_summary(today.clone()).await.unwrap();
        assert_eq!(s.count, 0);
        assert!(till.worklist().await.unwrap().is_empty());
        assert!(till.query_all().await.unwrap().is_empty());
        let path = dir.path().join("receipts.csv");
        let rows = till
            .export_receipts(today, path.display().to_string())
            .await
            .unwrap();
        assert_eq!(rows, 0);
        assert!(
            std::fs::read(&path)
                .unwrap()
                .starts_with("\u{feff}".as_bytes())
        );
        sandbox.shutdown().await;
    }
}
