//! The Cashier desktop app: a thin Tauri shell over the `Till`. Commands and the event forwarding
//! come here; no business rule does.

mod first_screen;

/// Opens the main window (configured in the top-level `tauri.conf.json`) and runs until it closes.
pub fn run() -> Result<(), tauri::Error> {
    tauri::Builder::default()
        .plugin(first_screen::plugin())
        .run(tauri::generate_context!("../tauri.conf.json"))
}
