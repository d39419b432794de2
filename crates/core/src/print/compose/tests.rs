//! The documents' words: what a customer slip, a refund slip, a report and the test page hold,
//! and that every text of them is in GBK (what most Chinese thermal printers take).

use chrono::{TimeZone, Utc};
use unicode_width::UnicodeWidthStr;

use super::*;
use crate::closing::{ClosingView, OperatorView, ReportKind};
use crate::print::{CodePage, Paper, closing_report};
use crate::till::ReportRow;
use crate::{AttemptId, BillNo, Channel, RefundState};

fn header() -> SlipHeader {
    SlipHeader {
        shop: "黄山风景区 东门售票处".into(),
        till: "07".into(),
        tz: chrono_tz::Asia::Shanghai,
    }
}

fn paid() -> Attempt {
    let at = Utc.with_ymd_and_hms(2026, 12, 6, 6, 5, 9).unwrap();
    Attempt {
        id: AttemptId(3),
        bill: BillNo::parse("B-1001").unwrap(),
        amount: Fen(1234),
        channel: Channel::CloudBarcode,
        order_no: "CP07261206140509ABCD".into(),
        reference: None,
        wallet: Some("wechat".into()),
        code_masked: Some("1345**********7649".into()),
        code_url: None,
        operator: "小王".into(),
        till: "07".into(),
        state: AttemptState::Paid,
        reason: None,
        created_at: at,
        updated_at: at,
        business_day: at.date_naive(),
        bill_paid_before: None,
        watch_until: None,
        refunded: Fen::ZERO,
    }
}

/// Every text a document prints, as its lines render on `paper`.
fn texts(doc: &Doc, paper: Paper) -> Vec<String> {
    doc.lines.iter().flat_map(|l| l.rendered(paper)).collect()
}

fn assert_gbk(doc: &Doc) {
    for line in &doc.lines {
        let text = match line {
            DocLine::Text { text, .. } => text.clone(),
            DocLine::Pair { left, right } => format!("{left}{right}"),
            DocLine::Qr(payload) => payload.clone(),
            _ => continue,
        };
        let (_, _, unmappable) = encoding_rs::GBK.encode(&text);
        assert!(!unmappable, "not in GBK: {text:?}");
    }
}

fn assert_ends_with_feed_and_cut(doc: &Doc) {
    let n = doc.lines.len();
    assert!(matches!(doc.lines[n - 2], DocLine::Feed(_)), "{doc:?}");
    assert_eq!(doc.lines[n - 1], DocLine::Cut);
}

#[test]
fn a_customer_slip_says_who_what_how_much_and_when_in_both_languages() {
    let doc = customer_slip(&header(), &paid(), paid().updated_at, false);
    let all = texts(&doc, Paper::Mm80).join("\n");
    for want in [
        "黄山风景区 东门售票处",
        "收银台 Till",
        "小王",
        "B-1001",
        "金额 Amount",
        "￥12.34",
        "云支付付款码 Cloud Pay code",
        "1345 **** **** 7649",
        // 06:05:09 UTC in Shanghai.
        "2026-12-06 14:05:09",
        "CP07261206140509ABCD",
    ] {
        assert!(all.contains(want), "{want:?} missing from:\n{all}");
    }
    assert!(!all.contains('¥'), "U+00A5 is not in GBK:\n{all}");
    assert!(!all.contains("134520273825387649"));
    assert!(
        doc.lines
            .contains(&DocLine::Qr("CP07261206140509ABCD".into()))
    );
    assert!(!all.contains(REPRINT_WORDS));
    assert_ends_with_feed_and_cut(&doc);
    assert_gbk(&doc);
}

#[test]
fn a_reprint_is_marked_first_in_double_size() {
    let doc = customer_slip(&header(), &paid(), paid().updated_at, true);
    assert_eq!(
        doc.lines[0],
        DocLine::text(REPRINT_WORDS, Align::Center, true, true)
    );
}

#[test]
fn label_and_value_pairs_keep_to_the_paper() {
    for paper in [Paper::Mm58, Paper::Mm80] {
        let doc = customer_slip(&header(), &paid(), paid().updated_at, false);
        for line in &doc.lines {
            if let DocLine::Pair { .. } | DocLine::Rule = line {
                for text in line.rendered(paper) {
                    assert!(text.width() <= paper.columns(), "{paper:?}: {text:?}");
                }
            }
        }
    }
}

