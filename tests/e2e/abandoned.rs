//! A QR code the cashier cancels on the back office's channel (which cannot close it) is abandoned:
//! still payable for a while, watched. The screen says until when, once, in the business time zone
//! (Asia/Shanghai), even on a machine whose clock zone is another (here New York, 13 hours behind
//! in December): before, it showed two different times in two languages.

use anyhow::Context;
use chrono::{DateTime, Utc};
use fantoccini::key::Key;

use crate::harness::{App, AppOptions, E2eResult, WAIT};

/// The `HH:MM` times in `text`.
fn times(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(5)
        .filter(|w| {
            w[0].is_ascii_digit()
                && w[1].is_ascii_digit()
                && w[2] == ':'
                && w[3].is_ascii_digit()
                && w[4].is_ascii_digit()
        })
        .map(|w| w.iter().collect())
        .collect()
}

#[tokio::test]
async fn an_abandoned_codes_time_is_the_business_zones_and_said_once() -> E2eResult<()> {
    let options = AppOptions {
        machine_tz: Some("America/New_York"),
        ..AppOptions::default()
    };
    let Some(app) = App::launch("abandoned-time", options).await? else {
        return Ok(());
    };
    app.log_in().await?;
    app.key_bill_and_amount("E2E-A1", "6.60").await?;
    app.press(Key::F1).await?; // WeChat QR on the back office: it cannot be closed
    app.wait_for_screen("qr", WAIT).await?;
    app.press(Key::Escape).await?;
    app.by_testid("neutral-band", WAIT).await?;

    let live = app.live_attempts().await?;
    let abandoned = live
        .iter()
        .find(|a| a["state"] == "abandoned")
        .context("no abandoned attempt after cancelling the QR")?;
    let until: DateTime<Utc> = abandoned["payable_until"]
        .as_str()
        .context("an abandoned attempt without payable_until")?
        .parse()?;
    let shanghai = (until + chrono::Duration::hours(8))
        .format("%H:%M")
        .to_string();
    let new_york = (until - chrono::Duration::hours(5))
        .format("%H:%M")
        .to_string();

    let screen = app.by_testid("outcome", WAIT).await?.text().await?;
    assert_eq!(
        times(&screen),
        std::slice::from_ref(&shanghai),
        "the screen should say {shanghai} (Asia/Shanghai) once, not {new_york} (the machine's zone): {screen:?}"
    );
    assert!(
        !screen.contains("watched"),
        "core's English journal reason on a Chinese screen: {screen:?}"
    );
    app.screenshot().await?;
    app.finish().await
}
