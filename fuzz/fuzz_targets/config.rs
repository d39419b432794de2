//! The configuration loader (`Config::parse`, then `validate`), from TOML text. Whatever it
//! reads, validating never panics; a configuration it reads writes back out as the settings
//! screen writes it (`toml::to_string_pretty`), and that text reads again to the same
//! configuration, as valid or invalid as it was.
#![no_main]

use cashier_core::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(cfg) = Config::parse(text) else { return };
    let valid = cfg.validate().is_ok();
    let _ = (
        cfg.tz(),
        cfg.max_fen(),
        cfg.order_schemes(),
        cfg.is_sandbox(),
    );
    let mut env = cfg.clone();
    let _ = env.apply_env(|_| None);
    let out = match toml::to_string_pretty(&cfg) {
        Ok(out) => out,
        Err(e) if valid => panic!("a valid configuration cannot be saved: {e}\n{text}"),
        Err(_) => return,
    };
    let again = Config::parse(&out).unwrap_or_else(|e| panic!("{out}\nreads back as {e}"));
    let out2 = toml::to_string_pretty(&again).unwrap_or_else(|e| panic!("{out}\nwrites as {e}"));
    assert_eq!(out, out2, "from {text:?}");
    assert_eq!(again.validate().is_ok(), valid, "{out}");
});
