//! An X or a Z, and the list of Zs, as a readable text report. Every amount, label and time
//! comes ready from core's views (`ClosingView`, `ZSummary`); this only lays them out, with
//! headings in the till's language.

use cashier_core::Lang;
use cashier_core::closing::{ClosingView, ReportKind, ZSummary};
use cashier_core::till::ReportRow;

use crate::term::out;

pub fn print(r: &ClosingView, lang: Lang) {
    let t = |zh: &'static str, en: &'static str| lang.pick([zh, en]);
    match r.kind {
        ReportKind::Z => out!(
            "{} {} — {}  ({} {})",
            t("Z 日结报告", "Z report"),
            r.number,
            r.day,
            t("收银机", "till"),
            r.till
        ),
        ReportKind::X => out!(
            "{} — {}  ({} {})",
            t(
                "X 报表（快照，不保存）",
                "X report (a snapshot, not stored)"
            ),
            r.day,
            t("收银机", "till"),
            r.till
        ),
    }
    if let Some(words) = &r.copy_words {
        out!("*** {words} ***");
    }
    let by = r.approved_by.as_deref().unwrap_or("-");
    match r.kind {
        ReportKind::Z => out!(
            "{} {}{}{} {by}",
            t("日结于", "closed at"),
            r.at_text,
            t("，", ", "),
            t("审批", "approved by")
        ),
        ReportKind::X => out!(
            "{} {}{}{} {by}",
            t("生成于", "taken at"),
            r.at_text,
            t("，", ", "),
            t("主管", "manager")
        ),
    }
    out!(
        "{} {}–{}",
        t("账本序号", "journal sequence"),
        r.first_seq,
        r.last_seq
    );
    out!();
    rows(t("各渠道实收", "collected per channel"), &r.channels);
    rows(t("按结果", "by outcome"), &r.outcomes);
    out!("{:<32} {:>6}", t("笔数", "attempts"), r.count);
    out!(
        "{:<32} {:>14}",
        t("当日付款的退款", "refunds of the day's payments"),
        r.refunded_text
    );
    if !r.operators.is_empty() {
        out!("{}", t("操作员", "operators"));
        for o in &r.operators {
            out!(
                "  {:<30} {:>6} × {:>14}",
                o.operator,
                o.count,
                o.collected_text
            );
        }
    }
    if !r.open_items.is_empty() {
        out!(
            "{}",
            t("未结（未计入实收）", "left open (not counted as collected)")
        );
        for o in &r.open_items {
            out!(
                "  {:<32} {:>14}  {}",
                o.order_no,
                o.amount_text,
                o.state_label
            );
        }
    }
    if !r.corrections.is_empty() {
        out!("{} {}", t("更正", "corrections"), r.corrections_text);
        for c in &r.corrections {
            out!(
                "  {:<32} {}  {:<16} {:>14}  (#{})",
                c.order_no,
                c.day,
                c.what,
                c.amount_text,
                c.seq
            );
        }
    }
    out!();
    out!("{:<32} {:>14}", t("当日净额", "net"), r.net_text);
    out!(
        "{:<32} {:>14}",
        t("累计总额", "grand total"),
        r.grand_total_text
    );
    if r.kind == ReportKind::Z {
        out!(
            "{} {}",
            t("上一份 Z 的哈希", "previous Z's hash"),
            r.prev_hash
        );
        out!("{} {}", t("本 Z 的哈希", "this Z's hash"), r.hash);
        if let Some(words) = &r.copy_words {
            out!("*** {words} ***");
        }
    }
}

fn rows(title: &str, rows: &[ReportRow]) {
    out!("{title}");
    for r in rows {
        out!("  {:<30} {:>6} × {:>14}", r.label, r.count, r.amount_text);
    }
}

/// The list of Zs, oldest first.
pub fn list(zs: &[ZSummary], lang: Lang) {
    let t = |zh: &'static str, en: &'static str| lang.pick([zh, en]);
    if zs.is_empty() {
        out!("{}", t("还没有 Z 日结报告", "no Z report yet"));
        return;
    }
    out!(
        "{:>5}  {:<10}  {:<16}  {:<16} {:>14} {:>16}",
        "Z",
        t("营业日", "day"),
        t("日结时间", "closed"),
        t("审批", "approved by"),
        t("净额", "net"),
        t("累计", "grand total")
    );
    for z in zs {
        out!(
            "{:>5}  {:<10}  {:<16}  {:<16} {:>14} {:>16}",
            z.number,
            z.day,
            z.closed_at_text,
            z.approved_by.as_deref().unwrap_or("-"),
            z.net_text,
            z.grand_total_text
        );
    }
}
