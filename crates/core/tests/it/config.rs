//! Configuration: the README's example parses as documented, the environment overrides the
//! file, and bad values are refused with a message that names them.

use std::time::Duration;

use cashier_core::Lang;
use cashier_core::config::Config;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap()
}

/// Every ```toml block of the README, in order.
fn readme_tomls() -> Vec<String> {
    let readme = readme();
    let mut blocks = Vec::new();
    let mut rest = readme.as_str();
    while let Some(at) = rest.find("```toml\n") {
        let body = &rest[at + 8..];
        let end = body.find("```").expect("a closed toml block");
        blocks.push(body[..end].to_string());
        rest = &body[end + 3..];
    }
    blocks
}

/// The example of the README's "Configuration" section.
fn readme_toml() -> String {
    let readme = readme();
    let section = readme
        .find("## Configuration")
        .expect("a Configuration section in the README");
    let start = section + readme[section..].find("```toml\n").expect("its toml block") + 8;
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_string()
}

#[test]
fn every_toml_block_of_the_readme_is_a_valid_configuration() {
    let blocks = readme_tomls();
    assert!(blocks.len() >= 2, "{} toml blocks", blocks.len());
    for block in blocks {
        let cfg: Config = toml::from_str(&block).unwrap_or_else(|e| panic!("{e}\n{block}"));
        cfg.validate().unwrap_or_else(|e| panic!("{e}\n{block}"));
    }
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
    assert_eq!(cfg.printer.url, "tcp://192.168.1.50:9100");
    assert!(cfg.printer.owes_slips());
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

#[test]
fn the_store_section_is_absent_by_default_and_checked_when_present() {
    assert!(
        Config::parse("").unwrap().store.is_none(),
        "a single till ships nowhere"
    );
    let cfg = Config::parse(
        "[store]\nurl = \"postgres://till_01:pw@10.0.0.5:5432/store\"\nmerchant = \"M1\"\n",
    )
    .unwrap();
    let store = cfg.store.clone().unwrap();
    assert_eq!(store.batch, 500);
    assert_eq!(store.till_role, None);
    cfg.validate().unwrap();
    assert!(
        !format!("{cfg:?}").contains(":pw@"),
        "the password never shows in a log"
    );

    let e = Config::parse("[store]\nurl = \"x\"\nmerchnt = \"M1\"\n").unwrap_err();
    assert!(e.contains("store.merchnt"), "{e}");
    let bad =
        Config::parse("[store]\nurl = \"mysql://a:secret@h/db\"\nmerchant = \"M1\"\n").unwrap();
    let e = bad.validate().unwrap_err().to_string();
    assert!(e.contains("store.url") && !e.contains("secret"), "{e}");

    // The URL (and its password) may come from the environment alone.
    let mut cfg = Config::parse("[store]\nmerchant = \"M1\"\n").unwrap();
    cfg.apply_env(|k| match k {
        "CASHIER_STORE_URL" => Some("postgres://t:pw@h/db".to_string()),
        "CASHIER_STORE_CA_FILE" => Some("/etc/cashier/store-ca.pem".to_string()),
        _ => None,
    })
    .unwrap();
    let store = cfg.store.clone().unwrap();
    assert_eq!(store.effective_url().expose(), "postgres://t:pw@h/db");
    assert_eq!(
        store.ca_file.as_deref(),
        Some(std::path::Path::new("/etc/cashier/store-ca.pem"))
    );
    // Saving the settings writes the file's URL, never the environment's password.
    let saved = toml::to_string_pretty(&cfg).unwrap();
    assert!(!saved.contains(":pw@"), "{saved}");
}
