//! A document encoded and decoded back: the text, the QR code and the cut survive, Chinese sits
//! inside Hanzi mode, pairs are padded counting a Hanzi as two columns.

use cashier_core::print::{CodePage, Doc, DocLine, Paper, pad_pair};
use cashier_print::{PrintError, decode, encode};

use crate::{ORDER, rendered, slip};

fn round_trip(paper: Paper, code_page: CodePage) {
    let doc = slip();
    let bytes = encode(&doc, paper, code_page).unwrap();
    let decoded = decode(&bytes, code_page);
    assert_eq!(decoded.lines, rendered(&doc, paper));
    assert!(
        decoded
            .lines
            .iter()
            .any(|l| l.contains("金额 Amount") && l.contains("￥128.50"))
    );
    assert!(decoded.lines.iter().any(|l| l.contains("东方旅游商店")));
    assert_eq!(decoded.qr, vec![ORDER.to_owned()]);
    assert_eq!(decoded.cuts, 1);
    assert_eq!(decoded.kicks, 0);
    // Every line of text fits the paper (a Hanzi counts two columns).
    for line in &decoded.lines {
        assert!(
            unicode_width::UnicodeWidthStr::width(line.as_str()) <= paper.columns(),
            "{line}"
        );
    }
}

#[test]
fn a_slip_on_58mm_decodes_back_to_its_text() {
    round_trip(Paper::Mm58, CodePage::Gbk);
}

#[test]
fn a_slip_on_80mm_decodes_back_to_its_text() {
    round_trip(Paper::Mm80, CodePage::Gb18030);
}

#[test]
fn chinese_text_sits_inside_hanzi_mode() {
    let bytes = encode(&slip(), Paper::Mm58, CodePage::Gbk).unwrap();
    let (shop, _, _) = encoding_rs::GBK.encode("东方旅游商店");
    let mut wrapped = vec![0x1C, 0x26];
    wrapped.extend_from_slice(&shop);
    wrapped.extend_from_slice(&[0x1C, 0x2E]);
    assert!(
        bytes
            .windows(wrapped.len())
            .any(|w| w == wrapped.as_slice())
    );
}

#[test]
fn pairs_are_padded_counting_hanzi_as_two_columns() {
    assert_eq!(pad_pair("中", "1", 8), vec!["中     1".to_owned()]);
    let row = &DocLine::pair("金额 Amount", "￥1.00").rendered(Paper::Mm80)[0];
    // 金额 are 4 columns: 4 + 7 (" Amount") + spaces + 6 (￥ is two) = 48.
    assert_eq!(row.chars().count(), 48 - 3);
    assert_eq!(unicode_width::UnicodeWidthStr::width(row.as_str()), 48);
    // Too long for one line: label, then the value against the right edge, never cut.
    let long = pad_pair("订单号 Order", &"9".repeat(30), 32);
    assert_eq!(
        long,
        vec!["订单号 Order".to_owned(), format!("  {}", "9".repeat(30))]
    );
}

#[test]
fn a_character_outside_the_code_page_is_named() {
    let doc = Doc {
        lines: vec![DocLine::pair("金额 Amount", "¥1.00"), DocLine::Cut],
    };
    let PrintError::Encode(detail) = encode(&doc, Paper::Mm58, CodePage::Gbk).unwrap_err() else {
        panic!("not an encoding error");
    };
    assert!(
        detail.contains("U+00A5") && detail.contains("GBK"),
        "{detail}"
    );
    // The fullwidth yuan sign core prints instead is in GBK.
    let doc = Doc {
        lines: vec![DocLine::pair("金额 Amount", "￥1.00"), DocLine::Cut],
    };
    assert!(encode(&doc, Paper::Mm58, CodePage::Gbk).is_ok());
}

#[test]
fn the_decoder_counts_kicks_and_cuts_and_survives_truncated_commands() {
    let bytes = [
        0x1B, b'@', b'h', b'i', 0x0A, 0x1B, b'p', 0, 25, 250, 0x1D, b'V', 65, 3, 0x1D, b'V', 0,
    ];
    let d = decode(&bytes, CodePage::Gbk);
    assert_eq!(d.lines, vec!["hi".to_owned()]);
    assert_eq!((d.kicks, d.cuts), (1, 2));
    // Every prefix of a real slip (a job cut short) decodes without a panic.
    let slip = encode(&slip(), Paper::Mm80, CodePage::Gbk).unwrap();
    for end in 0..slip.len() {
        decode(&slip[..end], CodePage::Gbk);
    }
    for cmd in [0x1B, 0x1D, 0x1C, 0x10] {
        decode(&[cmd], CodePage::Gbk);
        decode(&[cmd, b'(', b'k', 0xFF, 0xFF, 49, 80], CodePage::Gbk);
    }
}
