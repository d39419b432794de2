//! `cashier-sandbox [--addr 127.0.0.1:8686]`: runs the sandbox until Ctrl-C.

use std::net::SocketAddr;
use std::process::ExitCode;

use cashier_sandbox::{Sandbox, SandboxConfig};

const DEFAULT_ADDR: &str = "127.0.0.1:8686";
/// A QR code is shown for minutes; a week is plenty for any test and keeps every expiry a
/// time the clock can hold.
const MAX_QR_TTL_SECS: u64 = 7 * 24 * 3600;
const USAGE: &str =
    "usage: cashier-sandbox [--addr HOST:PORT] [--tdes-profile PROFILE] [--qr-ttl SECONDS]
                       [--hawk-key-bytes utf8|hex] [--password-key-paths A,B]
                       [--pos-bill-paid-state S] [--koudai-query-path P]
                       [--paytype-wechat C] [--paytype-alipay C] [--paytype-koudai C]
                       [--out-mch-id ID] [--out-sub-mch-id ID] [--out-shop-id ID]
                       [--clock-offset-secs N] [--hawk-skew-secs N] [--state FILE]
  --addr                where to listen (default 127.0.0.1:8686; env CASHIER_SANDBOX_ADDR)
  --tdes-profile        sha256-ecb (default), ascii-ecb, md5-two-key-ecb or sha256-cbc
  --qr-ttl              seconds an unpaid QR order stays payable (default 300, at most 604800)
  --hawk-key-bytes      utf8 (default) or hex: how HAWK key strings become key bytes
  --password-key-paths  comma-separated path prefixes signed with UPPER(MD5(password)) after
                        login (default api/Pos/; \"\" for none); the others need the session key
  --pos-bill-paid-state the POS bill status paystate meaning fully paid (default 3)
  --koudai-query-path   where the KouDaiLQ query is served (default api/3Pay/KouDaiLQ/Query)
  --paytype-wechat, --paytype-alipay, --paytype-koudai
                        the back office's payment-method codes (default WX, ZF, KD)
  Set these as the app's Tour V5 settings of the same names (paytype_wechat, ...).
  --out-mch-id, --out-sub-mch-id, --out-shop-id
                        the merchant's Cloud Pay accounts every pay_mch_key must name
                        (default sandbox-mch, sandbox-sub-mch, sandbox-shop)
  --state FILE          keep orders, charges, refunds, bills and used codes in FILE, so a
                        sandbox started again on it remembers them (sessions are not kept:
                        clients log in again); default: in memory only
  --clock-offset-secs   the sandbox's own clock, seconds ahead of this machine's (negative:
                        behind; default 0, at most ten years): test a till whose clock is off
LENIENT (off by default; real deployments may differ):
  --hawk-skew-secs      how far a HAWK ts may be from the sandbox's clock, login included
                        (default 60, HAWK's usual window; 1 to 86400). HAWK servers make this
                        a setting: a wider one hides a till that cannot correct its clock.";

/// Seconds for `--clock-offset-secs` and `--hawk-skew-secs`, range-checked by
/// `Sandbox::start`.
fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{name} takes a whole number of seconds, not {value:?}"))
}

fn parse_args(args: &[String]) -> Result<SandboxConfig, String> {
    let mut cfg = SandboxConfig::default();
    let mut addr = std::env::var("CASHIER_SANDBOX_ADDR").unwrap_or_else(|_| DEFAULT_ADDR.into());
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (flag.as_str(), None),
        };
        if name == "--help" || name == "-h" {
            return Err(String::new());
        }
        let value = match inline.or_else(|| it.next().cloned()) {
            Some(v) => v,
            None => return Err(format!("{name} needs a value")),
        };
        match name {
            "--addr" => addr = value,
            "--tdes-profile" => {
                cfg.tdes_profile = serde_json::from_value(serde_json::Value::String(value.clone()))
                    .map_err(|_| format!("unknown TripleDES profile {value:?}"))?;
            }
            "--hawk-key-bytes" => {
                cfg.hawk_key_bytes =
                    serde_json::from_value(serde_json::Value::String(value.clone()))
                        .map_err(|_| format!("--hawk-key-bytes is utf8 or hex, not {value:?}"))?;
            }
            "--qr-ttl" => {
                let secs: u64 = value
                    .parse()
                    .ok()
                    .filter(|&s| s <= MAX_QR_TTL_SECS)
                    .ok_or_else(|| {
                        format!(
                            "--qr-ttl takes seconds up to {MAX_QR_TTL_SECS} (7 days), not {value:?}"
                        )
                    })?;
                cfg.qr_ttl = std::time::Duration::from_secs(secs);
            }
            "--password-key-paths" => {
                cfg.password_key_paths = value
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            "--pos-bill-paid-state" => cfg.pos_bill_paid_state = value,
            "--koudai-query-path" => cfg.koudai_query_path = value,
            "--paytype-wechat" => cfg.paytype_wechat = value,
            "--paytype-alipay" => cfg.paytype_alipay = value,
            "--paytype-koudai" => cfg.paytype_koudai = value,
            "--out-mch-id" => cfg.out_mch_id = value,
            "--out-sub-mch-id" => cfg.out_sub_mch_id = value,
            "--out-shop-id" => cfg.out_shop_id = value,
            "--clock-offset-secs" => cfg.clock_offset_secs = number(name, &value)?,
            "--hawk-skew-secs" => cfg.hawk_skew_secs = number(name, &value)?,
            "--state" => cfg.state = Some(value.into()),
            other => return Err(format!("unknown option {other}")),
        }
    }
    cfg.addr = addr
        .parse::<SocketAddr>()
        .map_err(|_| format!("--addr takes HOST:PORT such as {DEFAULT_ADDR}, not {addr:?}"))?;
    Ok(cfg)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match parse_args(&args) {
        Ok(cfg) => cfg,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}");
            }
            eprintln!("{USAGE}");
            return if message.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    let shown = cfg.clone();
    let sandbox = match Sandbox::start(cfg).await {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            eprintln!("{e}");
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("cannot start the sandbox on {}: {e}", shown.addr);
            return ExitCode::FAILURE;
        }
    };
    // Sandbox credentials are public test values, printed so the app can be configured.
    println!("Cashier sandbox listening on {}", sandbox.url());
    println!("  Tour V5 operator:      {}", shown.operator);
    println!("  Tour V5 password:      {}", shown.password);
    println!("  Cloud Pay authen key:  {}", shown.authen_key);
    println!("  Cloud Pay order prefix: {}", shown.order_prefix);
    let profile = serde_json::to_value(shown.tdes_profile).unwrap_or_default();
    println!(
        "  TripleDES profile:     {}",
        profile.as_str().unwrap_or("?")
    );
    let password_paths = match shown.password_key_paths.join(",") {
        none if none.is_empty() => "(none)".to_string(),
        paths => paths,
    };
    println!("  password-key paths:    {password_paths}");
    println!("  POS bill paid state:   {}", shown.pos_bill_paid_state);
    println!("  KouDaiLQ query path:   {}", shown.koudai_query_path);
    println!(
        "  paytypes:              WeChat {}, Alipay {}, KouDaiLQ {}",
        shown.paytype_wechat, shown.paytype_alipay, shown.paytype_koudai
    );
    println!(
        "  Cloud Pay accounts:    out_mch_id {}, out_sub_mch_id {}, out_shop_id {}",
        shown.out_mch_id, shown.out_sub_mch_id, shown.out_shop_id
    );
    println!(
        "  clock offset:          {} s; HAWK window {} s{}",
        shown.clock_offset_secs,
        shown.hawk_skew_secs,
        if shown.hawk_skew_secs > cashier_sandbox::HAWK_SKEW_SECS {
            " (LENIENT)"
        } else {
            ""
        }
    );
    println!("  ledger: {}_sandbox/ledger", sandbox.url());
    if let Some(state) = &shown.state {
        println!("  state file:            {}", state.display());
    }
    stopped().await;
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}

