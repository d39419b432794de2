//! `cashier store …`: the store of many tills (docs/store.md). `migrate`, `add-till` and
//! `add-reader` are the store owner's (an owner's URL, from `CASHIER_STORE_ADMIN_URL` rather
//! than the command line, which other users can read); `sync` ships this till's journal as its
//! `[store]` section says and exits once caught up; `report` and `verify` read the store.
//!
//! Exit codes: 0 done (caught up, intact), 4 the store cannot be used (unreachable, login or
//! role refused, schema), 5 the store and a journal disagree (a conflict, a broken chain).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use cashier_core::journal::Journal;
use cashier_core::store::{StoreConfig, StoreUrl};
use cashier_core::{Error, Lang};
use cashier_store::{Store, StoreError, TillKey};
use clap::Subcommand;

use crate::output::{self, JOURNAL_BROKEN};
use crate::setup::load_config;
use crate::store_owner;
use crate::term::{diag, out};

#[derive(Subcommand, Debug)]
pub enum StoreCommand {
    /// Store owner: create or upgrade the store's schema, and its partitions for the months
    /// ahead (run it monthly). Never done by a till.
    Migrate {
        /// An owner's URL: postgres://OWNER:PASSWORD@HOST:PORT/DATABASE.
        #[arg(long, env = "CASHIER_STORE_ADMIN_URL", hide_env_values = true)]
        url: String,
        /// The store's own CA certificate (PEM), if its server's is not from a public CA.
        #[arg(long, env = "CASHIER_STORE_CA_FILE")]
        ca_file: Option<PathBuf>,
    },
    /// Store owner: register a till under a PostgreSQL role of its own (created when missing;
    /// its password, if any, read from stdin, one line).
    AddTill {
        #[arg(long, env = "CASHIER_STORE_ADMIN_URL", hide_env_values = true)]
        url: String,
        #[arg(long)]
        merchant: String,
        #[arg(long)]
        till: String,
        #[arg(long)]
        role: String,
        /// Read the role's password from stdin.
        #[arg(long)]
        password_stdin: bool,
        #[arg(long, env = "CASHIER_STORE_CA_FILE")]
        ca_file: Option<PathBuf>,
    },
    /// Store owner: a manager's read-only role (password from stdin with --password-stdin).
    AddReader {
        #[arg(long, env = "CASHIER_STORE_ADMIN_URL", hide_env_values = true)]
        url: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        password_stdin: bool,
        #[arg(long, env = "CASHIER_STORE_CA_FILE")]
        ca_file: Option<PathBuf>,
    },
    /// Store owner: rebuild what the reports read (attempts, refunds, Zs) from the seals, when
    /// `verify` finds a derived row that disagrees with them. Stops, changing nothing, on a seal
    /// that no longer hashes to its content.
    Rebuild {
        #[arg(long, env = "CASHIER_STORE_ADMIN_URL", hide_env_values = true)]
        url: String,
        /// Only this merchant's rows. Default: every merchant's.
        #[arg(long)]
        merchant: Option<String>,
        #[arg(long, env = "CASHIER_STORE_CA_FILE")]
        ca_file: Option<PathBuf>,
    },
    /// Ship what is waiting in this till's journal to the store, and exit once caught up.
    Sync,
    /// The store's business day: per till, channel and outcome; the open attempts of every
    /// till; which tills closed the day and which are behind or silent.
    Report {
        /// Business day, YYYY-MM-DD.
        #[arg(long)]
        day: chrono::NaiveDate,
        /// Default: the configured [store] merchant.
        #[arg(long)]
        merchant: Option<String>,
        /// A reader's URL. Default: CASHIER_STORE_READER_URL, else the configured [store] url.
        #[arg(long, env = "CASHIER_STORE_READER_URL", hide_env_values = true)]
        url: Option<String>,
        /// A till not heard from for this many seconds is silent.
        #[arg(long, default_value_t = 600)]
        silent_after: u64,
        #[arg(long, env = "CASHIER_STORE_CA_FILE")]
        ca_file: Option<PathBuf>,
    },
    /// Check every chain the store holds (of one merchant, or all). Exit 5 on a break.
    Verify {
        #[arg(long)]
        merchant: Option<String>,
        #[arg(long, env = "CASHIER_STORE_READER_URL", hide_env_values = true)]
        url: Option<String>,
        #[arg(long, env = "CASHIER_STORE_CA_FILE")]
        ca_file: Option<PathBuf>,
    },
}

