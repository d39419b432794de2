//! A display with two monitors side by side, 1280x800 each, for the customer display's tests.
//!
//! Xvfb cannot make one: it has a single RandR output, and `xrandr --setmonitor` adds monitors
//! without an output, which GTK skips (it lists a monitor by its output). The X.Org server with
//! its dummy driver (Debian `xserver-xorg-core`, `xserver-xorg-video-dummy`) has four virtual
//! outputs: the second is given a mode and put right of the first (`xrandr`, Debian
//! `x11-xserver-utils`), as a second monitor plugged in would be. The server is this test's own,
//! on a display number of its own, and is stopped with it. `-noreset`: without it the server
//! resets when its last client (`xrandr`) leaves, and forgets the layout.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::E2eResult;
use super::gate::find_on_path;

pub const MONITOR_WIDTH: u64 = 1280;
pub const MONITOR_HEIGHT: u64 = 800;
const DUMMY_DRIVER: &str = "/usr/lib/xorg/modules/drivers/dummy_drv.so";
const START_TIMEOUT: Duration = Duration::from_secs(20);

const CONFIG: &str = include_str!("xorg-two-monitors.conf");

/// What is missing on this machine for a two-monitor display, if anything.
pub fn missing() -> Option<String> {
    for program in ["Xorg", "xrandr"] {
        if find_on_path(program).is_none() {
            return Some(format!(
                "{program} is not on PATH (scripts/setup-desktop installs it)"
            ));
        }
    }
    if !Path::new(DUMMY_DRIVER).is_file() {
        return Some(format!(
            "no {DUMMY_DRIVER} (Debian xserver-xorg-video-dummy; scripts/setup-desktop installs it)"
        ));
    }
    None
}

/// An X server with two monitors: `:N`, monitor 0 at x 0, monitor 1 at x 1280.
pub struct TwoMonitors {
    server: Child,
    display: String,
    /// The server's configuration and log.
    _dir: tempfile::TempDir,
}

impl TwoMonitors {
    pub fn start() -> E2eResult<TwoMonitors> {
        let dir = tempfile::Builder::new()
            .prefix("cashier-e2e-xorg-")
            .tempdir()?;
        let number = free_display()?;
        let display = format!(":{number}");
        let config = dir.path().join("xorg.conf");
        std::fs::write(&config, CONFIG)?;
        let log = dir.path().join("xorg.log");
        let out = std::fs::File::create(dir.path().join("xorg.out"))?;
        let server = Command::new("Xorg")
            .arg(&display)
            .arg("-config")
            .arg(&config)
            .arg("-logfile")
            .arg(&log)
            .args(["-noreset", "-nolisten", "tcp"])
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .context("starting Xorg (Debian xserver-xorg-core)")?;
        let mut monitors = TwoMonitors {
            server,
            display,
            _dir: dir,
        };
        monitors.wait_until_up(&log)?;
        monitors.xrandr(&["--addmode", "DUMMY1", "1280x800"])?;
        monitors.xrandr(&[
            "--output",
            "DUMMY1",
            "--mode",
            "1280x800",
            "--right-of",
            "DUMMY0",
        ])?;
        let listed = monitors.xrandr(&["--listmonitors"])?;
        if !listed.contains("Monitors: 2") {
            bail!("the dummy X server did not make two monitors:\n{listed}");
        }
        Ok(monitors)
    }

    /// `:N`, for `DISPLAY`.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// Runs `xrandr` on this display; gives its output.
    pub fn xrandr(&self, args: &[&str]) -> E2eResult<String> {
        let out = Command::new("xrandr")
            .args(args)
            .env("DISPLAY", &self.display)
            .stdin(Stdio::null())
            .output()
            .context("running xrandr (Debian x11-xserver-utils)")?;
        if !out.status.success() {
            bail!(
                "xrandr {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The whole screen, both monitors side by side, as a PNG at `path` (ImageMagick's `import`).
    pub fn screenshot(&self, path: &Path) -> E2eResult<PathBuf> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let status = Command::new("import")
            .args(["-display", &self.display, "-window", "root"])
            .arg(path)
            .stdin(Stdio::null())
            .status()
            .context("running import (Debian imagemagick)")?;
        if !status.success() {
            bail!("import could not take the screen");
        }
        Ok(path.to_owned())
    }

    fn wait_until_up(&mut self, log: &Path) -> E2eResult<()> {
        let started = Instant::now();
        loop {
            if self.xrandr(&["--query"]).is_ok() {
                return Ok(());
            }
            if let Some(status) = self.server.try_wait()? {
                let said = std::fs::read_to_string(log).unwrap_or_default();
                let tail: Vec<&str> = said.lines().rev().take(20).collect();
                bail!(
                    "Xorg exited ({status}):\n{}",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
            if started.elapsed() > START_TIMEOUT {
                bail!("Xorg not answering after {START_TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for TwoMonitors {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.server.id()) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        let _ = self.server.wait();
    }
}

/// A display number no server holds (no lock file, no socket).
fn free_display() -> E2eResult<u32> {
    (60..100)
        .find(|n| {
            !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
        })
        .context("no free X display number between :60 and :99")
}
