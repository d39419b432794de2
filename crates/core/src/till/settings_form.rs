//! The settings form: the fields the settings screen shows and sends back, in the screen's
//! sections, each mirroring a part of the configuration. Numbers are text, as typed in
//! their fields: core writes them and reads them back. No secret is here.
//!
//! On the wire the sections are flattened: the screen sees one flat object
//! (`till`, `scanner_baud`, `poll_qr_give_up_s`, …), so the names say which section they are in.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::settings_display::DisplayFields;
use crate::config::{Config, PollPolicies};
use crate::error::Field;
use crate::print::{CodePage, Paper, PrinterUrl};
use crate::reasons::{ConfigError, Part};
use crate::scanner::{SCANNER_BAUDS, ScannerConfig, Terminator, canonical_port_name};
use crate::{Error, Lang};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SettingsForm {
    #[serde(flatten)]
    pub till: TillFields,
    #[serde(flatten)]
    pub backends: BackendFields,
    #[serde(flatten)]
    pub scanner: ScannerFields,
    #[serde(flatten)]
    pub polling: PollingFields,
    #[serde(flatten)]
    pub printer: PrinterFields,
    #[serde(flatten)]
    pub display: DisplayFields,
}

/// Who and where this till is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TillFields {
    #[serde(rename = "till")]
    pub id: String,
    pub operator: String,
    pub lang: Lang,
    pub timezone: String,
    pub max_amount: String,
}

/// Where the backends are (their keys aside).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BackendFields {
    pub tourv5_url: Option<String>,
    /// The Cloud Pay hosts as the field holds them: one a line (commas and spaces also part
    /// them); core reads the list out of it.
    pub cloudpay_hosts: String,
    pub cloudpay_prefix: Option<String>,
}

/// The serial scanner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ScannerFields {
    #[serde(rename = "scanner_port")]
    pub port: Option<String>,
    #[serde(rename = "scanner_baud")]
    pub baud: String,
    #[serde(rename = "scanner_terminator")]
    pub terminator: Terminator,
}

/// The receipt printer, and the shop's name at the top of every slip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PrinterFields {
    /// Empty: the merchant's name from the login, else the till's.
    pub shop: String,
    /// The printer as a printer URL (`tcp://HOST:9100`, `serial:COM3`, `usb:/dev/usb/lp0`,
    /// `file:PATH`); empty: no printer.
    #[serde(rename = "printer_url")]
    pub url: String,
    #[serde(rename = "printer_paper")]
    pub paper: Paper,
    #[serde(rename = "printer_code_page")]
    pub code_page: CodePage,
    /// A slip after each paid payment and each refund.
    #[serde(rename = "printer_slips")]
    pub slips: bool,
}

/// How long a payment is followed before the till gives up, in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PollingFields {
    #[serde(rename = "poll_wechat_give_up_s")]
    pub wechat: String,
    #[serde(rename = "poll_cloud_give_up_s")]
    pub cloud: String,
    #[serde(rename = "poll_qr_give_up_s")]
    pub qr: String,
}

impl SettingsForm {
    /// The form as `cfg` fills it; `lang` is the one in force.
    pub(super) fn of(cfg: &Config, lang: Lang) -> SettingsForm {
        SettingsForm {
            till: TillFields {
                id: cfg.till.clone(),
                operator: cfg.operator.clone(),
                lang,
                timezone: cfg.timezone.clone(),
                max_amount: cfg.max_amount.clone(),
            },
            backends: BackendFields {
                tourv5_url: cfg.tourv5.as_ref().map(|t| t.base_url.clone()),
                cloudpay_hosts: cfg
                    .cloudpay
                    .as_ref()
                    .map(|c| c.hosts.join("\n"))
                    .unwrap_or_default(),
                cloudpay_prefix: cfg.cloudpay.as_ref().map(|c| c.order_prefix.clone()),
            },
            scanner: ScannerFields::of(&cfg.scanner),
            polling: PollingFields::of(&cfg.poll),
            printer: PrinterFields::of(cfg),
            display: DisplayFields::of(cfg),
        }
    }

    /// Puts the form into `cfg` and checks the whole configuration.
    pub(super) fn apply(&self, cfg: &mut Config) -> Result<(), Error> {
        self.till.apply(cfg);
        self.backends.apply(cfg);
        self.scanner.apply(&mut cfg.scanner)?;
        self.polling.apply(&mut cfg.poll)?;
        self.printer.apply(cfg)?;
        self.display.apply(cfg)?;
        cfg.validate()?;
        if !cfg.scanner.port.is_empty() {
            cfg.scanner.validate().map_err(|e| ConfigError::Start {
                part: Part::Scanner,
                error: e.to_string(),
            })?;
        }
        Ok(())
    }
}

