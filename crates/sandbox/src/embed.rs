//! The embedded sandbox: with no backend configured, a front end runs against a sandbox in
//! its own process, clearly marked. This is the one place that decides it, for the desktop app
//! and the `cashier` CLI alike.

use cashier_core::Error;
use cashier_core::cloudpay::CloudPayConfig;
use cashier_core::config::Config;
use cashier_core::till::SandboxNote;
use cashier_core::tourv5::TourV5Config;
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