pub async fn run(
    config: Option<PathBuf>,
    command: StoreCommand,
    json: bool,
) -> Result<ExitCode, Error> {
    let lang = load_config(config.clone()).map_or(Lang::En, |c| c.lang);
    let result = match command {
        StoreCommand::Migrate { url, ca_file } => {
            store_owner::migrate(&StoreUrl::new(url), ca_file.as_deref(), json).await
        }
        StoreCommand::Rebuild {
            url,
            merchant,
            ca_file,
        } => {
            store_owner::rebuild(
                &StoreUrl::new(url),
                merchant.as_deref(),
                ca_file.as_deref(),
                json,
            )
            .await
        }
        StoreCommand::AddTill {
            url,
            merchant,
            till,
            role,
            password_stdin,
            ca_file,
        } => {
            let password = password(password_stdin)?;
            cashier_store::add_till(
                &StoreUrl::new(url),
                &merchant,
                &till,
                &role,
                password.as_deref(),
                ca_file.as_deref(),
            )
            .await
            .map(|()| {
                done(
                    json,
                    &format!("till {merchant}/{till} ships as role {role}"),
                )
            })
        }
        StoreCommand::AddReader {
            url,
            role,
            password_stdin,
            ca_file,
        } => {
            let password = password(password_stdin)?;
            cashier_store::add_reader(
                &StoreUrl::new(url),
                &role,
                password.as_deref(),
                ca_file.as_deref(),
            )
            .await
            .map(|()| done(json, &format!("role {role} reads the store")))
        }
        StoreCommand::Sync => sync(config, json).await?,
        StoreCommand::Report {
            day,
            merchant,
            url,
            silent_after,
            ca_file,
        } => match reader(config, url, merchant, ca_file) {
            Ok((store, merchant)) => {
                crate::store_day::report(&store, &merchant, day, silent_after, json, lang).await
            }
            Err(e) => Err(e),
        },
        StoreCommand::Verify {
            merchant,
            url,
            ca_file,
        } => {
            let store = match url {
                Some(u) => Store::open_with_ca(&StoreUrl::new(u), None, ca_file.as_deref()),
                None => configured(config).and_then(|c| Store::from_config(&c)),
            };
            match store {
                Ok(store) => verify(&store, merchant.as_deref(), json).await,
                Err(e) => Err(e),
            }
        }
    };
    Ok(match result {
        Ok(code) => code,
        Err(e) => failed(&e, json),
    })
}

fn done(json: bool, what: &str) -> ExitCode {
    if json {
        let _ = output::json_out(&serde_json::json!({ "done": what }));
    } else {
        out!("{what}");
    }
    ExitCode::SUCCESS
}

fn failed(e: &StoreError, json: bool) -> ExitCode {
    let code = match e {
        StoreError::Diverged { .. } => JOURNAL_BROKEN,
        _ => 4,
    };
    if json {
        let _ = output::json_out(&serde_json::json!({ "error": e.to_string() }));
    } else {
        diag!("{e}");
    }
    ExitCode::from(code)
}

fn password(from_stdin: bool) -> Result<Option<String>, Error> {
    if !from_stdin {
        return Ok(None);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::Internal(format!("reading the password: {e}")))?;
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_string()))
}

/// The configuration's `[store]` section.
fn configured(config: Option<PathBuf>) -> Result<StoreConfig, StoreError> {
    let cfg = load_config(config).map_err(|e| StoreError::Config(e.to_string()))?;
    cfg.store.ok_or_else(|| {
        StoreError::Config(
            "no [store] section in the configuration: this till ships nowhere".into(),
        )
    })
}

fn reader(
    config: Option<PathBuf>,
    url: Option<String>,
    merchant: Option<String>,
    ca_file: Option<PathBuf>,
) -> Result<(Store, String), StoreError> {
    let section = configured(config);
    let merchant = match (merchant, &section) {
        (Some(m), _) => m,
        (None, Ok(s)) => s.merchant.clone(),
        (None, Err(_)) => {
            return Err(StoreError::Config(
                "--merchant: no [store] section to take it from".into(),
            ));
        }
    };
    let store = match url {
        // A reader's URL given alone takes the CA from the command, else the configuration's.
        Some(u) => {
            let ca = ca_file.or_else(|| section.ok().and_then(|s| s.ca_file));
            Store::open_with_ca(&StoreUrl::new(u), None, ca.as_deref())?
        }
        None => Store::from_config(&section?)?,
    };
    Ok((store, merchant))
}

async fn sync(config: Option<PathBuf>, json: bool) -> Result<Result<ExitCode, StoreError>, Error> {
    let cfg = load_config(config)?;
    let Some(section) = cfg.store.clone() else {
        return Ok(Err(StoreError::Config(
            "no [store] section in the configuration: this till ships nowhere".into(),
        )));
    };
    let path = cfg.db_path_or_default();
    if !path.exists() {
        return Err(Error::Internal(format!(
            "{}: no journal to ship",
            path.display()
        )));
    }
    let journal = Arc::new(Journal::open(&path)?);
    let key = TillKey::new(section.merchant.clone(), cfg.till.clone());
    let run = async {
        let store = Store::from_config(&section)?;
        store.check_schema().await?;
        store.sync(&key, &journal, section.batch).await
    };
    Ok(match run.await {
        Ok(r) => {
            if json {
                let _ = output::json_out(&r);
            } else if r.conflicts.is_empty() {
                out!(
                    "till {}/{}: {} seal(s) shipped in {} batch(es), store at {} of {}; audit trail at {} of {} ({} new)",
                    key.merchant,
                    key.till,
                    r.inserted,
                    r.batches,
                    r.head,
                    r.journal_seq,
                    r.audit_head,
                    r.audit_journal,
                    r.audit_inserted
                );
            } else {
                for c in &r.conflicts {
                    diag!(
                        "till {}/{}: {} row {} is at the store with other content (stored {}, journal {}): not overwritten",
                        key.merchant,
                        key.till,
                        c.chain.as_str(),
                        c.seq,
                        c.stored_hash,
                        c.arrived_hash
                    );
                }
            }
            Ok(if r.conflicts.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(JOURNAL_BROKEN)
            })
        }
        Err(e) => Err(e),
    })
}

async fn verify(store: &Store, merchant: Option<&str>, json: bool) -> Result<ExitCode, StoreError> {
    let breaks = store.verify(merchant).await?;
    if json {
        let _ = output::json_out(&serde_json::json!({ "breaks": breaks }));
    } else if breaks.is_empty() {
        out!("store intact");
    } else {
        for b in &breaks {
            diag!("till {}/{}: seal {}: {}", b.merchant, b.till, b.seq, b.what);
        }
    }
    Ok(if breaks.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(JOURNAL_BROKEN)
    })
}
