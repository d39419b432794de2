//! The store's schema, as versioned migrations (SQL in `sql/`, applied in order, never edited
//! once shipped), and the monthly partitions of the seals. Applied only by `cashier store
//! migrate` with an owner's URL, never by a till: a till only checks the version.

use cashier_core::store::StoreUrl;
use chrono::{Datelike, Months, NaiveDate, Utc};
use serde::Serialize;
use std::path::Path;

use tokio_postgres::Client;

use crate::{OwnerSession, StoreError};

/// Every migration, oldest first; version N is the Nth.
const MIGRATIONS: &[&str] = &[include_str!("../sql/0001_seals.sql")];

/// The schema version this program writes and reads.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// The tables partitioned by month of business day.
const PARTITIONED: [&str; 2] = ["seals", "attempts"];

/// Serialises migrations of one database (a `pg_advisory_lock` key: "CSHR" in ASCII).
const MIGRATE_LOCK: i64 = 0x4353_4852;

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Migrated {
    pub from: i32,
    pub to: i32,
    /// Monthly partitions created this time.
    pub partitions: Vec<String>,
}

/// The group roles a till's and a reader's login roles are members of. Created here, not in a
/// migration: roles belong to the server, and several databases on one server share them.
const GROUP_ROLES: &str = r#"
DO $$ BEGIN CREATE ROLE cashier_till NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE cashier_reader NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE SCHEMA IF NOT EXISTS cashier;
CREATE TABLE IF NOT EXISTS cashier.schema_version (
    version    integer     PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);
"#;

/// Brings the store at `admin_url` (a role that may create tables and roles) to this
/// program's schema, then makes sure the seals have a partition for each month from a year
/// ago to two years ahead. Refuses a schema newer than this program's. Safe to run again:
/// run it monthly so the months ahead exist.
pub async fn migrate(admin_url: &StoreUrl, ca_file: Option<&Path>) -> Result<Migrated, StoreError> {
    let mut owner = OwnerSession::open(admin_url, ca_file).await?;
    let client = &mut owner.client;
    let locked = client
        .query("SELECT pg_advisory_lock($1)", &[&MIGRATE_LOCK])
        .await;
    let result = match locked {
        Ok(_) => {
            let result = migrate_locked(client).await;
            // The lock dies with the session; unlocking first just frees it sooner.
            let _ = client
                .query("SELECT pg_advisory_unlock($1)", &[&MIGRATE_LOCK])
                .await;
            result
        }
        Err(e) => Err(e),
    };
    let result = result.map_err(|e| owner.err(e));
    owner.close().await;
    let (from, partitions) = result?;
    if from > SCHEMA_VERSION {
        return Err(StoreError::SchemaNewer {
            store: from,
            ours: SCHEMA_VERSION,
        });
    }
    Ok(Migrated {
        from,
        to: SCHEMA_VERSION.max(from),
        partitions,
    })
}

async fn migrate_locked(client: &mut Client) -> Result<(i32, Vec<String>), tokio_postgres::Error> {
    client.batch_execute(GROUP_ROLES).await?;
    let from = version(client).await?;
    if from > SCHEMA_VERSION {
        return Ok((from, Vec::new()));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let tx = client.transaction().await?;
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO cashier.schema_version (version) VALUES ($1)",
            &[&(i as i32 + 1)],
        )
        .await?;
        tx.commit().await?;
    }
    let partitions = add_partitions(client, Utc::now().date_naive()).await?;
    Ok((from, partitions))
}

async fn version(client: &Client) -> Result<i32, tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM cashier.schema_version",
            &[],
        )
        .await?;
    row.try_get(0)
}

/// The monthly partitions of the seals and attempts from 12 months before `today` to 24 after. A month
/// some of whose rows already sit in the default partition is left there (PostgreSQL refuses
/// a partition whose rows the default holds); the report reads both alike.
async fn add_partitions(
    client: &Client,
    today: NaiveDate,
) -> Result<Vec<String>, tokio_postgres::Error> {
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let mut made = Vec::new();
    for k in -12i32..=24 {
        let start = if k < 0 {
            first.checked_sub_months(Months::new(k.unsigned_abs()))
        } else {
            first.checked_add_months(Months::new(k as u32))
        };
        let Some(start) = start else { continue };
        let Some(end) = start.checked_add_months(Months::new(1)) else {
            continue;
        };
        for table in PARTITIONED {
            let name = format!("{table}_{:04}_{:02}", start.year(), start.month());
            let row = client
                .query_one(
                    &format!(
                        "SELECT to_regclass('cashier.' || $1) IS NOT NULL,
                                EXISTS (SELECT 1 FROM cashier.{table}_default
                                        WHERE business_day >= $2 AND business_day < $3)"
                    ),
                    &[&name, &start, &end],
                )
                .await?;
            let (exists, in_default): (bool, bool) = (row.try_get(0)?, row.try_get(1)?);
            if exists || in_default {
                continue;
            }
            client
                .batch_execute(&format!(
                    "CREATE TABLE IF NOT EXISTS cashier.{name} PARTITION OF cashier.{table} \
                     FOR VALUES FROM ('{start}') TO ('{end}')"
                ))
                .await?;
            made.push(name);
        }
    }
    Ok(made)
}

/// The store's schema version, checked against this program's.
pub(crate) async fn check(client: &Client, url: &str, role: &str) -> Result<i32, StoreError> {
    match version(client).await {
        Ok(v) if v == SCHEMA_VERSION => Ok(v),
        Ok(v) if v > SCHEMA_VERSION => Err(StoreError::SchemaNewer {
            store: v,
            ours: SCHEMA_VERSION,
        }),
        Ok(v) => Err(StoreError::SchemaOlder {
            store: v,
            ours: SCHEMA_VERSION,
        }),
        Err(e)
            if e.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_TABLE)
                || e.code() == Some(&tokio_postgres::error::SqlState::INVALID_SCHEMA_NAME) =>
        {
            Err(StoreError::SchemaOlder {
                store: 0,
                ours: SCHEMA_VERSION,
            })
        }
        Err(e) => Err(StoreError::from_pg(e, url, role)),
    }
}
