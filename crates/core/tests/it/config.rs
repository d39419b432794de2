//! Configuration: the README's example parses as documented, the environment overrides the
//! file, and bad values are refused with a message that names them.

use std::time::Duration;

use cashier_core::Lang;
use cashier_core::config::Config;

fn readme_toml() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    // The configuration section's example (the printing section has a smaller one before it).
    let section = readme
        .find("## Configuration")
        .expect("a configuration section in the README");
    let start = section
        + readme[section..]
            .find("```toml\n")
            .expect("a toml block in the README's configuration section")
        + 8;
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_string()
}

#[test]
fn the_readme_example_is_a_valid_configuration() {
    let cfg: Config = toml::from_str(&readme_toml()).expect("README example parses");
    cfg.validate().unwrap();
    assert_eq!(cfg.till, "01");
    assert_eq!(cfg.tourv5.as_ref().unwrap().paytype_wechat, "WX");
    assert_eq!(cfg.cloudpay.as_ref().unwrap().hosts.len(), 4);
    assert_eq!(cfg.poll.wechat_barcode.give_up, Duration::from_secs(45));
    assert_eq!(
        cfg.poll.cloud_barcode.give_up,
        Duration::from_secs(120),
        "unset policies keep defaults"
    );
    assert_eq!(cfg.scanner.port, "/dev/ttyUSB0");
    assert!(!cfg.is_sandbox());
}

#[test]
fn empty_configuration_means_sandbox_with_protocol_defaults() {
    let cfg: Config = toml::from_str("").unwrap();
    assert!(cfg.is_sandbox());
    assert_eq!(cfg.lang, Lang::ZhCn);
    assert_eq!(cfg.poll.koudai_barcode.give_up, Duration::from_secs(60));
    assert_eq!(cfg.poll.qr.every, Duration::from_secs(2));
    assert_eq!(cfg.poll.qr.give_up, Duration::from_secs(300));
    assert_eq!(cfg.max_fen().unwrap().0, 10_000_000);
}

#[test]
fn environment_overrides_the_file() {
    let mut cfg: Config = toml::from_str(
        "[cloudpay]\nout_mch_id = \"m\"\nout_sub_mch_id = \"s\"\nout_shop_id = \"p\"\norder_prefix = \"01000052\"",
    )
    .unwrap();
    let env = |k: &str| match k {
        "CASHIER_TILL" => Some("07".to_string()),
        "CASHIER_TOURV5_URL" => Some("http://127.0.0.1:1/".to_string()),
        "CASHIER_CLOUDPAY_URL" => Some("http://a/, http://b/".to_string()),
        "CASHIER_CLOUDPAY_PREFIX" => Some("sz0100sbox".to_string()),
        "CASHIER_CLOUDPAY_STAFF_ID" => Some("mgr-0042".to_string()),
        "CASHIER_LANG" => Some("en".to_string()),
        _ => None,
    };
    cfg.apply_env(env).unwrap();
    assert_eq!(cfg.till, "07");
    assert_eq!(cfg.lang, Lang::En);
    assert_eq!(cfg.tourv5.unwrap().base_url, "http://127.0.0.1:1/");
    let cp = cfg.cloudpay.unwrap();
    assert_eq!(cp.hosts, ["http://a/", "http://b/"]);
    assert_eq!(cp.order_prefix, "sz0100sbox");
    assert_eq!(cp.staff_id, "mgr-0042");
}

#[test]
fn bad_values_are_refused_by_name() {
    for (toml_text, word) in [
        ("till = \"\"", "till"),
        ("till = \"TOO-LONG\"", "till"),
        ("timezone = \"Mars/Base\"", "timezone"),
        ("max_amount = \"abc\"", "max_amount"),
        ("no_such_key = 1", "no_such_key"),
        ("[cloudpay]\norder_prefix = \"sbx\"", "out_mch_id"),
        (
            "till = \"0001\"\norder_prefix = \"PREFIX7\"",
            "order_prefix",
        ),
        (
            "till = \"01\"\n[cloudpay]\norder_prefix = \"sz01abcde\"\nout_mch_id = \"m\"\nout_sub_mch_id = \"s\"\nout_shop_id = \"p\"",
            "cloudpay.order_prefix",
        ),
    ] {
        let err = match toml::from_str::<Config>(toml_text) {
            Err(e) => e.to_string(),
            Ok(cfg) => cfg.validate().unwrap_err().to_string(),
        };
        assert!(err.contains(word), "{toml_text}: {err}");
    }
    let mut cfg = Config::default();
    let err = cfg
        .apply_env(|k| (k == "CASHIER_LANG").then(|| "fr".to_string()))
        .unwrap_err();
    assert!(err.to_string().contains("CASHIER_LANG"));
    let missing = std::path::Path::new("/nonexistent/cashier.toml");
    assert!(
        Config::load(missing, true).is_err(),
        "an explicit file must exist"
    );
    assert!(
        Config::load(missing, false).is_ok(),
        "the default file may be absent"
    );
}
