//! Cashier's payment core: everything that is not UI.
//!
//! Money is integer fen ([`Fen`]) everywhere inside; yuan decimals exist only at the wire
//! ([`Fen::to_wire_yuan`]) and on screen ([`Fen`]'s `Display`).

pub mod attempt;
pub mod audit;
pub mod backend;
pub mod bill;
pub mod call;
pub mod checkout;
pub mod clock;
pub mod closing;
pub mod code;
pub mod config;
pub mod customer_display;
pub mod error;
pub mod failpoint;
pub mod files;
pub mod journal;
pub mod labels;
pub mod managers;
pub mod money;
pub mod order_no;
pub mod outcome;
pub mod print;
pub mod qr;
pub mod reasons;
pub mod receipts;
pub mod scanner;
pub mod shipping;
pub mod store;
pub mod store_day;
pub mod till;
pub mod timestamp;

pub use attempt::{Attempt, AttemptId, AttemptState, Channel, ManagerDecision, RefundState};
pub use bill::{BillError, BillNo};
pub use call::{CallError, CallFate, Refusal, RefusalReason};
pub use clock::{Clock, SystemClock, TokioClock};
pub use code::{CodeError, CodeKind, PaymentCode, ScannerFraming};
pub use error::{Error, ErrorBody, ErrorCode, Lang};
pub use money::{AmountError, Fen};
pub use outcome::{PaymentOutcome, QrIssued};
pub use reasons::{ConfigError, NotAllowed};
