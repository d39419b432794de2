//! One tauri-driver per app instance, on its own pair of loopback ports, so tests can run side by
//! side. Its output, with WebKitWebDriver's and the app's (they inherit it), goes to a log file that
//! error messages quote.

use std::fs::OpenOptions;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::{E2eResult, process_tree};

const LISTEN_TIMEOUT: Duration = Duration::from_secs(15);
const STOP_TIMEOUT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(25);

pub struct TauriDriver {
    child: Child,
    port: u16,
    native_port: u16,
    log: PathBuf,
}

impl TauriDriver {
    /// Starts tauri-driver with `env` added to its environment (the app inherits it) and waits
    /// until it accepts connections.
    pub fn start(env: &[(String, PathBuf)], log: &Path) -> E2eResult<Self> {
        let (port, native_port) = free_port_pair()?;
        // Appended to, so a restart keeps what the first run said.
        let out = OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("opening {}", log.display()))?;
        let err = out.try_clone()?;
        let child = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .envs(env.iter().map(|(name, value)| (name, value)))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .context("starting tauri-driver (scripts/setup-desktop installs it)")?;
        let mut driver = TauriDriver {
            child,
            port,
            native_port,
            log: log.to_owned(),
        };
        driver.wait_until_listening()?;
        Ok(driver)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> E2eResult<i32> {
        Ok(i32::try_from(self.child.id())?)
    }

    /// The end of the driver's log (WebKitWebDriver's and the app's output included).
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let start = lines.len().saturating_sub(40);
        lines[start..].join("\n")
    }

    /// tauri-driver starts WebKitWebDriver and its own server at once, and forwards a session
    /// request without waiting for WebKitWebDriver: both ports must be open before one is sent.
    fn wait_until_listening(&mut self) -> E2eResult<()> {
        let started = Instant::now();
        let listening = |port| TcpStream::connect(("127.0.0.1", port)).is_ok();
        loop {
            if listening(self.port) && listening(self.native_port) {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "tauri-driver exited ({status}) before listening:\n{}",
                    self.log_tail()
                );
            }
            if started.elapsed() > LISTEN_TIMEOUT {
                bail!(
                    "tauri-driver not listening after {LISTEN_TIMEOUT:?}:\n{}",
                    self.log_tail()
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// SIGTERM, so tauri-driver stops WebKitWebDriver too (SIGKILL would leave it behind); whatever
    /// of the tree is still there afterwards (an app whose session was never closed) is killed.
    pub fn stop(&mut self) {
        if self.child.try_wait().ok().flatten().is_some() {
            return;
        }
        let Ok(pid) = self.pid() else { return };
        let tree = process_tree::tree(pid);
        let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        let started = Instant::now();
        while self.child.try_wait().ok().flatten().is_none() && started.elapsed() < STOP_TIMEOUT {
            std::thread::sleep(POLL);
        }
        for leftover in tree {
            let _ = kill(Pid::from_raw(leftover), Signal::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Two loopback ports that were free a moment ago: the OS picks them, so parallel tests don't
/// collide the way fixed ports would.
fn free_port_pair() -> E2eResult<(u16, u16)> {
    let first = TcpListener::bind(("127.0.0.1", 0))?;
    let second = TcpListener::bind(("127.0.0.1", 0))?;
    Ok((first.local_addr()?.port(), second.local_addr()?.port()))
}
