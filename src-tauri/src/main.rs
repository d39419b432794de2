// A release build on Windows opens no console window beside the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(error) = cashier_shell::run() {
        eprintln!("cashier-app: {error}");
        std::process::exit(1);
    }
}
