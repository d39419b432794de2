//! What each printed document says: the customer's slip, the refund slip and the test page (the
//! X and Z reports are in `report.rs`). Composed when a job prints, from the journal's rows, so
//! that nothing in the queue can disagree with the journal.
//!
//! Slips are read by the customer, often a tourist: every label is Chinese first with English
//! beside it, whatever the till's language. Every text keeps to the printer's code page (GBK):
//! the yuan sign is the fullwidth `￥`, never `¥` (U+00A5 is not in GBK), see [`printable`].

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{Align, Doc, DocLine, PrinterSetup};
use crate::code::mask_for_screen;
use crate::journal::Refund;
use crate::labels::channel_label;
use crate::{Attempt, AttemptState, Fen, Lang};

/// Marks a copy of a slip printed a second time: two slips must never pass for two payments.
pub const REPRINT_WORDS: &str = "重印 REPRINT";

/// Blank lines between the last line and the cut, so that the cutter misses the text.
const FEED_BEFORE_CUT: u8 = 3;

/// Who prints: the top of every slip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlipHeader {
    /// The shop's name (configuration `shop`, else the merchant, else `收银台 <till>`).
    pub shop: String,
    pub till: String,
    /// The business zone: every time on paper is in it.
    pub tz: Tz,
}

impl SlipHeader {
    /// The shop's name as the configuration gives it; empty: the merchant's name from the
    /// login, else the till's.
    pub fn shop_name(configured: &str, merchant: Option<&str>, till: &str) -> String {
        let configured = configured.trim();
        if !configured.is_empty() {
            return configured.to_string();
        }
        match merchant.map(str::trim).filter(|m| !m.is_empty()) {
            Some(m) => m.to_string(),
            None => format!("收银台 {till}"),
        }
    }
}

/// An amount as printed: `￥12.34`, the fullwidth yuan sign of GBK.
pub fn yuan(amount: Fen) -> String {
    format!("￥{amount}")
}

/// Text as the code page takes it: the symbols the screens use that GBK lacks, replaced by
/// the ones it has (`¥` → `￥`, the minus sign `−` → `-`).
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '¥' => '￥',
            '−' => '-',
            other => other,
        })
        .collect()
}

/// A time as printed: `YYYY-MM-DD HH:MM:SS` in the business zone.
pub fn local_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string()
}

fn both(zh: &str, en: &str) -> String {
    format!("{zh} {en}")
}

pub(super) fn center(text: impl Into<String>, bold: bool, double: bool) -> DocLine {
    DocLine::text(text, Align::Center, bold, double)
}

/// The reprint mark (when reprinted), the shop and the till: the top of every slip.
fn head(lines: &mut Vec<DocLine>, h: &SlipHeader, title: String, reprint: bool) {
    if reprint {
        lines.push(center(REPRINT_WORDS, true, true));
    }
    lines.push(center(h.shop.clone(), true, false));
    lines.push(center(title, false, false));
    lines.push(DocLine::Rule);
    lines.push(DocLine::pair(both("收银台", "Till"), h.till.clone()));
}

/// The feed and the cut every document ends with, and every text made printable.
pub(super) fn finish(mut lines: Vec<DocLine>) -> Doc {
    lines.push(DocLine::Feed(FEED_BEFORE_CUT));
    lines.push(DocLine::Cut);
    Doc {
        lines: lines
            .into_iter()
            .map(|line| match line {
                DocLine::Text {
                    text,
                    align,
                    bold,
                    double,
                } => DocLine::Text {
                    text: printable(&text),
                    align,
                    bold,
                    double,
                },
                DocLine::Pair { left, right } => DocLine::Pair {
                    left: printable(&left),
                    right: printable(&right),
                },
                other => other,
            })
            .collect(),
    }
}

/// The channel in both languages: `微信付款码 WeChat code`.
fn channel_both(a: &Attempt) -> String {
    both(
        channel_label(a.channel, Lang::ZhCn),
        channel_label(a.channel, Lang::En),
    )
}

