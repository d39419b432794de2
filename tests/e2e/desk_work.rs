//! A manager's work on the desk in the real window: an Unknown payment resolved with a note under
//! a PIN (then in the audit trail with the note and who approved it), and a paid Cloud Pay payment
//! refunded in two parts (both in its timeline, the whole amount refunded, once at the backend).

use anyhow::Context;
use serde_json::{Value, json};

use crate::harness::{
    App, AppOptions, DEMO_PIN, E2eResult, HAND, PAID_CODE, QUICK_GIVE_UP, WAIT, fen_of, poll,
};

const NOTE: &str = "checked in the back office";

#[tokio::test]
async fn an_unknown_resolved_on_the_worklist_is_in_the_audit_trail() -> E2eResult<()> {
    let options = AppOptions {
        config_toml: Some(QUICK_GIVE_UP.into()),
        ..AppOptions::default()
    };
    let Some(app) = App::launch("desk-resolve", options).await? else {
        return Ok(());
    };
    app.log_in().await?;
    let sandbox = app.sandbox().await?;
    let id = app.make_unknown(&sandbox, "E2E-R1", "66.00").await?;

    app.open_desk(DEMO_PIN).await?;
    app.desk_tab("worklist").await?;
    app.by_testid(&format!("work-age-{id}"), WAIT).await?;
    app.screenshot_named("desk-worklist").await?;
    app.click(&format!("work-note-{id}")).await?;
    app.type_by_hand(NOTE, HAND).await?;
    app.click(&format!("work-paid-{id}")).await?;
    app.approve(DEMO_PIN).await?;
    app.wait_gone(&format!("work-{id}")).await?;
    assert_eq!(app.attempt(id).await?["state"], "paid");

    app.desk_tab("audit").await?;
    let demo = app.managers().await?[0]["name"].clone();
    let demo = demo.as_str().context("the demo manager's name")?.to_owned();
    let table = app.wait_for_text("audit-table", NOTE, WAIT).await?;
    let line = table
        .lines()
        .find(|l| l.contains(NOTE))
        .context("no line with the note")?;
    assert!(
        line.contains(&demo),
        "the approver not on the line: {line:?}"
    );
    app.screenshot_named("desk-audit").await?;

    let trail = app
        .invoke(
            "audit_trail",
            json!({ "day": null, "offset": 0, "limit": 50 }),
        )
        .await?;
    let resolve = rows(&trail)?
        .into_iter()
        .find(|r| r["action"] == "resolve" && r["note"] == NOTE)
        .with_context(|| format!("no resolve with the note in {trail}"))?;
    assert_eq!(resolve["subject"], app.attempt(id).await?["order_no"]);
    assert_eq!(resolve["approved_by"], demo.as_str());
    app.finish().await
}

#[tokio::test]
async fn a_partial_refund_then_the_rest_both_in_the_timeline() -> E2eResult<()> {
    let Some(app) = App::launch("desk-refund", AppOptions::default()).await? else {
        return Ok(());
    };
    app.log_in().await?;
    let id = app.start_scan("E2E-F1", "20.00", PAID_CODE).await?;
    app.wait_for_attempt(id, "paid", WAIT).await?;

    app.open_desk(DEMO_PIN).await?;
    let row = app
        .by_css(&format!("[data-testid^=\"receipt-\"][data-id=\"{id}\"]"))
        .await?;
    row.click().await?;
    app.by_testid("timeline", WAIT).await?;
    refund(&app, "5.00", "part of the order returned").await?;
    poll_refunds(&app, id, 1).await?;
    refund(&app, "", "the rest returned").await?;
    let detail = poll_refunds(&app, id, 2).await?;
    app.wait_for_text("refund-lines", "the rest returned", WAIT)
        .await?;
    let shown = app.by_testid("refund-lines", WAIT).await?.text().await?;
    assert!(
        shown.contains("5.00") && shown.contains("15.00"),
        "{shown:?}"
    );
    app.screenshot_named("desk-timeline").await?;

    let parts: Vec<u64> = detail["refunds"]
        .as_array()
        .context("refunds")?
        .iter()
        .map(|r| fen_of(r["amount"].as_str().unwrap_or_default()))
        .collect::<E2eResult<_>>()?;
    assert_eq!(parts, [500, 1500]);
    assert_eq!(detail["can_refund"], false);
    assert_eq!(fen_of(detail["refund_left"].as_str().context("left")?)?, 0);
    let ledger = app.sandbox().await?.ledger().await?;
    let at_backend: Vec<u64> = ledger["refunds"]
        .as_array()
        .context("ledger refunds")?
        .iter()
        .filter(|r| r["bill"] == "E2E-F1")
        .filter_map(|r| r["refund_fen"].as_u64())
        .collect();
    assert_eq!(at_backend, [500, 1500]);
    app.finish().await
}

/// Fills the refund form (an empty amount: all that is left) and approves it with the PIN.
async fn refund(app: &App, amount: &str, reason: &str) -> E2eResult<()> {
    if !amount.is_empty() {
        app.click("refund-amount").await?;
        app.type_by_hand(amount, HAND).await?;
    }
    app.click("refund-note").await?;
    app.type_by_hand(reason, HAND).await?;
    app.click("refund-submit").await?;
    app.approve(DEMO_PIN).await
}

/// Waits until attempt `id` has `n` refund parts, every one ended; gives its detail.
async fn poll_refunds(app: &App, id: i64, n: usize) -> E2eResult<Value> {
    poll(&format!("{n} refund parts ended"), WAIT, || async {
        let d = app
            .invoke("attempt_detail", json!({ "id": id }))
            .await
            .map_err(|e| e.to_string())?;
        let refunds = d["refunds"].as_array().cloned().unwrap_or_default();
        if refunds.len() == n && refunds.iter().all(|r| r["ended"] == true) {
            Ok(d)
        } else {
            Err(format!("{refunds:?}"))
        }
    })
    .await
}

fn rows(page: &Value) -> E2eResult<Vec<Value>> {
    page["rows"]
        .as_array()
        .cloned()
        .with_context(|| format!("no rows in {page}"))
}
