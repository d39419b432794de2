//! Shared helpers for the `cashier` end-to-end tests: a sandbox hosted in the test process,
//! a till directory (config file, journal) per test, and a way to run the real binary with
//! every wait bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cashier_core::Attempt;

/// The PIN of the manager "boss" the manager's commands run as.
pub const BOSS_PIN: &str = "2468";
use cashier_core::journal::Journal;
use cashier_sandbox::{Ledger, Sandbox, SandboxConfig};
use serde_json::Value;
use tempfile::TempDir;
use tokio::runtime::Runtime;

pub const PREFIX: &str = "sz0100sbox";
/// WeChat code the sandbox charges at once.
pub const PAID_CODE: &str = "134520273825387649";
/// Password needed: the customer confirms about 6 s after the pay call.
pub const PASSWORD_CODE: &str = "134520273825381002";
pub const DECLINED_CODE: &str = "134520273825382222";

/// Longest a CLI command may take before the test kills it and fails.
pub const CMD_TIMEOUT: Duration = Duration::from_secs(60);

pub const BARCODE_CHANNELS: [&str; 3] = ["cloud-barcode", "pos-wechat-barcode", "koudai-barcode"];
pub const QR_CHANNELS: [&str; 3] = ["wechat-qr", "alipay-qr", "cloud-qr"];

pub fn is_qr(channel: &str) -> bool {
    QR_CHANNELS.contains(&channel)
}

/// A multi-threaded runtime that serves the sandboxes while the test thread blocks on
/// child processes.
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// `[poll.qr]` of the till's config file, in seconds.
#[derive(Debug, Clone, Copy)]
pub struct QrPoll {
    pub first_after: f64,
    pub every: f64,
    pub give_up: f64,
}

impl QrPoll {
    pub const LONG: QrPoll = QrPoll {
        first_after: 0.5,
        every: 0.5,
        give_up: 120.0,
    };
}

/// One till: its own directory with a config file and a journal, and its own sandbox.
pub struct Till {
    pub dir: TempDir,
    pub config: PathBuf,
    pub db: PathBuf,
    pub sandbox: Sandbox,
    pub password: String,
    pub authen_key: String,
}

impl Till {
    pub fn start(rt: &Runtime, qr: QrPoll) -> Till {
        Till::start_with(rt, qr, SandboxConfig::default())
    }

    pub fn start_with(rt: &Runtime, qr: QrPoll, sc: SandboxConfig) -> Till {
        let password = sc.password.clone();
        let authen_key = sc.authen_key.clone();
        assert_eq!(
            sc.order_prefix, PREFIX,
            "the CLI is pointed at the {PREFIX} prefix"
        );
        let sandbox = rt.block_on(Sandbox::start(sc)).expect("sandbox starts");
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("cashier.toml");
        let db = dir.path().join("journal.db");
        let toml = format!(
            "[poll]\nresolve_after = 3\n\n[poll.qr]\nfirst_after = {}\nevery = {}\ngive_up = {}\n\n\
             [poll.wechat_barcode]\nfirst_after = 0.3\nevery = 0.5\ngive_up = 20\n\n\
             [poll.koudai_barcode]\nfirst_after = 0.3\nevery = 0.5\ngive_up = 20\n\n\
             [poll.cloud_barcode]\nfirst_after = 0.3\nevery = 0.5\ngive_up = 20\n\n\
             [cloudpay]\nout_mch_id = \"sandbox-mch\"\nout_sub_mch_id = \"sandbox-sub-mch\"\n\
             out_shop_id = \"sandbox-shop\"\n",
            qr.first_after, qr.every, qr.give_up
        );
        std::fs::write(&config, toml).expect("write config");
        Till {
            dir,
            config,
            db,
            sandbox,
            password,
            authen_key,
        }
    }

