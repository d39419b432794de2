//! The Cashier desktop app: a thin Tauri shell over the `Till`. One command forwarding core's
//! `Command`s to `Till::run`, one task forwarding `Till` events to the window, the question
//! before closing with a payment in progress. No business rule lives here: everything comes from `cashier_core::till`.

mod first_screen;

use cashier_core::error::ErrorBody;
use cashier_core::till::{Command, Reply, Till};
use cashier_core::{Error, Lang};
use cashier_open::ConfigFile;
use cashier_sandbox::Sandbox;
use tauri::{Emitter, Manager, State, WindowEvent};

/// What the commands share: the till, and the sandbox standing in for the backends (kept
/// alive for as long as the app runs).
struct Shell {
    till: Till,
    _sandbox: Option<Sandbox>,
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
    })
}

/// Every `Till` command, as one Tauri command: `invoke("till", { command })` with a `Command`
/// (`ui/src/api.ts`). Closing anyway also closes the window, which only the shell can.
#[tauri::command]
async fn till(
    s: State<'_, Shell>,
    window: tauri::Window,
    command: Command,
) -> Result<Reply, ErrorBody> {
    let close = matches!(command, Command::CloseAnyway {});
    let reply = s
        .till
        .run(command)
        .await
        .map_err(|e| e.body(s.till.lang()))?;
    if close {
        window
            .close()
            .map_err(|e| Error::Internal(e.to_string()).body(s.till.lang()))?;
    }
    Ok(reply)
}

/// Opens the till, forwards its events to the window as `till`, and runs until the window
/// closes.
pub fn run() -> Result<(), tauri::Error> {
    cashier_open::log_to_stderr();
    tauri::Builder::default()
        .plugin(first_screen::plugin())
        .plugin(tauri_plugin_dialog::init())
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
            if let WindowEvent::CloseRequested { api, .. } = event
                && !window.state::<Shell>().till.may_close()
            {
                // Money may be moving: the window asks first (the UI's close dialog).
                api.prevent_close();
                let _ = window.emit("close-requested", ());
            }
        })
        .invoke_handler(tauri::generate_handler![till])
        .run(tauri::generate_context!("../tauri.conf.json"))
}