/// Ctrl-C, or SIGTERM from a service manager or `docker stop`.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("cannot wait for Ctrl-C: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_QR_TTL_SECS, parse_args};

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn deployment_assumptions_are_flags() {
        let cfg = parse_args(&args(&[
            "--addr",
            "127.0.0.1:0",
            "--password-key-paths",
            "api/Pos/, api/3Pay/",
            "--pos-bill-paid-state=9",
            "--koudai-query-path",
            "api/3Pay/KouDaiLQ/QueryResult",
        ]));
        let Ok(cfg) = cfg else {
            panic!("{cfg:?}");
        };
        assert_eq!(cfg.password_key_paths, ["api/Pos/", "api/3Pay/"]);
        assert_eq!(cfg.pos_bill_paid_state, "9");
        assert_eq!(cfg.koudai_query_path, "api/3Pay/KouDaiLQ/QueryResult");
        let none = parse_args(&args(&[
            "--addr",
            "127.0.0.1:0",
            "--password-key-paths",
            "",
        ]));
        assert_eq!(none.map(|c| c.password_key_paths), Ok(Vec::new()));
        let default = parse_args(&args(&["--addr", "127.0.0.1:0"]));
        let Ok(default) = default else {
            panic!("{default:?}");
        };
        assert_eq!(default.password_key_paths, ["api/Pos/"]);
        assert_eq!(default.pos_bill_paid_state, "3");
        assert_eq!(default.koudai_query_path, "api/3Pay/KouDaiLQ/Query");
        assert!(parse_args(&args(&["--koudai-query-path"])).is_err());
    }

    #[test]
    fn clock_offset_and_hawk_window_are_flags() {
        let cfg = parse_args(&args(&[
            "--addr",
            "127.0.0.1:0",
            "--clock-offset-secs",
            "-7200",
            "--hawk-skew-secs=300",
            "--paytype-koudai",
            "K1",
            "--out-mch-id",
            "sz01mch",
        ]));
        let Ok(cfg) = cfg else {
            panic!("{cfg:?}");
        };
        assert_eq!(cfg.clock_offset_secs, -7200);
        assert_eq!(cfg.hawk_skew_secs, 300);
        assert_eq!(cfg.paytype_koudai, "K1");
        assert_eq!(cfg.out_mch_id, "sz01mch");
        let default = parse_args(&args(&["--addr", "127.0.0.1:0"]));
        let Ok(default) = default else {
            panic!("{default:?}");
        };
        assert_eq!((default.clock_offset_secs, default.hawk_skew_secs), (0, 60));
        for bad in [["--clock-offset-secs", "1h"], ["--hawk-skew-secs", "-1"]] {
            assert!(parse_args(&args(&bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn qr_ttl_is_bounded_to_a_week() {
        let week = MAX_QR_TTL_SECS.to_string();
        let cfg = parse_args(&args(&["--addr", "127.0.0.1:0", "--qr-ttl", &week]));
        assert_eq!(cfg.map(|c| c.qr_ttl.as_secs()), Ok(MAX_QR_TTL_SECS));
        for bad in ["604801", "18446744073709551615", "-1", "x"] {
            assert!(
                parse_args(&args(&["--addr", "127.0.0.1:0", "--qr-ttl", bad])).is_err(),
                "{bad}"
            );
        }
    }
}
