//! `cashier-soak`: the soak of docs/soak.md.
//!
//! - `cashier-soak run --tills 8 --minutes M [--store-url URL] [--seed S] [--out DIR]`: the
//!   driver (driver.rs): a sandbox, N till processes and random faults for M minutes, then the
//!   books;
//! - `cashier-soak till --config FILE --generation N --seed S`: one till (till.rs), started by
//!   the driver.

mod children;
mod config;
mod driver;
mod faultlog;
mod finish;
mod inject;
mod plan;
mod proxy;
mod sampler;
mod store_db;
mod till;

use std::process::ExitCode;

const USAGE: &str =
    "usage: cashier-soak run [--tills 8] [--minutes 3] [--store-url URL] [--seed S] [--out DIR]
       cashier-soak till --config FILE [--generation N] [--seed S]   (started by run)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => driver::main(&args[1..]),
        Some("till") => till::main(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// The runtime both commands run on (two workers: the machine's share of a till), or the exit
/// code after saying why there is none.
fn runtime(who: &str) -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("{who}: runtime: {e}");
            ExitCode::FAILURE
        })
}
