//! Receipts on paper in the real app: a serial receipt printer on a pty pair (the test plays the
//! printer: it keeps the bytes and answers the real-time status requests). A paid payment prints
//! its slip once, readable back as Chinese text with the order number in its QR code; out of paper,
//! the slip waits and the status bar says so, and it prints once when the paper is back, even
//! after the app was killed in between.

use std::time::Duration;

use serde_json::json;

use crate::harness::{
    App, AppOptions, DEMO_PIN, E2eResult, PAID_CODE, ScanSuffix, SerialPrinter, WAIT,
};

/// How long a slip may take to reach the printer: the worker's round plus a serial job.
const PRINTED: Duration = Duration::from_secs(20);

fn printer_config(printer: &SerialPrinter) -> String {
    format!(
        "shop = \"黄山风景区 东门\"\n[printer]\nurl = \"serial:{}\"\npaper = \"58mm\"\n",
        printer.port_name()
    )
}

#[tokio::test]
async fn a_paid_payment_prints_its_slip_once_and_a_reprint_is_marked() -> E2eResult<()> {
    let printer = SerialPrinter::plug_in()?;
    let options = AppOptions {
        config_toml: Some(printer_config(&printer)),
        ..AppOptions::default()
    };
    let Some(app) = App::launch("print-slip", options).await? else {
        return Ok(());
    };
    app.log_in().await?;
    app.key_bill_and_amount("E2E-P1", "12.34").await?;
    app.scan_with_wedge(PAID_CODE, ScanSuffix::Enter).await?;
    app.by_testid("paid-band", WAIT).await?;

    let slip = printer.wait_for_cuts(1, PRINTED).await?;
    let text = slip.lines.join("\n");
    for expected in [
        "黄山风景区 东门",
        "E2E-P1",
        "￥12.34",
        "1345 **** **** 7649",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not on the slip:\n{text}"
        );
    }
    assert!(
        !text.contains(PAID_CODE),
        "the code in clear on paper:\n{text}"
    );
    assert!(
        !text.contains("重印"),
        "the first slip is not a reprint:\n{text}"
    );
    let found = app
        .invoke(
            "attempts",
            json!({ "filter": { "live_only": false, "day": null, "search": "E2E-P1" } }),
        )
        .await?;
    let attempt = &found[0];
    let order_no = attempt["order_no"].as_str().unwrap_or_default().to_owned();
    assert!(
        text.contains(&order_no),
        "order {order_no} not on the slip:\n{text}"
    );
    assert_eq!(
        slip.qr.as_slice(),
        std::slice::from_ref(&order_no),
        "the QR code holds the order number"
    );
    app.wait_for_text("status-printer", "就绪", WAIT).await?;

    // A reprint from the receipts, as a manager does it: marked, and the first slip is not
    // printed again.
    let id = attempt["id"].clone();
    app.open_desk(DEMO_PIN).await?;
    app.by_css(&format!("[data-testid^=\"receipt-\"][data-id=\"{id}\"]"))
        .await?
        .click()
        .await?;
    app.click("detail-reprint").await?;
    app.by_testid("reprint-queued", WAIT).await?;
    app.click("detail-slip").await?;
    app.by_testid("slip-panel", WAIT).await?;
    let both = printer.wait_for_cuts(2, PRINTED).await?;
    let reprint = both.lines.join("\n");
    assert_eq!(
        reprint.matches("重印").count(),
        1,
        "one reprint, marked:\n{reprint}"
    );
    assert_eq!(both.qr, [order_no.clone(), order_no]);
    // The slip panel lists both jobs once the reprint has printed.
    app.wait_for_text("print-jobs", "重印", WAIT).await?;
    app.screenshot_named("print-detail-slip").await?;
    app.finish().await
}

