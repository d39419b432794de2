//! The configuration file the driver writes for each till: its own journal and till id, both
//! backends on the sandbox, the Cloud Pay authen key in a key file (as a deployment keeps it),
//! short poll windows so thousands of payments fit in a run, and `[store]` when given.

use std::path::Path;

use cashier_core::Lang;
use cashier_core::backend::cloudpay::CloudPayConfig;
use cashier_core::backend::tourv5::TourV5Config;
use cashier_core::config::{Config, PollPolicy};
use cashier_core::store::{StoreConfig, StoreUrl};
use cashier_sandbox::SandboxConfig;

use crate::store_db::MERCHANT;

pub fn write(
    dir: &Path,
    till: &str,
    sandbox_url: &str,
    store: Option<StoreUrl>,
) -> Result<std::path::PathBuf, String> {
    let sb = SandboxConfig::default();
    let key = dir.join("cloudpay-authen.key");
    std::fs::write(&key, &sb.authen_key).map_err(|e| format!("{}: {e}", key.display()))?;
    let mut cfg = Config {
        till: till.to_string(),
        operator: sb.operator.clone(),
        lang: Lang::En,
        db_path: Some(dir.join("journal.db")),
        tourv5: Some(TourV5Config {
            base_url: sandbox_url.to_string(),
            ..TourV5Config::default()
        }),
        cloudpay: Some(CloudPayConfig {
            hosts: vec![sandbox_url.to_string()],
            order_prefix: sb.order_prefix.clone(),
            out_mch_id: sb.out_mch_id.clone(),
            out_sub_mch_id: sb.out_sub_mch_id.clone(),
            out_shop_id: sb.out_shop_id.clone(),
            ..CloudPayConfig::default()
        }),
        cloudpay_authen_key_file: Some(key),
        store: store.map(|url| StoreConfig {
            url,
            merchant: MERCHANT.into(),
            ..StoreConfig::default()
        }),
        ..Config::default()
    };
    // A barcode's customer types a password within 9 s (plan.rs); 25 s leaves room for a
    // sandbox restart on top. A QR customer pays within 2.5 s; 10 s before the till gives up.
    let barcode = PollPolicy::secs(1, 1, 25);
    cfg.poll.wechat_barcode = barcode;
    cfg.poll.koudai_barcode = barcode;
    cfg.poll.cloud_barcode = barcode;
    cfg.poll.qr = PollPolicy::secs(1, 1, 10);
    cfg.validate()
        .map_err(|e| format!("till {till}'s configuration: {e}"))?;
    let text = toml::to_string_pretty(&cfg).map_err(|e| e.to_string())?;
    let path = dir.join("cashier.toml");
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}
