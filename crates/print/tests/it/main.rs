//! The print crate end to end: core's documents encoded, sent to real printers' stand-ins (TCP
//! listeners on loopback, pseudo-terminals, files), the printers' status asked, and the bytes
//! decoded back.

mod encoding;
mod preview;
mod printing;
mod printing_faults;
mod test_printer;
mod urls;

use cashier_core::print::{Align, CodePage, Doc, DocLine, Paper, PrinterSetup, PrinterUrl};

/// The order number a slip carries as text and as its QR code.
pub const ORDER: &str = "T01202612061445570042AB";

/// A customer slip as core composes one: Chinese text, label/value pairs, rules, the order
/// number's QR code, the feed past the cutter, the cut.
pub fn slip() -> Doc {
    Doc {
        lines: vec![
            DocLine::text("东方旅游商店", Align::Center, true, true),
            DocLine::text("付款凭证 Payment slip", Align::Center, false, false),
            DocLine::Rule,
            DocLine::pair("收银台 Till", "T01"),
            DocLine::pair("收银员 Operator", "王芳"),
            DocLine::pair("时间 Time", "2026-12-06 14:45:57"),
            DocLine::Rule,
            DocLine::pair("金额 Amount", "￥128.50"),
            DocLine::pair("渠道 Channel", "微信支付 WeChat Pay"),
            DocLine::pair("订单号 Order", ORDER),
            DocLine::Rule,
            DocLine::Qr(ORDER.to_owned()),
            DocLine::text(
                "请保留小票 Please keep this slip",
                Align::Center,
                false,
                false,
            ),
            DocLine::Feed(3),
            DocLine::Cut,
        ],
    }
}

/// The text lines `doc` prints on `paper`, blank ones included: what decoding its bytes must
/// give back.
pub fn rendered(doc: &Doc, paper: Paper) -> Vec<String> {
    doc.lines.iter().flat_map(|l| l.rendered(paper)).collect()
}

pub fn setup(url: PrinterUrl, paper: Paper, code_page: CodePage) -> PrinterSetup {
    PrinterSetup {
        url,
        paper,
        code_page,
    }
}
