//! Access by the engine's own means: a till's role writes only its own till's rows, a reader
//! only reads, and bad credentials are refused clearly.

use std::time::Duration;

use cashier_core::store::StoreUrl;
use cashier_store::{Store, StoreError, TillKey};
use chrono::Utc;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tills_role_cannot_write_another_tills_rows() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let j2 = journal_with(dir.path(), "02", 2);
    let (store1, _) = db.till("01").await;
    let (store2, key2) = db.till("02").await;

    // Till 01's role ships rows under till 02's key: the database refuses.
    let seals = j2.seals_after(0, 100).unwrap();
    match store1.ship(&key2, &seals, 6).await {
        Err(StoreError::Refused { role, detail }) => {
            assert!(role.ends_with("till_01"), "{role}");
            assert!(detail.contains("row-level security"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    // Nor a till the store does not know.
    match store1.ship(&TillKey::new(MERCHANT, "99"), &seals, 6).await {
        Err(StoreError::Refused { .. }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(db.count("SELECT count(*) FROM cashier.seals").await, 0);
    // Till 02's own role may, and till 01's cannot even see them.
    store2.sync(&key2, &j2, 100).await.unwrap();
    assert_eq!(
        store1.head(&key2).await.unwrap().seq,
        0,
        "another till's mark is not visible"
    );
    assert_eq!(store2.head(&key2).await.unwrap().seq, 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_reads_every_till_and_writes_nothing() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for till in ["01", "02"] {
        let j = journal_with(dir.path(), till, 2);
        let (store, key) = db.till(till).await;
        store.sync(&key, &j, 100).await.unwrap();
    }
    let reader = db.role("reader");
    cashier_store::add_reader(&db.admin, &reader, Some("pw-of-the-reader"), None)
        .await
        .unwrap();
    let store = Store::open(&db.login(&reader, "pw-of-the-reader"), None).unwrap();
    store.check_schema().await.unwrap();
    let day = store
        .day(MERCHANT, Utc::now().date_naive(), Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(day.tills.len(), 2);
    assert_eq!(day.totals.count(), 4);
    let j = journal_with(dir.path(), "03", 1);
    match store
        .ship(
            &TillKey::new(MERCHANT, "01"),
            &j.seals_after(0, 10).unwrap(),
            3,
        )
        .await
    {
        Err(StoreError::Refused { .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_a_refused_login_and_never_shown() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    db.till("01").await;
    let url = db.login(&db.role("till_01"), "not-the-password");
    let store = Store::open(&url, None).unwrap();
    let e = store.check_schema().await.unwrap_err();
    assert!(matches!(e, StoreError::Login { .. }), "{e:?}");
    let said = format!("{e} {e:?}");
    assert!(said.contains("password authentication failed"), "{said}");
    assert!(!said.contains("not-the-password"), "{said}");
}

#[tokio::test]
async fn a_server_that_is_not_there_is_unreachable_and_transient() {
    let store = Store::open(
        &StoreUrl::new("postgres://till:secret@127.0.0.1:9/store"),
        None,
    )
    .unwrap();
    let e = store.check_schema().await.unwrap_err();
    assert!(e.is_transient(), "{e:?}");
    assert!(!format!("{e} {e:?}").contains("secret"));
}

/// A till's and a reader's passwords never reach the server as text: registering them sends
/// only SCRAM verifiers, so the server's statement log (every statement logged, on this
/// database) holds neither password. Read from the test server's log file
/// (`CASHIER_TEST_PG_DIR/server.log`, as `scripts/postgres` starts it); without that
/// directory the test cannot look, and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_roles_never_sends_their_passwords() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let Some(log) = std::env::var_os("CASHIER_TEST_PG_DIR")
        .map(|d| std::path::PathBuf::from(d).join("server.log"))
        .filter(|p| p.exists())
    else {
        eprintln!("skipped: no CASHIER_TEST_PG_DIR/server.log to read the statements from");
        return;
    };
    db.sql(&format!(
        "ALTER DATABASE {} SET log_statement = 'all'",
        db.name
    ))
    .await;
    let till_pw = format!("till-secret-{}", db.name);
    let reader_pw = format!("reader-secret-{}", db.name);
    cashier_store::add_till(
        &db.admin,
        MERCHANT,
        "01",
        &db.role("till_01"),
        Some(&till_pw),
        None,
    )
    .await
    .unwrap();
    cashier_store::add_reader(&db.admin, &db.role("reader"), Some(&reader_pw), None)
        .await
        .unwrap();
    let logged = std::fs::read_to_string(&log).unwrap();
    // The statements were logged (the log is the one this server writes): the role's name is.
    assert!(
        logged.contains(&db.role("till_01")),
        "the registration's statements are not in {}",
        log.display()
    );
    assert!(
        !logged.contains(&till_pw),
        "the till's password is in the log"
    );
    assert!(
        !logged.contains(&reader_pw),
        "the reader's password is in the log"
    );
    assert!(
        logged.contains("SCRAM-SHA-256$"),
        "a verifier was sent instead"
    );
}
