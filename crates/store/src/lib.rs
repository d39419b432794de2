//! A store of many tills (docs/store.md): every till's journal shipped to one PostgreSQL
//! database, checked on arrival, and read back as the store's day.
//!
//! Nothing here is on a payment's path: a till ships from a task of its own, and whatever
//! the store does (down, slow, refusing), the journal keeps every row until it is shipped.
//! Where shipping resumes is the store's to say ([`Store::head`]), never a till's memory.

mod chained;
mod error;
mod rebuild;
mod report;
mod roles;
mod schema;
mod ship;
mod sync;
mod tls;
mod verify;

use std::path::Path;
use std::time::Duration;

use cashier_core::store::{StoreConfig, StoreUrl};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};

pub use cashier_core::store_day::{OpenAttempt, StoreDay, TillDay, TillLink};
pub use error::StoreError;
pub use rebuild::{Rebuilt, rebuild_derived};
pub use roles::{add_reader, add_till};
pub use schema::{Migrated, SCHEMA_VERSION, migrate};
pub use ship::{Chain, Conflict, Head, Shipped, TillKey};
pub use sync::SyncReport;
pub use verify::StoreBreak;

/// The `prev_hash` of a till's first seal (the journal's chain starts there).
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How long a connection may take before the store counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A connection pool to the store, as one role: a till's, or a reader's.
pub struct Store {
    pool: Pool,
    /// The URL with its password masked, for messages.
    url: String,
    /// The role the rows are written as, for messages.
    role: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("url", &self.url)
            .field("role", &self.role)
            .finish()
    }
}

impl Store {
    /// A pool on `url` (no connection is made yet), acting as `role` when given (the URL's
    /// user must be a member of it), else as the URL's user; TLS trusts the public roots.
    pub fn open(url: &StoreUrl, role: Option<&str>) -> Result<Store, StoreError> {
        Store::open_with_ca(url, role, None)
    }

    /// [`Store::open`], trusting also the CA certificates (PEM) in `ca_file`.
    pub fn open_with_ca(
        url: &StoreUrl,
        role: Option<&str>,
        ca_file: Option<&Path>,
    ) -> Result<Store, StoreError> {
        let tls = tls::connector(ca_file)?;
        let mut pg = pg_config(url)?;
        if let Some(role) = role {
            // Set at the connection's start, before any statement: every row is written as it.
            pg.options(format!("-c role={role}"));
        }
        let user = pg.get_user().unwrap_or_default().to_string();
        let manager = Manager::from_config(
            pg,
            tls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(4)
            .build()
            .map_err(|e| StoreError::Config(e.to_string()))?;
        Ok(Store {
            pool,
            url: url.masked(),
            role: role.map_or(user, str::to_string),
        })
    }

    /// The store a till's `[store]` section names, as its till role.
    pub fn from_config(cfg: &StoreConfig) -> Result<Store, StoreError> {
        cfg.validate()
            .map_err(|e| StoreError::Config(e.to_string()))?;
        Store::open_with_ca(
            cfg.effective_url(),
            cfg.till_role.as_deref(),
            cfg.ca_file.as_deref(),
        )
    }

    /// How many connections the pool may hold (4 by default): one shipper needs one; a process
    /// that ships for many tills at once (a benchmark) more.
    pub fn set_max_connections(&self, n: usize) {
        self.pool.resize(n.max(1));
    }

    pub(crate) async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => self.pg(e),
            other => StoreError::Unreachable {
                url: self.url.clone(),
                detail: other.to_string(),
            },
        })
    }

    pub(crate) fn pg(&self, e: tokio_postgres::Error) -> StoreError {
        StoreError::from_pg(e, &self.url, &self.role)
    }

    /// Checks that the store's schema is the one this program writes: a newer one is refused
    /// (this till must be upgraded first), an older one needs `cashier store migrate`.
    pub async fn check_schema(&self) -> Result<i32, StoreError> {
        let client = self.client().await?;
        schema::check(&client, &self.url, &self.role).await
    }
}

/// Connects once (an owner's work: migrate, add a till), with the store's TLS.
/// A one-off session as the store's owner (`migrate`, registering roles, `rebuild`), outside
/// the pool; its errors name the URL (masked) and the user it logged in as.
pub(crate) struct OwnerSession {
    pub client: tokio_postgres::Client,
    driver: tokio::task::JoinHandle<()>,
    masked: String,
    user: String,
}

impl OwnerSession {
    pub async fn open(url: &StoreUrl, ca_file: Option<&Path>) -> Result<OwnerSession, StoreError> {
        let masked = url.masked();
        let pg = pg_config(url)?;
        let user = pg.get_user().unwrap_or_default().to_string();
        let (client, conn) = pg
            .connect(tls::connector(ca_file)?)
            .await
            .map_err(|e| StoreError::from_pg(e, &masked, &user))?;
        let driver = tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(OwnerSession {
            client,
            driver,
            masked,
            user,
        })
    }

    pub fn err(&self, e: tokio_postgres::Error) -> StoreError {
        StoreError::from_pg(e, &self.masked, &self.user)
    }

    /// Ends the session and waits for its connection to close.
    pub async fn close(self) {
        drop(self.client);
        let _ = self.driver.await;
    }
}

/// The client's configuration from a store URL, with the connect timeout set.
pub(crate) fn pg_config(url: &StoreUrl) -> Result<tokio_postgres::Config, StoreError> {
    let mut pg: tokio_postgres::Config = url
        .expose()
        .parse()
        .map_err(|e| StoreError::Config(format!("{}: not a PostgreSQL URL ({e})", url.masked())))?;
    pg.connect_timeout(CONNECT_TIMEOUT);
    pg.application_name("cashier");
    Ok(pg)
}

/// The throwaway server the project's tests run against (`eval "$(scripts/postgres start)"`
/// names it in `CASHIER_TEST_PG`): its superuser URL, or `None` after saying how to get one.
/// With `CASHIER_TEST_PG_REQUIRED=1` (CI) a missing server panics: a store test that cannot
/// reach its server fails rather than passes. For tests only; one place for that contract.
#[doc(hidden)]
pub fn test_server() -> Option<String> {
    match std::env::var("CASHIER_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CASHIER_TEST_PG_REQUIRED").is_ok_and(|v| v == "1") => {
            panic!(
                "CASHIER_TEST_PG_REQUIRED=1 but CASHIER_TEST_PG is not set (scripts/postgres start)"
            )
        }
        _ => {
            eprintln!(
                "skipped: CASHIER_TEST_PG is not set. Run `eval \"$(scripts/postgres start)\"` \
                 first (it prints CASHIER_TEST_PG and CASHIER_TEST_PG_DIR), then this test."
            );
            None
        }
    }
}
