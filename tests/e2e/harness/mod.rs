//! What every end-to-end test needs: starting and restarting the app under tauri-driver, finding
//! elements by `data-testid`, waiting for text, screenshots, and scanners (keyboard wedge and a
//! serial port on a pty pair).

mod app;
mod driver;
mod gate;
mod page;
pub mod process_tree;
mod scanner;
mod till;
mod xkeys;

pub use app::{App, AppOptions};
pub use page::poll;
pub use scanner::{ScanSuffix, SerialScanner};
pub use till::{HAND, Sandbox, WAIT};
pub use xkeys::EnterAfter;

/// An e2e failure is read by a person, not matched on: anyhow keeps the context and prints it plainly.
pub type E2eResult<T> = anyhow::Result<T>;