    /// The binary with this till's environment: both backends on the sandbox, English.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = bare_command(self.dir.path());
        let url = self.sandbox.url();
        cmd.env("CASHIER_TOURV5_URL", &url)
            .env("CASHIER_CLOUDPAY_URL", &url)
            .env("CASHIER_CLOUDPAY_PREFIX", PREFIX)
            .env("CASHIER_CLOUDPAY_AUTHEN_KEY", &self.authen_key)
            .env("CASHIER_OPERATOR", "cashier")
            .env("CASHIER_DB", &self.db)
            .env("CASHIER_LANG", "en")
            .arg("--config")
            .arg(&self.config)
            .args(args);
        cmd
    }

    /// Runs a command to its end with the password on stdin.
    pub fn run(&self, args: &[&str]) -> Finished {
        self.spawn(args, &[]).finish(CMD_TIMEOUT)
    }

    /// Starts a command with the password on stdin (then closed) and extra env vars.
    pub fn spawn(&self, args: &[&str], env: &[(&str, &str)]) -> Running {
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Running::start(cmd, Some(format!("{}\n", self.password)))
    }

    pub fn ledger(&self) -> Ledger {
        self.sandbox.ledger()
    }

    pub fn journal(&self) -> Journal {
        Journal::open(&self.db).expect("journal opens")
    }

    /// Every attempt of the journal (the business days around today).
    pub fn attempts(&self) -> Vec<Attempt> {
        all_attempts(&self.journal())
    }

    pub fn attempts_of_bill(&self, bill: &str) -> Vec<Attempt> {
        self.attempts()
            .into_iter()
            .filter(|a| a.bill.as_str() == bill)
            .collect()
    }

    /// `cashier --json pay` with a payment code, to its end.
    pub fn pay_code(&self, channel: &str, bill: &str, amount: &str, code: &str) -> Finished {
        self.run(&pay_args(channel, bill, amount, Some(code)))
    }

    /// `cashier --json refund` by a manager: `amount` yuan, or all that is left for `None`.
    pub fn refund(&self, order: &str, amount: Option<&str>) -> Finished {
        self.spawn_refund(order, amount, &[]).finish(CMD_TIMEOUT)
    }

    /// [`Till::refund`], started with extra env vars (a failpoint) and left running.
    pub fn spawn_refund(&self, order: &str, amount: Option<&str>, env: &[(&str, &str)]) -> Running {
        let mut args = vec!["--json", "refund", "--order", order];
        if let Some(a) = amount {
            args.extend(["--amount", a]);
        }
        args.extend(["--note", "goods returned", "--manager", "boss"]);
        self.spawn_as_manager(&args, env)
    }

    /// Runs a manager's command (`--manager boss`): the password line, then boss's PIN on
    /// stdin; boss is added to the journal first if the till has no such manager yet.
    pub fn as_manager(&self, args: &[&str]) -> Finished {
        self.spawn_as_manager(args, &[]).finish(CMD_TIMEOUT)
    }

    fn spawn_as_manager(&self, args: &[&str], env: &[(&str, &str)]) -> Running {
        self.add_boss();
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Running::start(cmd, Some(format!("{}\n{BOSS_PIN}\n", self.password)))
    }

    /// The manager "boss" (PIN [`BOSS_PIN`]), as the first start's first manager would be.
    fn add_boss(&self) {
        use cashier_core::journal::NewManager;
        use cashier_core::managers::pin;
        let journal = self.journal();
        if journal.managers().unwrap().iter().any(|m| m.name == "boss") {
            return;
        }
        let secret = pin::secret_for_first(&pin::secret_path(&self.db)).unwrap();
        let hash = pin::hash(&secret, BOSS_PIN).unwrap();
        let boss = NewManager {
            name: "boss",
            pin_hash: &hash,
            staff_id: None,
            demo: false,
        };
        journal.insert_manager(&boss, chrono::Utc::now()).unwrap();
    }

    /// `cashier --json pay` of a QR code, running, with its `shown` event once the code is shown.
    pub fn show_qr(&self, channel: &str, bill: &str, amount: &str) -> (Running, Value) {
        let mut pay = self.spawn(&pay_args(channel, bill, amount, None), &[]);
        let shown = pay.wait_event(|e| e["state"] == "shown", Duration::from_secs(30));
        (pay, shown)
    }

    /// `cashier --json pay` of a QR channel, paid from the customer page as soon as the code
    /// is shown; returns the finished command.
    pub fn pay_qr_as_customer(
        &self,
        rt: &Runtime,
        channel: &str,
        bill: &str,
        amount: &str,
    ) -> Finished {
        let (pay, shown) = self.show_qr(channel, bill, amount);
        let url = shown["code_url"]
            .as_str()
            .expect("a shown event has a code_url")
            .to_string();
        let answer = customer_pays(rt, &url);
        assert_eq!(answer["state"], "paid", "customer page answer: {answer}");
        pay.finish(CMD_TIMEOUT)
    }
}

