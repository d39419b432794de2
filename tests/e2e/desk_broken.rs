//! A journal edited outside the app: the desk says so in a red band the moment it opens, with
//! the chain and the sequence where it breaks (core's `verify`, as `cashier verify` reports it).

use std::path::Path;

use cashier_core::journal::{Change, Durability, Journal, NewAttempt};
use cashier_core::order_no::OrderScheme;
use cashier_core::{AttemptState, BillNo, Channel, Fen};
use chrono::{Duration, Utc};

use crate::harness::{App, AppOptions, DEMO_PIN, E2eResult, WAIT};

/// Two payments as the till wrote them; then someone lowers the first one's amount with a
/// SQLite tool, dropping the trigger that forbids it.
fn seed(path: &Path) -> E2eResult<()> {
    let journal = Journal::open_with(path, Durability::Normal)?;
    let now = Utc::now() - Duration::minutes(5);
    let day = (now + Duration::hours(8)).date_naive();
    let scheme = OrderScheme::internal("CS", "01")?;
    for i in 0..2 {
        let new = NewAttempt {
            bill: BillNo::parse(&format!("E2E-T{i}"))?,
            amount: Fen(8800),
            channel: Channel::PosWechatBarcode,
            wallet: None,
            code_masked: None,
            operator: "cashier".into(),
            scheme: scheme.clone(),
            bill_paid_before: None,
        };
        let a = journal.begin(new, now, day, i)?;
        journal.record(a.id, Change::new(AttemptState::Paid, "seeded"), now)?;
    }
    drop(journal);
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(
        "DROP TRIGGER attempts_identity_fixed;
         UPDATE attempts SET amount_fen = 100 WHERE bill = 'E2E-T0';",
    )?;
    Ok(())
}

#[tokio::test]
async fn the_desk_says_at_once_when_the_journal_was_edited() -> E2eResult<()> {
    let options = AppOptions {
        seed_journal: Some(Box::new(seed)),
        ..AppOptions::default()
    };
    let Some(app) = App::launch("desk-broken", options).await? else {
        return Ok(());
    };
    app.log_in().await?;
    app.open_desk(DEMO_PIN).await?;
    let band = app
        .wait_for_text("desk-broken", "账本校验失败", WAIT)
        .await?;
    // In the manager's words: the record, where, what to do; the journal's own words (for
    // support) only in brackets.
    assert!(
        band.contains("收款记录在序号 1 处与封存内容不符") && band.contains("请勿日结"),
        "{band}"
    );
    app.screenshot_named("desk-broken").await?;
    Ok(())
}