#[tokio::test]
async fn out_of_paper_the_slip_waits_and_prints_once_when_paper_is_back() -> E2eResult<()> {
    let printer = SerialPrinter::plug_in()?;
    printer.set_out_of_paper(true);
    let options = AppOptions {
        config_toml: Some(printer_config(&printer)),
        ..AppOptions::default()
    };
    let Some(app) = App::launch("print-paper-out", options).await? else {
        return Ok(());
    };
    app.log_in().await?;
    app.key_bill_and_amount("E2E-P2", "5.00").await?;
    app.scan_with_wedge(PAID_CODE, ScanSuffix::Enter).await?;
    // Checkout is not held up by the printer: paid shows while the slip cannot print.
    app.by_testid("paid-band", WAIT).await?;
    app.wait_for_text("status-printer", "缺纸", WAIT).await?;
    app.wait_for_class("status-printer", "sb-bad", WAIT).await?;
    assert_eq!(printer.decoded().cuts, 0, "nothing printed without paper");
    app.screenshot_named("print-out-of-paper").await?;

    printer.set_out_of_paper(false);
    let slip = printer.wait_for_cuts(1, PRINTED).await?;
    assert!(slip.lines.join("\n").contains("E2E-P2"));
    app.wait_for_text("status-printer", "就绪", WAIT).await?;
    // A few more rounds of the worker: still one slip.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(printer.decoded().cuts, 1, "the slip printed once");
    app.finish().await
}

/// A power cut between "paid" and "printed": the slip was owed in the transaction that recorded
/// the payment, so the app started again prints it, once, when the paper is back.
#[tokio::test]
async fn a_slip_owed_when_the_app_is_killed_prints_once_after_restart() -> E2eResult<()> {
    let printer = SerialPrinter::plug_in()?;
    printer.set_out_of_paper(true);
    let options = AppOptions {
        config_toml: Some(printer_config(&printer)),
        ..AppOptions::default()
    };
    let Some(mut app) = App::launch("print-after-crash", options).await? else {
        return Ok(());
    };
    app.log_in().await?;
    app.key_bill_and_amount("E2E-P3", "7.50").await?;
    app.scan_with_wedge(PAID_CODE, ScanSuffix::Enter).await?;
    app.by_testid("paid-band", WAIT).await?;
    app.wait_for_text("status-printer", "缺纸", WAIT).await?;
    assert_eq!(printer.decoded().cuts, 0, "nothing printed without paper");

    app.crash()?;
    printer.set_out_of_paper(false);
    app.restart().await?;
    app.log_in().await?;
    let slip = printer.wait_for_cuts(1, PRINTED).await?;
    let text = slip.lines.join("\n");
    assert!(text.contains("E2E-P3"), "the owed slip:\n{text}");
    assert!(!text.contains("重印"), "owed, not a reprint:\n{text}");
    // A few more rounds of the worker: still one slip.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(printer.decoded().cuts, 1, "the slip printed once");
    app.finish().await
}

/// A shop without a printer still sees what would print: the paid screen's preview is core's
/// slip read back from the printer's bytes, with the order number in its QR code.
#[tokio::test]
async fn without_a_printer_the_paid_slip_is_previewed() -> E2eResult<()> {
    let options = AppOptions {
        config_toml: Some("shop = \"黄山风景区 东门售票处\"\n".into()),
        ..AppOptions::default()
    };
    let Some(app) = App::launch("print-preview", options).await? else {
        return Ok(());
    };
    app.log_in().await?;
    app.key_bill_and_amount("E2E-P3", "12.34").await?;
    app.scan_with_wedge(PAID_CODE, ScanSuffix::Enter).await?;
    app.by_testid("paid-band", WAIT).await?;
    // No printer: nothing about one in the status bar.
    assert!(
        app.client()
            .find_all(fantoccini::Locator::Css("[data-testid=\"status-printer\"]"))
            .await?
            .is_empty(),
        "a printer item with no printer set"
    );
    app.click("slip-preview-button").await?;
    let paper = app.by_testid("slip-paper", WAIT).await?;
    let shown = paper.text().await?;
    for expected in ["黄山风景区 东门售票处", "E2E-P3", "￥12.34", "7649"] {
        assert!(
            shown.contains(expected),
            "{expected:?} not in the preview:\n{shown}"
        );
    }
    let order_no = app.text_of("order-no").await.unwrap_or_default();
    let qr = app.by_testid("slip-qr", WAIT).await?;
    let payload = qr.attr("alt").await?.unwrap_or_default();
    assert!(
        !payload.is_empty() && order_no.contains(&payload),
        "the preview's QR holds {payload:?}, the order is {order_no:?}"
    );
    app.screenshot_named("print-slip-preview").await?;
    app.finish().await
}
