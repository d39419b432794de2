//! The fault injector: at random times one of armed sandbox faults (lost answers, 500s,
//! truncated JSON, slow answers, committed-then-hung answers), a sandbox restart (SIGKILL, then
//! started again on its state file), a SIGKILL of a till mid-payment and its restart, or the
//! store going away (the proxy cut). Each becomes a window in `faults.jsonl`.

use std::io::Write;
use std::time::{Duration, Instant};

use chrono::Utc;
use rand::Rng;
use serde_json::json;

use crate::children;
use crate::driver::Run;
use crate::faultlog::Window;

/// A sandbox fault armed and not yet fired: its window closes once the sandbox lists it no
/// more, `after` later (how long its effect lasts on the client).
pub struct Armed {
    window: usize,
    armed_at: Instant,
    after: Duration,
    /// The sandbox's list of faults is read once a second, not every turn of the loop.
    polled: Instant,
}

/// Something to undo later: the sandbox to start again, a till to restart, the store to bring
/// back.
pub enum Pending {
    Sandbox { at: Instant, window: usize },
    Till { at: Instant, slot: usize },
    Store { at: Instant, window: usize },
}

impl Pending {
    fn at(&self) -> Instant {
        match self {
            Pending::Sandbox { at, .. } | Pending::Till { at, .. } | Pending::Store { at, .. } => {
                *at
            }
        }
    }
}

const KINDS: [&str; 5] = [
    "reset",
    "http500",
    "malformed_json",
    "delay",
    "commit_then_hang",
];
/// Every backend call, or the calls where a lost answer hurts most: pay, query, issue, close.
const ENDPOINTS: [&str; 8] = [
    "*",
    "cpay/micro_pay",
    "cpay/query_order",
    "cpay/scan_code_pay",
    "cpay/close_order",
    "api/3Pay/*",
    "api/UnPos/3Pay/*",
    "api/Pos/*",
];
/// An armed fault that no call has met by then is taken off: its endpoint is idle.
const UNFIRED: Duration = Duration::from_secs(30);
/// The till's HTTP request timeout (core's default): how long a held-back answer costs it.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(15);

pub fn open_window(run: &mut Run, kind: &str, detail: String, till: Option<String>) -> usize {
    run.windows.push(Window {
        kind: kind.into(),
        detail,
        till,
        start: Utc::now(),
        end: None,
    });
    run.windows.len() - 1
}

pub fn close_window(run: &mut Run, w: usize, extra: Duration) {
    let end = Utc::now() + chrono::Duration::from_std(extra).unwrap_or_default();
    if let Some(window) = run.windows.get_mut(w) {
        window.end = Some(end);
        eprintln!(
            "soak {:>6.1}s: fault {} ({}) over",
            run.started.elapsed().as_secs_f64(),
            window.kind,
            window.detail
        );
    }
}

pub async fn inject(run: &mut Run) {
    if !run.pending.is_empty() || run.armed.is_some() {
        return;
    }
    let roll = run.rng.gen_range(0..100);
    let store = run.proxy.is_some();
    match roll {
        0..55 => arm(run).await,
        55..65 => restart_sandbox(run),
        65..90 => kill_till(run),
        _ if store => cut_store(run),
        _ => arm(run).await,
    }
}

async fn arm(run: &mut Run) {
    let kind = KINDS[run.rng.gen_range(0..KINDS.len())];
    let endpoint = ENDPOINTS[run.rng.gen_range(0..ENDPOINTS.len())];
    let count = run.rng.gen_range(1..=2u32);
    let delay_ms: u64 = if kind == "delay" {
        run.rng.gen_range(1_000..20_000)
    } else {
        0
    };
    let body = json!({"endpoint": endpoint, "kind": kind, "count": count, "delay_ms": delay_ms});
    let url = format!("{}_sandbox/faults", run.sandbox_url());
    match run.http.post(&url).json(&body).send().await {
        Ok(r) if r.status().is_success() => {}
        _ => return,
    }
    let after = match kind {
        "delay" => Duration::from_millis(delay_ms) + Duration::from_secs(1),
        "commit_then_hang" => CLIENT_TIMEOUT + Duration::from_secs(1),
        _ => Duration::from_secs(1),
    };
    let window = open_window(
        run,
        kind,
        format!(
            "{endpoint} ×{count}{}",
            if delay_ms > 0 {
                format!(" {delay_ms} ms")
            } else {
                String::new()
            }
        ),
        None,
    );
    eprintln!(
        "soak {:>6.1}s: armed {kind} on {endpoint} ×{count}",
        run.elapsed()
    );
    run.armed = Some(Armed {
        window,
        armed_at: Instant::now(),
        after,
        polled: Instant::now(),
    });
}

