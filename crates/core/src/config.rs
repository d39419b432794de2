//! Configuration: a TOML file, then environment variables on top. Secrets are never read
//! from the file: the back-office password comes from stdin or a prompt, the Cloud Pay authen
//! key from `CASHIER_CLOUDPAY_AUTHEN_KEY` or a key file outside the repository.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::backend::cloudpay::CloudPayConfig;
use crate::backend::http::HttpPolicy;
use crate::backend::tourv5::TourV5Config;
use crate::customer_display::CustomerDisplay;
use crate::files::places::{self, System, SystemFolders};
use crate::order_no::{OrderNoError, OrderScheme, OrderSchemes};
use crate::print::PrinterConfig;
use crate::reasons::{ConfigError, Rule};
use crate::scanner::ScannerConfig;
use crate::store::{StoreConfig, StoreUrl};
use crate::{Channel, CodeKind, Error, Fen, Lang};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// This till's id, part of every order number (unique per merchant and till).
    pub till: String,
    /// Operator name: the HAWK id and `operatorNo`.
    pub operator: String,
    pub lang: Lang,
    /// IANA zone for business days and reports.
    pub timezone: String,
    /// Ceiling for one payment, in yuan as a cashier would type it.
    pub max_amount: String,
    pub db_path: Option<PathBuf>,
    /// Prefix of order numbers for Tour V5 attempts (Cloud Pay uses its own order prefix).
    pub order_prefix: String,
    pub http: HttpPolicy,
    pub poll: PollPolicies,
    /// The serial scanner; its framing also applies to codes typed by a keyboard-wedge scanner.
    pub scanner: ScannerConfig,
    /// Which barcode channel takes a scanned code, by its wallet.
    pub routing: BarcodeRouting,
    pub tourv5: Option<TourV5Config>,
    pub cloudpay: Option<CloudPayConfig>,
    /// File holding the Cloud Pay authen key (the environment variable wins).
    pub cloudpay_authen_key_file: Option<PathBuf>,
    /// The shop's name, at the top of every printed slip; empty: the merchant's name from the
    /// login, else the till's.
    pub shop: String,
    /// The receipt printer, if any.
    pub printer: PrinterConfig,
    /// The customer display (客显): `auto` (on when a second monitor is present), `off`, or a
    /// monitor's number (`1` = the second monitor). Read by the desktop app at start.
    pub customer_display: CustomerDisplay,
    /// Where this till ships its journal (docs/store.md); absent: nowhere.
    pub store: Option<StoreConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            till: "01".into(),
            operator: "cashier".into(),
            lang: Lang::ZhCn,
            timezone: "Asia/Shanghai".into(),
            max_amount: "100000.00".into(),
            db_path: None,
            order_prefix: "CS".into(),
            http: HttpPolicy::default(),
            poll: PollPolicies::default(),
            scanner: ScannerConfig::default(),
            routing: BarcodeRouting::default(),
            tourv5: None,
            cloudpay: None,
            cloudpay_authen_key_file: None,
            shop: String::new(),
            printer: PrinterConfig::default(),
            customer_display: CustomerDisplay::default(),
            store: None,
        }
    }
}

/// Which barcode channel takes a scanned payment code, by the code's wallet. Unset: Cloud Pay
/// where it is configured (it takes WeChat and Alipay codes), else the back office's channel
/// (POS WeChat barcode for WeChat codes, KouDaiLQ for the rest).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BarcodeRouting {
    pub wechat: Option<Channel>,
    pub alipay: Option<Channel>,
    /// UnionPay and codes of no known wallet.
    pub other: Option<Channel>,
}

