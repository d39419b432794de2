//! Cashier's backend clients: Tour V5 and Tencent Cloud Pay as their wires have them — JSON
//! shapes, HAWK signatures, TripleDES, authen_code, HTTP — and the mapping of their answers to
//! core's outcomes. They serve the checkout only through core's backend traits
//! (`cashier_core::backend`), implemented in [`link`]; [`Clients`] logs a till in to them.

pub mod cloudpay;
pub mod crypto;
pub mod http;
pub mod link;
pub mod tourv5;

pub use link::{Clients, TourV5Link};
