//! From configuration to a ready checkout: the embedded sandbox when no backend is set,
//! the back-office login, the journal, and start-up recovery.

use crate::term::{diag, out};
use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use cashier_core::checkout::{
    Backends, Checkout, CheckoutSettings, RecoveryReport, SendRetry, TourV5Link,
};
use cashier_core::cloudpay::{CloudPay, CloudPayConfig};
use cashier_core::config::Config;
use cashier_core::crypto::AuthenKey;
use cashier_core::http::Http;
use cashier_core::journal::Journal;
use cashier_core::tourv5::{TourV5, TourV5Config};
use cashier_core::{Attempt, Error, Lang, SystemClock};
use cashier_sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;

const SANDBOX_NOTICE: &str =
    "SANDBOX 沙盒模式 — no backend configured; payments are simulated, no money moves.";

pub struct Context {
    pub cfg: Config,
    pub json: bool,
    pub lang: Lang,
    pub checkout: Arc<Checkout>,
    pub recovery: RecoveryReport,
    /// Kept alive for the command's lifetime when no backend is configured.
    pub sandbox: Option<Sandbox>,
}

pub fn load_config(path: Option<PathBuf>) -> Result<Config, Error> {
    match path {
        Some(p) => Config::load(&p, true),
        None => Config::load(&Config::default_path(), false),
    }
}

impl Context {
    pub async fn open(config_path: Option<PathBuf>, json: bool) -> Result<Context, Error> {
        let cfg = load_config(config_path)?;
        Context::open_with(cfg, json).await
    }

    pub async fn open_with(mut cfg: Config, json: bool) -> Result<Context, Error> {
        let sandbox = sandbox_if_unconfigured(&mut cfg, json).await?;
        let backends = connect(&cfg, sandbox.as_ref()).await?;
        let journal = Arc::new(Journal::open(&cfg.db_path_or_default())?);
        let settings = CheckoutSettings {
            operator: cfg.operator.clone(),
            orders: cfg.order_schemes()?,
            tz: cfg.tz()?,
            polls: cfg.poll,
            send_retry: SendRetry::default(),
            resolve_after: cfg.poll.resolve_after,
            qr_payable_for: std::time::Duration::from_secs(
                cfg.tourv5
                    .as_ref()
                    .map_or(2 * 60 * 60, |t| t.qr_payable_secs),
            ),
        };
        let seed =
            u64::from(std::process::id()) ^ chrono::Utc::now().timestamp_micros().unsigned_abs();
        let (checkout, recovery) =
            Checkout::open(journal, backends, settings, Arc::new(SystemClock), seed).await?;
        if !recovery.checked.is_empty() && !json {
            diag!(
                "recovered {} unfinished attempt(s) before anything else",
                recovery.checked.len()
            );
        }
        Ok(Context {
            lang: cfg.lang,
            json,
            cfg,
            checkout,
            recovery,
            sandbox,
        })
    }

    pub fn json_mode(&self) -> bool {
        self.json
    }

    pub fn attempt_by_order(&self, order: &str) -> Result<Attempt, Error> {
        self.checkout
            .journal()
            .by_order_no(order)?
            .ok_or_else(|| Error::NotAllowed(format!("no attempt with order number {order:?}")))
    }
}

/// With no backend configured: the embedded sandbox, announced (PROTOCOLS: "clearly marked").
async fn sandbox_if_unconfigured(cfg: &mut Config, json: bool) -> Result<Option<Sandbox>, Error> {
    if !cfg.is_sandbox() {
        return Ok(None);
    }
    let sandbox = start_embedded(cfg).await?;
    if !json {
        diag!("{SANDBOX_NOTICE}");
    }
    Ok(Some(sandbox))
}

/// Starts the sandbox in this process and points both backends at it.
async fn start_embedded(cfg: &mut Config) -> Result<Sandbox, Error> {
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .map_err(|e| Error::Config(format!("cannot start the embedded sandbox: {e}")))?;
    let sc = SandboxConfig::default();
    cfg.tourv5 = Some(TourV5Config {
        base_url: sandbox.url(),
        ..TourV5Config::default()
    });
    cfg.cloudpay = Some(CloudPayConfig {
        hosts: vec![sandbox.url()],
        order_prefix: sc.order_prefix.clone(),
        out_mch_id: "sandbox-mch".into(),
        out_sub_mch_id: "sandbox-sub-mch".into(),
        out_shop_id: "sandbox-shop".into(),
        ..CloudPayConfig::default()
    });
    cfg.operator = sc.operator.clone();
    Ok(sandbox)
}