impl BarcodeRouting {
    pub fn channel_for(&self, kind: CodeKind, cfg: &Config) -> Option<Channel> {
        let (cloud, tourv5) = (cfg.cloudpay.is_some(), cfg.tourv5.is_some());
        let (set, cloud_default, tourv5_default) = match kind {
            CodeKind::Wechat => (self.wechat, true, Channel::PosWechatBarcode),
            CodeKind::Alipay => (self.alipay, true, Channel::KoudaiBarcode),
            CodeKind::UnionPay | CodeKind::Unknown => (self.other, false, Channel::KoudaiBarcode),
        };
        set.or(if cloud && cloud_default {
            Some(Channel::CloudBarcode)
        } else if tourv5 {
            Some(tourv5_default)
        } else {
            None
        })
    }

    fn validate(&self, cfg: &Config) -> Result<(), Error> {
        for (name, channel) in [
            ("wechat", self.wechat),
            ("alipay", self.alipay),
            ("other", self.other),
        ] {
            let Some(channel) = channel else { continue };
            let configured = if channel.is_cloud() {
                cfg.cloudpay.is_some()
            } else {
                cfg.tourv5.is_some()
            };
            if channel.is_qr() || !configured {
                return Err(ConfigError::Invalid {
                    setting: format!("routing.{name}"),
                    value: channel.to_string(),
                    rule: Rule::BarcodeChannel,
                }
                .into());
            }
        }
        Ok(())
    }
}

/// How long to follow a payment that is in progress (docs/protocols.md §5.2–5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollPolicy {
    #[serde(with = "secs")]
    pub first_after: Duration,
    #[serde(with = "secs")]
    pub every: Duration,
    /// After this long without a final answer the attempt is Unknown (barcode) or expired (QR).
    #[serde(with = "secs")]
    pub give_up: Duration,
}

impl PollPolicy {
    pub const fn secs(first_after: u64, every: u64, give_up: u64) -> PollPolicy {
        PollPolicy {
            first_after: Duration::from_secs(first_after),
            every: Duration::from_secs(every),
            give_up: Duration::from_secs(give_up),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PollPolicies {
    /// WeChat barcode: query after ~3 s, every 3 s, give up at 45 s.
    pub wechat_barcode: PollPolicy,
    /// KouDaiLQ barcode: not in the vendor material (docs/protocols.md §5.2); follows Alipay's 60 s
    /// (ASSUMPTION).
    pub koudai_barcode: PollPolicy,
    /// Cloud Pay barcode: give up at 120 s.
    pub cloud_barcode: PollPolicy,
    /// QR on screen: every 2 s, at most 5 minutes.
    pub qr: PollPolicy,
    /// How long after an attempt began a manager may declare it failed while the backend
    /// still shows it in progress (or cannot be asked): a customer may still be confirming.
    #[serde(with = "secs")]
    pub resolve_after: Duration,
}

impl Default for PollPolicies {
    fn default() -> Self {
        PollPolicies {
            wechat_barcode: PollPolicy::secs(3, 3, 45),
            koudai_barcode: PollPolicy::secs(3, 3, 60),
            cloud_barcode: PollPolicy::secs(3, 3, 120),
            qr: PollPolicy::secs(2, 2, 300),
            resolve_after: Duration::from_secs(300),
        }
    }
}

/// Polling faster than this floods the backend (and a zero interval spins).
const MIN_EVERY: Duration = Duration::from_millis(500);
/// Nothing waits longer than a day: larger values are typos, and overflow timers.
const MAX_WAIT: Duration = Duration::from_secs(86_400);

impl PollPolicy {
    fn validate(&self, name: &str) -> Result<(), Error> {
        let bad = |what: &str, rule: Rule| {
            Err(ConfigError::Invalid {
                setting: format!("poll.{name}.{what}"),
                value: String::new(),
                rule,
            }
            .into())
        };
        if self.every < MIN_EVERY {
            return bad("every", Rule::PollEvery);
        }
        if self.give_up > MAX_WAIT || self.every > MAX_WAIT || self.first_after > MAX_WAIT {
            return bad("give_up, every, first_after", Rule::AtMostADay);
        }
        if self.give_up.is_zero() {
            return bad("give_up", Rule::MoreThanZero);
        }
        Ok(())
    }
}

impl PollPolicies {
    fn validate(&self) -> Result<(), Error> {
        self.wechat_barcode.validate("wechat_barcode")?;
        self.koudai_barcode.validate("koudai_barcode")?;
        self.cloud_barcode.validate("cloud_barcode")?;
        self.qr.validate("qr")?;
        if self.resolve_after > MAX_WAIT {
            return Err(ConfigError::Invalid {
                setting: "poll.resolve_after".into(),
                value: String::new(),
                rule: Rule::AtMostADay,
            }
            .into());
        }
        Ok(())
    }

    pub fn for_channel(&self, channel: Channel) -> PollPolicy {
        match channel {
            Channel::PosWechatBarcode => self.wechat_barcode,
            Channel::KoudaiBarcode => self.koudai_barcode,
            Channel::CloudBarcode => self.cloud_barcode,
            Channel::WechatQr | Channel::AlipayQr | Channel::CloudQr => self.qr,
        }
    }
}

/// Durations as (fractional) seconds in TOML and JSON.
pub mod secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let v = f64::deserialize(d)?;
        Duration::try_from_secs_f64(v).map_err(serde::de::Error::custom)
    }
}

impl Config {
    /// Reads `path` if it exists (a missing default file is an empty config), then applies
    /// the environment.
    pub fn load(path: &Path, must_exist: bool) -> Result<Config, Error> {
        let mut cfg = match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text).map_err(|error| ConfigError::File {
                path: path.display().to_string(),
                error,
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => Config::default(),
            Err(e) => {
                return Err(ConfigError::File {
                    path: path.display().to_string(),
                    error: e.to_string(),
                }
                .into());
            }
        };
        cfg.apply_env(|k| std::env::var(k).ok())?;
        Ok(cfg)
    }

