//! Receipts on paper (issue 17): a slip's layout, its ESC/POS bytes, the printers they go to, and a
//! decoder that reads the bytes back (for tests, and later the on-screen preview).
//!
//! A crate of its own beside core because printing brings heavy dependencies (the ESC/POS crate, the
//! code pages). It takes already-formatted texts: core decides what a slip says, this crate how it
//! looks on paper and how it reaches the printer.

pub mod decode;
mod error;
pub mod escpos;
pub mod printer;
pub mod slip;

pub use decode::{Decoded, decode};
pub use error::PrintError;
pub use escpos::{Encoding, encode};
pub use printer::{PrinterUrl, send};
pub use slip::{Align, Line, Paper, SlipText, layout};
