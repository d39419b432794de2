//! The Cashier desktop app: a thin Tauri shell over the `Till`. One command forwarding core's
//! `Command`s to `Till::run`, one task forwarding `Till` events to the windows (the customer
//! display's to its own window, the rest to the cashier's), the question before closing with a
//! payment in progress. No business rule lives here: everything comes from `cashier_core::till`.

mod customer;
mod first_screen;

use cashier_core::error::ErrorBody;
use cashier_core::till::{Command, Reply, Till, TillEvent};
use cashier_core::{Error, Lang};
use cashier_open::ConfigFile;
use cashier_sandbox::Sandbox;
use tauri::{Emitter, EventTarget, Manager, State, WindowEvent};

/// The cashier's window (`tauri.conf.json`).
const MAIN: &str = "main";

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
/// (`ui/src/api.ts`). Closing anyway also closes the window, which only the shell can. Only the
/// cashier's window may call it (`build.rs` declares it, `capabilities/default.json` allows it).
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

/// Opens the till, forwards its events to the windows, opens the customer display when it is
/// wanted, and runs until the cashier's window closes.
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
                    let sent = match &e {
                        TillEvent::Customer { customer } => customer::send(&handle, customer),
                        _ => handle.emit_to(EventTarget::webview_window(MAIN), "till", &e),
                    };
                    if let Err(err) = sent {
                        tracing::warn!("forwarding an event to a window: {err}");
                    }
                }
            });
            let till = shell.till.clone();
            app.manage(shell);
            // The till works without it: a display that cannot open is a line in the log.
            if let Err(e) = customer::open(app.handle(), &till) {
                tracing::warn!("opening the customer display: {e}");
            }
            Ok(())
        })
        .on_window_event(|window, event| match event {
            WindowEvent::CloseRequested { api, .. }
                if window.label() == MAIN && !window.state::<Shell>().till.may_close() =>
            {
                // Money may be moving: the window asks first (the UI's close dialog).
                api.prevent_close();
                let _ = window.emit_to(EventTarget::webview_window(MAIN), "close-requested", ());
            }
            // The app ends with the cashier's window: the customer's goes with it.
            WindowEvent::Destroyed if window.label() == MAIN => {
                customer::close(window.app_handle())
            }
            _ => {}
        })
        .invoke_handler(tauri::generate_handler![till])
        .run(tauri::generate_context!("../tauri.conf.json"))
}