/// The customer's slip of a paid payment; `paid_at`: when it was paid.
pub fn customer_slip(h: &SlipHeader, a: &Attempt, paid_at: DateTime<Utc>, reprint: bool) -> Doc {
    let mut lines = Vec::new();
    head(&mut lines, h, both("收款小票", "Receipt"), reprint);
    lines.push(DocLine::pair(
        both("收银员", "Operator"),
        a.operator.clone(),
    ));
    lines.push(DocLine::pair(both("单号", "Bill"), a.bill.to_string()));
    lines.push(DocLine::pair(both("支付方式", "Paid by"), channel_both(a)));
    if let Some(code) = &a.code_masked {
        lines.push(DocLine::pair(both("付款码", "Code"), mask_for_screen(code)));
    }
    lines.push(DocLine::pair(
        both("时间", "Time"),
        local_time(paid_at, h.tz),
    ));
    lines.push(DocLine::Rule);
    lines.push(DocLine::pair(both("金额", "Amount"), yuan(a.amount)));
    if a.state == AttemptState::PartlyPaid {
        lines.push(DocLine::text(
            both("部分支付", "Partly paid"),
            Align::Right,
            true,
            false,
        ));
    }
    lines.push(DocLine::Rule);
    lines.push(DocLine::pair(both("订单号", "Order"), a.order_no.clone()));
    lines.push(DocLine::Qr(a.order_no.clone()));
    lines.push(center(both("谢谢惠顾", "Thank you"), false, false));
    finish(lines)
}

/// The slip of a refund part that ended refunded; `left`: what was left to refund after it.
pub fn refund_slip(h: &SlipHeader, a: &Attempt, r: &Refund, left: Fen, reprint: bool) -> Doc {
    let mut lines = Vec::new();
    head(&mut lines, h, both("退款小票", "Refund"), reprint);
    lines.push(DocLine::pair(both("单号", "Bill"), a.bill.to_string()));
    lines.push(DocLine::pair(both("订单号", "Order"), a.order_no.clone()));
    lines.push(DocLine::pair(
        both("退款单号", "Refund no."),
        r.refund_no.clone(),
    ));
    lines.push(DocLine::pair(both("支付方式", "Paid by"), channel_both(a)));
    lines.push(DocLine::pair(both("原金额", "Paid"), yuan(a.amount)));
    lines.push(DocLine::pair(
        both("时间", "Time"),
        local_time(r.updated_at, h.tz),
    ));
    lines.push(DocLine::Rule);
    lines.push(DocLine::pair(both("退款金额", "Refunded"), yuan(r.amount)));
    lines.push(DocLine::pair(both("剩余", "Left"), yuan(left)));
    lines.push(DocLine::Rule);
    lines.push(DocLine::pair(both("主管", "Manager"), r.manager.clone()));
    finish(lines)
}

/// The test page: the printer's name, paper and code page, a ruler of the paper's width (it
/// must fill one line exactly), sample Chinese and a QR code.
pub fn test_page(setup: &PrinterSetup) -> Doc {
    let columns = setup.paper.columns();
    let ruler: String = (1..=columns)
        .map(|i| match i % 10 {
            0 => char::from_digit(u32::try_from(i / 10 % 10).unwrap_or(0), 10).unwrap_or('0'),
            5 => '+',
            _ => '.',
        })
        .collect();
    let paper = match setup.paper {
        super::Paper::Mm58 => "58mm",
        super::Paper::Mm80 => "80mm",
    };
    let code_page = match setup.code_page {
        super::CodePage::Gbk => "GBK",
        super::CodePage::Gb18030 => "GB18030",
    };
    let lines = vec![
        center(both("打印测试", "Test page"), true, true),
        DocLine::Rule,
        DocLine::pair(both("打印机", "Printer"), setup.url.to_string()),
        DocLine::pair(
            both("纸宽", "Paper"),
            format!("{paper} · {columns} 列 columns"),
        ),
        DocLine::pair(both("编码", "Code page"), code_page),
        DocLine::text(ruler, Align::Left, false, false),
        DocLine::Rule,
        DocLine::text(
            "中文打印正常：收银台 小票 退款 日结",
            Align::Left,
            false,
            false,
        ),
        DocLine::pair(both("金额", "Amount"), yuan(Fen(1234))),
        center("大字 DOUBLE", true, true),
        DocLine::Qr("Cashier test page".to_string()),
    ];
    finish(lines)
}

#[cfg(test)]
mod tests;
