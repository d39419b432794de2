//! The sandbox's integration tests, one module a subject, in one test binary: each binary links
//! the sandbox, core, axum and reqwest again, so one of them instead of sixteen saves most of the
//! link time and disk of a test build. `cargo test -p cashier-sandbox --test it <module>::` runs
//! one subject.

mod cloudpay;
mod cloudpay_formats;
mod cloudpay_qr;
mod cloudpay_refund;
mod cloudpay_rules;
mod code_scenarios;
mod common;
mod customer_page;
mod deployment;
mod faults;
mod hawk_rules;
mod malformed;
mod password_timing;
mod shutdown;
mod state;
mod tourv5_auth;
mod tourv5_pay;
mod tourv5_rules;
mod tourv5_validation;
