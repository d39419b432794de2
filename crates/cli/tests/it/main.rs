//! The `cashier` command's integration tests, one module a subject, in one test binary: each
//! binary links core, the sandbox and reqwest again, so one of them instead of five saves most of
//! the link time and disk of a test build. `cargo test -p cashier-cli --test it <module>::` runs
//! one subject.

mod cli;
mod common;
mod crash;
mod crash_refund;
mod desk;
mod echoed_codes;
mod exit_codes;
mod hardening;
mod print;
mod signals;
mod store;
