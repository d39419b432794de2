//! Decides whether an end-to-end test runs. `CASHIER_E2E=1` demands it (a missing display or
//! driver fails the test, so CI can never pass by skipping); `CASHIER_E2E=0` skips; unset, the test
//! runs where it can and otherwise is skipped with the reason on stderr.

use std::path::PathBuf;

pub enum Gate {
    Run,
    Skip(String),
}

const HOW: &str = "end-to-end tests run after scripts/setup-desktop, under \
                   `xvfb-run -a -s \"-screen 0 1280x800x24\"` with CASHIER_E2E=1 (as scripts/test-all runs them)";

pub fn decide() -> Result<Gate, String> {
    decide_also(None)
}

/// As [`decide`], with what else this test needs that is missing, if anything.
pub fn decide_also(also_missing: Option<String>) -> Result<Gate, String> {
    let required = match std::env::var("CASHIER_E2E").ok().as_deref() {
        Some("1") => true,
        Some("0") => return Ok(Gate::Skip("CASHIER_E2E=0".into())),
        None | Some("") => false,
        Some(other) => return Err(format!("CASHIER_E2E must be 0 or 1, not {other:?}")),
    };
    let missing = missing_prerequisite().or(also_missing);
    match (missing, required) {
        (None, _) => Ok(Gate::Run),
        (Some(what), true) => Err(format!("CASHIER_E2E=1 but {what}: {HOW}")),
        (Some(what), false) => Ok(Gate::Skip(format!("{what}; {HOW}"))),
    }
}

fn missing_prerequisite() -> Option<String> {
    let has_display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
    if !has_display {
        return Some("no display (DISPLAY and WAYLAND_DISPLAY are unset)".into());
    }
    for program in ["tauri-driver", "WebKitWebDriver"] {
        if find_on_path(program).is_none() {
            return Some(format!("{program} is not on PATH"));
        }
    }
    None
}

pub fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}
