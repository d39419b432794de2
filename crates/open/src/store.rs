//! The store a till ships its journal to: core's [`Shipper`] port, done by `cashier-store` on
//! the PostgreSQL the `[store]` section names (docs/store.md).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use cashier_core::config::Config;
use cashier_core::journal::Journal;
use cashier_core::shipping::{ShipFault, Shipment, Shipper, Shipping, StoreRefusal};
use cashier_core::store::StoreConfig;
use cashier_store::{Store, StoreError, TillKey};

/// Ships one till's journal to its store, as its till role.
#[derive(Debug)]
pub struct StoreShipper {
    /// The pool (no connection until the first shipping), or why there cannot be one.
    store: Result<Store, String>,
    till: TillKey,
    batch: u32,
    /// The store's schema was found to be this program's on the connection pool as it is: asked
    /// again after any failure (the store may have been migrated or replaced meanwhile).
    schema_checked: AtomicBool,
}

impl StoreShipper {
    /// The shipper for `cfg`'s `[store]`; `None` without one. Makes no connection.
    pub fn for_config(cfg: &Config) -> Option<StoreShipper> {
        let store_cfg: &StoreConfig = cfg.store.as_ref()?;
        Some(StoreShipper {
            store: Store::from_config(store_cfg).map_err(|e| e.to_string()),
            till: TillKey::new(store_cfg.merchant.clone(), cfg.till.clone()),
            batch: store_cfg.batch,
            schema_checked: AtomicBool::new(false),
        })
    }

    async fn ship_now(&self, journal: &Arc<Journal>) -> Result<Shipment, ShipFault> {
        let store = self.store.as_ref().map_err(|e| ShipFault::Refused {
            why: StoreRefusal::Config,
            detail: e.clone(),
        })?;
        if !self.schema_checked.load(Ordering::Relaxed) {
            store.check_schema().await.map_err(fault)?;
            self.schema_checked.store(true, Ordering::Relaxed);
        }
        let report = store
            .sync(&self.till, journal, self.batch)
            .await
            .map_err(fault)?;
        if let Some(first) = report.conflicts.first() {
            return Err(ShipFault::Refused {
                why: StoreRefusal::Disagree,
                detail: format!(
                    "{} seal(s) arrived with other content than the store holds, the first at sequence {} (recorded at the store, nothing overwritten)",
                    report.conflicts.len(),
                    first.seq
                ),
            });
        }
        Ok(Shipment {
            head: report.head,
            journal_seq: report.journal_seq,
        })
    }
}

impl Shipper for StoreShipper {
    fn ship<'a>(&'a self, journal: &'a Arc<Journal>) -> Shipping<'a> {
        Box::pin(async move {
            let shipped = self.ship_now(journal).await;
            if shipped.is_err() {
                self.schema_checked.store(false, Ordering::Relaxed);
            }
            shipped
        })
    }
}

/// A store error as core's fault: by what someone has to do about it. The words are the
/// store's, which mask the URL's password.
pub(crate) fn fault(e: StoreError) -> ShipFault {
    let why = match &e {
        StoreError::Unreachable { .. } => return ShipFault::Offline(e.to_string()),
        // An untrusted certificate: the store's CA is named in [store] ca_file.
        StoreError::Config(_) | StoreError::Tls { .. } => StoreRefusal::Config,
        StoreError::Login { .. } => StoreRefusal::Login,
        StoreError::Refused { .. } => StoreRefusal::Role,
        StoreError::SchemaNewer { .. } => StoreRefusal::SchemaNewer,
        StoreError::SchemaOlder { .. } => StoreRefusal::SchemaOlder,
        StoreError::Diverged { .. } => StoreRefusal::Disagree,
        StoreError::Database(_) | StoreError::Journal(_) => StoreRefusal::Other,
    };
    ShipFault::Refused {
        why,
        detail: e.to_string(),
    }
}

/// The shipper a front end hands its till: `None` when the configuration has no `[store]`.
pub fn shipper(cfg: &Config) -> Option<Arc<dyn Shipper>> {
    StoreShipper::for_config(cfg).map(|s| Arc::new(s) as Arc<dyn Shipper>)
}
