//! Finds and kills a process with everything it started, read from /proc: the app runs as
//! tauri-driver → WebKitWebDriver → cashier-app → WebKitWebProcess / WebKitNetworkProcess.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// Parent of every process visible in /proc (processes that end while being read are left out).
fn parents() -> HashMap<i32, i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return HashMap::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| Some((pid, parent_of(pid)?)))
        .collect()
}

fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
    let after_comm = &stat[stat.rfind(')')? + 1..];
    after_comm.split_whitespace().nth(1)?.parse().ok()
}

/// `root` and all its descendants, parents before children.
pub fn tree(root: i32) -> Vec<i32> {
    let parents = parents();
    let mut found = vec![root];
    let mut next = 0;
    while let Some(&pid) = found.get(next) {
        found.extend(
            parents
                .iter()
                .filter(|&(_, &ppid)| ppid == pid)
                .map(|(&child, _)| child),
        );
        next += 1;
    }
    found
}

/// The descendant of `root` running `executable`, if any.
pub fn find_descendant(root: i32, executable: &Path) -> Option<i32> {
    let wanted = executable.canonicalize().ok()?;
    tree(root)
        .into_iter()
        .skip(1)
        .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == wanted))
}

/// SIGKILL to `root` and every descendant: what a crash or a power cut leaves behind.
/// The whole tree is listed before the first signal, so no child escapes by being re-parented.
pub fn kill_tree(root: i32) {
    for pid in tree(root) {
        // A process that already ended is what we wanted anyway.
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    }
}

/// Whether `pid` ends within `timeout` (a signal is delivered, not acted on, at once).
pub fn has_ended(pid: i32, timeout: Duration) -> bool {
    let started = Instant::now();
    while is_running(pid) {
        if started.elapsed() > timeout {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

/// Whether `pid` is still running: a killed process stays a zombie until its parent reaps it.
fn is_running(pid: i32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat
        .rfind(')')
        .and_then(|end| stat[end + 1..].split_whitespace().next());
    !matches!(state, None | Some("Z") | Some("X"))
}

/// The value of `name` in the environment `pid` was started with.
pub fn environment_of(pid: i32, name: &str) -> Option<String> {
    let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
    let prefix = format!("{name}=");
    environ
        .split(|&b| b == 0)
        .filter_map(|entry| std::str::from_utf8(entry).ok())
        .find_map(|entry| entry.strip_prefix(&prefix).map(str::to_owned))
}
