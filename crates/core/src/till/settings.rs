//! The settings screen: what it shows (never a secret) and what saving does. Saved settings
//! are checked as a whole configuration first and written to the configuration file; the
//! language and the scanner apply at once, backends at the next login.

use std::path::Path;
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Till, read, write};
use crate::config::Config;
use crate::error::Field;
use crate::reasons::{ConfigError, NotAllowed, Part};
use crate::scanner::Terminator;
use crate::{Error, Lang};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SettingsView {
    pub till: String,
    pub operator: String,
    pub lang: Lang,
    pub timezone: String,
    pub max_amount: String,
    pub tourv5_url: Option<String>,
    pub cloudpay_hosts: Vec<String>,
    pub cloudpay_prefix: Option<String>,
    /// The key itself is never sent back.
    pub cloudpay_key_set: bool,
    pub scanner_port: Option<String>,
    pub scanner_baud: u32,
    pub scanner_terminator: Terminator,
    pub poll_wechat_give_up_s: f64,
    pub poll_cloud_give_up_s: f64,
    pub poll_qr_give_up_s: f64,
    pub config_path: String,
    pub sandbox: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct SettingsInput {
    pub till: String,
    pub operator: String,
    pub lang: Lang,
    pub timezone: String,
    pub max_amount: String,
    pub tourv5_url: Option<String>,
    pub cloudpay_hosts: Vec<String>,
    pub cloudpay_prefix: Option<String>,
    /// A new key; `None` keeps the one there is.
    pub cloudpay_key: Option<String>,
    pub scanner_port: Option<String>,
    /// The numbers as typed: core says what is wrong with them.
    pub scanner_baud: String,
    pub scanner_terminator: Terminator,
    pub poll_wechat_give_up_s: String,
    pub poll_cloud_give_up_s: String,
    pub poll_qr_give_up_s: String,
}

impl Till {
    pub fn settings(&self) -> SettingsView {
        let cfg = read(&self.inner.cfg).clone();
        let key_set = self.is_sandbox()
            || std::env::var_os("CASHIER_CLOUDPAY_AUTHEN_KEY").is_some()
            || cfg
                .cloudpay_authen_key_file
                .as_deref()
                .is_some_and(Path::exists);
        SettingsView {
            till: cfg.till.clone(),
            operator: cfg.operator.clone(),
            lang: self.lang(),
            timezone: cfg.timezone.clone(),
            max_amount: cfg.max_amount.clone(),
            tourv5_url: cfg.tourv5.as_ref().map(|t| t.base_url.clone()),
            cloudpay_hosts: cfg
                .cloudpay
                .as_ref()
                .map(|c| c.hosts.clone())
                .unwrap_or_default(),
            cloudpay_prefix: cfg.cloudpay.as_ref().map(|c| c.order_prefix.clone()),
            cloudpay_key_set: key_set,
            scanner_port: Some(cfg.scanner.port.clone()).filter(|p| !p.is_empty()),
            scanner_baud: cfg.scanner.baud,
            scanner_terminator: cfg.scanner.terminator,
            poll_wechat_give_up_s: cfg.poll.wechat_barcode.give_up.as_secs_f64(),
            poll_cloud_give_up_s: cfg.poll.cloud_barcode.give_up.as_secs_f64(),
            poll_qr_give_up_s: cfg.poll.qr.give_up.as_secs_f64(),
            config_path: self
                .inner
                .options
                .config_path
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            sandbox: self.is_sandbox(),
        }
    }

    /// Checks the new settings as a whole configuration, writes it, and applies what can be
    /// applied now. Nothing is written when anything is wrong.
    ///
    /// Runs on tokio's blocking threads: it writes files, and it (re)starts the serial scanner,
    /// which needs the runtime. Called from a window's main thread (a desktop shell's sync
    /// command) it found no runtime and left a newly chosen scanner port closed.
    pub async fn save_settings(&self, input: SettingsInput) -> Result<SettingsView, Error> {
        self.blocking(move |till| till.write_settings(input)).await
    }

    fn write_settings(&self, input: SettingsInput) -> Result<SettingsView, Error> {
        let Some(path) = self.inner.options.config_path.clone() else {
            return Err(NotAllowed::NoSettingsFile.into());
        };
        let mut cfg = read(&self.inner.cfg).clone();
        apply(&mut cfg, &input)?;
        // The embedded sandbox's backends are filled in at start, never saved.
        let mut saved = cfg.clone();
        if self.is_sandbox() {
            saved.tourv5 = None;
            saved.cloudpay = None;
        }
        let key = input
            .cloudpay_key
            .map(|k| SecretString::from(k.trim().to_string()));
        if let Some(key) = &key {
            let key_path = saved
                .cloudpay_authen_key_file
                .clone()
                .unwrap_or_else(|| path.with_file_name("cloudpay.key"));
            write_secret(&key_path, key)?;
            saved.cloudpay_authen_key_file = Some(key_path.clone());
            cfg.cloudpay_authen_key_file = Some(key_path);
        }
        let text = toml::to_string_pretty(&saved)
            .map_err(|e| Error::Internal(format!("writing the settings: {e}")))?;
        replace_file(&path, text.as_bytes())?;
        let scanner_changed = read(&self.inner.cfg).scanner != cfg.scanner;
        let lang = cfg.lang;
        let scanner = cfg.scanner.clone();
        *write(&self.inner.cfg) = cfg;
        *write(&self.inner.lang) = lang;
        if scanner_changed {
            self.inner.scanner.start(&scanner, lang);
        }
        Ok(self.settings())
    }
}

fn apply(cfg: &mut Config, s: &SettingsInput) -> Result<(), Error> {
    cfg.till = s.till.trim().to_string();
    cfg.operator = s.operator.trim().to_string();
    cfg.lang = s.lang;
    cfg.timezone = s.timezone.trim().to_string();
    cfg.max_amount = s.max_amount.trim().to_string();
    if let (Some(url), Some(tv)) = (&s.tourv5_url, cfg.tourv5.as_mut()) {
        tv.base_url = url.trim().to_string();
    }
    if let Some(cp) = cfg.cloudpay.as_mut() {
        cp.hosts = s
            .cloudpay_hosts
            .iter()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .collect();
        if let Some(prefix) = &s.cloudpay_prefix {
            cp.order_prefix = prefix.trim().to_string();
        }
    }
    cfg.scanner.port = s
        .scanner_port
        .clone()
        .unwrap_or_default()
        .trim()
        .to_string();
    cfg.scanner.baud = whole(&s.scanner_baud, "the baud rate", "波特率")?;
    let secs = |raw: &str, en: &str, zh: &str| whole(raw, en, zh).map(Duration::from_secs);
    cfg.scanner.terminator = s.scanner_terminator;
    cfg.poll.wechat_barcode.give_up = secs(
        &s.poll_wechat_give_up_s,
        "the seconds to follow a WeChat code",
        "微信付款码的查询秒数",
    )?;
    cfg.poll.cloud_barcode.give_up = secs(
        &s.poll_cloud_give_up_s,
        "the seconds to follow a Cloud Pay code",
        "云支付付款码的查询秒数",
    )?;
    cfg.poll.qr.give_up = secs(
        &s.poll_qr_give_up_s,
        "the seconds to follow a QR code",
        "二维码的查询秒数",
    )?;
    cfg.validate()?;
    if !cfg.scanner.port.is_empty() {
        cfg.scanner.validate().map_err(|e| ConfigError::Start {
            part: Part::Scanner,
            error: e.to_string(),
        })?;
    }
    Ok(())
}

/// A whole number as typed on the settings screen.
fn whole<T: std::str::FromStr>(raw: &str, en: &str, zh: &str) -> Result<T, Error> {
    raw.trim().parse().map_err(|_| {
        Error::input(
            Field::Settings,
            format!("{en} must be a whole number"),
            format!("{zh}要填整数"),
        )
    })
}

/// Writes a secret readable by this user only, replacing the file whole.
fn write_secret(path: &Path, secret: &SecretString) -> Result<(), Error> {
    replace_file(
        path,
        secrecy::ExposeSecret::expose_secret(secret).as_bytes(),
    )
}

/// Replaces the file at `path` whole, or leaves it as it was: the new text goes to a temporary
/// file beside it (readable by this user only), reaches the disk, and is renamed over the old
/// one. A crash or a full disk half-way through never leaves half a configuration or key.
fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let failed = |e: std::io::Error| Error::Internal(format!("{}: {e}", path.display()));
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
    file.write_all(bytes).map_err(failed)?;
    file.as_file().sync_all().map_err(failed)?;
    file.persist(path).map_err(|e| failed(e.error))?;
    Ok(())
}
