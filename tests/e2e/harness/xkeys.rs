//! A keyboard on the X server: keys sent with XTEST (through `xdotool`), so they reach the app the
//! way a real keyboard's and a USB wedge scanner's do, through the X server, GTK and WebKit's own
//! queue. WebDriver's key actions are injected inside WebKit and arrive differently (one by one,
//! unhurried): a test of typing speed that uses them cannot see what a cashier meets.

use std::process::Stdio;
use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};
use tokio::process::Command;

use super::{App, E2eResult, ScanSuffix};

/// When the Enter after the last character comes.
#[derive(Clone, Copy, Debug)]
pub enum EnterAfter {
    /// One key interval after the last character, like the keys before it.
    Interval,
    /// Right after it: a hand rolling onto the numpad's Enter.
    AtOnce,
}

/// The app's window, focused, taking keys from the X server.
pub struct XKeyboard {
    window: String,
}

/// The X keysym name of a character a cashier or a scanner types.
fn keysym(c: char) -> E2eResult<String> {
    Ok(match c {
        '0'..='9' | 'a'..='z' | 'A'..='Z' => c.to_string(),
        '.' => "period".into(),
        '-' => "minus".into(),
        '/' => "slash".into(),
        _ => bail!("no keysym for {c:?} in this harness"),
    })
}

async fn xdotool(args: &[String]) -> E2eResult<String> {
    let out = Command::new("xdotool")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .context("running xdotool (Debian package xdotool; scripts/setup-desktop installs it)")?;
    if !out.status.success() {
        bail!(
            "xdotool {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn ms(d: Duration) -> String {
    d.as_millis().to_string()
}

impl App {
    /// The app's window on the X server, given the input focus (there is no window manager under
    /// Xvfb to give it).
    pub async fn x_keyboard(&self) -> E2eResult<XKeyboard> {
        let found = xdotool(&[
            "search".into(),
            "--onlyvisible".into(),
            "--classname".into(),
            "^cashier-app$".into(),
        ])
        .await?;
        // The app's top-level window is the mapped one of its class: GTK keeps an unmapped one of
        // the same class, which cannot take the focus, and WebKit adds children. Not by title:
        // under a locale the C library lacks (zh_CN.UTF-8 on a bare Debian) xdotool cannot read
        // the title "Cashier 收银台" at all.
        let window = found
            .lines()
            .last()
            .map(str::to_owned)
            .context("no X window named Cashier")?;
        xdotool(&["windowfocus".into(), "--sync".into(), window.clone()]).await?;
        Ok(XKeyboard { window })
    }
}

impl XKeyboard {
    /// Focuses the app's window again (a WebDriver click may have moved nothing, but be sure).
    async fn focus(&self) -> E2eResult<()> {
        xdotool(&["windowfocus".into(), "--sync".into(), self.window.clone()]).await?;
        Ok(())
    }

    /// Types `text` a key every `gap`, then Enter as `enter` says (or no Enter).
    pub async fn type_text(
        &self,
        text: &str,
        gap: Duration,
        enter: Option<EnterAfter>,
    ) -> E2eResult<()> {
        self.focus().await?;
        let keys = text.chars().map(keysym).collect::<E2eResult<Vec<_>>>()?;
        // xdotool holds each key down half the delay and waits the other half after it: keys
        // `--delay` apart. The last key and an at-once Enter go in a second command with no delay.
        let mut args: Vec<String> = vec!["key".into(), "--delay".into(), ms(gap)];
        let split = match enter {
            Some(EnterAfter::AtOnce) => keys.len().saturating_sub(1),
            _ => keys.len(),
        };
        args.extend(keys[..split].iter().cloned());
        match enter {
            Some(EnterAfter::Interval) => args.push("Return".into()),
            Some(EnterAfter::AtOnce) => {
                args.extend(["key".into(), "--delay".into(), "0".into()]);
                args.extend(keys[split..].iter().cloned());
                args.push("Return".into());
            }
            None => {}
        }
        xdotool(&args).await?;
        Ok(())
    }

    /// Enter alone.
    pub async fn enter(&self) -> E2eResult<()> {
        self.focus().await?;
        xdotool(&["key".into(), "Return".into()]).await?;
        Ok(())
    }

    /// A wedge scanner's burst: `code` a key every `gap` (a few milliseconds), then Enter.
    pub async fn scan(&self, code: &str, gap: Duration) -> E2eResult<()> {
        self.scan_ending(code, gap, ScanSuffix::Enter).await
    }

    /// As [`XKeyboard::scan`], with the suffix the scanner is set up to send.
    pub async fn scan_ending(
        &self,
        code: &str,
        gap: Duration,
        suffix: ScanSuffix,
    ) -> E2eResult<()> {
        self.focus().await?;
        let mut args: Vec<String> = vec!["key".into(), "--delay".into(), ms(gap)];
        for c in code.chars() {
            args.push(keysym(c)?);
        }
        args.push(
            match suffix {
                ScanSuffix::Enter => "Return",
                ScanSuffix::Tab => "Tab",
            }
            .into(),
        );
        xdotool(&args).await?;
        Ok(())
    }

    /// A wedge burst whose Enter goes out last in the same `xdotool` run with no pause after it,
    /// so the moment the run ends is the moment the Enter reached the X server (within the
    /// process's exit): the time it gives back is when the scanner's last key was sent.
    /// With `pause`, the burst stops for `pause.1` after its first `pause.0` keys, as a
    /// stalled machine breaks one.
    pub async fn timed_scan(
        &self,
        code: &str,
        gap: Duration,
        pause: Option<(usize, Duration)>,
    ) -> E2eResult<SystemTime> {
        self.focus().await?;
        let mut args: Vec<String> = vec!["key".into(), "--delay".into(), ms(gap)];
        for (i, c) in code.chars().enumerate() {
            if let Some((at, pause)) = pause
                && i == at
            {
                args.extend(["sleep".into(), format!("{:.3}", pause.as_secs_f64())]);
                args.extend(["key".into(), "--delay".into(), ms(gap)]);
            }
            args.push(keysym(c)?);
        }
        args.extend(["key".into(), "--delay".into(), "0".into(), "Return".into()]);
        xdotool(&args).await?;
        Ok(SystemTime::now())
    }

    /// Keys by their X names (`ctrl+a`, `BackSpace`, `Escape`), one after another.
    pub async fn press_keys(&self, keys: &[&str]) -> E2eResult<()> {
        self.focus().await?;
        let mut args: Vec<String> = vec!["key".into()];
        args.extend(keys.iter().map(|k| k.to_string()));
        xdotool(&args).await?;
        Ok(())
    }
}
