//! `Till`: the one API every front end calls (the desktop app through one Tauri command per
//! method, the `cashier` CLI directly).
//!
//! It owns the assembly the front ends must not repeat: configuration, the journal, logging in
//! to the backends, the checkout engine and its recovery, the watcher of abandoned QR codes,
//! the serial scanner, and one event stream. Payments start from the cashier's raw input and
//! return the journalled attempt at once; their progress comes as events. Everything a screen
//! shows of an attempt comes ready-made as an [`AttemptView`] in the configured language.

mod closing;
mod command;
mod customer;
mod desk;
mod desk_accounts;
mod desk_outcome;
mod desk_reads;
mod events;
pub mod input;
mod printing;
mod printing_docs;
mod printing_link;
mod printing_status;
mod printing_worker;
mod reads;
mod scanner;
mod settings;
mod settings_display;
mod settings_form;
mod status;
mod store_day;
mod store_link;
mod store_worker;
pub mod view;
pub mod wedge;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use secrecy::SecretString;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

pub use crate::checkout::Progress;
pub use command::{COMMANDS, Command, CommandInfo, CommandReplies, Reply};
pub use customer::{CustomerScreen, CustomerView, OUTCOME_SHOWN, Words};
pub use desk::DESK_IDLE;
pub use desk_accounts::{AuditPage, AuditRowView, DeskView};
pub use events::{ScanView, TillEvent, TillEvents};
pub use input::{InputCheck, QrChoice};
pub use printing::{PrintJobState, PrintJobView, PrintKind, PrintReport, PrinterView, SlipPreview};
pub use reads::{AttemptFilter, DayReportView, ReportRow};
pub use settings::{SettingsInput, SettingsView};
pub use settings_display::{DisplayChoice, DisplayFields};
pub use settings_form::{
    BackendFields, PollingFields, PrinterFields, ScannerFields, SettingsForm, TillFields,
};
pub use status::{
    BackendName, BackendState, BackendStatus, LiveCounts, QrOption, ScannerState, ScannerStatus,
    SessionStatus, TillStatus,
};
pub use store_day::{StoreDayView, StoreOpenView, StoreTillView};
pub use store_link::{StoreLinkState, StoreView};
pub use view::{Action, AttemptView, Tone, Wallet};
pub use wedge::{ScanField, ScanMeaning, ScanRule};

use crate::audit::AuditAction;
use crate::backend::{Connect, Connected};
use crate::checkout::{
    BarcodePayment, Checkout, CheckoutSettings, Flow, QrPayment, RecoveryReport,
};
use crate::config::Config;
use crate::error::Field;
use crate::journal::Journal;
use crate::managers::Approval;
use crate::order_no;
use crate::reasons::{ConfigError, NotAllowed};
use crate::{AttemptId, Clock, Error, Lang, ManagerDecision, PaymentCode};

/// The embedded sandbox standing in for both backends when none is configured: its public
/// test credentials, so the login screen can say what to type.
#[derive(Debug, Clone)]
pub struct SandboxNote {
    pub operator: String,
    pub password: SecretString,
}

#[derive(Debug, Default)]
pub struct TillOptions {
    pub sandbox: Option<SandboxNote>,
    /// Where settings are saved; `None`: they cannot be saved (they came from elsewhere).
    pub config_path: Option<PathBuf>,
    /// Seeds the order-number nonces; `None`: one that differs between runs
    /// ([`order_no::run_seed`]). Tests fix it.
    pub seed: Option<u64>,
    /// How to reach the backends at login; `None`: a till opened for reading only, which
    /// cannot log in.
    pub connector: Option<Arc<dyn Connect>>,
    /// The receipt printer's driver (`cashier-print`'s ESC/POS one in the app and the CLI);
    /// `None`: nothing is printed, slips are only previewed.
    pub printer: Option<Arc<dyn crate::print::Printer>>,
    /// Ships the journal to the store the `[store]` section names (`cashier-store`'s
    /// PostgreSQL one in the app); `None`, or no `[store]`: the journal stays on this till.
    pub shipper: Option<Arc<dyn crate::shipping::Shipper>>,
    /// Reads the store's day for the manager's desk, as a read-only role; `None`: the desk has
    /// no store view.
    pub store_reader: Option<Arc<dyn crate::store_day::StoreReader>>,
}

