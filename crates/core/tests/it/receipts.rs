//! Day reports and CSV export.

use cashier_core::error::ErrorKind;
use cashier_core::receipts::{DayReport, Outcome, Totals, business_day, to_csv};
use cashier_core::{Attempt, AttemptId, AttemptState as S, BillNo, Channel, Error, Fen, Lang};
use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn attempt(id: i64, channel: Channel, fen: u64, state: S) -> Attempt {
    let at = Utc.with_ymd_and_hms(2026, 11, 21, 16, 30, 5).unwrap();
    Attempt {
        id: AttemptId(id),
        bill: BillNo::parse(&format!("B{id}")).unwrap(),
        amount: Fen(fen),
        channel,
        order_no: format!("CAT01261121163005{id:06}"),
        reference: None,
        wallet: None,
        code_masked: None,
        code_url: None,
        operator: "op7".into(),
        till: "T01".into(),
        state,
        reason: None,
        created_at: at,
        updated_at: at,
        business_day: day(),
        bill_paid_before: None,
        watch_until: None,
        refunded: Fen::ZERO,
    }
}

fn sample() -> Vec<Attempt> {
    vec![
        attempt(1, Channel::CloudBarcode, 12_30, S::Paid),
        attempt(2, Channel::CloudBarcode, 5_00, S::PartlyPaid),
        attempt(3, Channel::CloudQr, 20_00, S::Paid),
        attempt(4, Channel::CloudQr, 7_00, S::Failed),
        attempt(5, Channel::WechatQr, 8_00, S::Expired),
        attempt(6, Channel::WechatQr, 9_00, S::Cancelled),
        attempt(7, Channel::KoudaiBarcode, 1_00, S::Unknown),
        attempt(8, Channel::KoudaiBarcode, 2_00, S::Pending),
        attempt(9, Channel::AlipayQr, 3_00, S::Refunded),
    ]
}

fn totals(count: u64, fen: u64) -> Totals {
    Totals {
        count,
        amount: Fen(fen),
    }
}

#[test]
fn every_state_has_an_outcome() {
    let expected = [
        (S::Sending, Outcome::Unknown),
        (S::Pending, Outcome::Unknown),
        (S::Issuing, Outcome::Unknown),
        (S::Shown, Outcome::Unknown),
        (S::Unknown, Outcome::Unknown),
        (S::Paid, Outcome::Paid),
        (S::PartlyPaid, Outcome::Paid),
        (S::Failed, Outcome::Failed),
        (S::Cancelled, Outcome::Cancelled),
        (S::Expired, Outcome::Cancelled),
        (S::Abandoned, Outcome::Cancelled),
        (S::PartRefunded, Outcome::Paid),
        (S::Refunded, Outcome::Refunded),
    ];
    assert_eq!(expected.len(), S::ALL.len());
    for (state, outcome) in expected {
        assert_eq!(Outcome::of(state), outcome, "{state}");
    }
}

#[test]
fn totals_equal_hand_sums() {
    let report = DayReport::build(day(), sample());
    assert_eq!(report.totals.collected, Fen(12_30 + 5_00 + 20_00));
    let by_channel: Vec<_> = report.totals.by_channel.clone().into_iter().collect();
    assert_eq!(
        by_channel,
        vec![
            (Channel::CloudQr, totals(1, 20_00)),
            (Channel::CloudBarcode, totals(2, 17_30)),
        ]
    );
    let by_outcome: Vec<_> = report.totals.by_outcome.clone().into_iter().collect();
    assert_eq!(
        by_outcome,
        vec![
            (Outcome::Paid, totals(3, 37_30)),
            (Outcome::Failed, totals(1, 7_00)),
            (Outcome::Cancelled, totals(2, 17_00)),
            (Outcome::Unknown, totals(2, 3_00)),
            (Outcome::Refunded, totals(1, 3_00)),
        ]
    );
    let counted: u64 = report.totals.by_outcome.values().map(|t| t.count).sum();
    assert_eq!(counted, report.attempts.len() as u64);
}

#[test]
fn report_serialises_in_snake_case() {
    let json = serde_json::to_value(DayReport::build(day(), sample())).unwrap();
    assert_eq!(json["day"], "2026-11-22");
    assert_eq!(json["collected"], 37_30);
    assert_eq!(json["by_outcome"]["paid"]["count"], 3);
    assert_eq!(json["by_channel"]["cloud-barcode"]["amount"], 17_30);
}

#[test]
fn csv_has_a_header_and_yuan_with_two_decimals() {
    let mut attempts = sample();
    attempts[0].reason = Some("支付成功, 已到账".into());
    attempts[0].reference = Some("=HYPERLINK(\"x\")".into());
    let csv = to_csv(&attempts).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "business_day,created_at,bill,order_no,channel,amount_yuan,refunded_yuan,state,outcome,\
         reference,code_masked,operator,till,reason"
    );
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("2026-11-22,2026-11-21T16:30:05.000Z,B1,CAT01261121163005000001,"),
        "{first}"
    );
    assert!(
        first.contains(",cloud-barcode,12.30,0.00,paid,paid,"),
        "{first}"
    );
    assert!(
        first.contains("\"'=HYPERLINK(\"\"x\"\")\""),
        "formula neutralised: {first}"
    );
    assert!(first.ends_with(",op7,T01,\"支付成功, 已到账\""), "{first}");
    assert!(csv.contains(",5.00,0.00,partly_paid,paid,"));
    assert_eq!(csv.lines().count(), 1 + attempts.len());
    assert_eq!(to_csv(&[]).unwrap().lines().count(), 1);
}

/// A report that cannot be written out is an error of the closed set: internal, with its
/// own code and a message in both languages.
#[test]
fn an_export_failure_is_an_internal_error_in_both_languages() {
    let e = Error::Export("disk full".into());
    let zh = e.body(Lang::ZhCn);
    let en = e.body(Lang::En);
    assert_eq!(
        (zh.kind, zh.code.as_str()),
        (ErrorKind::Internal, "report_export")
    );
    assert_eq!(zh.field, None);
    assert_eq!(en.message, "writing the report failed: disk full");
    assert_eq!(zh.message, "导出报表失败：disk full");
}

#[test]
fn business_day_follows_the_shop_zone_across_midnight() {
    let utc = |h, m| Utc.with_ymd_and_hms(2026, 11, 21, h, m, 0).unwrap();
    assert_eq!(business_day(utc(16, 30), Shanghai), day());
    assert_eq!(
        business_day(utc(15, 59), Shanghai),
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    );
    assert_eq!(business_day(utc(16, 0), Shanghai), day());
}
