//! The X and Z reports on paper: the manager's desk's [`ClosingView`], line by line, in the
//! till's language. A copy of a Z is marked at the top as the screen marks it.

use super::compose::{center, finish};
use super::{Align, Doc, DocLine};
use crate::Lang;
use crate::closing::{ClosingView, ReportKind};
use crate::till::ReportRow;

/// How many characters of a hash a report prints: enough to compare with the screen.
const HASH_SHOWN: usize = 16;

/// An X or a Z as printed, under the shop's name.
pub fn closing_report(shop: &str, v: &ClosingView, lang: Lang) -> Doc {
    let say = |zh: &'static str, en: &'static str| lang.pick([zh, en]).to_string();
    let mut lines = Vec::new();
    if let Some(words) = &v.copy_words {
        lines.push(center(words.clone(), true, true));
    }
    lines.push(center(shop.to_string(), true, false));
    let title = match (v.kind, lang) {
        (ReportKind::X, Lang::ZhCn) => "X 报表（未日结）".to_string(),
        (ReportKind::X, Lang::En) => "X report (day not closed)".to_string(),
        (ReportKind::Z, Lang::ZhCn) => format!("Z 报表 第 {} 号", v.number),
        (ReportKind::Z, Lang::En) => format!("Z report No. {}", v.number),
    };
    lines.push(center(title, true, false));
    lines.push(DocLine::Rule);
    lines.push(DocLine::pair(say("营业日", "Business day"), v.day.clone()));
    lines.push(DocLine::pair(say("时间", "Taken at"), v.at_text.clone()));
    lines.push(DocLine::pair(say("收银台", "Till"), v.till.clone()));
    if let Some(manager) = &v.approved_by {
        lines.push(DocLine::pair(say("主管", "Manager"), manager.clone()));
    }
    section(&mut lines, say("按支付方式", "By channel"), &v.channels);
    section(&mut lines, say("按结果", "By outcome"), &v.outcomes);
    lines.push(DocLine::Rule);
    lines.push(DocLine::pair(say("笔数", "Attempts"), v.count.to_string()));
    lines.push(DocLine::pair(
        say("退款", "Refunded"),
        v.refunded_text.clone(),
    ));
    if !v.operators.is_empty() {
        lines.push(DocLine::Rule);
        lines.push(DocLine::text(
            say("按收银员", "By operator"),
            Align::Left,
            true,
            false,
        ));
        for o in &v.operators {
            lines.push(DocLine::pair(
                format!("{} ({})", o.operator, o.count),
                o.collected_text.clone(),
            ));
        }
    }
    if !v.open_items.is_empty() {
        lines.push(DocLine::Rule);
        lines.push(DocLine::text(
            say("未结项目（未计入）", "Open items (not counted)"),
            Align::Left,
            true,
            false,
        ));
        for o in &v.open_items {
            lines.push(DocLine::pair(o.order_no.clone(), o.amount_text.clone()));
            lines.push(DocLine::text(
                o.state_label.clone(),
                Align::Right,
                false,
                false,
            ));
        }
    }
    if !v.corrections.is_empty() {
        lines.push(DocLine::Rule);
        lines.push(DocLine::text(
            say("更正", "Corrections"),
            Align::Left,
            true,
            false,
        ));
        for c in &v.corrections {
            lines.push(DocLine::pair(c.order_no.clone(), c.amount_text.clone()));
            lines.push(DocLine::text(
                format!("{} {}", c.day, c.what),
                Align::Right,
                false,
                false,
            ));
        }
        lines.push(DocLine::pair(
            say("更正合计", "Corrections"),
            v.corrections_text.clone(),
        ));
    }
    lines.push(DocLine::Rule);
    lines.push(DocLine::pair(say("当日净收", "Net"), v.net_text.clone()));
    lines.push(DocLine::pair(
        say("累计总额", "Grand total"),
        v.grand_total_text.clone(),
    ));
    lines.push(DocLine::Rule);
    lines.push(DocLine::pair(
        say("日志序号", "Journal seals"),
        format!("{}-{}", v.first_seq, v.last_seq),
    ));
    if !v.hash.is_empty() {
        lines.push(DocLine::pair(
            say("校验码", "Hash"),
            v.hash.chars().take(HASH_SHOWN).collect::<String>(),
        ));
    }
    finish(lines)
}

/// A titled list of label, count and amount.
fn section(lines: &mut Vec<DocLine>, title: String, rows: &[ReportRow]) {
    if rows.is_empty() {
        return;
    }
    lines.push(DocLine::Rule);
    lines.push(DocLine::text(title, Align::Left, true, false));
    for r in rows {
        lines.push(DocLine::pair(
            format!("{} ({})", r.label, r.count),
            r.amount_text.clone(),
        ));
    }
}
