//! A day with a payment of every outcome (paid by scan, paid by QR, failed, Unknown, a QR code
//! cancelled, one abandoned): the totals the desk shows are the journal's (core's day report, a
//! different read of the same rows) and the backend's (the sandbox's ledger of charges).

use std::collections::BTreeMap;

use anyhow::Context;
use serde_json::{Value, json};

use crate::harness::{
    App, AppOptions, DECLINED_CODE, DEMO_PIN, E2eResult, PAID_CODE, QUICK_GIVE_UP, ShownLine, WAIT,
    fen_of,
};

#[tokio::test]
async fn the_desks_totals_are_the_journals_and_the_ledgers() -> E2eResult<()> {
    let options = AppOptions {
        config_toml: Some(QUICK_GIVE_UP.into()),
        ..AppOptions::default()
    };
    let Some(app) = App::launch("desk-totals", options).await? else {
        return Ok(());
    };
    app.log_in().await?;
    let sandbox = app.sandbox().await?;

    let scan = app.start_scan("E2E-D1", "12.30", PAID_CODE).await?;
    app.wait_for_attempt(scan, "paid", WAIT).await?;
    let qr = app.start_qr("E2E-D2", "25.00", "wechat_qr").await?;
    sandbox.pay_on_customer_page(url(&qr)?).await?;
    app.wait_for_attempt(id(&qr)?, "paid", WAIT).await?;
    let failed = app.start_scan("E2E-D3", "8.00", DECLINED_CODE).await?;
    app.wait_for_attempt(failed, "failed", WAIT).await?;
    // Charged, but the answer is lost: Unknown.
    app.make_unknown(&sandbox, "E2E-D4", "66.00").await?;
    let cancelled = app.start_qr("E2E-D5", "5.00", "cloud_wechat_qr").await?;
    app.invoke("cancel", json!({ "id": id(&cancelled)? }))
        .await?;
    app.wait_for_attempt(id(&cancelled)?, "cancelled", WAIT)
        .await?;
    let abandoned = app.start_qr("E2E-D6", "6.60", "wechat_qr").await?;
    app.invoke("cancel", json!({ "id": id(&abandoned)? }))
        .await?;
    app.wait_for_attempt(id(&abandoned)?, "abandoned", WAIT)
        .await?;

    app.open_desk(DEMO_PIN).await?;
    app.wait_for_text("total-count", "6", WAIT).await?;
    let collected = fen_of(&app.text_of("total-collected").await?)?;
    let by_channel = app.shown_lines("by-channel").await?;
    let by_outcome = app.shown_lines("by-outcome").await?;
    app.screenshot_named("desk-receipts").await?;

    // The journal's report of the day: its lines are the channels', then the outcomes'.
    let report = app.invoke("day_report", json!({ "day": null })).await?;
    assert_eq!(
        collected,
        report["collected_fen"].as_u64().context("collected_fen")?
    );
    assert_eq!(collected, 1230 + 2500, "paid by scan + paid by QR");
    let journal = lines(&report["rows"])?;
    let mut shown: Vec<ShownLine> = by_channel.iter().chain(&by_outcome).cloned().collect();
    shown.sort();
    assert_eq!(shown, journal, "the desk's lines against the day report's");

    // The ledger: what was charged for each bill the journal says is paid, per channel.
    let ledger = sandbox.ledger().await?;
    let attempts = report["attempts"].as_array().context("attempts")?;
    let mut ledger_by_channel: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for a in attempts {
        let bill = a["bill"].as_str().context("bill")?;
        let charged: Vec<u64> = charges(&ledger, bill);
        match a["state"].as_str() {
            Some("paid") => {
                assert_eq!(
                    charged,
                    [a["amount_fen"].as_u64().context("amount")?],
                    "{bill}"
                );
                let label = a["channel_label"].as_str().context("label")?.to_owned();
                let line = ledger_by_channel.entry(label).or_default();
                line.0 += 1;
                line.1 += charged.iter().sum::<u64>();
            }
            // Charged, but the till cannot know it: listed open, not counted as collected.
            Some("unknown") => assert_eq!(charged, [6600], "{bill}"),
            _ => assert!(charged.is_empty(), "{bill} charged {charged:?}"),
        }
    }
    let shown_paid: BTreeMap<String, (u64, u64)> = by_channel
        .iter()
        .filter(|l| l.fen > 0)
        .map(|l| (l.label.clone(), (l.count, l.fen)))
        .collect();
    assert_eq!(
        shown_paid, ledger_by_channel,
        "the desk's channels against the ledger's"
    );
    let ledger_total: u64 = ledger["charges"]
        .as_array()
        .context("charges")?
        .iter()
        .filter_map(|c| c["amount_fen"].as_u64())
        .sum();
    assert_eq!(
        ledger_total,
        collected + 6600,
        "all charged = collected + the Unknown one"
    );
    app.finish().await
}

fn id(a: &Value) -> E2eResult<i64> {
    a["id"].as_i64().with_context(|| format!("no id in {a}"))
}

fn url(a: &Value) -> E2eResult<&str> {
    a["code_url"]
        .as_str()
        .with_context(|| format!("no code URL in {a}"))
}

fn charges(ledger: &Value, bill: &str) -> Vec<u64> {
    ledger["charges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["bill"] == bill)
        .filter_map(|c| c["amount_fen"].as_u64())
        .collect()
}

/// Core's report lines (`label`, `count`, `amount_text`) as the desk's, sorted.
fn lines(rows: &Value) -> E2eResult<Vec<ShownLine>> {
    let mut out = rows
        .as_array()
        .context("report rows")?
        .iter()
        .map(|r| {
            Ok(ShownLine {
                label: r["label"].as_str().context("label")?.to_owned(),
                count: r["count"].as_u64().context("count")?,
                fen: fen_of(r["amount_text"].as_str().context("amount")?)?,
            })
        })
        .collect::<E2eResult<Vec<_>>>()?;
    out.sort();
    Ok(out)
}
