//! The store owner's `cashier store` commands that change the store's tables: `migrate` and
//! `rebuild` (docs/store.md). Both take an owner's URL, never a till's.

use std::process::ExitCode;

use cashier_core::store::StoreUrl;
use cashier_store::StoreError;

use crate::output;
use crate::term::out;

pub async fn migrate(
    url: &StoreUrl,
    ca_file: Option<&std::path::Path>,
    json: bool,
) -> Result<ExitCode, StoreError> {
    let m = cashier_store::migrate(url, ca_file).await?;
    if json {
        let _ = output::json_out(&m);
    } else {
        out!(
            "store schema: version {} -> {}; {} new monthly partition(s)",
            m.from,
            m.to,
            m.partitions.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn rebuild(
    url: &StoreUrl,
    merchant: Option<&str>,
    ca_file: Option<&std::path::Path>,
    json: bool,
) -> Result<ExitCode, StoreError> {
    let r = cashier_store::rebuild_derived(url, merchant, ca_file).await?;
    if json {
        let _ = output::json_out(&r);
    } else {
        out!(
            "rebuilt from {} seals: {} attempts derived again",
            r.seals,
            r.attempts
        );
    }
    Ok(ExitCode::SUCCESS)
}
