//! End-to-end tests: the real `cashier-app` binary in a real window, driven over WebDriver through
//! tauri-driver and WebKitWebDriver. CI runs them under Xvfb with `CASHIER_E2E=1`
//! (`scripts/test-all`); without a display and without that variable they are skipped, saying so.

mod abandoned;
mod checkout;
mod closing;
mod customer_display;
mod desk_broken;
mod desk_lock;
mod desk_receipts;
mod desk_totals;
mod desk_work;
mod harness;
mod installed;
mod keyboard;
mod printing;
mod recovery;
mod scanner_load;
mod serial;
mod smoke;
mod store;
mod typing;
