//! A window with one line of text, started and marked exactly as the Cashier app is: the same
//! first-screen plugin (this is the app's own file), window size and CSP.

#[path = "../../../src-tauri/src/first_screen.rs"]
mod first_screen;

fn main() {
    let app = tauri::Builder::default()
        .plugin(first_screen::plugin())
        .run(tauri::generate_context!());
    if let Err(error) = app {
        eprintln!("baseline: {error}");
        std::process::exit(1);
    }
}
