//! `cashier store report`: the store's day as a table (or JSON), in the till's language.

use std::process::ExitCode;
use std::time::Duration;

use cashier_core::Lang;
use cashier_core::labels::{amount_text, channel_label, outcome_label, state_label};
use cashier_store::{Store, StoreDay, StoreError};

use crate::output;
use crate::term::out;

pub async fn report(
    store: &Store,
    merchant: &str,
    day: chrono::NaiveDate,
    silent_after: u64,
    json: bool,
    lang: Lang,
) -> Result<ExitCode, StoreError> {
    store.check_schema().await?;
    let d = store
        .day(merchant, day, Duration::from_secs(silent_after))
        .await?;
    if json {
        let _ = output::json_out(&d);
    } else {
        print_day(&d, lang);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_day(d: &StoreDay, lang: Lang) {
    let t = |zh: &'static str, en: &'static str| lang.pick([zh, en]);
    out!(
        "{} {} · {} {}",
        t("商户", "merchant"),
        d.merchant,
        t("营业日", "business day"),
        d.day
    );
    for till in &d.tills {
        let link = lang.pick(till.link.words());
        let z = match till.z {
            Some(n) => format!("Z #{n}"),
            None => t("未日结", "not closed").to_string(),
        };
        out!(
            "  {} {}  {}  {}/{}  {}  {} {}",
            t("收银台", "till"),
            till.till,
            link,
            till.head,
            till.journal_seq,
            z,
            t("实收", "collected"),
            amount_text(till.totals.collected)
        );
        if let Some((from, to)) = till.gap {
            out!("    {} {from}-{to}", t("缺失序号", "missing seals"));
        }
        if till.conflicts > 0 {
            out!(
                "    {} {}",
                till.conflicts,
                t("条内容冲突", "conflicting seal(s)")
            );
        }
        for (outcome, totals) in &till.totals.by_outcome {
            out!(
                "    {:<10} {:>5}  {:>12}",
                outcome_label(*outcome, lang),
                totals.count,
                amount_text(totals.amount)
            );
        }
    }
    out!(
        "{}: {} {}, {} {}",
        t("全店", "store"),
        t("实收", "collected"),
        amount_text(d.totals.collected),
        t("退款", "refunded"),
        amount_text(d.totals.refunded)
    );
    for (channel, totals) in &d.totals.by_channel {
        out!(
            "  {:<16} {:>5}  {:>12}",
            channel_label(*channel, lang),
            totals.count,
            amount_text(totals.amount)
        );
    }
    if !d.open.is_empty() {
        out!(
            "{}",
            t(
                "未完结的收款（在各自收银台处理）：",
                "open attempts (acted on at their own till):"
            )
        );
        for a in &d.open {
            out!(
                "  {} {} {} {} {}",
                a.till,
                a.order_no,
                a.bill,
                amount_text(a.amount),
                state_label(a.state, lang)
            );
        }
    }
}
