//! The embedded sandbox: with no backend configured, a front end runs against a sandbox in
//! its own process, clearly marked. This is the one place that decides it, for the desktop app
//! and the `cashier` CLI alike.

use std::path::PathBuf;
use std::sync::Arc;

use cashier_core::cloudpay::CloudPayConfig;
use cashier_core::config::Config;
use cashier_core::till::{SandboxNote, Till, TillOptions};
use cashier_core::tourv5::TourV5Config;
use cashier_core::{Error, SystemClock};
use secrecy::SecretString;

use crate::{Sandbox, SandboxConfig};

/// What every screen and log says while the sandbox stands in for the backends.
pub const NOTICE: &str = "沙箱 SANDBOX — 不产生真实交易 / no real money moves";

/// With no backend in `cfg`, starts a sandbox on loopback and points both backends at it.
/// Returns the running sandbox (keep it alive as long as the till) and its public test
/// credentials for the till; `None` when a backend is configured.
pub async fn embed(cfg: &mut Config) -> Result<Option<(Sandbox, SandboxNote)>, Error> {
    if !cfg.is_sandbox() {
        return Ok(None);
    }
    let sc = SandboxConfig::default();
    let sandbox = Sandbox::start(sc.clone())
        .await
        .map_err(|e| Error::Internal(format!("cannot start the embedded sandbox: {e}")))?;
    cfg.tourv5 = Some(TourV5Config {
        base_url: sandbox.url(),
        ..TourV5Config::default()
    });
    cfg.cloudpay = Some(CloudPayConfig {
        hosts: vec![sandbox.url()],
        order_prefix: sc.order_prefix.clone(),
        out_mch_id: sc.out_mch_id.clone(),
        out_sub_mch_id: sc.out_sub_mch_id.clone(),
        out_shop_id: sc.out_shop_id.clone(),
        ..CloudPayConfig::default()
    });
    cfg.operator = sc.operator.clone();
    cfg.validate()?;
    let note = SandboxNote {
        operator: sc.operator,
        password: SecretString::from(sc.password),
        authen_key: SecretString::from(sc.authen_key),
    };
    Ok(Some((sandbox, note)))
}

/// A till as a front end opens it, with the sandbox standing in for the backends if any (keep it
/// alive as long as the till) and its public test credentials.
pub struct Opened {
    pub till: Till,
    pub sandbox: Option<Sandbox>,
    pub note: Option<SandboxNote>,
}

/// Opens the till on `cfg` (read from `config_path`), on an embedded sandbox when `cfg`
/// configures no backend: what the desktop app and the CLI both do at start.
pub async fn open_till(mut cfg: Config, config_path: PathBuf) -> Result<Opened, Error> {
    let (sandbox, note) = match embed(&mut cfg).await? {
        Some((sandbox, note)) => (Some(sandbox), Some(note)),
        None => (None, None),
    };
    let till = Till::open(
        cfg,
        Arc::new(SystemClock),
        TillOptions {
            sandbox: note.clone(),
            config_path: Some(config_path),
            // Order numbers' nonces differ between processes started in the same microsecond
            // only by pid; both go in.
            seed: u64::from(std::process::id())
                ^ chrono::Utc::now().timestamp_micros().unsigned_abs(),
        },
    )?;
    Ok(Opened {
        till,
        sandbox,
        note,
    })
}
