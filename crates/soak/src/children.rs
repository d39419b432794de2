//! The driver's child processes: the sandbox and the tills, started from the binaries beside
//! this one (one debug build serves all), their logs in the run's directory, and a till's
//! stdout read line by line into the driver's event channel.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

/// A binary beside this one (`target/debug/cashier-sandbox`).
pub fn sibling(name: &str) -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let path = me.with_file_name(name);
    if path.exists() {
        Ok(path)
    } else {
        Err(format!(
            "{} not found: build it first (cargo build -p cashier-sandbox)",
            path.display()
        ))
    }
}

fn log(path: &Path) -> Result<File, String> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The sandbox on `addr`, keeping its book in `state`, its log in `log_path`.
pub fn sandbox(addr: &str, state: &Path, log_path: &Path) -> Result<Child, String> {
    let out = log(log_path)?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    Command::new(sibling("cashier-sandbox")?)
        .args(["--addr", addr, "--state"])
        .arg(state)
        // Unpaid QR orders close after a minute: a walked-away customer's code ends by itself.
        .args(["--qr-ttl", "60"])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot start the sandbox: {e}"))
}

/// What a till process said, with which till slot and which start of it said it.
#[derive(Debug)]
pub struct TillLine {
    pub slot: usize,
    pub generation: u32,
    pub event: Value,
}

/// A till process; its stdout's JSON lines go to `events`, its stderr to `log_path`.
pub fn till(
    slot: usize,
    config: &Path,
    generation: u32,
    seed: u64,
    log_path: &Path,
    events: UnboundedSender<TillLine>,
) -> Result<Child, String> {
    let me = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let mut child = Command::new(me)
        .arg("till")
        .arg("--config")
        .arg(config)
        .args([
            "--generation",
            &generation.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .env("CASHIER_LOG", "warn")
        .env("CASHIER_LANG", "en")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log(log_path)?)
        .spawn()
        .map_err(|e| format!("cannot start till {slot}: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let event = serde_json::from_str(&line)
                .unwrap_or_else(|_| serde_json::json!({"ev": "text", "text": line}));
            if events
                .send(TillLine {
                    slot,
                    generation,
                    event,
                })
                .is_err()
            {
                break;
            }
        }
    });
    Ok(child)
}

/// Sends `signal` to a child still running.
pub fn signal(child: &Child, signal: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) on our own child's pid, not reaped yet (the caller holds the Child).
        unsafe {
            libc::kill(pid, signal);
        }
    }
}

/// SIGKILL and reap.
pub fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}
