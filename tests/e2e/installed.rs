//! The app as a shop installs it: the `.deb` that scripts/package-deb builds, installed by
//! scripts/smoke-deb and started from where the package put it (`CASHIER_APP_BIN`, e.g.
//! /usr/bin/cashier-app). Without that variable nothing installed is under test: skipped, so the
//! ordinary e2e run passes over it.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use crate::harness::{App, AppOptions, E2eResult, WAIT};

#[tokio::test]
async fn the_installed_app_opens_on_the_login_with_the_sandbox_banner() -> E2eResult<()> {
    let Some(installed) = std::env::var_os("CASHIER_APP_BIN").filter(|v| !v.is_empty()) else {
        // Past the test harness's capture, as the other skips say theirs.
        let _ = writeln!(
            std::io::stderr(),
            "e2e test `installed` skipped: CASHIER_APP_BIN is unset (scripts/smoke-deb sets it \
             to the installed package's binary)"
        );
        return Ok(());
    };
    let installed = PathBuf::from(installed)
        .canonicalize()
        .context("CASHIER_APP_BIN names no file")?;
    let Some(app) = App::launch("installed", AppOptions::default()).await? else {
        return Ok(());
    };
    app.wait_for_title("收银台", WAIT).await?;
    // The window belongs to the installed binary, not to the one cargo built beside these tests.
    let pid = app.app_pid()?;
    let running = std::fs::read_link(format!("/proc/{pid}/exe"))?;
    assert_eq!(running, installed);
    assert_ne!(running, PathBuf::from(env!("CARGO_BIN_EXE_cashier-app")));

    // No configuration: the embedded sandbox, and the login screen says so on its banner.
    app.wait_for_screen("login", WAIT).await?;
    app.by_testid("login-password", WAIT).await?;
    app.wait_for_text("sandbox-banner", "沙箱 SANDBOX", WAIT)
        .await?;
    app.screenshot().await?;
    app.finish().await
}
