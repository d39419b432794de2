//! The Cashier desktop app: a thin Tauri shell over the `Till`. One command per `Till` method,
//! one task forwarding `Till` events to the window, the question before closing with a payment
//! in progress. No business rule lives here: everything comes from `cashier_core::till`.

mod first_screen;

use std::sync::atomic::{AtomicBool, Ordering};

use cashier_core::error::ErrorBody;
use cashier_core::till::{
    AttemptFilter, AttemptView, DayReportView, InputCheck, QrChoice, SettingsInput, SettingsView,
    Till, TillStatus,
};
use cashier_core::{AttemptId, AttemptState, Error, Lang};
use cashier_open::ConfigFile;
use cashier_sandbox::Sandbox;
use secrecy::SecretString;
use serde::Deserialize;
use tauri::{Emitter, Manager, State, WindowEvent};

/// What the commands share: the till, and the sandbox standing in for the backends (kept
/// alive for as long as the app runs).
struct Shell {
    till: Till,
    _sandbox: Option<Sandbox>,
    /// The cashier confirmed closing with a payment in progress.
    closing: AtomicBool,
}

type Answer<T> = Result<T, ErrorBody>;

fn answer<T>(till: &Till, r: Result<T, Error>) -> Answer<T> {
    r.map_err(|e| e.body(till.lang()))
}

/// Opens the till on the configuration file (`$CASHIER_CONFIG`, else the OS config dir), on the
/// embedded sandbox when it configures no backend.
async fn open() -> Result<Shell, Error> {
    let file = ConfigFile::at(std::env::var_os("CASHIER_CONFIG").map(std::path::PathBuf::from));
    let cashier_open::Opened { till, sandbox, .. } =
        cashier_open::open(file.load()?, file.path).await?;
    if sandbox.is_some() {
        tracing::warn!("{}", cashier_open::NOTICE);
    }
    Ok(Shell {
        till,
        _sandbox: sandbox,
        closing: AtomicBool::new(false),
    })
}

#[tauri::command(rename_all = "snake_case")]
fn status(s: State<'_, Shell>) -> TillStatus {
    s.till.status()
}

#[tauri::command(rename_all = "snake_case")]
async fn login(s: State<'_, Shell>, operator: String, password: String) -> Answer<TillStatus> {
    let r = s.till.login(&operator, SecretString::from(password)).await;
    answer(&s.till, r)
}

#[tauri::command(rename_all = "snake_case")]
fn set_lang(s: State<'_, Shell>, lang: Lang) -> TillStatus {
    s.till.set_lang(lang)
}

#[tauri::command(rename_all = "snake_case")]
fn check_bill(s: State<'_, Shell>, raw: String) -> InputCheck {
    s.till.check_bill(&raw)
}

#[tauri::command(rename_all = "snake_case")]
fn check_amount(s: State<'_, Shell>, raw: String) -> InputCheck {
    s.till.check_amount(&raw)
}

#[tauri::command(rename_all = "snake_case")]
async fn start_barcode(
    s: State<'_, Shell>,
    bill: String,
    amount: String,
    code: String,
) -> Answer<AttemptView> {
    let r = s.till.start_barcode(&bill, &amount, &code).await;
    answer(&s.till, r)
}

#[tauri::command(rename_all = "snake_case")]
async fn start_scanned(
    s: State<'_, Shell>,
    bill: String,
    amount: String,
    scan_id: u64,
) -> Answer<AttemptView> {
    let r = s.till.start_scanned(&bill, &amount, scan_id).await;
    answer(&s.till, r)
}

#[tauri::command(rename_all = "snake_case")]
async fn start_qr(
    s: State<'_, Shell>,
    bill: String,
    amount: String,
    choice: QrChoice,
) -> Answer<AttemptView> {
    let r = s.till.start_qr(&bill, &amount, choice).await;
    answer(&s.till, r)
}

#[tauri::command(rename_all = "snake_case")]
async fn cancel(s: State<'_, Shell>, id: i64) -> Answer<AttemptView> {
    let r = s.till.cancel(AttemptId(id)).await;
    answer(&s.till, r)
}

