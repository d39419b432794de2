//! What every end-to-end test needs: starting and restarting the app under tauri-driver, finding
//! elements by `data-testid`, waiting for text, screenshots, and scanners (keyboard wedge and a
//! serial port on a pty pair); for the customer display, a display with two monitors, switching
//! between the app's windows and reading a QR code off the screen.

mod app;
mod desk;
mod driver;
mod gate;
mod monitors;
mod page;
mod payments;
mod printer;
pub mod process_tree;
mod scanner;
mod store;
mod till;
mod windows;
mod xkeys;

pub use app::{App, AppOptions};
pub use desk::{DEMO_PIN, ShownLine, fen_of};
pub use monitors::{MONITOR_HEIGHT, MONITOR_WIDTH};
pub use page::poll;
pub use payments::{DECLINED_CODE, PAID_CODE, QUICK_GIVE_UP};
pub use printer::SerialPrinter;
pub use scanner::{ScanSuffix, SerialScanner};
pub use store::{Link, MERCHANT, TestStore, pg_server};
pub use till::{HAND, Sandbox, WAIT};
pub use xkeys::EnterAfter;

/// An e2e failure is read by a person, not matched on: anyhow keeps the context and prints it plainly.
pub type E2eResult<T> = anyhow::Result<T>;
