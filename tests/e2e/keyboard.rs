//! A scanner's burst and a person's typing, both through the X server (XTEST) as the real
//! devices' keys arrive, and the UI tells them apart: a bill ticket scanned into the bill field
//! lands there whole and its Tab moves on to the amount, keys typed by hand stay typing, a payment
//! code scanned before the bill and amount are in is refused on screen, never typed into a field,
//! and a payment code scanned into the bill field pays the bill there instead of replacing it.

use std::time::Duration;

use crate::harness::{App, AppOptions, E2eResult, HAND, ScanSuffix, WAIT};

/// A wedge scanner's pace: a few milliseconds a key.
const BURST: Duration = Duration::from_millis(4);

#[tokio::test]
async fn a_scanner_burst_and_a_persons_typing_are_told_apart() -> E2eResult<()> {
    let Some(app) = App::launch("keyboard", AppOptions::default()).await? else {
        return Ok(());
    };
    app.log_in().await?;
    let keys = app.x_keyboard().await?;

    // A payment code before the bill and amount, with no field focused: refused where the cashier
    // looks, typed nowhere.
    app.client()
        .execute("document.activeElement.blur();", vec![])
        .await?;
    let code = "134520273825387649";
    keys.scan(code, BURST).await?;
    app.by_testid("scan-error", WAIT).await?;
    assert!(!app.value_of("bill-input").await?.contains("1345"));
    assert!(!app.value_of("amount-input").await?.contains("1345"));

    // The bill's barcode, scanned while the bill field has the focus.
    app.by_testid("bill-input", WAIT).await?.click().await?;
    keys.scan_ending("20261130000042", BURST, ScanSuffix::Tab)
        .await?;
    app.wait_for_value("bill-input", "20261130000042").await?;

    // The focus moved to the amount; a person types it.
    keys.type_text("12.5", HAND, None).await?;
    app.wait_for_value("amount-input", "12.5").await?;
    assert_eq!(app.value_of("bill-input").await?, "20261130000042");
    app.wait_for_text("amount-text", "12.50", WAIT).await?;
    app.screenshot().await?;

    // Back in the bill field, the customer's code is the payment scan, not a new bill number:
    // it pays the bill that is there.
    app.by_testid("bill-input", WAIT).await?.click().await?;
    keys.scan(code, BURST).await?;
    app.by_testid("paid-band", WAIT).await?;
    app.wait_for_text("bill", "20261130000042", WAIT).await?;
    app.finish().await
}
