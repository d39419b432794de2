//! Receipts on paper (issue 17), the ESC/POS side: core's documents as ESC/POS bytes, the wire to
//! the printer (serial, USB device node, TCP, file), its real-time status, and a decoder that reads
//! the bytes back (the on-screen preview, and the tests). [`EscPos`] is core's
//! `cashier_core::print::Printer` for all of it.
//!
//! A crate of its own beside core because printing brings heavy dependencies (the ESC/POS crate,
//! the code pages). Core decides what a document says and when it prints; this crate how it looks
//! on paper and how it reaches the printer. The design: `docs/printing.md`.

pub mod decode;
mod error;
pub mod escpos;
mod printer;
mod status;
mod wire;

pub use decode::{Decoded, decode};
pub use error::PrintError;
pub use escpos::{codec, encode};
pub use printer::{EscPos, send};