async fn connect(cfg: &Config, sandbox: Option<&Sandbox>) -> Result<Backends, Error> {
    let http = Http::new(cfg.http)?;
    let clock = Arc::new(SystemClock);
    let mut backends = Backends::default();
    if let Some(tv_cfg) = &cfg.tourv5 {
        let client = TourV5::new(http.clone(), tv_cfg.clone(), clock.clone())?;
        let password = match sandbox {
            Some(_) => SecretString::from(SandboxConfig::default().password),
            None => read_password()?,
        };
        let session = client.login(&cfg.operator, &password).await?;
        drop(password);
        backends.tourv5 = Some(TourV5Link::new(client, session));
    }
    if let Some(cp_cfg) = &cfg.cloudpay {
        let key = match sandbox {
            Some(_) => SecretString::from(SandboxConfig::default().authen_key),
            None => read_authen_key(cfg)?,
        };
        backends.cloudpay = Some(CloudPay::new(http, cp_cfg.clone(), AuthenKey::new(key)?)?);
    }
    Ok(backends)
}

/// The back-office password: the first line of stdin when it is not a terminal (scripts),
/// else a prompt without echo. Never argv, never the config file.
fn read_password() -> Result<SecretString, Error> {
    let stdin = std::io::stdin();
    let line = if stdin.is_terminal() {
        rpassword::prompt_password("Tour V5 password / 后台密码: ")
            .map_err(|e| Error::Config(format!("password prompt: {e}")))?
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| Error::Config(format!("reading the password from stdin: {e}")))?;
        line
    };
    let pw = line.trim_end_matches(['\r', '\n']).to_string();
    if pw.is_empty() {
        return Err(Error::Config(
            "no Tour V5 password given (stdin or prompt)".into(),
        ));
    }
    Ok(SecretString::from(pw))
}

fn read_authen_key(cfg: &Config) -> Result<SecretString, Error> {
    if let Ok(k) = std::env::var("CASHIER_CLOUDPAY_AUTHEN_KEY") {
        return Ok(SecretString::from(k));
    }
    match &cfg.cloudpay_authen_key_file {
        Some(path) => std::fs::read_to_string(path)
            .map(|s| SecretString::from(s.trim().to_string()))
            .map_err(|e| Error::Config(format!("Cloud Pay authen key file {}: {e}", path.display()))),
        None => Err(Error::Config(
            "Cloud Pay is configured but no authen key: set CASHIER_CLOUDPAY_AUTHEN_KEY or cloudpay_authen_key_file".into(),
        )),
    }
}

pub async fn run_sandbox(addr: SocketAddr) -> Result<ExitCode, Error> {
    let sc = SandboxConfig {
        addr,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(sc.clone())
        .await
        .map_err(|e| Error::Config(format!("cannot start the sandbox on {addr}: {e}")))?;
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

pub async fn login_check(config_path: Option<PathBuf>, json: bool) -> Result<ExitCode, Error> {
    let mut cfg = load_config(config_path)?;
    let sandbox = sandbox_if_unconfigured(&mut cfg, json).await?;
    let backends = connect(&cfg, sandbox.as_ref()).await?;
    match backends.tourv5 {
        Some(link) => {
            let s = &link.session();
            if json {
                out!(
                    "{}",
                    serde_json::json!({"merchant": s.merchant_name, "user": s.user_alias, "operator": s.operator,
                        "clock_skew_s": s.clock_skew.num_seconds(), "tdes_profile": s.tdes_profile, "sandbox": sandbox.is_some()})
                );
            } else {
                out!(
                    "logged in: {} — {} ({})",
                    s.merchant_name,
                    s.user_alias,
                    s.operator
                );
                out!(
                    "clock skew {} s; TripleDES profile {:?}",
                    s.clock_skew.num_seconds(),
                    s.tdes_profile
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        None => Err(Error::Config("no Tour V5 back office configured".into())),
    }
}
