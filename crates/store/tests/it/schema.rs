//! Versioned migrations: applied by `migrate` only, and a schema newer than the program refused.

use cashier_store::{SCHEMA_VERSION, StoreError};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_newer_than_the_program_is_refused() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let (store, _) = db.till("01").await;
    assert_eq!(store.check_schema().await.unwrap(), SCHEMA_VERSION);
    db.sql("INSERT INTO cashier.schema_version (version) VALUES (99)")
        .await;
    let e = store.check_schema().await.unwrap_err();
    assert!(
        matches!(e, StoreError::SchemaNewer { store: 99, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("upgrade Cashier"), "{e}");
    // Nor will migrate touch it.
    let e = cashier_store::migrate(&db.admin, None).await.unwrap_err();
    assert!(
        matches!(e, StoreError::SchemaNewer { store: 99, .. }),
        "{e:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_is_explicit_and_runs_once() {
    let Some(db) = TestDb::bare().await else {
        return;
    };
    let store = cashier_store::Store::open(&db.admin, None).unwrap();
    let e = store.check_schema().await.unwrap_err();
    assert!(
        matches!(e, StoreError::SchemaOlder { store: 0, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("cashier store migrate"), "{e}");
    let first = cashier_store::migrate(&db.admin, None).await.unwrap();
    assert_eq!((first.from, first.to), (0, SCHEMA_VERSION));
    assert_eq!(
        first.partitions.len(),
        2 * 37,
        "seals and attempts: a year back, two ahead"
    );
    let again = cashier_store::migrate(&db.admin, None).await.unwrap();
    assert_eq!((again.from, again.to), (SCHEMA_VERSION, SCHEMA_VERSION));
    assert!(again.partitions.is_empty());
    assert_eq!(store.check_schema().await.unwrap(), SCHEMA_VERSION);
}
