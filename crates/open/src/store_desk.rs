//! The store's day for the manager's desk: core's [`StoreReader`] port, done by `cashier-store`
//! as a read-only role (docs/store.md, "Roles"): `CASHIER_STORE_READER_URL`, as for
//! `cashier store report`, else the till's own `[store]` URL (which, under row-level security,
//! sees only this till).

use std::time::Duration;

use cashier_core::config::Config;
use cashier_core::shipping::ShipFault;
use cashier_core::store::StoreUrl;
use cashier_core::store_day::{Reading, StoreReader};
use cashier_store::Store;
use chrono::NaiveDate;

/// A till not heard from for this long is silent (as `cashier store report`'s default).
const SILENT_AFTER: Duration = Duration::from_secs(600);

/// Reads the merchant's day from the store.
#[derive(Debug)]
pub struct StoreDesk {
    store: Result<Store, String>,
    merchant: String,
}

impl StoreDesk {
    /// The desk's reader for `cfg`'s `[store]`; `None` without one. Makes no connection.
    pub fn for_config(cfg: &Config) -> Option<StoreDesk> {
        let store_cfg = cfg.store.as_ref()?;
        let url = std::env::var("CASHIER_STORE_READER_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
            .map_or_else(|| store_cfg.effective_url().clone(), StoreUrl::new);
        Some(StoreDesk {
            store: Store::open_with_ca(&url, None, store_cfg.ca_file.as_deref())
                .map_err(|e| e.to_string()),
            merchant: store_cfg.merchant.clone(),
        })
    }
}

impl StoreReader for StoreDesk {
    fn day(&self, day: NaiveDate) -> Reading<'_> {
        Box::pin(async move {
            let store = self.store.as_ref().map_err(|e| ShipFault::Refused {
                why: cashier_core::shipping::StoreRefusal::Config,
                detail: e.clone(),
            })?;
            store
                .day(&self.merchant, day, SILENT_AFTER)
                .await
                .map_err(crate::store::fault)
        })
    }
}

/// The reader a front end hands its till: `None` when the configuration has no `[store]`.
pub fn store_reader(cfg: &Config) -> Option<std::sync::Arc<dyn StoreReader>> {
    StoreDesk::for_config(cfg).map(|s| std::sync::Arc::new(s) as std::sync::Arc<dyn StoreReader>)
}
