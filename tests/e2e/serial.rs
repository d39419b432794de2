//! A serial scanner gun on a real pseudo-terminal: the app opens the port named in its
//! configuration like a COM port, shows the scanner connected, and a scan there pays the bill.

use std::path::Path;

use fantoccini::Locator;
use serde_json::json;

use crate::harness::{App, AppOptions, E2eResult, SerialScanner, WAIT};

const PAID: &str = "134520273825387649";

#[tokio::test]
async fn a_serial_scan_pays_the_bill() -> E2eResult<()> {
    let mut scanner = SerialScanner::plug_in()?;
    let config = format!(
        "[scanner]\nport = \"{}\"\nbaud = 9600\nterminator = \"cr\"\n",
        scanner.port_name()
    );
    let options = AppOptions {
        config_toml: Some(config),
        ..AppOptions::default()
    };
    let Some(app) = App::launch("serial-paid", options).await? else {
        return Ok(());
    };
    app.log_in().await?;
    // The status bar says the scanner is connected (class sb-ok) before anyone scans.
    app.wait_for_class("status-scanner", "sb-ok", WAIT).await?;
    app.key_bill_and_amount("E2E-R1", "3.50").await?;
    scanner.scan(PAID, b"\r")?;

    app.by_testid("paid-band", WAIT).await?;
    assert!(app.text_of("bill").await?.contains("E2E-R1"));
    // Paid on screen, not announced as if it had been paid behind the cashier's back.
    let background = app
        .client()
        .find_all(Locator::Css("[data-testid=\"background-paid\"]"))
        .await?;
    assert!(background.is_empty(), "a 'paid in the background' line");
    assert_eq!(app.sandbox().await?.charges_of("E2E-R1").await?, [350]);
    app.screenshot().await?;
    app.finish().await
}

/// A scanner port chosen on the settings screen is opened at once: the settings are saved over
/// the same IPC call the screen makes (a pty is not in the machine's port list to pick from).
#[tokio::test]
async fn a_scanner_port_saved_in_the_settings_opens_at_once() -> E2eResult<()> {
    let mut scanner = SerialScanner::plug_in()?;
    // A configuration file with no scanner in it: saving writes the port there.
    let options = AppOptions {
        config_toml: Some(String::new()),
        ..AppOptions::default()
    };
    let Some(app) = App::launch("serial-settings", options).await? else {
        return Ok(());
    };
    app.log_in().await?;
    let mut settings = app.invoke("settings", json!({})).await?;
    settings["scanner_port"] = json!(scanner.port_name());
    // The settings screen sends its numbers as typed (the form holds them as text).
    settings["scanner_baud"] = json!("9600");
    settings["scanner_terminator"] = json!("cr");
    // Once a manager exists (on the sandbox, the demo one), saving asks for a PIN.
    let approval = app.demo_approval().await?;
    let saved = app
        .invoke(
            "save_settings",
            json!({ "settings": settings, "approval": approval }),
        )
        .await?;
    assert_eq!(saved["scanner_port"], json!(scanner.port_name()));
    app.wait_for_class("status-scanner", "sb-ok", WAIT).await?;
    app.key_bill_and_amount("E2E-R2", "4.20").await?;
    scanner.scan(PAID, b"\r")?;

    app.by_testid("paid-band", WAIT).await?;
    assert_eq!(app.sandbox().await?.charges_of("E2E-R2").await?, [420]);
    app.finish().await
}

/// Unplugged and plugged in again while the app runs: the status bar says the scanner is lost and
/// being reconnected, in red, then connected again, and the first scan after the replug pays. The port is a symlink, as a
/// udev rule's stable name is: unplugging points it nowhere and closes the pty; plugging in
/// points it at a new pty, which gets a new number as a replugged USB adapter may.
#[tokio::test]
async fn an_unplugged_scanner_reconnects_and_its_next_scan_pays() -> E2eResult<()> {
    let dir = tempfile::tempdir()?;
    let link = dir.path().join("ttyScanner");
    let repoint = |target: &Path| -> E2eResult<()> {
        let tmp = dir.path().join("ttyScanner.new");
        std::os::unix::fs::symlink(target, &tmp)?;
        std::fs::rename(&tmp, &link)?;
        Ok(())
    };
    let scanner = SerialScanner::plug_in()?;
    repoint(Path::new(scanner.port_name()))?;
    let config = format!(
        "[scanner]\nport = \"{}\"\nbaud = 9600\nterminator = \"cr\"\nreconnect_min_ms = 200\nreconnect_max_ms = 500\n",
        link.display()
    );
    let options = AppOptions {
        config_toml: Some(config),
        ..AppOptions::default()
    };
    let Some(app) = App::launch("serial-replug", options).await? else {
        return Ok(());
    };
    app.log_in().await?;
    app.wait_for_class("status-scanner", "sb-ok", WAIT).await?;

    repoint(&dir.path().join("unplugged"))?;
    drop(scanner);
    // Trying again, in the colour of a fault: scans go nowhere until it is back.
    app.wait_for_text("status-scanner", "已断开 · 正在重连", WAIT)
        .await?;
    app.wait_for_class("status-scanner", "sb-bad", WAIT).await?;
    app.screenshot_named("serial-unplugged").await?;

    let mut scanner = SerialScanner::plug_in()?;
    repoint(Path::new(scanner.port_name()))?;
    app.wait_for_class("status-scanner", "sb-ok", WAIT).await?;
    app.key_bill_and_amount("E2E-R3", "4.40").await?;
    scanner.scan(PAID, b"\r")?;
    app.by_testid("paid-band", WAIT).await?;
    assert_eq!(app.sandbox().await?.charges_of("E2E-R3").await?, [440]);
    app.finish().await
}