/// A logged-in till: the engine and what the login said.
struct Session {
    checkout: Arc<Checkout>,
    operator: String,
    merchant: Option<String>,
    clock_warning: Option<String>,
    recovery: RecoveryReport,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Session {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

struct Inner {
    cfg: RwLock<Config>,
    options: TillOptions,
    clock: Arc<dyn Clock>,
    journal: Arc<Journal>,
    lang: RwLock<Lang>,
    session: RwLock<Option<Arc<Session>>>,
    events: broadcast::Sender<TillEvent>,
    scanner: Arc<scanner::Link>,
    /// Payment flows running in this process, for a front end that waits for one to end.
    flows: Mutex<HashMap<AttemptId, Flow>>,
    /// The cashier confirmed closing with a payment in progress.
    closing: AtomicBool,
    /// The manager's desk, while open.
    desk: Mutex<Option<desk::DeskSession>>,
    /// The receipt printer: what is known of it, and the worker printing the queue.
    printing: printing_link::PrinterLink,
    /// The store: what is known of the link, and the worker shipping the journal.
    store: store_link::StoreLink,
    /// What the customer display shows.
    customer: Mutex<customer::Board>,
}

/// A cheap handle; clones share the till.
#[derive(Clone)]
pub struct Till {
    inner: Arc<Inner>,
}

impl Till {
    /// Opens the till on a checked configuration: the journal, the HTTP client, the serial
    /// scanner if one is set. Payments need [`Till::login`] first.
    pub fn open(cfg: Config, clock: Arc<dyn Clock>, options: TillOptions) -> Result<Till, Error> {
        cfg.validate()?;
        let journal = Arc::new(Journal::open(&cfg.db_path_or_default())?);
        // Every process writing transitions reads from the journal whether slips are owed.
        journal.set_slips(cfg.printer.owes_slips())?;
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let lang = cfg.lang;
        let scanner_cfg = cfg.scanner.clone();
        let till = Till {
            inner: Arc::new(Inner {
                cfg: RwLock::new(cfg),
                options,
                clock,
                journal,
                lang: RwLock::new(lang),
                session: RwLock::new(None),
                events: events.clone(),
                scanner: Arc::new(scanner::Link::new(events)),
                flows: Mutex::new(HashMap::new()),
                closing: AtomicBool::new(false),
                desk: Mutex::new(None),
                printing: printing_link::PrinterLink::default(),
                store: store_link::StoreLink::default(),
                customer: Mutex::new(customer::Board::default()),
            }),
        };
        till.ensure_demo_manager()?;
        till.inner.scanner.start(&scanner_cfg, till.lang());
        printing_worker::start(&till);
        store_worker::start(&till);
        Ok(till)
    }

    pub fn config(&self) -> Config {
        read(&self.inner.cfg).clone()
    }

    pub fn lang(&self) -> Lang {
        *read(&self.inner.lang)
    }

    /// The business zone, as the configuration names it: every time a screen shows.
    pub(crate) fn zone(&self) -> Result<chrono_tz::Tz, Error> {
        read(&self.inner.cfg).tz()
    }

    pub fn journal(&self) -> &Journal {
        &self.inner.journal
    }

    pub fn is_sandbox(&self) -> bool {
        self.inner.options.sandbox.is_some()
    }

    /// The sandbox's public credentials, when it stands in for the backends.
    pub fn sandbox(&self) -> Option<&SandboxNote> {
        self.inner.options.sandbox.as_ref()
    }

    /// Whether logging in needs the back-office password (Tour V5 is configured).
    pub fn needs_password(&self) -> bool {
        read(&self.inner.cfg).tourv5.is_some()
    }

    /// Logs in to the backends (the password is used for the Tour V5 login and dropped), then
    /// opens the checkout: start-up recovery of unfinished attempts runs before it can take a
    /// payment, and the watcher of abandoned QR codes starts.
    pub async fn login(&self, operator: &str, password: SecretString) -> Result<TillStatus, Error> {
        let operator = operator.trim();
        if operator.is_empty() || operator.len() > 32 {
            return Err(Error::input(
                Field::Operator,
                "operator: 1 to 32 characters",
                "操作员：1 到 32 个字符",
            ));
        }
        let mut cfg = self.config();
        if cfg.is_sandbox() {
            return Err(ConfigError::NoBackend.into());
        }
        cfg.operator = operator.to_string();
        let connector = self
            .inner
            .options
            .connector
            .as_ref()
            .ok_or(Error::NotAllowed(NotAllowed::OpenedForReading))?;
        if cfg.tourv5.is_some() && secrecy::ExposeSecret::expose_secret(&password).is_empty() {
            return Err(Error::input(
                Field::Password,
                "enter the back-office password",
                "请输入后台密码",
            ));
        }
        let Connected {
            backends,
            merchant,
            clock_warning,
        } = connector
            .connect(&cfg, operator, password, self.inner.clock.clone())
            .await?;
        // A new login replaces the old session, whose tasks end with it.
        *write(&self.inner.session) = None;
        let (checkout, recovery) = Checkout::open(
            self.inner.journal.clone(),
            backends,
            CheckoutSettings::from_config(&cfg)?,
            self.inner.clock.clone(),
            self.inner.options.seed.unwrap_or_else(order_no::run_seed),
        )
        .await?;
        let mut tasks = vec![events::forward(self.clone(), checkout.subscribe())];
        if let Some(watcher) = checkout.watch_abandoned() {
            tasks.push(watcher);
        }
        *write(&self.inner.session) = Some(Arc::new(Session {
            checkout,
            operator: operator.to_string(),
            merchant,
            clock_warning,
            recovery,
            tasks,
        }));
        let status = self.status();
        let _ = self.inner.events.send(TillEvent::Status {
            status: status.clone(),
        });
        self.customer_logged_in();
        Ok(status)
    }

    fn session(&self) -> Result<Arc<Session>, Error> {
        read(&self.inner.session).clone().ok_or(Error::NotLoggedIn)
    }

    /// The checkout engine of the current session.
    pub fn checkout(&self) -> Result<Arc<Checkout>, Error> {
        Ok(self.session()?.checkout.clone())
    }

    /// What start-up recovery found at login.
    pub fn recovery(&self) -> Result<RecoveryReport, Error> {
        Ok(self.session()?.recovery.clone())
    }

    /// Waits for the attempts recovery is still following and reports how each ended.
    pub async fn wait_recovered(&self) -> Result<RecoveryReport, Error> {
        let session = self.session()?;
        Ok(session
            .checkout
            .wait_recovered(session.recovery.clone())
            .await)
    }

    pub fn set_lang(&self, lang: Lang) -> TillStatus {
        *write(&self.inner.lang) = lang;
        write(&self.inner.cfg).lang = lang;
        self.status()
    }

    pub fn subscribe(&self) -> TillEvents {
        TillEvents::new(self.clone(), self.inner.events.subscribe())
    }

    pub fn check_bill(&self, raw: &str) -> InputCheck {
        input::check_bill(&read(&self.inner.cfg), raw, self.lang())
    }

    pub fn check_amount(&self, raw: &str) -> InputCheck {
        input::check_amount(&read(&self.inner.cfg), raw, self.lang())
    }

    /// A barcode payment from what the cashier typed and the scanner read (a keyboard-wedge
    /// scanner's text, framing and all). The code's wallet picks the channel. Returns once the
    /// attempt is journalled; its progress comes as events.
    pub async fn start_barcode(
        &self,
        bill: &str,
        amount: &str,
        code: &str,
    ) -> Result<AttemptView, Error> {
        let p = self.barcode_payment(bill, amount, |cfg| input::code(cfg, code))?;
        self.pay_barcode(p).await
    }

    /// A barcode payment with a code the serial scanner read (announced by a `scan` event).
    pub async fn start_scanned(
        &self,
        bill: &str,
        amount: &str,
        scan_id: u64,
    ) -> Result<AttemptView, Error> {
        let p = self.barcode_payment(bill, amount, |_| self.inner.scanner.take(scan_id))?;
        self.pay_barcode(p).await
    }

    /// The cashier's bill and amount checked, the code from `code_of`, the channel its route.
    /// The bill and amount are checked first: a typo refuses before a serial scan is taken.
    fn barcode_payment(
        &self,
        bill: &str,
        amount: &str,
        code_of: impl FnOnce(&Config) -> Result<PaymentCode, Error>,
    ) -> Result<BarcodePayment, Error> {
        let cfg = read(&self.inner.cfg);
        let (bill, amount) = (input::bill(bill)?, input::amount(&cfg, amount)?);
        let code = code_of(&cfg)?;
        let channel = input::route(&cfg, &code)?;
        Ok(BarcodePayment {
            bill,
            amount,
            channel,
            code,
        })
    }

    /// A barcode payment on a chosen channel (the CLI's `--channel`).
    pub async fn pay_barcode(&self, p: BarcodePayment) -> Result<AttemptView, Error> {
        let checkout = self.checkout()?;
        let (a, flow) = checkout.start_barcode(p).await?;
        self.keep(a.id, flow);
        self.view(&a, None)
    }

    fn keep(&self, id: AttemptId, flow: Flow) {
        let mut flows = self.inner.flows.lock().unwrap_or_else(|p| p.into_inner());
        flows.retain(|_, f| !f.is_finished());
        flows.insert(id, flow);
    }

    /// Waits until the flow of a payment started here ends (paid, failed, cancelled, expired,
    /// abandoned, or given up as Unknown), for a front end that blocks on one payment.
    pub async fn wait(&self, id: AttemptId) -> Result<AttemptView, Error> {
        let flow = self
            .inner
            .flows
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        let a = match flow {
            Some(flow) => flow
                .await
                .map_err(|e| Error::Internal(format!("payment flow: {e}")))??,
            None => self
                .inner
                .journal
                .blocking(move |j| j.get(id))
                .await?
                .ok_or_else(|| Error::NotFound(format!("no attempt {id}")))?,
        };
        self.view(&a, None)
    }

    pub async fn start_qr(
        &self,
        bill: &str,
        amount: &str,
        choice: QrChoice,
    ) -> Result<AttemptView, Error> {
        let p = {
            let cfg = read(&self.inner.cfg);
            QrPayment {
                bill: input::bill(bill)?,
                amount: input::amount(&cfg, amount)?,
                channel: choice.channel(),
                wallet: choice.wallet(),
            }
        };
        self.pay_qr(p).await
    }

    /// A QR payment on a chosen channel and wallet (the CLI's `--channel`, `--wallet`).
    pub async fn pay_qr(&self, p: QrPayment) -> Result<AttemptView, Error> {
        let checkout = self.checkout()?;
        let (a, flow) = checkout.start_qr(p).await?;
        self.keep(a.id, flow);
        self.view(&a, None)
    }

    pub async fn cancel(&self, id: AttemptId) -> Result<AttemptView, Error> {
        let a = self.checkout()?.cancel(id).await?;
        self.view(&a, None)
    }

    pub async fn query_again(&self, id: AttemptId) -> Result<AttemptView, Error> {
        let a = self.checkout()?.query_again(id).await?;
        self.view(&a, None)
    }

    /// A manager decides an Unknown attempt: `to` is paid or failed, with a note, under the
    /// chosen manager's PIN; the audit trail names who approved and how it ended.
    pub async fn resolve(
        &self,
        id: AttemptId,
        to: ManagerDecision,
        note: &str,
        approval: &Approval,
    ) -> Result<AttemptView, Error> {
        require(
            note,
            Field::Note,
            "a note saying how it was checked",
            "说明如何核实的备注",
        )?;
        let checkout = self.checkout()?;
        let order_no = self.order_no(id).await?;
        let who = self
            .approve(approval, AuditAction::Resolve, Some(&order_no))
            .await?;
        let done = checkout.force_resolve(id, to, note, &who.name).await;
        self.audit_outcome(AuditAction::Resolve, &who, &order_no, note, &done)?;
        self.view(&done?, None)
    }

    /// A manager refunds `amount` (yuan as typed; empty: all that is left) of a paid attempt,
    /// under the chosen manager's PIN; the refund is sent under that manager's staff id.
    pub async fn refund(
        &self,
        id: AttemptId,
        amount: &str,
        note: &str,
        approval: &Approval,
    ) -> Result<AttemptView, Error> {
        require(note, Field::Note, "a note saying why", "退款原因")?;
        let amount = match amount.trim() {
            "" => None,
            raw => Some(input::amount(&read(&self.inner.cfg), raw)?),
        };
        let checkout = self.checkout()?;
        let order_no = self.order_no(id).await?;
        let who = self
            .approve(approval, AuditAction::Refund, Some(&order_no))
            .await?;
        let done = checkout.refund(id, amount, note, &who).await;
        self.audit_outcome(AuditAction::Refund, &who, &order_no, note, &done)?;
        self.view(&done?, None)
    }

    pub fn serial_ports(&self) -> Vec<String> {
        scanner::ports()
    }

    /// The cashier confirmed closing although a payment is in progress: the journal keeps it
    /// and the next start recovers it.
    pub fn confirm_close(&self) {
        self.inner.closing.store(true, Ordering::SeqCst);
    }

    /// Whether a front end may close without asking: no payment is in progress, or the
    /// cashier already confirmed closing anyway.
    pub fn may_close(&self) -> bool {
        self.inner.closing.load(Ordering::SeqCst) || !self.live_counts().payment_in_progress()
    }
}

/// How many events a slow subscriber may fall behind before it is re-sent the current state.
const EVENT_BUFFER: usize = 256;

fn require(value: &str, field: Field, en: &str, zh: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::input(
            field,
            format!("{en} is required"),
            format!("请填写{zh}"),
        ));
    }
    Ok(())
}

/// A lock whose holder panicked still holds consistent data here (plain values replaced
/// whole), so poisoning is ignored.
fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}
