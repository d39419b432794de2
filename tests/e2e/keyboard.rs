//! The harness's keyboard reaches the page as real key events: a wedge scanner's burst and a
//! person's typing. Page-agnostic: it listens on `window` in the capture phase (before any handler
//! of the UI's own) and writes what it hears into an element it adds itself.

use std::time::Duration;

use anyhow::Context;

use fantoccini::key::Key;
use serde_json::Value;

use crate::harness::{App, AppOptions, E2eResult, ScanSuffix};

const WAIT: Duration = Duration::from_secs(20);

const LISTEN: &str = r#"
    const probe = document.createElement('output');
    probe.dataset.testid = 'e2e-key-probe';
    document.body.appendChild(probe);
    window.__e2eKeys = [];
    window.addEventListener('keydown', (event) => {
        window.__e2eKeys.push({ key: event.key, at: event.timeStamp, trusted: event.isTrusted });
        probe.textContent = window.__e2eKeys.map((k) => k.key).join(' ');
    }, { capture: true });
"#;

/// (key, milliseconds since the previous key, trusted) as the page saw them.
async fn heard(app: &App) -> E2eResult<Vec<(String, f64, bool)>> {
    let keys = app
        .client()
        .execute("return window.__e2eKeys;", vec![])
        .await?;
    let keys = keys.as_array().context("no key list in the page")?;
    let mut previous = None;
    let mut out = Vec::new();
    for key in keys {
        let at = key["at"].as_f64().context("key without a time")?;
        let name = key["key"]
            .as_str()
            .context("key without a name")?
            .to_owned();
        let gap = previous.map_or(0.0, |p| at - p);
        previous = Some(at);
        out.push((name, gap, key["trusted"] == Value::Bool(true)));
    }
    Ok(out)
}

async fn forget_keys(app: &App) -> E2eResult<()> {
    app.client()
        .execute("window.__e2eKeys = [];", vec![])
        .await?;
    Ok(())
}

#[tokio::test]
async fn scanner_bursts_and_typing_arrive_as_trusted_key_events() -> E2eResult<()> {
    let Some(app) = App::launch("keyboard", AppOptions::default()).await? else {
        return Ok(());
    };
    app.wait_for_title("收银台", WAIT).await?;
    app.client().execute(LISTEN, vec![]).await?;
    app.by_testid("e2e-key-probe", WAIT).await?;

    let code = "134520273825387649";
    app.scan_with_wedge(code, ScanSuffix::Enter).await?;
    let expected: Vec<String> = code
        .chars()
        .map(String::from)
        .chain(["Enter".to_owned()])
        .collect();
    app.wait_for_text("e2e-key-probe", &expected.join(" "), WAIT)
        .await?;
    let burst = heard(&app).await?;
    assert_eq!(
        burst
            .iter()
            .map(|(key, _, _)| key.clone())
            .collect::<Vec<_>>(),
        expected
    );
    assert!(
        burst.iter().all(|(_, _, trusted)| *trusted),
        "untrusted key events: {burst:?}"
    );
    // The figure a wedge detector's threshold must clear; printed, not asserted (timing varies with load).
    let gaps: Vec<f64> = burst.iter().skip(1).map(|(_, gap, _)| *gap).collect();
    let slowest = gaps.iter().copied().fold(0.0, f64::max);
    println!(
        "wedge burst: {} keys, slowest gap {slowest:.1} ms, gaps {gaps:.0?}",
        burst.len()
    );

    forget_keys(&app).await?;
    app.type_by_hand("12", Duration::from_millis(120)).await?;
    app.press(Key::Escape).await?;
    app.wait_for_text("e2e-key-probe", "1 2 Escape", WAIT)
        .await?;
    let typed = heard(&app).await?;
    // A pause is a lower bound: a person's keys never come faster than the gap asked for.
    let gap = typed
        .get(1)
        .map(|(_, gap, _)| *gap)
        .context("second key missing")?;
    assert!(
        gap >= 100.0,
        "typing by hand gave a {gap:.1} ms gap: {typed:?}"
    );
    app.screenshot().await?;
    app.finish().await
}
