//! The customer display (客显) as the app's second window, on an X server with two monitors: it
//! opens full screen on the second, shows the same QR code as the cashier's screen (both read
//! off the pixels), the password prompt with the time left counting down, paid on both windows;
//! and it can call no command. Off, or with one monitor, there is no second window. The whole
//! screen (both monitors side by side) is kept as `target/e2e-shots/customer-*.png`.

use std::time::Duration;

use anyhow::Context;
use fantoccini::key::Key;
use serde_json::json;

use crate::harness::{
    App, AppOptions, E2eResult, MONITOR_HEIGHT, MONITOR_WIDTH, ScanSuffix, WAIT, poll,
};

/// Waits for the customer's password; paid about 2 × 3 s after the pay call.
const PASSWORD: &str = "134520273825381002";

#[tokio::test]
async fn the_customer_display_is_full_screen_on_the_second_monitor_with_the_cashiers_qr()
-> E2eResult<()> {
    let Some((app, screens)) =
        App::launch_on_two_monitors("customer-qr", AppOptions::default()).await?
    else {
        return Ok(());
    };
    app.to_customer_window().await?;
    app.wait_for_text("customer-title", "欢迎光临", WAIT)
        .await?;
    let rect = app.client().get_window_rect().await?;
    assert_eq!(
        rect,
        (MONITOR_WIDTH, 0, MONITOR_WIDTH, MONITOR_HEIGHT),
        "the customer window covers the second monitor (x, y, width, height)"
    );
    app.to_cashier_window().await?;
    let (x, ..) = app.client().get_window_rect().await?;
    assert!(x < MONITOR_WIDTH, "the cashier's window stays on the first");

    app.log_in().await?;
    app.key_bill_and_amount("E2E-CD-Q1", "25.00").await?;
    app.press(Key::F1).await?; // WeChat QR
    app.wait_for_screen("qr", WAIT).await?;
    let live = app.live_attempts().await?;
    let shown = live
        .first()
        .context("no attempt live while the QR is shown")?;
    let url = shown["code_url"]
        .as_str()
        .context("a shown QR without its URL")?;
    let order_no = shown["order_no"].as_str().unwrap_or_default().to_owned();
    let on_cashiers = read_qr(&app).await?;
    assert_eq!(on_cashiers, url);

    app.to_customer_window().await?;
    app.by_testid("customer-qr", WAIT).await?;
    app.wait_for_text("customer-amount", "25.00", WAIT).await?;
    assert!(app.text_of("customer-title").await?.contains("请扫码支付"));
    let on_customers = read_qr(&app).await?;
    assert_eq!(
        on_customers, on_cashiers,
        "the customer scans the cashier's code"
    );
    let page = app.client().source().await?;
    for private in ["E2E-CD-Q1", order_no.as_str(), "操作员"] {
        assert!(
            !page.contains(private),
            "{private} on the customer's screen"
        );
    }
    app.screenshot_both(&screens, "customer-qr").await?;

    app.to_cashier_window().await?;
    app.sandbox().await?.pay_on_customer_page(url).await?;
    app.by_testid("paid-band", WAIT).await?;
    app.to_customer_window().await?;
    app.wait_for_text("customer-title", "支付成功", WAIT)
        .await?;
    assert!(app.text_of("customer-amount").await?.contains("25.00"));
    app.screenshot_both(&screens, "customer-paid").await?;
    app.to_cashier_window().await?;
    app.finish().await
}

#[tokio::test]
async fn a_password_payment_shows_the_prompt_and_the_time_left_to_the_customer() -> E2eResult<()> {
    let Some((app, screens)) =
        App::launch_on_two_monitors("customer-password", AppOptions::default()).await?
    else {
        return Ok(());
    };
    app.log_in().await?;
    app.key_bill_and_amount("E2E-CD-P1", "8.00").await?;
    app.scan_with_wedge(PASSWORD, ScanSuffix::Tab).await?;

    app.to_customer_window().await?;
    app.wait_for_text("customer-title", "请在手机上输入密码", WAIT)
        .await?;
    assert!(app.text_of("customer-amount").await?.contains("8.00"));
    let first = seconds_left(&app).await?;
    assert!(first > 0, "time left {first} s");
    // It counts down between the till's polls.
    let later = poll(
        "the time left to go down",
        Duration::from_secs(5),
        || async {
            match seconds_left(&app).await {
                Ok(s) if s < first => Ok(s),
                Ok(s) => Err(format!("{s} s")),
                Err(e) => Err(e.to_string()),
            }
        },
    )
    .await?;
    assert!(later < first);
    app.screenshot_both(&screens, "customer-password").await?;

    app.wait_for_text("customer-title", "支付成功", WAIT)
        .await?;
    app.to_cashier_window().await?;
    app.by_testid("paid-band", WAIT).await?;
    app.finish().await
}

#[tokio::test]
async fn the_customer_window_can_call_no_command() -> E2eResult<()> {
    let Some((app, _screens)) =
        App::launch_on_two_monitors("customer-refused", AppOptions::default()).await?
    else {
        return Ok(());
    };
    app.to_customer_window().await?;
    app.wait_for_text("customer-title", "欢迎光临", WAIT)
        .await?;
    let refused = app.invoke("status", json!({})).await;
    let why = refused
        .expect_err("the customer window called the till")
        .to_string();
    assert!(why.contains("not allowed"), "{why}");
    // Nor can it speak on the cashier's event stream (a fake "paid" would be believed).
    let fake = json!({ "event": "till", "payload": { "kind": "status" } });
    let emitted = app.invoke("plugin:event|emit", fake).await;
    assert!(emitted.is_err(), "the customer window emitted an event");
    // The same call from the cashier's window is answered.
    app.to_cashier_window().await?;
    let status = app.invoke("status", json!({})).await?;
    assert_eq!(status["till"], "01");
    app.finish().await
}

#[tokio::test]
async fn off_or_with_one_monitor_there_is_no_customer_window() -> E2eResult<()> {
    let off = AppOptions {
        config_toml: Some("customer_display = \"off\"\n".into()),
        ..AppOptions::default()
    };
    if let Some((app, _screens)) = App::launch_on_two_monitors("customer-off", off).await? {
        app.wait_for_screen("login", WAIT).await?;
        assert_eq!(app.client().windows().await?.len(), 1, "switched off");
        app.finish().await?;
    }
    // The test's own display: one monitor.
    let Some(app) = App::launch("customer-one-monitor", AppOptions::default()).await? else {
        return Ok(());
    };
    app.wait_for_screen("login", WAIT).await?;
    assert_eq!(app.client().windows().await?.len(), 1, "one monitor");
    app.finish().await
}

/// The QR code the current window shows, once it is drawn.
async fn read_qr(app: &App) -> E2eResult<String> {
    poll("a QR code on screen", WAIT, || async {
        app.qr_on_screen().await.map_err(|e| e.to_string())
    })
    .await
}

/// The customer display's time left, in seconds.
async fn seconds_left(app: &App) -> E2eResult<u64> {
    let text = app.text_of("customer-time-left-value").await?;
    let (m, s) = text
        .trim()
        .split_once(':')
        .with_context(|| format!("time left {text:?}"))?;
    Ok(m.parse::<u64>()? * 60 + s.parse::<u64>()?)
}
