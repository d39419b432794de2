//! The status bar: who and where, the backends, the scanner, the clock, and what is waiting.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::input::QrChoice;
use super::wedge::{ScanRule, scan_rules};
use super::{Session, Till, read};
use crate::managers::{DEMO_MANAGER_NAME, DEMO_MANAGER_PIN};
use crate::{Attempt, AttemptState, Lang};

/// The serial scanner's connection, for the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ScannerState {
    Off,
    /// Opening the port for the first time since the till (or its settings) started it.
    Connecting,
    Connected,
    Disconnected,
    /// Lost (unplugged, or the port would not open) and being tried again: scans go nowhere
    /// until it is back, so the status bar shows it as the fault it is.
    Reconnecting,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ScannerStatus {
    pub state: ScannerState,
    pub port: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BackendName {
    Tourv5,
    Cloudpay,
}

/// Where the till stands with a backend, for the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BackendState {
    NotConfigured,
    /// Configured, not talked to yet (before the login).
    Unchecked,
    Reachable,
    Unreachable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BackendStatus {
    pub name: BackendName,
    pub label: String,
    pub configured: bool,
    /// `None` until the till has talked to it.
    pub reachable: Option<bool>,
    pub message: Option<String>,
    pub state: BackendState,
    /// The state in words (`未检查`); what went wrong is in `message`.
    pub word: String,
    /// Shown as a fault: a configured backend the till cannot vouch for, unchecked before the
    /// login included (no payment can go through it yet).
    pub fault: bool,
}

impl BackendState {
    fn of(configured: bool, reachable: Option<bool>) -> BackendState {
        match (configured, reachable) {
            (false, _) => BackendState::NotConfigured,
            (true, None) => BackendState::Unchecked,
            (true, Some(true)) => BackendState::Reachable,
            (true, Some(false)) => BackendState::Unreachable,
        }
    }

    fn word(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (BackendState::NotConfigured, Lang::ZhCn) => "未配置",
            (BackendState::NotConfigured, Lang::En) => "not set up",
            (BackendState::Unchecked, Lang::ZhCn) => "未检查",
            (BackendState::Unchecked, Lang::En) => "not checked",
            (BackendState::Reachable, Lang::ZhCn) => "正常",
            (BackendState::Reachable, Lang::En) => "OK",
            (BackendState::Unreachable, Lang::ZhCn) => "连不上",
            (BackendState::Unreachable, Lang::En) => "unreachable",
        }
    }

    fn fault(self) -> bool {
        matches!(self, BackendState::Unchecked | BackendState::Unreachable)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct QrOption {
    pub choice: QrChoice,
    pub label: String,
    pub key: String,
    pub available: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TillStatus {
    pub sandbox: bool,
    pub till: String,
    pub lang: Lang,
    #[serde(flatten)]
    pub session: SessionStatus,
    /// Whether logging in asks for the back-office password.
    pub needs_password: bool,
    /// In the sandbox: what to type at the login screen, and the demo manager and its PIN.
    pub login_hint: Option<String>,
    /// A till with real backends and no manager yet: the first start asks for one before
    /// anything else.
    pub needs_first_manager: bool,
    pub backends: Vec<BackendStatus>,
    pub scanner: ScannerStatus,
    /// The receipt printer and its queue.
    pub printer: super::PrinterView,
    /// The link to the store the journal ships to; absent when the configuration has no
    /// `[store]`.
    pub store: Option<super::StoreView>,
    #[serde(flatten)]
    pub counts: LiveCounts,
    pub qr_options: Vec<QrOption>,
    pub max_amount_text: String,
    /// How the screen tells a wedge scanner's burst from typing (see [`scan_rules`]).
    pub scan_rules: Vec<ScanRule>,
    pub version: String,
}

/// Who is at the till: the operator logged in (or the configured one until someone is), and
/// what the back office said at login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SessionStatus {
    pub operator: String,
    pub logged_in: bool,
    pub merchant: Option<String>,
    pub clock_warning: Option<String>,
}

/// The attempts not known to have ended, and how many of them are Unknown: the status bar
/// shows them, and the till announces a new status when they change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct LiveCounts {
    #[ts(type = "number")]
    pub live_count: u64,
    #[ts(type = "number")]
    pub unknown_count: u64,
}

impl LiveCounts {
    fn of(live: &[Attempt]) -> LiveCounts {
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        LiveCounts {
            live_count: count(live.len()),
            unknown_count: count(
                live.iter()
                    .filter(|a| a.state == AttemptState::Unknown)
                    .count(),
            ),
        }
    }

    /// A payment is being followed right now, so closing the till is a question. Unknown
    /// attempts wait for a manager, maybe for days, and do not count.
    pub fn payment_in_progress(self) -> bool {
        self.live_count > self.unknown_count
    }
}

impl SessionStatus {
    fn of(session: Option<&Session>, configured_operator: &str) -> SessionStatus {
        SessionStatus {
            operator: session
                .map_or(configured_operator, |s| s.operator.as_str())
                .to_string(),
            logged_in: session.is_some(),
            merchant: session.and_then(|s| s.merchant.clone()),
            clock_warning: session.and_then(|s| s.clock_warning.clone()),
        }
    }
}

impl Till {
    /// The journal's live attempts, counted (none, with a warning, when the journal cannot say).
    pub(super) fn live_counts(&self) -> LiveCounts {
        match self.inner.journal.live() {
            Ok(live) => LiveCounts::of(&live),
            Err(e) => {
                tracing::warn!("counting live attempts: {e}");
                LiveCounts::of(&[])
            }
        }
    }

    pub fn status(&self) -> TillStatus {
        let cfg = read(&self.inner.cfg).clone();
        let lang = self.lang();
        let session = read(&self.inner.session).clone();
        let counts = self.live_counts();
        let session = SessionStatus::of(session.as_deref(), &cfg.operator);
        let logged_in = session.logged_in;
        let backend = |name, configured: bool| {
            // Logged in means the login (Tour V5) and the key (Cloud Pay) were accepted.
            let reachable = (configured && logged_in).then_some(true);
            let state = BackendState::of(configured, reachable);
            BackendStatus {
                name,
                label: match (name, lang) {
                    (BackendName::Tourv5, Lang::ZhCn) => "Tour V5 后台",
                    (BackendName::Tourv5, Lang::En) => "Tour V5",
                    (BackendName::Cloudpay, Lang::ZhCn) => "云支付",
                    (BackendName::Cloudpay, Lang::En) => "Cloud Pay",
                }
                .to_string(),
                configured,
                reachable,
                message: None,
                state,
                word: state.word(lang).to_string(),
                fault: state.fault(),
            }
        };
        let backends = vec![
            backend(BackendName::Tourv5, cfg.tourv5.is_some()),
            backend(BackendName::Cloudpay, cfg.cloudpay.is_some()),
        ];
        let qr_options = QrChoice::ALL
            .into_iter()
            .map(|choice| QrOption {
                choice,
                label: choice.label(lang).to_string(),
                key: choice.key().to_string(),
                available: if choice.channel().is_cloud() {
                    cfg.cloudpay.is_some()
                } else {
                    cfg.tourv5.is_some()
                },
            })
            .collect();
        let login_hint = self.sandbox().map(|note| {
            let pw = secrecy::ExposeSecret::expose_secret(&note.password);
            let (demo, pin) = (DEMO_MANAGER_NAME, DEMO_MANAGER_PIN);
            match lang {
                Lang::ZhCn => format!(
                    "沙箱：操作员 {}，密码 {pw}；主管 {demo}，PIN {pin}",
                    note.operator
                ),
                Lang::En => format!(
                    "Sandbox: operator {}, password {pw}; manager {demo} (Demo manager), PIN {pin}",
                    note.operator
                ),
            }
        });
        TillStatus {
            sandbox: self.is_sandbox(),
            till: cfg.till.clone(),
            lang,
            session,
            needs_password: cfg.tourv5.is_some(),
            login_hint,
            needs_first_manager: self.needs_first_manager(),
            backends,
            scanner: self.inner.scanner.status(),
            printer: self.printer_status(),
            store: self.store_status(),
            counts,
            qr_options,
            max_amount_text: cfg
                .max_fen()
                .map(crate::labels::amount_text)
                .unwrap_or_default(),
            scan_rules: scan_rules(&cfg.scanner.framing),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}
