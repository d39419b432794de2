//! The preview is the printer's own bytes read back: each line's text and look, the QR code and
//! the cut where the document puts them.

use cashier_core::print::{
    Align, CodePage, Doc, DocLine, Paper, Preview, PreviewLine, Printer, PrinterUrl,
};
use cashier_print::EscPos;

use crate::{ORDER, setup};

fn text(text: &str, align: Align, bold: bool, double: bool) -> PreviewLine {
    PreviewLine::Text {
        text: text.to_owned(),
        align,
        bold,
        double,
    }
}

#[test]
fn the_preview_shows_the_documents_lines_their_look_and_the_qr_code_where_it_is() {
    let doc = Doc {
        lines: vec![
            DocLine::text("重印 REPRINT", Align::Center, true, true),
            DocLine::text("东方旅游商店", Align::Center, false, true),
            DocLine::text("付款凭证", Align::Center, true, false),
            DocLine::Rule,
            DocLine::pair("金额 Amount", "￥128.50"),
            DocLine::text("右 right", Align::Right, false, false),
            DocLine::Qr(ORDER.to_owned()),
            DocLine::text("请保留小票", Align::Center, false, false),
            DocLine::Feed(2),
            DocLine::Cut,
        ],
    };
    // No printer is needed for a preview: the URL is never opened.
    let setup = setup(
        PrinterUrl::File("/nonexistent/never-opened".into()),
        Paper::Mm58,
        CodePage::Gbk,
    );
    let preview = EscPos.preview(&setup, &doc).unwrap();
    // 金额 and ￥ take two columns each: 11 + 13 spaces + 8 = 32.
    let amount = format!("金额 Amount{}￥128.50", " ".repeat(32 - 11 - 8));
    assert_eq!(
        preview,
        Preview {
            columns: 32,
            lines: vec![
                text("重印 REPRINT", Align::Center, true, true),
                text("东方旅游商店", Align::Center, false, true),
                text("付款凭证", Align::Center, true, false),
                text(&"-".repeat(32), Align::Left, false, false),
                text(&amount, Align::Left, false, false),
                text("右 right", Align::Right, false, false),
                PreviewLine::Qr {
                    payload: ORDER.to_owned(),
                    svg: String::new(),
                },
                text("请保留小票", Align::Center, false, false),
                text("", Align::Left, false, false),
                text("", Align::Left, false, false),
                PreviewLine::Cut,
            ],
        }
    );
    let wide = setup_80(&setup);
    assert_eq!(EscPos.preview(&wide, &doc).unwrap().columns, 48);
}

fn setup_80(setup: &cashier_core::print::PrinterSetup) -> cashier_core::print::PrinterSetup {
    cashier_core::print::PrinterSetup {
        paper: Paper::Mm80,
        ..setup.clone()
    }
}
