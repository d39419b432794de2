//! How a front end opens its till, the one way for the desktop app and the `cashier` CLI:
//! its log, the configuration file, the backend clients it names, and — when it names none —
//! the embedded sandbox, clearly marked, standing in for both; and the receipt printer's ESC/POS
//! driver, and the store (PostgreSQL) its journal ships to when the configuration has a `[store]`.
//! Core knows no client, no sandbox, no ESC/POS and no PostgreSQL: this crate wires them.

use std::path::PathBuf;
use std::sync::Arc;

use cashier_backends::Clients;
use cashier_core::config::Config;
use cashier_core::print::Printer;
use cashier_core::till::{SandboxNote, Till, TillOptions};
use cashier_core::{Error, SystemClock};
use cashier_sandbox::Sandbox;
use cashier_sandbox::embed::{self, StandIn};

/// What every screen and log says while the sandbox stands in for the backends.
pub use cashier_sandbox::embed::NOTICE;

/// Logs to stderr at the level `$CASHIER_LOG` sets (warnings by default), as every front end does
/// from its first line.
pub fn log_to_stderr() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CASHIER_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never into a log file or a pipe.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

/// Where the configuration file is: the one the user named (`--config`, `$CASHIER_CONFIG`),
/// which must then exist, else the OS config dir's, which need not yet.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub must_exist: bool,
}

impl ConfigFile {
    pub fn at(named: Option<PathBuf>) -> ConfigFile {
        match named {
            Some(path) => ConfigFile {
                path,
                must_exist: true,
            },
            None => ConfigFile {
                path: Config::default_path(),
                must_exist: false,
            },
        }
    }

    pub fn load(&self) -> Result<Config, Error> {
        Config::load(&self.path, self.must_exist)
    }
}

/// A till as a front end opens it, with the sandbox standing in for the backends if any (keep it
/// alive as long as the till) and its public test credentials.
pub struct Opened {
    pub till: Till,
    pub sandbox: Option<Sandbox>,
    pub note: Option<SandboxNote>,
}

/// Opens the till on `cfg` (read from `config_path`, where settings are saved), ready to log in:
/// on the backends it configures, or on an embedded sandbox when it configures none.
pub async fn open(mut cfg: Config, config_path: PathBuf) -> Result<Opened, Error> {
    let (clients, sandbox, note) = if cfg.is_sandbox() {
        let StandIn {
            sandbox,
            note,
            authen_key,
        } = embed::embed(&mut cfg).await?;
        (
            Clients::with_authen_key(authen_key),
            Some(sandbox),
            Some(note),
        )
    } else {
        (Clients::new(), None, None)
    };
    let shipper = store::shipper(&cfg);
    let store_reader = store_desk::store_reader(&cfg);
    let till = Till::open(
        cfg,
        Arc::new(SystemClock),
        TillOptions {
            sandbox: note.clone(),
            config_path: Some(config_path),
            seed: None,
            connector: Some(Arc::new(clients)),
            printer: Some(printer()),
            shipper,
            store_reader,
        },
    )?;
    Ok(Opened {
        till,
        sandbox,
        note,
    })
}

/// The receipt printer's driver every front end hands its till: ESC/POS on the printer the
/// configuration names. Also for a command that prints without a till logged in (`cashier print`).
pub fn printer() -> Arc<dyn Printer> {
    Arc::new(cashier_print::EscPos)
}

/// Opens the till without backends, for commands that only read the journal (receipts, the
/// day's report): it cannot log in, starts no sandbox and prints nothing.
pub fn open_for_reading(file: &ConfigFile) -> Result<Till, Error> {
    Till::open(
        file.load()?,
        Arc::new(SystemClock),
        TillOptions {
            config_path: Some(file.path.clone()),
            ..TillOptions::default()
        },
    )
}

/// Opens the till without backends but with the printer's driver, for a command that prints
/// from the journal (`cashier print`): it cannot log in and starts no sandbox.
pub fn open_for_printing(file: &ConfigFile) -> Result<Till, Error> {
    Till::open(
        file.load()?,
        Arc::new(SystemClock),
        TillOptions {
            config_path: Some(file.path.clone()),
            printer: Some(printer()),
            ..TillOptions::default()
        },
    )
}

pub mod store;
pub mod store_desk;

#[cfg(test)]
mod tests;
