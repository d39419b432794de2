//! The backend clients' integration tests, one binary (see core's tests/it/main.rs).

mod clients;
mod clock;
mod crypto_vectors;
mod deployment;
mod failover;
mod mapping;
mod refund_states;
mod seeds;