/// The arguments of `cashier --json pay`, with a payment code or (a QR channel) without.
pub fn pay_args<'a>(
    channel: &'a str,
    bill: &'a str,
    amount: &'a str,
    code: Option<&'a str>,
) -> Vec<&'a str> {
    let mut args = vec![
        "--json",
        "pay",
        "--channel",
        channel,
        "--bill",
        bill,
        "--amount",
        amount,
    ];
    if let Some(code) = code {
        args.extend(["--code", code]);
    }
    args
}

/// The binary with no CASHIER_ variable inherited and HOME / XDG dirs inside `home`, so a
/// developer's real configuration and journal can never be touched.
pub fn bare_command(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cashier"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("CASHIER_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("xdg-config"))
        .env("XDG_DATA_HOME", home.join("xdg-data"))
        .env("CASHIER_LOG", "warn");
    cmd
}

pub fn all_attempts(journal: &Journal) -> Vec<Attempt> {
    let today = chrono::Utc::now().date_naive();
    let mut out = Vec::new();
    for d in [today.pred_opt(), Some(today), today.succ_opt()]
        .into_iter()
        .flatten()
    {
        out.extend(journal.day(d).expect("journal day"));
    }
    out.sort_by_key(|a| a.id);
    out.dedup_by_key(|a| a.id);
    out
}

/// A finished command.
#[derive(Debug, Clone)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// The single JSON object a `--json` command prints on stdout.
    pub fn json(&self) -> Value {
        let lines: Vec<&str> = self
            .stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert_eq!(lines.len(), 1, "one JSON line on stdout expected:\n{self}");
        serde_json::from_str(lines[0])
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"))
    }

    /// The JSON progress events on stderr (other stderr lines, such as log lines, skipped).
    pub fn events(&self) -> Vec<Value> {
        json_lines(&self.stderr)
    }

    /// The order number of the attempt a `--json` command ended with.
    pub fn order_no(&self) -> String {
        let json = self.json();
        let no = json["order_no"].as_str();
        no.unwrap_or_else(|| panic!("no order_no:\n{self}"))
            .to_string()
    }

    pub fn assert_code(&self, want: i32) -> &Finished {
        assert_eq!(self.code(), Some(want), "exit code\n{self}");
        self
    }
}

impl std::fmt::Display for Finished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "status: {}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

pub fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| l.trim_start().starts_with('{'))
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// A running command whose stderr arrives line by line and whose stdout is collected.
pub struct Running {
    pub child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
    err_reader: Option<JoinHandle<()>>,
    out_reader: Option<JoinHandle<String>>,
    out_lines: Option<Receiver<String>>,
}

