//! Embeds the built web UI and the window configuration into the app, and declares the app's
//! command so that capabilities decide which window may call it.
//!
//! `tauri.conf.json` sits at the repository's top level (the design card's layout), so the path is
//! given here and again in `generate_context!`. Its `frontendDist` is `ui/dist`, which only exists
//! once the UI is built: without it Tauri fails with an error that does not say what to do, so this
//! checks first and says it.

use std::path::Path;

const UI_ENTRY: &str = "../ui/dist/index.html";

fn main() {
    // A missing file counts as changed, so cargo runs this again until the UI has been built.
    println!("cargo::rerun-if-changed={UI_ENTRY}");
    if !Path::new(UI_ENTRY).is_file() {
        println!(
            "cargo::error=ui/dist/index.html is missing: build the web UI first \
             (cd ui && npm ci && npm run build), or run scripts/test-all, which does it"
        );
        return;
    }
    // Declaring the app's one command makes it a permission (`allow-till`): without this Tauri
    // lets every window call it, the customer display's included. Only the cashier's window's
    // capability (capabilities/default.json) grants it.
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(&["till"]));
    if let Err(error) = tauri_build::try_build(attributes) {
        println!("cargo::error=tauri build step failed: {error:#}");
    }
}
