//! Core's integration tests, one binary: each module was a test binary of its own, and linking
//! each separately cost CI its disk and minutes.

mod common;

mod abandoned;
mod call_outcomes;
mod checkout;
mod checkout_qr;
mod checkout_till;
mod closing;
mod config;
mod customer;
mod desk_pins;
mod desk_reads;
mod domain;
mod export;
mod journal;
mod merchant;
mod printing;
mod promises;
mod qr;
mod receipts;
mod refund_parts;
mod scanner;
mod settings;
mod shipping;
mod till;