impl Running {
    pub fn start(mut cmd: Command, stdin: Option<String>) -> Running {
        cmd.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("cashier binary starts");
        let mut pipe = child.stdin.take();
        if let (Some(p), Some(text)) = (pipe.as_mut(), stdin) {
            // The password is the first line; closing stdin afterwards ends the input. A command
            // refused before it reads its password may already be gone: a broken pipe is fine.
            if let Err(e) = p.write_all(text.as_bytes()) {
                assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
            }
        }
        drop(pipe);
        let (tx, lines) = mpsc::channel();
        let stderr = child.stderr.take().expect("stderr piped");
        let err_reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let (otx, out_lines) = mpsc::channel();
        let mut stdout = child.stdout.take().expect("stdout piped");
        let out_reader = std::thread::spawn(move || {
            let mut all = Vec::new();
            let mut buf = [0u8; 4096];
            let mut pending = Vec::new();
            loop {
                match stdout.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        all.extend_from_slice(&buf[..n]);
                        pending.extend_from_slice(&buf[..n]);
                        while let Some(i) = pending.iter().position(|b| *b == b'\n') {
                            let line: Vec<u8> = pending.drain(..=i).collect();
                            let _ = otx.send(String::from_utf8_lossy(&line).trim_end().to_string());
                        }
                    }
                }
            }
            String::from_utf8_lossy(&all).into_owned()
        });
        Running {
            child,
            lines,
            seen: Vec::new(),
            err_reader: Some(err_reader),
            out_reader: Some(out_reader),
            out_lines: Some(out_lines),
        }
    }

    /// Waits for a stderr line matching `pred`; panics with everything seen on timeout or if
    /// the process ends first.
    pub fn wait_stderr(
        &mut self,
        what: &str,
        pred: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if pred(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    panic!(
                        "timed out after {timeout:?} waiting for {what}; stderr so far:\n{}",
                        self.seen.join("\n")
                    );
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().ok();
                    let out = self
                        .out_reader
                        .take()
                        .and_then(|h| h.join().ok())
                        .unwrap_or_default();
                    panic!(
                        "process ended ({status:?}) before {what}; stdout:\n{out}\nstderr:\n{}",
                        self.seen.join("\n")
                    );
                }
            }
        }
    }

    /// Waits for a JSON event on stderr matching `pred`.
    pub fn wait_event(&mut self, pred: impl Fn(&Value) -> bool, timeout: Duration) -> Value {
        let line = self.wait_stderr(
            "a JSON event",
            |l| serde_json::from_str::<Value>(l).is_ok_and(|v| pred(&v)),
            timeout,
        );
        serde_json::from_str(&line).expect("checked above")
    }

    /// Waits for a stdout line matching `pred` (for commands that stream on stdout).
    pub fn wait_stdout(
        &mut self,
        what: &str,
        pred: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> String {
        let deadline = Instant::now() + timeout;
        let rx = self.out_lines.as_ref().expect("stdout lines");
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if pred(&line) => return line,
                Ok(line) => seen.push(line),
                Err(e) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    panic!(
                        "{e:?} waiting for {what} on stdout; stdout so far:\n{}",
                        seen.join("\n")
                    );
                }
            }
        }
    }

    /// SIGKILL, as a power cut would; reaps the process.
    pub fn kill(mut self) -> Finished {
        self.child.kill().expect("SIGKILL");
        self.finish(Duration::from_secs(10))
    }

    /// Waits for the process to exit; on timeout kills it and hands back what it printed as
    /// `Err`, for a test that wants to say what went wrong rather than just "timed out".
    pub fn finish_within(mut self, timeout: Duration) -> Result<Finished, Finished> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.child.try_wait().expect("try_wait") {
                Some(_) => return Ok(self.finish(Duration::from_secs(5))),
                None if Instant::now() >= deadline => {
                    let _ = self.child.kill();
                    return Err(self.finish(Duration::from_secs(5)));
                }
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    /// Waits for the process to exit (killing it and failing on timeout) and collects output.
    pub fn finish(mut self, timeout: Duration) -> Finished {
        let deadline = Instant::now() + timeout;
        let status = loop {
            match self.child.try_wait().expect("try_wait") {
                Some(s) => break s,
                None if Instant::now() >= deadline => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    let rest: Vec<String> = self.lines.try_iter().collect();
                    panic!(
                        "command did not finish within {timeout:?}; stderr:\n{}\n{}",
                        self.seen.join("\n"),
                        rest.join("\n")
                    );
                }
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        if let Some(h) = self.err_reader.take() {
            let _ = h.join();
        }
        let stdout = self
            .out_reader
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        let mut stderr = std::mem::take(&mut self.seen);
        stderr.extend(self.lines.try_iter());
        Finished {
            status,
            stdout,
            stderr: stderr.join("\n"),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A test that panicked half-way must not leave a cashier process behind.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The customer's phone tapping "Pay" on the sandbox's page.
pub fn customer_pays(rt: &Runtime, url: &str) -> Value {
    rt.block_on(async {
        let resp = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client")
            .post(url)
            .header("Accept", "application/json")
            .send()
            .await
            .expect("customer page answers");
        resp.json::<Value>().await.expect("customer page JSON")
    })
}

/// A bill unique to this run: a tag and a counter, at most 20 printable characters.
pub fn bill(tag: &str, n: usize) -> String {
    let b = format!("{tag}-{n}-{}", std::process::id() % 10_000);
    assert!(b.len() <= 20, "bill {b} is too long");
    b
}