#[tauri::command(rename_all = "snake_case")]
async fn query_again(s: State<'_, Shell>, id: i64) -> Answer<AttemptView> {
    let r = s.till.query_again(AttemptId(id)).await;
    answer(&s.till, r)
}

/// What a manager may decide an Unknown attempt to be.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Resolution {
    Paid,
    Failed,
}

#[tauri::command(rename_all = "snake_case")]
async fn resolve(
    s: State<'_, Shell>,
    id: i64,
    to: Resolution,
    note: String,
    manager: String,
) -> Answer<AttemptView> {
    let to = match to {
        Resolution::Paid => AttemptState::Paid,
        Resolution::Failed => AttemptState::Failed,
    };
    let r = s.till.resolve(AttemptId(id), to, &note, &manager).await;
    answer(&s.till, r)
}

#[tauri::command(rename_all = "snake_case")]
async fn refund(
    s: State<'_, Shell>,
    id: i64,
    amount: String,
    note: String,
    manager: String,
) -> Answer<AttemptView> {
    let r = s.till.refund(AttemptId(id), &amount, &note, &manager).await;
    answer(&s.till, r)
}

#[tauri::command(rename_all = "snake_case")]
async fn attempt(s: State<'_, Shell>, id: i64) -> Answer<AttemptView> {
    let r = s.till.attempt(AttemptId(id)).await;
    answer(&s.till, r)
}

#[tauri::command(rename_all = "snake_case")]
async fn attempts(s: State<'_, Shell>, filter: AttemptFilter) -> Answer<Vec<AttemptView>> {
    let r = s.till.attempts(filter).await;
    answer(&s.till, r)
}

#[tauri::command(rename_all = "snake_case")]
async fn day_report(s: State<'_, Shell>, day: Option<String>) -> Answer<DayReportView> {
    let r = s.till.day_report(day).await;
    answer(&s.till, r)
}

#[tauri::command(rename_all = "snake_case")]
fn serial_ports(s: State<'_, Shell>) -> Vec<String> {
    s.till.serial_ports()
}

#[tauri::command(rename_all = "snake_case")]
fn settings(s: State<'_, Shell>) -> SettingsView {
    s.till.settings()
}

#[tauri::command(rename_all = "snake_case")]
async fn save_settings(s: State<'_, Shell>, settings: SettingsInput) -> Answer<SettingsView> {
    let r = s.till.save_settings(settings).await;
    answer(&s.till, r)
}

/// The cashier confirmed closing although a payment is in progress (the journal keeps it; the
/// next start recovers it).
#[tauri::command(rename_all = "snake_case")]
fn close_anyway(s: State<'_, Shell>, window: tauri::Window) -> Answer<()> {
    s.closing.store(true, Ordering::SeqCst);
    window
        .close()
        .map_err(|e| Error::Internal(e.to_string()).body(s.till.lang()))
}

/// Opens the till, forwards its events to the window as `till`, and runs until the window
/// closes.
pub fn run() -> Result<(), tauri::Error> {
    cashier_open::log_to_stderr();
    tauri::Builder::default()
        .plugin(first_screen::plugin())
        .setup(|app| {
            let shell = tauri::async_runtime::block_on(open()).map_err(|e| {
                // No window can explain a till that cannot open; the terminal can.
                eprintln!("cashier-app: {}", e.body(Lang::ZhCn).message);
                Box::new(e) as Box<dyn std::error::Error>
            })?;
            let mut events = shell.till.subscribe();
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                while let Some(e) = events.recv().await {
                    if let Err(err) = handle.emit("till", &e) {
                        tracing::warn!("forwarding an event to the window: {err}");
                    }
                }
            });
            app.manage(shell);
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                let shell = window.state::<Shell>();
                let busy = shell.till.status().payment_in_progress();
                if busy && !shell.closing.load(Ordering::SeqCst) {
                    // Money may be moving: the window asks first (the UI's close dialog).
                    api.prevent_close();
                    let _ = window.emit("close-requested", ());
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            status,
            login,
            set_lang,
            check_bill,
            check_amount,
            start_barcode,
            start_scanned,
            start_qr,
            cancel,
            query_again,
            resolve,
            refund,
            attempt,
            attempts,
            day_report,
            serial_ports,
            settings,
            save_settings,
            close_anyway,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"))
}
