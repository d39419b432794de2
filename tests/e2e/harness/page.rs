//! Reading the window: elements by `data-testid`, waiting for text, screenshots of what is shown.

use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use fantoccini::Locator;
use fantoccini::elements::Element;

use super::{App, E2eResult};

const POLL: Duration = Duration::from_millis(50);

/// Where a test's screenshot goes: `target/e2e-shots/<name>.png`, beside cargo's own output
/// (`CARGO_TARGET_TMPDIR` is `target/tmp`, wherever the target folder is).
pub fn shot_path(name: &str) -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let target = tmp.parent().map(PathBuf::from).unwrap_or(tmp);
    target.join("e2e-shots").join(format!("{name}.png"))
}

fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

/// Calls `probe` until it gives a value or `timeout` passes; the error then says what was awaited
/// and what was last seen instead.
pub async fn poll<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> E2eResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let started = Instant::now();
    loop {
        match probe().await {
            Ok(value) => return Ok(value),
            Err(seen) if started.elapsed() >= timeout => {
                bail!("waited {timeout:?} for {what}; last seen: {seen}");
            }
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}

impl App {
    /// The element with this `data-testid`, waiting up to `timeout` for it to appear.
    pub async fn by_testid(&self, id: &str, timeout: Duration) -> E2eResult<Element> {
        let css = testid(id);
        poll(&format!("element {css}"), timeout, || async {
            self.client
                .find(Locator::Css(&css))
                .await
                .map_err(|e| e.to_string())
        })
        .await
    }

    /// Waits until the element with this `data-testid` shows text containing `expected`; gives
    /// its whole text.
    pub async fn wait_for_text(
        &self,
        id: &str,
        expected: &str,
        timeout: Duration,
    ) -> E2eResult<String> {
        let css = testid(id);
        poll(&format!("{css} to show {expected:?}"), timeout, || async {
            let element = self
                .client
                .find(Locator::Css(&css))
                .await
                .map_err(|e| e.to_string())?;
            let text = element.text().await.map_err(|e| e.to_string())?;
            if text.contains(expected) {
                Ok(text)
            } else {
                Err(format!("{text:?}"))
            }
        })
        .await
    }

    /// Waits until the document title contains `expected`; gives the whole title.
    pub async fn wait_for_title(&self, expected: &str, timeout: Duration) -> E2eResult<String> {
        poll(
            &format!("the document title to contain {expected:?}"),
            timeout,
            || async {
                let title = self.client.title().await.map_err(|e| e.to_string())?;
                if title.contains(expected) {
                    Ok(title)
                } else {
                    Err(format!("{title:?}"))
                }
            },
        )
        .await
        .map_err(|e| anyhow!("{e}\n{}", self.log_tail()))
    }

    /// Saves what the window shows to `target/e2e-shots/<test name>.png` and gives the path.
    pub async fn screenshot(&self) -> E2eResult<PathBuf> {
        self.screenshot_named(&self.name).await
    }

    /// As `screenshot`, for a test that keeps several: `target/e2e-shots/<name>.png`.
    pub async fn screenshot_named(&self, name: &str) -> E2eResult<PathBuf> {
        // The frame right after a DOM change may not be painted yet; after two animation frames it is.
        let two_frames = "const done = arguments[arguments.length - 1];
            requestAnimationFrame(() => requestAnimationFrame(() => done(null)));";
        self.client.execute_async(two_frames, vec![]).await?;
        let png = self.client.screenshot().await?;
        let path = shot_path(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }
}
