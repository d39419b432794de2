//! The app starts, shows its first screen and survives a crash: the checks every other end-to-end
//! test stands on.

use std::time::Duration;

use anyhow::Context;

use crate::harness::process_tree::{environment_of, has_ended};
use crate::harness::{App, AppOptions, E2eResult};

const START: Duration = Duration::from_secs(20);

/// Width and height from a PNG's header (bytes 16..24 of the IHDR chunk).
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.get(..8)? != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let width = u32::from_be_bytes(png.get(16..20)?.try_into().ok()?);
    let height = u32::from_be_bytes(png.get(20..24)?.try_into().ok()?);
    Some((width, height))
}

#[tokio::test]
async fn the_app_opens_its_window_with_the_cashier_page() -> E2eResult<()> {
    let Some(app) = App::launch("smoke", AppOptions::default()).await? else {
        return Ok(());
    };
    let title = app.wait_for_title("收银台", START).await?;
    assert!(title.contains("Cashier"), "document title {title:?}");

    let shot = app.screenshot().await?;
    let png = std::fs::read(&shot)?;
    let (width, height) =
        png_size(&png).with_context(|| format!("{} is not a PNG", shot.display()))?;
    // tauri.conf.json's window is 1280×800 and no smaller than 1024×700.
    assert!(
        width >= 1024 && height >= 700,
        "window shot is {width}×{height}"
    );
    app.finish().await
}

#[tokio::test]
async fn a_crashed_app_starts_again_on_the_same_journal() -> E2eResult<()> {
    let Some(mut app) = App::launch("crash-restart", AppOptions::default()).await? else {
        return Ok(());
    };
    let journal = app.journal_path();
    app.wait_for_title("收银台", START).await?;
    let first = app.app_pid()?;
    assert_eq!(
        environment_of(first, "CASHIER_DB"),
        Some(journal.display().to_string())
    );

    app.crash()?;
    assert!(
        has_ended(first, Duration::from_secs(5)),
        "app {first} still running after SIGKILL"
    );

    app.restart().await?;
    app.wait_for_title("收银台", START).await?;
    let second = app.app_pid()?;
    assert_ne!(first, second);
    assert_eq!(
        environment_of(second, "CASHIER_DB"),
        Some(journal.display().to_string())
    );
    // The WebView's own storage also stays where the first run left it.
    let webview_data = app.data_dir().join("xdg/data").display().to_string();
    assert_eq!(environment_of(second, "XDG_DATA_HOME"), Some(webview_data));
    app.screenshot().await?;
    app.finish().await
}

/// The CSP in tauri.conf.json is in force in the real WebView: a request to a remote host and an
/// inline script are both refused by policy (not merely failing on a closed network).
#[tokio::test]
async fn the_page_may_load_nothing_remote_and_run_no_inline_script() -> E2eResult<()> {
    let Some(app) = App::launch("csp", AppOptions::default()).await? else {
        return Ok(());
    };
    app.wait_for_title("收银台", START).await?;
    let refused = app
        .client()
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            const refused = [];
            document.addEventListener('securitypolicyviolation', (e) => refused.push(e.effectiveDirective));
            const inline = document.createElement('script');
            inline.textContent = 'window.__inlineRan = true;';
            document.body.appendChild(inline);
            fetch('https://example.com/').catch(() => {}).finally(() =>
                setTimeout(() => done({ refused, inlineRan: window.__inlineRan === true }), 200));"#,
            vec![],
        )
        .await?;
    assert_eq!(
        refused["inlineRan"],
        serde_json::Value::Bool(false),
        "{refused}"
    );
    let directives = refused["refused"].to_string();
    assert!(directives.contains("connect-src"), "{refused}");
    assert!(directives.contains("script-src"), "{refused}");
    app.finish().await
}
