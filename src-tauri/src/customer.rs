//! The customer display (客显): a second window facing the customer, opened at start when the
//! till's `customer_display` setting and the machine's monitors allow (core's
//! `CustomerDisplay::monitor` picks the monitor), full screen there; where the platform cannot
//! place a window (Wayland) it is a normal window the cashier drags to the customer's screen.
//!
//! The window only listens: its capability (`capabilities/customer.json`) grants no command, and
//! what it shows comes from core as `CustomerView`s, sent to it alone as `customer` events.
//! Events only reach a page once it has subscribed, so the current view is sent again when the
//! page says it listens; the views carry a sequence number, so a page that gets an older one
//! after a newer keeps the newer.

use std::time::Duration;

use cashier_core::till::{CustomerView, Till};
use tauri::webview::PageLoadEvent;
use tauri::{AppHandle, Emitter, EventTarget, Manager, Monitor, WebviewUrl, WebviewWindow};

/// The customer window's label (its capability names it).
pub const LABEL: &str = "customer";
/// The event carrying a `CustomerView` to it.
pub const EVENT: &str = "customer";
/// What the page sets once its listener is registered.
const LISTENING: &str = "window.__cashierCustomerListening === true";
/// How often, and how many times, the shell asks whether the page listens yet.
const ASK_EVERY: Duration = Duration::from_millis(100);
const ASK_TIMES: u32 = 300;

/// Sends a view to the customer window alone (nothing happens when it is not open).
pub fn send(app: &AppHandle, view: &CustomerView) -> tauri::Result<()> {
    app.emit_to(EventTarget::webview_window(LABEL), EVENT, view)
}

/// Closes the customer window, if it is open.
pub fn close(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(LABEL)
        && let Err(e) = window.destroy()
    {
        tracing::warn!("closing the customer display: {e}");
    }
}

/// Opens the customer window when the setting and the monitors say so.
pub fn open(app: &AppHandle, till: &Till) -> tauri::Result<()> {
    let setting = till.config().customer_display;
    let monitors = app.available_monitors()?;
    let cashier = cashier_monitor(app, &monitors);
    let Some(chosen) = setting
        .monitor(monitors.len(), cashier)
        .and_then(|i| monitors.get(i))
    else {
        tracing::info!(
            monitors = monitors.len(),
            setting = %setting.text(),
            "no customer display"
        );
        return Ok(());
    };
    let builder = WebviewWindow::builder(app, LABEL, WebviewUrl::App("customer.html".into()))
        .title("客显 Customer display")
        .focused(false)
        .on_page_load(|window, load| {
            if load.event() == PageLoadEvent::Finished {
                greet(window);
            }
        });
    if cannot_place_windows() {
        // The compositor decides where it goes: a window the cashier can move and resize.
        builder.inner_size(1024.0, 768.0).resizable(true).build()?;
        return Ok(());
    }
    let scale = chosen.scale_factor();
    let at = chosen.position().to_logical::<f64>(scale);
    let size = chosen.size().to_logical::<f64>(scale);
    let window = builder
        .position(at.x, at.y)
        .inner_size(size.width, size.height)
        .decorations(false)
        .build()?;
    // Without a window manager (a kiosk, Xvfb) full screen is only a wish: the window is
    // already the monitor's size at its place.
    window.set_position(*chosen.position())?;
    window.set_size(*chosen.size())?;
    window.set_fullscreen(true)?;
    tracing::info!(
        monitor = chosen.name().map(String::as_str).unwrap_or("?"),
        x = chosen.position().x,
        y = chosen.position().y,
        "customer display opened"
    );
    Ok(())
}

/// The monitor of the cashier's window, by its place in `monitors` (the first when unknown).
fn cashier_monitor(app: &AppHandle, monitors: &[Monitor]) -> usize {
    let Some(main) = app.get_webview_window("main") else {
        return 0;
    };
    let Ok(Some(current)) = main.current_monitor() else {
        return 0;
    };
    monitors
        .iter()
        .position(|m| m.position() == current.position() && m.size() == current.size())
        .unwrap_or(0)
}

/// Wayland does not let a client place its windows.
fn cannot_place_windows() -> bool {
    let wayland = std::env::var_os("WAYLAND_DISPLAY").is_some_and(|v| !v.is_empty());
    let forced_x11 = std::env::var("GDK_BACKEND").is_ok_and(|b| b.starts_with("x11"));
    wayland && !forced_x11
}

/// Once the page listens, sends it the current view (the shell is asked nothing by the page:
/// it asks the page, a few times a second, until it says it listens).
fn greet(window: WebviewWindow) {
    std::thread::spawn(move || {
        for _ in 0..ASK_TIMES {
            let (tx, rx) = std::sync::mpsc::channel();
            let asked = window.eval_with_callback(LISTENING, move |answer| {
                let _ = tx.send(answer == "true");
            });
            if asked.is_err() {
                return; // the window is gone
            }
            if rx.recv_timeout(Duration::from_secs(2)).unwrap_or(false) {
                let till = window.state::<crate::Shell>().till.clone();
                if let Err(e) = send(window.app_handle(), &till.customer_view()) {
                    tracing::warn!("sending the customer display its view: {e}");
                }
                return;
            }
            std::thread::sleep(ASK_EVERY);
        }
        tracing::warn!("the customer display never listened");
    });
}
