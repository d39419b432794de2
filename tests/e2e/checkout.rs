//! A cashier's day on the real app against the embedded sandbox: a scanned code paid, a code
//! that waits for the customer's password, a QR code paid from the customer's phone, a bill that
//! cannot be charged twice, and the language switch.

use anyhow::Context;
use fantoccini::key::Key;

use crate::harness::{App, AppOptions, E2eResult, HAND, ScanSuffix, WAIT, poll};

/// Paid at once, reusable (the sandbox's scenarios go by the last four digits).
const PAID: &str = "134520273825387649";
/// Waits for the customer's password; paid about 2 × 3 s after the pay call.
const PASSWORD: &str = "134520273825381002";

#[tokio::test]
async fn a_wedge_scan_is_paid_and_the_screen_says_so() -> E2eResult<()> {
    let Some(app) = App::launch("wedge-paid", AppOptions::default()).await? else {
        return Ok(());
    };
    app.log_in().await?;
    app.key_bill_and_amount("E2E-W1", "12.30").await?;
    app.screenshot_named("checkout-ready").await?;
    app.scan_with_wedge(PAID, ScanSuffix::Enter).await?;

    app.by_testid("paid-band", WAIT).await?;
    assert_eq!(app.screen().await?, "outcome");
    assert!(app.text_of("amount").await?.contains("12.30"));
    assert!(app.text_of("bill").await?.contains("E2E-W1"));
    let order = app.text_of("order-no").await?;
    assert!(order.len() >= 20, "order number {order:?}");
    // The code is never on screen in clear.
    assert!(!app.client().source().await?.contains(PAID));
    assert_eq!(app.sandbox().await?.charges_of("E2E-W1").await?, [1230]);
    app.screenshot().await?;

    // One key to the next customer: an empty checkout.
    app.press(Key::Enter).await?;
    app.wait_for_screen("checkout", WAIT).await?;
    app.finish().await
}

#[tokio::test]
async fn a_code_waiting_for_the_password_says_so_then_is_paid() -> E2eResult<()> {
    let Some(app) = App::launch("password-paid", AppOptions::default()).await? else {
        return Ok(());
    };
    app.log_in().await?;
    app.key_bill_and_amount("E2E-P1", "8.00").await?;
    app.scan_with_wedge(PASSWORD, ScanSuffix::Tab).await?;

    app.wait_for_text("say", "密码", WAIT).await?;
    assert_eq!(app.screen().await?, "progress");
    app.by_testid("remaining", WAIT).await?;
    app.screenshot_named("password-pending").await?;

    app.by_testid("paid-band", WAIT).await?;
    assert_eq!(app.sandbox().await?.charges_of("E2E-P1").await?, [800]);
    app.screenshot().await?;
    app.finish().await
}

#[tokio::test]
async fn a_qr_code_is_paid_from_the_customer_page() -> E2eResult<()> {
    let Some(app) = App::launch("qr-paid", AppOptions::default()).await? else {
        return Ok(());
    };
    app.log_in().await?;
    app.key_bill_and_amount("E2E-Q1", "25.00").await?;
    app.press(Key::F1).await?; // WeChat QR

    app.by_testid("qr-image", WAIT).await?;
    app.wait_for_screen("qr", WAIT).await?;
    app.by_testid("countdown", WAIT).await?;
    assert!(app.text_of("amount").await?.contains("25.00"));
    app.screenshot_named("qr-shown").await?;

    let live = app.live_attempts().await?;
    let shown = live
        .first()
        .context("no attempt live while the QR is shown")?;
    let url = shown["code_url"]
        .as_str()
        .context("a shown QR without its URL")?;
    app.sandbox().await?.pay_on_customer_page(url).await?;

    app.by_testid("paid-band", WAIT).await?;
    assert!(app.text_of("bill").await?.contains("E2E-Q1"));
    assert_eq!(app.sandbox().await?.charges_of("E2E-Q1").await?, [2500]);
    app.screenshot().await?;
    app.finish().await
}

#[tokio::test]
async fn a_paid_bill_cannot_be_charged_again() -> E2eResult<()> {
    let Some(app) = App::launch("same-bill", AppOptions::default()).await? else {
        return Ok(());
    };
    app.log_in().await?;
    app.key_bill_and_amount("E2E-S1", "5.00").await?;
    app.scan_with_wedge(PAID, ScanSuffix::Enter).await?;
    app.by_testid("paid-band", WAIT).await?;
    app.press(Key::Enter).await?; // next customer

    // The same bill again, another code: refused before anything is sent.
    app.key_bill_and_amount("E2E-S1", "5.00").await?;
    app.scan_with_wedge("134520273825387650", ScanSuffix::Enter)
        .await?;
    // Core's refusal, on the line for refusals that belong to no field.
    app.wait_for_text("notice", "已付清", WAIT).await?;
    assert_eq!(app.screen().await?, "checkout");
    assert_eq!(app.sandbox().await?.charges_of("E2E-S1").await?, [500]);
    app.screenshot().await?;
    app.finish().await
}

#[tokio::test]
async fn the_language_switch_turns_every_word_english_and_back() -> E2eResult<()> {
    let Some(app) = App::launch("language", AppOptions::default()).await? else {
        return Ok(());
    };
    app.wait_for_text("login-submit", "登录", WAIT).await?;
    app.by_testid("lang-switch", WAIT).await?.click().await?;
    app.wait_for_text("login-submit", "Log in", WAIT).await?;
    app.log_in().await?;

    // A typo in the amount: core's reason next to the field, in English, nothing journalled.
    app.by_testid("bill-input", WAIT).await?.click().await?;
    app.type_by_hand("E2E-L1", HAND).await?;
    app.press(Key::Enter).await?;
    app.type_by_hand("12.345", HAND).await?;
    let english = app
        .wait_for_text("amount-error", "", WAIT)
        .await
        .context("no reason next to a bad amount")?;
    assert!(english.is_ascii() && !english.is_empty(), "{english:?}");
    assert!(app.text_of("status-bar").await?.contains("Till"));
    app.screenshot_named("language-english").await?;

    app.by_testid("lang-switch", WAIT).await?.click().await?;
    let chinese = poll_changed(&app, "amount-error", &english).await?;
    assert!(!chinese.is_ascii(), "{chinese:?}");
    assert!(app.text_of("status-bar").await?.contains("收银台"));
    assert!(app.live_attempts().await?.is_empty());
    app.screenshot().await?;
    app.finish().await
}

/// Waits until the element's text is no longer `old`.
async fn poll_changed(app: &App, id: &str, old: &str) -> E2eResult<String> {
    poll(&format!("{id} to change from {old:?}"), WAIT, || async {
        match app.text_of(id).await {
            Ok(now) if now != old => Ok(now),
            Ok(now) => Err(now),
            Err(e) => Err(e.to_string()),
        }
    })
    .await
}
