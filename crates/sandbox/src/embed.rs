//! The embedded sandbox: with no backend configured, a front end runs against a sandbox in
//! its own process, clearly marked. The opener (`cashier_open`) decides when; this says how.

use cashier_core::Error;
use cashier_core::backend::cloudpay::CloudPayConfig;
use cashier_core::backend::tourv5::TourV5Config;
use cashier_core::config::Config;
use cashier_core::till::SandboxNote;
use secrecy::SecretString;

use crate::{Sandbox, SandboxConfig};

/// What every screen and log says while the sandbox stands in for the backends.
pub const NOTICE: &str = "沙箱 SANDBOX — 不产生真实交易 / no real money moves";

/// A sandbox on loopback standing in for both backends, and what a till needs to use it: the
/// public test credentials to show, and the Cloud Pay authen key to sign with.
pub struct StandIn {
    pub sandbox: Sandbox,
    pub note: SandboxNote,
    pub authen_key: SecretString,
}

/// Starts a sandbox on loopback and points both backends of `cfg` at it. Whether a till runs on
/// one is the opener's choice (`cashier_open`); keep the sandbox alive as long as the till.
pub async fn embed(cfg: &mut Config) -> Result<StandIn, Error> {
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
    Ok(StandIn {
        sandbox,
        note: SandboxNote {
            operator: sc.operator,
            password: SecretString::from(sc.password),
        },
        authen_key: SecretString::from(sc.authen_key),
    })
}
