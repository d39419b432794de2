//! Opening the till for a command through the opener (`cashier_open`: the configuration file,
//! the embedded sandbox when no backend is configured, announced here), and the login — with
//! the password read from stdin or a prompt, which is this front end's job. Everything else is
//! `Till`'s.

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use cashier_core::Error;
use cashier_core::config::Config;
use cashier_core::reasons::{ConfigError, Part};
use cashier_core::till::Till;
use cashier_open::ConfigFile;
use cashier_sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;

use crate::term::{diag, out};

/// A till opened for one command; the embedded sandbox lives as long as it.
pub struct Opened {
    pub till: Till,
    pub sandbox: Option<Sandbox>,
}

pub fn load_config(path: Option<PathBuf>) -> Result<Config, Error> {
    ConfigFile::at(path).load()
}

/// Opens the till, on the embedded sandbox when nothing is configured, and logs in.
pub async fn open(config: Option<PathBuf>, json: bool) -> Result<Opened, Error> {
    let file = ConfigFile::at(config);
    let cfg = file.load()?;
    open_with(cfg, file.path, json).await
}

pub async fn open_with(cfg: Config, path: PathBuf, json: bool) -> Result<Opened, Error> {
    let cashier_open::Opened {
        till,
        sandbox,
        note,
    } = cashier_open::open(cfg, path).await?;
    if sandbox.is_some() && !json {
        diag!("{}", cashier_open::NOTICE);
    }
    let operator = till.config().operator;
    let password = match &note {
        Some(note) => note.password.clone(),
        None if till.needs_password() => read_password()?,
        None => SecretString::from(String::new()),
    };
    till.login(&operator, password).await?;
    let recovered = till.recovery()?.checked.len();
    if recovered > 0 && !json {
        diag!("recovered {recovered} unfinished attempt(s) before anything else");
    }
    Ok(Opened { till, sandbox })
}

/// Opens the till without logging in, for the desk's commands (X, Z, the audit trail, the
/// managers): they read and write the journal only, never call a backend, so they ask for no
/// back-office password and work while the backends are down. Opened as a payment command
/// opens it, so the embedded sandbox's demo manager approves there as on the desktop.
pub async fn open_offline(config: Option<PathBuf>, json: bool) -> Result<Opened, Error> {
    let file = ConfigFile::at(config);
    let cfg = file.load()?;
    let cashier_open::Opened { till, sandbox, .. } = cashier_open::open(cfg, file.path).await?;
    if sandbox.is_some() && !json {
        diag!("{}", cashier_open::NOTICE);
    }
    Ok(Opened { till, sandbox })
}

/// The back-office password: the first line of stdin when it is not a terminal (scripts),
/// else a prompt without echo. Never argv, never the config file.
fn read_password() -> Result<SecretString, Error> {
    let stdin = std::io::stdin();
    let line = if stdin.is_terminal() {
        rpassword::prompt_password("Tour V5 password / 后台密码: ")
            .map_err(|e| Error::Internal(format!("password prompt: {e}")))?
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| Error::Internal(format!("reading the password from stdin: {e}")))?;
        line
    };
    Ok(SecretString::from(
        line.trim_end_matches(['\r', '\n']).to_string(),
    ))
}

pub async fn run_sandbox(addr: SocketAddr) -> Result<ExitCode, Error> {
    let sc = SandboxConfig {
        addr,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(sc.clone())
        .await
        .map_err(|e| ConfigError::Start {
            part: Part::Sandbox,
            error: format!("{addr}: {e}"),
        })?;
    out!("Cashier sandbox listening on {}", sandbox.url());
    out!(
        "  operator {} / password {} (public test credentials)",
        sc.operator,
        sc.password
    );
    out!(
        "  Cloud Pay authen key {} / order prefix {}",
        sc.authen_key,
        sc.order_prefix
    );
    out!("  ledger: {}_sandbox/ledger", sandbox.url());
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn login_check(config: Option<PathBuf>, json: bool) -> Result<ExitCode, Error> {
    let opened = open(config, json).await?;
    let status = opened.till.status();
    let s = &status.session;
    if json {
        out!(
            "{}",
            serde_json::json!({"merchant": s.merchant, "operator": s.operator,
                "clock_warning": s.clock_warning, "sandbox": status.sandbox})
        );
    } else {
        out!(
            "logged in: {} ({})",
            s.merchant.as_deref().unwrap_or("-"),
            s.operator
        );
        if let Some(w) = &s.clock_warning {
            out!("clock: {w}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
