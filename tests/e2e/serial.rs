//! A serial scanner gun on a real pseudo-terminal: the app opens the port named in its
//! configuration like a COM port, shows the scanner connected, and a scan there pays the bill.

use fantoccini::Locator;

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
