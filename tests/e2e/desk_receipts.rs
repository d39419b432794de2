//! The receipts of a day of 10,000 attempts in the real window: the table (a page of core's at a
//! time) scrolls to its last row and a search shows exactly the matching rows. Also a figure: the
//! first page's round trip from the page through Tauri's IPC to core and back.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use cashier_core::journal::{Change, Durability, Journal, NewAttempt};
use cashier_core::order_no::OrderScheme;
use cashier_core::{AttemptState, BillNo, Channel, Fen};
use chrono::{Duration, NaiveTime, Utc};

use crate::harness::{App, AppOptions, DEMO_PIN, E2eResult, HAND, WAIT, poll};

const ATTEMPTS: u32 = 10_000;
/// Asia/Shanghai, the default business zone, has no summer time.
const SHANGHAI: Duration = Duration::hours(8);

fn bill(i: u32) -> String {
    format!("E2E-R{i:05}")
}

/// Today's 10,000 attempts (the business day so far, oldest first), written as the till would:
/// each one begun, then paid (one in ten failed).
fn seed(path: &Path) -> E2eResult<()> {
    let journal = Journal::open_with(path, Durability::Normal)?;
    let now = Utc::now();
    let day = (now + SHANGHAI).date_naive();
    let midnight = day.and_time(NaiveTime::MIN).and_utc() - SHANGHAI;
    let span = (now - midnight - Duration::minutes(1)).max(Duration::seconds(1));
    let scheme = OrderScheme::internal("CS", "01")?;
    for i in 0..ATTEMPTS {
        let at = midnight + span * i32::try_from(i)? / i32::try_from(ATTEMPTS)?;
        let new = NewAttempt {
            bill: BillNo::parse(&bill(i))?,
            amount: Fen(100 + u64::from(i % 5000)),
            channel: Channel::PosWechatBarcode,
            wallet: None,
            code_masked: None,
            operator: "cashier".into(),
            scheme: scheme.clone(),
            bill_paid_before: None,
        };
        let a = journal.begin(new, at, day, i)?;
        let to = if i % 10 == 3 {
            AttemptState::Failed
        } else {
            AttemptState::Paid
        };
        journal.record(a.id, Change::new(to, "seeded"), at + Duration::seconds(2))?;
    }
    Ok(())
}

#[tokio::test]
async fn ten_thousand_receipts_scroll_to_the_end_and_search() -> E2eResult<()> {
    let options = AppOptions {
        seed_journal: Some(Box::new(seed)),
        ..AppOptions::default()
    };
    let Some(app) = App::launch("desk-10000", options).await? else {
        return Ok(());
    };
    app.log_in().await?;
    app.open_desk(DEMO_PIN).await?;
    app.wait_for_text("total-count", &ATTEMPTS.to_string(), WAIT)
        .await?;
    app.by_testid("receipt-0", WAIT).await?;
    app.screenshot_named("desk-receipts-10000").await?;

    // To the end: newest first, so the last row is the day's first attempt.
    let last = ATTEMPTS - 1;
    // Scrolled to the bottom (again while rows come in); the last row's text once it is drawn
    // inside the visible part of the table.
    let to_end = r#"const [last] = arguments;
        const s = document.querySelector('[data-testid="receipts-scroll"]');
        s.scrollTop = s.scrollHeight;
        const row = document.querySelector(`[data-testid="receipt-${last}"]`);
        if (!row) return null;
        const r = row.getBoundingClientRect(), v = s.getBoundingClientRect();
        return r.top >= v.top && r.bottom <= v.bottom + 1 ? row.textContent : null;"#;
    let shown = poll("the last row in view", WAIT, || async {
        let text = app
            .client()
            .execute(to_end, vec![last.into()])
            .await
            .map_err(|e| e.to_string())?;
        text.as_str().map(str::to_owned).ok_or(format!("{text}"))
    })
    .await?;
    assert!(shown.contains(&bill(0)), "the last row: {shown:?}");
    app.screenshot_named("desk-receipts-end").await?;

    // Part of a bill number: exactly the ten bills it is part of.
    app.click("filter-search").await?;
    app.type_by_hand("E2E-R0432", HAND).await?;
    let table = app.by_testid("receipts-table", WAIT).await?;
    poll("ten rows found", WAIT, || async {
        let total = table.attr("data-total").await.map_err(|e| e.to_string())?;
        (total.as_deref() == Some("10"))
            .then_some(())
            .ok_or(format!("{total:?}"))
    })
    .await?;
    app.by_testid("receipt-9", WAIT).await?;
    let bills = app
        .client()
        .execute(
            r#"return Array.from(document.querySelectorAll('[data-testid^="receipt-"] .rt-bill'))
                .map((c) => c.textContent.trim());"#,
            vec![],
        )
        .await?;
    let mut bills: Vec<String> = serde_json::from_value(bills)?;
    bills.sort();
    let expected: Vec<String> = (4320..4330).map(bill).collect();
    assert_eq!(bills, expected);
    app.screenshot_named("desk-receipts-search").await?;

    ipc_figure(&app).await?;
    app.finish().await
}

/// The first page (50 rows, no search) asked 20 times from the page's JS through the Tauri
/// invoke, as the table asks it: p50 and max in ms, printed for the report (never asserted).
async fn ipc_figure(app: &App) -> E2eResult<()> {
    let script = r#"const done = arguments[arguments.length - 1];
        const query = { from: null, to: null, channel: null, outcome: null, operator: null,
            search: null, sort: { by: "time", desc: true }, offset: 0, limit: 50 };
        (async () => {
            const took = [];
            for (let i = 0; i < 20; i++) {
                const t0 = performance.now();
                await window.__TAURI_INTERNALS__.invoke("till", { command: { receipts_page: { query } } });
                took.push(performance.now() - t0);
            }
            done({ took });
        })().catch((e) => done({ err: String(e) }));"#;
    let answer = app.client().execute_async(script, vec![]).await?;
    let mut took: Vec<f64> = serde_json::from_value(answer["took"].clone())
        .with_context(|| format!("no timings: {answer}"))?;
    took.sort_by(f64::total_cmp);
    let p50 = took[took.len() / 2];
    let max = took[took.len() - 1];
    let _ = writeln!(
        std::io::stderr(),
        "FIGURE receipts_page first page (50 rows of {ATTEMPTS}) through the window's IPC, 20 calls: p50 {p50:.1} ms, max {max:.1} ms"
    );
    Ok(())
}
