//! Cashier's payment core: everything that is not UI.
//!
//! Money is integer fen ([`Fen`]) everywhere inside; yuan decimals exist only at the wire
//! ([`Fen::to_wire_yuan`]) and on screen ([`Fen`]'s `Display`).

pub mod bill;
pub mod clock;
pub mod cloudpay;
pub mod code;
pub mod crypto;
pub mod error;
pub mod http;
pub mod money;
pub mod outcome;
pub mod tourv5;

pub use bill::{BillError, BillNo};
pub use clock::{Clock, SystemClock};
pub use code::{CodeError, CodeKind, PaymentCode, ScannerFraming};
pub use error::{Error, ErrorBody, Lang};
pub use money::{AmountError, Fen};
pub use outcome::{PaymentOutcome, QrIssued};