#[test]
fn a_refund_slip_says_the_refund_what_is_left_and_who() {
    let a = paid();
    let r = Refund {
        id: 1,
        attempt_id: a.id,
        part: 1,
        refund_no: "CP07261206140509ABCDR1".into(),
        amount: Fen(234),
        state: RefundState::Refunded,
        reason: None,
        manager: "老李".into(),
        note: "顾客退票".into(),
        created_at: a.updated_at,
        updated_at: a.updated_at,
    };
    let doc = refund_slip(&header(), &a, &r, Fen(1000), false);
    let all = texts(&doc, Paper::Mm58).join("\n");
    for want in [
        "退款小票 Refund",
        "CP07261206140509ABCDR1",
        "退款金额 Refunded",
        "￥2.34",
        "剩余 Left",
        "￥10.00",
        "老李",
    ] {
        assert!(all.contains(want), "{want:?} missing from:\n{all}");
    }
    assert_ends_with_feed_and_cut(&doc);
    assert_gbk(&doc);
}

#[test]
fn the_test_page_rules_the_papers_width_and_names_the_printer() {
    for paper in [Paper::Mm58, Paper::Mm80] {
        let setup = PrinterSetup {
            url: crate::print::PrinterUrl::parse("tcp://192.168.1.50:9100").unwrap(),
            paper,
            code_page: CodePage::Gb18030,
        };
        let doc = test_page(&setup);
        let all = texts(&doc, paper);
        assert!(all.iter().any(|t| t.contains("tcp://192.168.1.50:9100")));
        assert!(all.iter().any(|t| t.contains("GB18030")));
        let ruler = all
            .iter()
            .find(|t| t.starts_with("....+"))
            .expect("a ruler");
        assert_eq!(ruler.width(), paper.columns(), "{ruler}");
        assert_ends_with_feed_and_cut(&doc);
        assert_gbk(&doc);
    }
}

fn z_view(copy: bool) -> ClosingView {
    ClosingView {
        kind: ReportKind::Z,
        number: 12,
        day: "2026-12-06".into(),
        at_text: "2026-12-06 23:10".into(),
        till: "07".into(),
        approved_by: Some("老李".into()),
        first_seq: 100,
        last_seq: 180,
        last_seal: "ab".repeat(32),
        channels: vec![ReportRow {
            label: "云支付付款码".into(),
            count: 3,
            amount_text: "¥36.00".into(),
        }],
        outcomes: vec![],
        count: 4,
        refunded_text: "¥2.00".into(),
        operators: vec![OperatorView {
            operator: "小王".into(),
            count: 4,
            collected_text: "¥34.00".into(),
        }],
        open_items: vec![],
        corrections: vec![],
        corrections_text: "−¥1.00".into(),
        net_text: "¥34.00".into(),
        grand_total_text: "¥1034.00".into(),
        prev_hash: "0".repeat(64),
        hash: "cd".repeat(32),
        copy,
        copy_words: copy.then(|| crate::closing::COPY_WORDS.to_string()),
    }
}

#[test]
fn a_z_on_paper_says_what_the_screen_says_and_a_copy_is_marked() {
    let doc = closing_report("黄山", &z_view(false), Lang::ZhCn);
    let all = texts(&doc, Paper::Mm80).join("\n");
    for want in [
        "Z 报表 第 12 号",
        "2026-12-06",
        "￥36.00",
        "小王 (4)",
        "￥1034.00",
        "cdcdcdcd",
    ] {
        assert!(all.contains(want), "{want:?} missing from:\n{all}");
    }
    assert!(!all.contains(crate::closing::COPY_WORDS));
    assert_ends_with_feed_and_cut(&doc);
    assert_gbk(&doc);
    let copy = closing_report("黄山", &z_view(true), Lang::En);
    assert_eq!(
        copy.lines[0],
        DocLine::text(crate::closing::COPY_WORDS, Align::Center, true, true)
    );
    assert!(
        texts(&copy, Paper::Mm58)
            .join("\n")
            .contains("Z report No. 12")
    );
    assert_gbk(&copy);
}

#[test]
fn the_shop_is_the_configured_one_else_the_merchant_else_the_till() {
    assert_eq!(SlipHeader::shop_name(" 东门 ", Some("M"), "07"), "东门");
    assert_eq!(
        SlipHeader::shop_name("", Some("黄山旅游"), "07"),
        "黄山旅游"
    );
    assert_eq!(SlipHeader::shop_name("", None, "07"), "收银台 07");
    assert_eq!(SlipHeader::shop_name("", Some(" "), "07"), "收银台 07");
}
