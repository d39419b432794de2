//! A practised cashier's typing through the X server, as a real keyboard's arrives: the password at
//! a password manager's speed, then bill and amount at 70 to 150 ms a key with the Enter one
//! interval after the last key or right after it. Every character lands where it was typed and
//! every payment charges exactly the typed amount; next to that, wedge scans at 4 to 30 ms a key
//! are still scans. (The keys of `keyboard.rs` come through WebDriver, which cannot show this: it
//! hands WebKit one key at a time, unhurried.)

use std::time::Duration;

use crate::harness::{App, AppOptions, E2eResult, EnterAfter, WAIT};

/// Paid at once and reusable (the sandbox's scenarios go by the last four digits).
const PAID: &str = "134520273825387649";
const SANDBOX_PASSWORD: &str = "123456";

/// One customer: bill and amount typed by hand at `gap` a key with the Enter `enter`, then the
/// customer's code scanned at `scan_gap` a key; the amount on screen, in the journal's answer and
/// in the backend's ledger is the typed one.
async fn one_customer(
    app: &App,
    bill: &str,
    amount: &str,
    fen: u64,
    gap: Duration,
    enter: EnterAfter,
    scan_gap: Duration,
) -> E2eResult<()> {
    let keys = app.x_keyboard().await?;
    app.wait_for_screen("checkout", WAIT).await?;
    app.by_testid("bill-input", WAIT).await?.click().await?;
    keys.type_text(bill, gap, Some(enter)).await?;
    keys.type_text(amount, gap, Some(enter)).await?;
    let case = format!("{bill}: {amount} at {gap:?} a key, Enter {enter:?}");
    app.wait_for_value("bill-input", bill)
        .await
        .map_err(|e| e.context(case.clone()))?;
    app.wait_for_value("amount-input", amount)
        .await
        .map_err(|e| e.context(case.clone()))?;
    app.wait_for_class("scan-prompt", "scan-armed", WAIT)
        .await
        .map_err(|e| e.context(case.clone()))?;

    keys.scan(PAID, scan_gap).await?;
    app.by_testid("paid-band", WAIT)
        .await
        .map_err(|e| e.context(case.clone()))?;
    let shown = app.text_of("amount").await?;
    let charged = app.sandbox().await?.charges_of(bill).await?;
    assert_eq!(
        charged,
        [fen],
        "{case}: charged {charged:?}, screen {shown:?}"
    );
    assert!(
        shown.contains(amount.trim_end_matches('0').trim_end_matches('.')),
        "{case}: screen {shown:?}"
    );
    // The next customer, by Enter, as the cashier goes on.
    keys.enter().await?;
    app.wait_for_screen("checkout", WAIT).await
}

#[tokio::test]
async fn a_fast_cashiers_typing_is_charged_exactly_as_typed() -> E2eResult<()> {
    let Some(app) = App::launch("typing", AppOptions::default()).await? else {
        return Ok(());
    };
    // The password at a password manager's 40 ms a key reaches its field whole: the login works.
    app.wait_for_screen("login", WAIT).await?;
    app.by_testid("login-password", WAIT).await?.click().await?;
    let keys = app.x_keyboard().await?;
    keys.type_text(SANDBOX_PASSWORD, Duration::from_millis(40), None)
        .await?;
    app.wait_for_value("login-password", SANDBOX_PASSWORD)
        .await?;
    keys.enter().await?;
    app.wait_for_screen("checkout", WAIT).await?;

    let cases = [
        (70, EnterAfter::AtOnce, "12.34", 1234, 4),
        (80, EnterAfter::Interval, "12.34", 1234, 10),
        (80, EnterAfter::AtOnce, "56.78", 5678, 4),
        (90, EnterAfter::AtOnce, "12.34", 1234, 20),
        (100, EnterAfter::Interval, "123.45", 12345, 30),
        (100, EnterAfter::AtOnce, "12.34", 1234, 4),
        (150, EnterAfter::AtOnce, "9.9", 990, 10),
    ];
    for (i, (gap, enter, amount, fen, scan_gap)) in cases.into_iter().enumerate() {
        let bill = format!("T{gap}-{i}");
        one_customer(
            &app,
            &bill,
            amount,
            fen,
            Duration::from_millis(gap),
            enter,
            Duration::from_millis(scan_gap),
        )
        .await?;
    }
    app.screenshot().await?;
    app.finish().await
}
