//! When things go wrong in the real app: an answer lost on the network is Unknown until asked
//! again, an app killed mid-payment finds the payment again at its next start, and closing the
//! window while money moves asks first and loses nothing.
//!
//! A real back office outlives the till's crash; the embedded sandbox lives in the app's process
//! and dies with it. So the restart tests run the sandbox in the test itself and point the app at
//! it, as a deployment points it at its back office.

use std::time::Duration;

use anyhow::Context;
use serde_json::json;

use crate::harness::process_tree::has_ended;
use cashier_sandbox::{Sandbox as Backend, SandboxConfig};

use crate::harness::{App, AppOptions, E2eResult, Sandbox, ScanSuffix, WAIT};

/// Waits for the password: paid about 5 × 3 s after the pay call, whoever is watching.
const PASSWORD_15S: &str = "134520273825381005";
/// Waits for the password: paid about 9 × 3 s after the pay call.
const PASSWORD_27S: &str = "134520273825381009";
const PAID: &str = "134520273825387649";

/// WeChat barcode payments give up quickly here, so a lost answer turns Unknown within seconds.
const QUICK_GIVE_UP: &str = "[poll.wechat_barcode]\nfirst_after = 1\nevery = 1\ngive_up = 4\n";

#[tokio::test]
async fn a_lost_answer_is_unknown_until_queried_again_then_paid() -> E2eResult<()> {
    let options = AppOptions {
        config_toml: Some(QUICK_GIVE_UP.into()),
        ..AppOptions::default()
    };
    let Some(app) = App::launch("unknown-then-paid", options).await? else {
        return Ok(());
    };
    app.log_in().await?;
    let sandbox = app.sandbox().await?;
    app.key_bill_and_amount("E2E-U1", "66.00").await?;
    // The charge goes through but its answer is garbage, and every query until the till gives
    // up is cut off: nobody knows whether the customer paid.
    sandbox.arm("*", "malformed_json", 1).await?;
    sandbox.arm("*", "reset", 1000).await?;
    app.scan_with_wedge(PAID, ScanSuffix::Enter).await?;

    app.by_testid("unknown-band", WAIT).await?;
    app.by_testid("unknown-explain", WAIT).await?;
    assert_eq!(sandbox.charges_of("E2E-U1").await?, [6600]);
    app.screenshot_named("unknown").await?;

    sandbox.clear_faults().await?;
    app.by_testid("query-again-button", WAIT)
        .await?
        .click()
        .await?;
    app.by_testid("paid-band", WAIT).await?;
    assert_eq!(sandbox.charges_of("E2E-U1").await?, [6600]);
    app.screenshot().await?;
    app.finish().await
}

/// A back office run by the test (so it survives the app), and the app's configuration for it.
async fn outside_backend() -> E2eResult<(Backend, AppOptions)> {
    let backend = Backend::start(SandboxConfig::default()).await?;
    let config = format!(
        "operator = \"cashier\"\n[tourv5]\nbase_url = \"{}\"\n",
        backend.url()
    );
    let options = AppOptions {
        config_toml: Some(config),
        ..AppOptions::default()
    };
    Ok((backend, options))
}

// Multi-threaded: the back office serves the app while the test waits on a process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_killed_mid_payment_shows_the_payment_again_after_restart() -> E2eResult<()> {
    let (backend, options) = outside_backend().await?;
    let Some(mut app) = App::launch("killed-mid-payment", options).await? else {
        return Ok(());
    };
    let sandbox = Sandbox::at(&backend.url())?;
    // Real back offices: the first start asks for the first manager.
    app.first_manager("Wang", "2580", "S001").await?;
    app.log_in().await?;
    app.key_bill_and_amount("E2E-K1", "18.00").await?;
    app.scan_with_wedge(PASSWORD_15S, ScanSuffix::Enter).await?;
    app.wait_for_text("say", "密码", WAIT).await?;

    app.crash()?;
    app.restart().await?;
    // The password is never stored: the cashier logs in again, and the payment comes back.
    app.log_in().await?;
    app.wait_for_text("bill", "E2E-K1", WAIT)
        .await
        .context("the payment in progress at the crash is not on screen")?;
    app.by_testid("paid-band", Duration::from_secs(45)).await?;
    assert_eq!(sandbox.charges_of("E2E-K1").await?, [1800]);
    app.screenshot().await?;
    app.finish().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_mid_payment_asks_first_and_loses_nothing() -> E2eResult<()> {
    let (backend, options) = outside_backend().await?;
    let Some(mut app) = App::launch("close-asks", options).await? else {
        return Ok(());
    };
    let sandbox = Sandbox::at(&backend.url())?;
    // Real back offices: the first start asks for the first manager.
    app.first_manager("Wang", "2580", "S001").await?;
    app.log_in().await?;
    app.key_bill_and_amount("E2E-C1", "9.90").await?;
    app.scan_with_wedge(PASSWORD_27S, ScanSuffix::Enter).await?;
    app.wait_for_text("say", "密码", WAIT).await?;

    // The window's close button (the same request a window manager's × sends).
    let first = app.app_pid()?;
    app.invoke("plugin:window|close", json!({ "label": "main" }))
        .await?;
    app.by_testid("close-dialog", WAIT).await?;
    app.screenshot_named("close-dialog").await?;
    app.by_testid("close-keep", WAIT).await?.click().await?;
    assert_eq!(app.screen().await?, "progress");

    app.invoke("plugin:window|close", json!({ "label": "main" }))
        .await?;
    let anyway = app.by_testid("close-anyway", WAIT).await?;
    // The window goes away under the click, so WebDriver may not hear back from it.
    let _ = anyway.click().await;
    assert!(
        has_ended(first, Duration::from_secs(10)),
        "the app is still running after 仍然关闭"
    );

    app.restart().await?;
    app.log_in().await?;
    app.wait_for_text("bill", "E2E-C1", WAIT)
        .await
        .context("the payment in progress at closing is not on screen")?;
    app.by_testid("paid-band", Duration::from_secs(45)).await?;
    assert_eq!(sandbox.charges_of("E2E-C1").await?, [990]);
    app.screenshot().await?;
    app.finish().await
}
