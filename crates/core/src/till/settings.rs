//! The settings screen: what it shows (never a secret) and what saving does. Saved settings
//! are checked as a whole configuration first and written to the configuration file; the
//! language and the scanner apply at once, backends at the next login.

use std::path::Path;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::settings_display::DisplayChoice;
use super::settings_form::SettingsForm;
use super::{Till, read, write};
use crate::Error;
use crate::audit::{AuditAction, AuditEntry, AuditResult};
use crate::error::Field;
use crate::files;
use crate::managers::Approval;
use crate::reasons::NotAllowed;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SettingsView {
    #[serde(flatten)]
    pub form: SettingsForm,
    /// The key itself is never sent back.
    pub cloudpay_key_set: bool,
    /// What the scanner's baud field offers.
    pub baud_choices: Vec<String>,
    /// What the customer display's field offers, in the till's language.
    pub customer_display_choices: Vec<DisplayChoice>,
    pub config_path: String,
    pub sandbox: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct SettingsInput {
    #[serde(flatten)]
    pub form: SettingsForm,
    /// A new key; `None` keeps the one there is.
    pub cloudpay_key: Option<String>,
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
        let form = SettingsForm::of(&cfg, self.lang());
        SettingsView {
            baud_choices: form.scanner.baud_choices(),
            customer_display_choices: form.display.choices(self.lang()),
            form,
            cloudpay_key_set: key_set,
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
    ///
    /// Once any active manager exists, saving needs a manager's PIN (`approval`), and every
    /// save is a line of the audit trail.
    pub async fn save_settings(
        &self,
        input: SettingsInput,
        approval: Option<&Approval>,
    ) -> Result<SettingsView, Error> {
        let any_manager = self.inner.journal.managers()?.iter().any(|m| m.active);
        let who = match approval {
            Some(approval) => Some(self.approve(approval, AuditAction::Settings, None).await?),
            None if any_manager => {
                return Err(Error::input(
                    Field::Pin,
                    "saving the settings needs a manager's PIN",
                    "保存设置需要主管 PIN",
                ));
            }
            None => None,
        };
        let saved = self.blocking(move |till| till.write_settings(input)).await;
        self.audit(AuditEntry {
            asked_by: Some(self.asked_by()),
            approved_by: who.map(|w| w.name),
            action: Some(AuditAction::Settings),
            result: Some(match &saved {
                Ok(_) => AuditResult::Done,
                Err(_) => AuditResult::Refused,
            }),
            note: saved.as_ref().err().map(ToString::to_string),
            ..AuditEntry::default()
        })?;
        saved
    }

    fn write_settings(&self, input: SettingsInput) -> Result<SettingsView, Error> {
        let Some(path) = self.inner.options.config_path.clone() else {
            return Err(NotAllowed::NoSettingsFile.into());
        };
        let mut cfg = read(&self.inner.cfg).clone();
        input.form.apply(&mut cfg)?;
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
        let printer_changed = read(&self.inner.cfg).printer != cfg.printer;
        let lang = cfg.lang;
        let scanner = cfg.scanner.clone();
        let slips = cfg.printer.owes_slips();
        *write(&self.inner.cfg) = cfg;
        *write(&self.inner.lang) = lang;
        if scanner_changed {
            self.inner.scanner.start(&scanner, lang);
        }
        self.inner.journal.set_slips(slips)?;
        if printer_changed {
            self.printer_changed();
        }
        // The shop's name heads the customer display too.
        self.customer_refresh();
        Ok(self.settings())
    }
}

/// Writes a secret readable by this user only, replacing the file whole.
fn write_secret(path: &Path, secret: &SecretString) -> Result<(), Error> {
    replace_file(
        path,
        secrecy::ExposeSecret::expose_secret(secret).as_bytes(),
    )
}

/// Replaces the file at `path` whole, or leaves it as it was ([`files::replace_file`]). A file
/// that could not be replaced is said next to the settings, as the cashier can act on it (close
/// the program holding it, free the disk) and save again.
fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    files::replace_file(path, bytes).map_err(|e| {
        Error::input(
            Field::Settings,
            format!("The settings were not saved: {e}."),
            format!("设置没有保存：{}。", e.zh()),
        )
    })
}