fn restart_sandbox(run: &mut Run) {
    let Some(mut sandbox) = run.sandbox.take() else {
        return;
    };
    children::kill(&mut sandbox);
    let window = open_window(
        run,
        "sandbox_restart",
        "SIGKILL, started again on its state file".into(),
        None,
    );
    let down = Duration::from_secs_f64(run.rng.gen_range(0.5..4.0));
    eprintln!(
        "soak {:>6.1}s: sandbox killed, down {:.1} s",
        run.elapsed(),
        down.as_secs_f64()
    );
    run.pending.push(Pending::Sandbox {
        at: Instant::now() + down,
        window,
    });
}

fn kill_till(run: &mut Run) {
    // Tills 01 and 02 are never killed: their processes live through the whole run, so their
    // memory and descriptors are measured from start to end.
    let paying: Vec<usize> = run
        .slots
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            *i >= 2 && s.child.is_some() && s.paying && s.started.elapsed() > Duration::from_secs(3)
        })
        .map(|(i, _)| i)
        .collect();
    if paying.is_empty() {
        return;
    }
    let slot = paying[run.rng.gen_range(0..paying.len())];
    let Some(mut child) = run.slots[slot].child.take() else {
        return;
    };
    children::kill(&mut child);
    let name = run.slots[slot].name.clone();
    let window = open_window(
        run,
        "till_kill",
        format!("till {name} SIGKILLed mid-payment"),
        Some(name.clone()),
    );
    run.slots[slot].kill_window = Some(window);
    let down = Duration::from_secs_f64(run.rng.gen_range(0.5..3.0));
    eprintln!(
        "soak {:>6.1}s: till {name} killed mid-payment",
        run.elapsed()
    );
    run.pending.push(Pending::Till {
        at: Instant::now() + down,
        slot,
    });
}

fn cut_store(run: &mut Run) {
    let Some(proxy) = &run.proxy else { return };
    proxy.cut();
    let down = Duration::from_secs_f64(run.rng.gen_range(3.0..15.0));
    let window = open_window(
        run,
        "store_cut",
        format!("proxy to PostgreSQL cut for {:.1} s", down.as_secs_f64()),
        None,
    );
    eprintln!("soak {:>6.1}s: store cut", run.elapsed());
    run.pending.push(Pending::Store {
        at: Instant::now() + down,
        window,
    });
}

/// Undoes what is due (all of it when `all`), and closes the window of an armed fault once
/// the sandbox no longer lists it.
pub async fn tick_with(run: &mut Run, all: bool) {
    let now = Instant::now();
    let (due, later): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut run.pending)
        .into_iter()
        .partition(|p| all || p.at() <= now);
    run.pending = later;
    for p in due {
        match p {
            Pending::Sandbox { window, .. } => {
                let started = run.spawn_sandbox();
                let ready = match started {
                    Ok(()) => run.sandbox_ready().await,
                    Err(e) => Err(e),
                };
                if let Err(e) = ready {
                    run.problems.push(format!("sandbox restart: {e}"));
                }
                close_window(run, window, Duration::from_secs(1));
            }
            Pending::Till { slot, .. } => {
                run.slots[slot].generation += 1;
                if let Err(e) = run.spawn_till(slot) {
                    run.problems.push(e);
                }
            }
            Pending::Store { window, .. } => {
                if let Some(proxy) = &run.proxy {
                    proxy.restore();
                }
                close_window(run, window, Duration::ZERO);
            }
        }
    }
    let Some(armed) = &mut run.armed else { return };
    if !all && armed.polled.elapsed() < Duration::from_secs(1) {
        return;
    }
    armed.polled = Instant::now();
    let (window, after, armed_at) = (armed.window, armed.after, armed.armed_at);
    if run.sandbox.is_none() {
        return;
    }
    let url = format!("{}_sandbox/faults", run.sandbox_url());
    let listed = match run.http.get(&url).send().await {
        Ok(r) => r.json::<Vec<serde_json::Value>>().await.ok(),
        Err(_) => None,
    };
    let restarted = run
        .windows
        .iter()
        .skip(window)
        .any(|w| w.kind == "sandbox_restart");
    let fired = listed.as_ref().is_some_and(Vec::is_empty) || restarted;
    if fired {
        close_window(run, window, after);
        run.armed = None;
    } else if all || armed_at.elapsed() > UNFIRED {
        let _ = run.http.delete(&url).send().await;
        if let Some(w) = run.windows.get_mut(window) {
            w.detail.push_str(" (taken off unfired)");
        }
        close_window(run, window, after);
        run.armed = None;
    }
}

pub async fn tick(run: &mut Run) {
    tick_with(run, false).await;
}

/// Every fault off: armed ones cleared, the sandbox and tills started again, the store back.
pub async fn all_off(run: &mut Run) {
    tick_with(run, true).await;
    let _ = run
        .http
        .delete(format!("{}_sandbox/faults", run.sandbox_url()))
        .send()
        .await;
}

/// Writes every window to `faults.jsonl`.
pub fn write_windows(run: &Run) -> std::io::Result<()> {
    let mut f = std::fs::File::create(run.opts.out.join("faults.jsonl"))?;
    for w in &run.windows {
        writeln!(f, "{}", serde_json::to_string(w).unwrap_or_default())?;
    }
    Ok(())
}