impl TillFields {
    fn apply(&self, cfg: &mut Config) {
        cfg.till = self.id.trim().to_string();
        cfg.operator = self.operator.trim().to_string();
        cfg.lang = self.lang;
        cfg.timezone = self.timezone.trim().to_string();
        cfg.max_amount = self.max_amount.trim().to_string();
    }
}

impl BackendFields {
    /// A backend that is not configured stays so: the form only edits the ones there are.
    fn apply(&self, cfg: &mut Config) {
        if let (Some(url), Some(tv)) = (&self.tourv5_url, cfg.tourv5.as_mut()) {
            tv.base_url = url.trim().to_string();
        }
        if let Some(cp) = cfg.cloudpay.as_mut() {
            cp.hosts = self
                .cloudpay_hosts
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|h| !h.is_empty())
                .map(str::to_string)
                .collect();
            if let Some(prefix) = &self.cloudpay_prefix {
                cp.order_prefix = prefix.trim().to_string();
            }
        }
    }
}

impl ScannerFields {
    /// The rates the baud field offers: the usual ones of serial scanners, and the one set if
    /// it is another.
    pub(super) fn baud_choices(&self) -> Vec<String> {
        let mut choices: Vec<String> = SCANNER_BAUDS.iter().map(u32::to_string).collect();
        if !choices.contains(&self.baud) {
            choices.insert(0, self.baud.clone());
        }
        choices
    }

    fn of(scanner: &ScannerConfig) -> ScannerFields {
        ScannerFields {
            port: Some(scanner.port.clone()).filter(|p| !p.is_empty()),
            baud: scanner.baud.to_string(),
            terminator: scanner.terminator,
        }
    }

    fn apply(&self, scanner: &mut ScannerConfig) -> Result<(), Error> {
        let port = self.port.as_deref().unwrap_or_default().trim();
        // Saved in the form the port list shows (`com3` as `COM3`); a name that cannot be a port
        // is kept as typed for the scanner's check to refuse by name.
        scanner.port = canonical_port_name(port).unwrap_or_else(|_| port.to_string());
        scanner.baud = whole(&self.baud, "the baud rate", "波特率")?;
        scanner.terminator = self.terminator;
        Ok(())
    }
}

impl PollingFields {
    fn of(poll: &PollPolicies) -> PollingFields {
        let secs = |d: Duration| d.as_secs_f64().to_string();
        PollingFields {
            wechat: secs(poll.wechat_barcode.give_up),
            cloud: secs(poll.cloud_barcode.give_up),
            qr: secs(poll.qr.give_up),
        }
    }

    fn apply(&self, poll: &mut PollPolicies) -> Result<(), Error> {
        let secs = |raw: &str, en: &str, zh: &str| whole(raw, en, zh).map(Duration::from_secs);
        poll.wechat_barcode.give_up = secs(
            &self.wechat,
            "the seconds to follow a WeChat code",
            "微信付款码的查询秒数",
        )?;
        poll.cloud_barcode.give_up = secs(
            &self.cloud,
            "the seconds to follow a Cloud Pay code",
            "云支付付款码的查询秒数",
        )?;
        poll.qr.give_up = secs(
            &self.qr,
            "the seconds to follow a QR code",
            "二维码的查询秒数",
        )?;
        Ok(())
    }
}

impl PrinterFields {
    fn of(cfg: &Config) -> PrinterFields {
        PrinterFields {
            shop: cfg.shop.clone(),
            url: cfg.printer.url.clone(),
            paper: cfg.printer.paper,
            code_page: cfg.printer.code_page,
            slips: cfg.printer.slips,
        }
    }

    /// A printer URL that is not one is refused next to the settings, saying what to write.
    fn apply(&self, cfg: &mut Config) -> Result<(), Error> {
        let url = self.url.trim();
        if !url.is_empty() {
            PrinterUrl::parse(url).map_err(|e| Error::input(Field::Settings, e.en(), e.zh()))?;
        }
        cfg.shop = self.shop.trim().to_string();
        cfg.printer.url = url.to_string();
        cfg.printer.paper = self.paper;
        cfg.printer.code_page = self.code_page;
        cfg.printer.slips = self.slips;
        Ok(())
    }
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