    /// Parses TOML text. A key this version does not know is an error naming the key's full
    /// path (`poll.wechat_barcod`, `tourv5.paytyp_wechat`): a typo must never fall back to a
    /// default silently.
    pub fn parse(text: &str) -> Result<Config, String> {
        let de = toml::Deserializer::new(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner().message().trim().to_string();
            if path.is_empty() || path == "." {
                inner
            } else {
                format!("{path}: {inner}")
            }
        })
    }

    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), Error> {
        if let Some(v) = get("CASHIER_TILL") {
            self.till = v;
        }
        if let Some(v) = get("CASHIER_OPERATOR") {
            self.operator = v;
        }
        if let Some(v) = get("CASHIER_DB") {
            self.db_path = Some(PathBuf::from(v));
        }
        if let Some(v) = get("CASHIER_TIMEZONE") {
            self.timezone = v;
        }
        if let Some(v) = get("CASHIER_LANG") {
            self.lang = match v.as_str() {
                "en" => Lang::En,
                "zh-CN" | "zh" => Lang::ZhCn,
                other => {
                    return Err(ConfigError::Invalid {
                        setting: "CASHIER_LANG".into(),
                        value: other.to_string(),
                        rule: Rule::Lang,
                    }
                    .into());
                }
            };
        }
        if let Some(v) = get("CASHIER_TOURV5_URL") {
            self.tourv5
                .get_or_insert_with(TourV5Config::default)
                .base_url = v;
        }
        // A Cloud Pay variable alone starts the section from its defaults (validate says what
        // is still missing).
        fn cloudpay(c: &mut Config) -> &mut CloudPayConfig {
            c.cloudpay.get_or_insert_with(CloudPayConfig::default)
        }
        if let Some(v) = get("CASHIER_CLOUDPAY_URL") {
            cloudpay(self).hosts = v
                .split(',')
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
                .collect();
        }
        if let Some(v) = get("CASHIER_CLOUDPAY_PREFIX") {
            cloudpay(self).order_prefix = v;
        }
        // The store's URL (with its password) may come from the environment alone.
        if let Some(v) = get("CASHIER_STORE_URL") {
            self.store.get_or_insert_with(StoreConfig::default).env_url = Some(StoreUrl::new(v));
        }
        if let Some(v) = get("CASHIER_STORE_CA_FILE")
            && let Some(store) = &mut self.store
        {
            store.ca_file = Some(PathBuf::from(v));
        }
        if let Some(v) = get("CASHIER_CLOUDPAY_STAFF_ID") {
            cloudpay(self).staff_id = v;
        }
        self.validate()
    }

    pub fn validate(&self) -> Result<(), Error> {
        if self.operator.is_empty() || self.operator.len() > 32 {
            return Err(ConfigError::Invalid {
                setting: "operator".into(),
                value: self.operator.clone(),
                rule: Rule::Operator,
            }
            .into());
        }
        self.tz()?;
        self.max_fen()?;
        self.poll.validate()?;
        self.http.validate()?;
        if let Some(cp) = &self.cloudpay {
            for (name, v) in [
                ("out_mch_id", &cp.out_mch_id),
                ("out_sub_mch_id", &cp.out_sub_mch_id),
                ("out_shop_id", &cp.out_shop_id),
                ("order_prefix", &cp.order_prefix),
            ] {
                if v.trim().is_empty() {
                    return Err(ConfigError::Missing {
                        setting: format!("cloudpay.{name}"),
                    }
                    .into());
                }
            }
        }
        self.order_schemes()?;
        if let Some(store) = &self.store {
            store.validate()?;
        }
        if let Err(e) = self.printer.setup() {
            return Err(ConfigError::said("printer.url", e.en(), e.zh()).into());
        }
        // The embedded sandbox fills in both backends later; routing is checked against them.
        if !self.is_sandbox() {
            self.routing.validate(self)?;
        }
        Ok(())
    }

    /// How this till makes order numbers for each backend (till id and prefixes checked).
    pub fn order_schemes(&self) -> Result<OrderSchemes, Error> {
        let config = |key: &'static str| {
            move |e: OrderNoError| ConfigError::said(key, e.to_string(), e.zh())
        };
        crate::order_no::check_till(&self.till).map_err(config("till"))?;
        Ok(OrderSchemes {
            tourv5: OrderScheme::internal(&self.order_prefix, &self.till)
                .map_err(config("order_prefix"))?,
            cloudpay: self
                .cloudpay
                .as_ref()
                .map(|cp| OrderScheme::cloud_pay(&cp.order_prefix, &self.till))
                .transpose()
                .map_err(config("cloudpay.order_prefix"))?,
        })
    }

    pub fn tz(&self) -> Result<chrono_tz::Tz, Error> {
        self.timezone.parse().map_err(|_| {
            ConfigError::Invalid {
                setting: "timezone".into(),
                value: self.timezone.clone(),
                rule: Rule::IanaZone,
            }
            .into()
        })
    }

    pub fn max_fen(&self) -> Result<Fen, Error> {
        Fen::parse_yuan(&self.max_amount, Fen(u64::MAX / 1000))
            .map_err(|e| ConfigError::said("max_amount", e.to_string(), e.zh()).into())
    }

    /// No backend configured: the app runs against the embedded sandbox, and says so.
    pub fn is_sandbox(&self) -> bool {
        self.tourv5.is_none() && self.cloudpay.is_none()
    }

    /// The configuration file when none is named: [`crate::files::places`] says where, per
    /// system (on Windows `%LOCALAPPDATA%\cashier\cashier.toml`).
    pub fn default_path() -> PathBuf {
        places::default_config_file(System::this(), &SystemFolders::of_this_machine())
    }

    /// The journal this configuration names, else the system's default place for it.
    pub fn db_path_or_default(&self) -> PathBuf {
        self.db_path.clone().unwrap_or_else(|| {
            places::default_journal(System::this(), &SystemFolders::of_this_machine())
        })
    }
}
