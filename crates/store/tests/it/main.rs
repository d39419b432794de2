//! The store's tests, against a real PostgreSQL started by `scripts/postgres` (its
//! `CASHIER_TEST_PG` superuser URL; every test makes a database of its own). Without it they
//! say so and pass, as the desktop's end-to-end tests do without a display.

mod audit;
mod common;
mod rebuild;
mod report;
mod roles;
mod schema;
mod ship;
mod tills;
mod tls;
