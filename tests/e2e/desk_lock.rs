//! The PIN pad in the real window: five wrong PINs lock the manager, and the lock is in the
//! journal, so a restart of the app does not lift it.

use anyhow::Context;

use crate::harness::{App, AppOptions, E2eResult, WAIT};

const WRONG_PIN: &str = "2468";

#[tokio::test]
async fn five_wrong_pins_lock_the_manager_even_across_a_restart() -> E2eResult<()> {
    let Some(mut app) = App::launch("pin-lock", AppOptions::default()).await? else {
        return Ok(());
    };
    app.log_in().await?;
    let demo = app.managers().await?;
    let id = demo
        .first()
        .and_then(|m| m["id"].as_i64())
        .context("no demo manager on the sandbox")?;

    app.click("desk-button").await?;
    app.by_testid("pin-pad", WAIT).await?;
    app.screenshot_named("desk-pin-pad").await?;
    for _ in 0..5 {
        app.type_pin(None, WRONG_PIN).await?;
        // Refused: the pad says why and empties the PIN for the next try.
        app.by_testid("pin-error", WAIT).await?;
        app.by_css("[data-testid=\"pin-dots\"] .pin-empty").await?;
    }
    app.by_testid(&format!("pin-locked-{id}"), WAIT).await?;
    let error = app.text_of("pin-error").await?;
    assert!(!app.managers().await?[0]["locked_until_time"].is_null());
    app.screenshot_named("desk-pin-locked").await?;

    app.restart().await?;
    app.log_in().await?;
    app.click("desk-button").await?;
    app.by_testid(&format!("pin-locked-{id}"), WAIT)
        .await
        .with_context(|| format!("not shown locked after the restart (before: {error:?})"))?;
    let button = app.by_testid(&format!("pin-manager-{id}"), WAIT).await?;
    assert!(
        button.attr("disabled").await?.is_some(),
        "a locked manager can still be chosen"
    );
    assert!(!app.managers().await?[0]["locked_until_time"].is_null());
    app.finish().await
}
