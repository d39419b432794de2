//! Serial barcode scanner guns (docs/protocols.md §4): read codes off a COM port, tell the
//! checkout.
//!
//! [`Scanner::spawn`] runs the port on its own thread and sends [`ScanEvent`]s: payment codes,
//! rejected reads (masked), and the port coming and going. The byte stream is cut into reads by
//! the pure [`FrameAssembler`]; the settings live in [`ScannerConfig`].

mod config;
mod event;
mod frame;
mod port_name;
mod reader;

pub use config::{Parity, SCANNER_BAUDS, ScannerConfig, ScannerConfigError, Terminator};
pub use event::ScanEvent;
pub use frame::{Frame, FrameAssembler};
pub use port_name::{PortNameError, canonical_port_name};
pub use reader::{Scanner, ScannerHandle};
