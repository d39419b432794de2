//! Tells a start-up benchmark when the first screen has been painted.
//!
//! A script injected into the page waits for the `load` event (the UI's module scripts, and so its
//! first synchronous render, have run by then) and then for two animation frames (the first frame
//! after a DOM change may not be on screen yet), and emits an event. With `CASHIER_STARTUP_MARK`
//! set, the app prints one `first-screen` line on stdout when that event arrives; `bench/startup.sh`
//! times from spawning the process to that line. The minimal window in `bench/baseline` compiles
//! this same file, so both are measured the same way. Screens that wait for data after the first
//! render are not covered: this marks the first paint of the page, not of the data.

use std::sync::atomic::{AtomicBool, Ordering};
use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Listener, Runtime};

const EVENT: &str = "startup:first-screen";
const ENV: &str = "CASHIER_STARTUP_MARK";

const SCRIPT: &str = r#"
(function () {
  // The cashier's window only: the customer display may not emit events.
  var meta = window.__TAURI_INTERNALS__ && window.__TAURI_INTERNALS__.metadata;
  if (!meta || !meta.currentWebview || meta.currentWebview.label !== 'main') { return; }
  function emit() {
    window.__TAURI_INTERNALS__.invoke('plugin:event|emit', { event: 'startup:first-screen', payload: null });
  }
  function afterTwoFrames() {
    requestAnimationFrame(function () { requestAnimationFrame(emit); });
  }
  if (document.readyState === 'complete') { afterTwoFrames(); }
  else { window.addEventListener('load', afterTwoFrames, { once: true }); }
})();
"#;

pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("first-screen")
        .js_init_script(SCRIPT)
        .setup(|app, _api| {
            if std::env::var_os(ENV).is_some() {
                let printed = AtomicBool::new(false);
                app.listen_any(EVENT, move |_event| {
                    // Only the first paint counts; a reload would print again otherwise.
                    if !printed.swap(true, Ordering::Relaxed) {
                        println!("first-screen");
                    }
                });
            }
            Ok(())
        })
        .build()
}
