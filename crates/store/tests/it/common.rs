//! A database of its own per test, migrated, with tills registered under roles of their own;
//! journals with payments in them.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use cashier_core::journal::{Change, Journal, NewAttempt};
use cashier_core::order_no::OrderScheme;
use cashier_core::store::StoreUrl;
use cashier_core::{AttemptState, BillNo, Channel, Fen};
use cashier_store::{Store, TillKey};
use chrono::Utc;
use rand::Rng;

/// Tests that stop the whole server take this for writing; every other test for reading, so
/// that no test loses its server in the middle.
pub static SERVER: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

pub const MERCHANT: &str = "M1";

pub struct TestDb {
    /// The superuser on this test's database.
    pub admin: StoreUrl,
    pub name: String,
    _guard: Guard,
}

enum Guard {
    Read(tokio::sync::RwLockReadGuard<'static, ()>),
    Write(tokio::sync::RwLockWriteGuard<'static, ()>),
}

/// The server's superuser URL, or None (and a note saying how to run these tests).
pub fn server() -> Option<String> {
    cashier_store::test_server()
}

impl TestDb {
    /// A fresh, migrated database; None when no server is given.
    pub async fn new() -> Option<TestDb> {
        let guard = Guard::Read(SERVER.read().await);
        TestDb::make(guard).await
    }

    /// As [`TestDb::new`], alone on the server: for a test that stops and starts it.
    pub async fn alone() -> Option<TestDb> {
        let guard = Guard::Write(SERVER.write().await);
        TestDb::make(guard).await
    }

    /// A fresh database, not migrated.
    pub async fn bare() -> Option<TestDb> {
        let server = server()?;
        let guard = Guard::Read(SERVER.read().await);
        Some(TestDb::create(&server, guard).await)
    }

    async fn make(guard: Guard) -> Option<TestDb> {
        let server = server()?;
        let db = TestDb::create(&server, guard).await;
        cashier_store::migrate(&db.admin, None).await.unwrap();
        Some(db)
    }

    async fn create(server: &str, guard: Guard) -> TestDb {
        let name = format!("t{:08x}", rand::thread_rng().r#gen::<u32>());
        sql(server, &format!("CREATE DATABASE {name}")).await;
        let admin = StoreUrl::new(with_database(server, &name));
        TestDb {
            admin,
            name,
            _guard: guard,
        }
    }

    /// A role name unique on the server (roles are the server's, not the database's).
    pub fn role(&self, what: &str) -> String {
        format!("{}_{what}", self.name)
    }

    /// Registers `till` under a role of its own with a password, and opens the store as it.
    pub async fn till(&self, till: &str) -> (Store, TillKey) {
        let role = self.role(&format!("till_{}", till.to_lowercase()));
        cashier_store::add_till(
            &self.admin,
            MERCHANT,
            till,
            &role,
            Some("pw-of-the-till"),
            None,
        )
        .await
        .unwrap();
        let store = Store::open(&self.login(&role, "pw-of-the-till"), None).unwrap();
        (store, TillKey::new(MERCHANT, till))
    }

    /// A URL on this database as `role` with `password`.
    pub fn login(&self, role: &str, password: &str) -> StoreUrl {
        let mut u = url_of(self.admin.expose());
        u.set_username(role).unwrap();
        u.set_password(Some(password)).unwrap();
        StoreUrl::new(u.to_string())
    }

    /// Runs SQL as the superuser on this database.
    pub async fn sql(&self, text: &str) {
        sql(self.admin.expose(), text).await;
    }

    /// One number from a query as the superuser.
    pub async fn count(&self, query: &str) -> i64 {
        let (client, conn) = tokio_postgres::connect(self.admin.expose(), tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client.query_one(query, &[]).await.unwrap().get(0)
    }

    /// The (seq, hash) of every seal the store holds for `till`, in order.
    pub async fn seals(&self, till: &str) -> Vec<(i64, String)> {
        let (client, conn) = tokio_postgres::connect(self.admin.expose(), tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .query(
                "SELECT seq, hash FROM cashier.seals WHERE merchant = $1 AND till = $2 ORDER BY seq",
                &[&MERCHANT, &till],
            )
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
    }
}

fn url_of(s: &str) -> url::Url {
    url::Url::parse(s).unwrap()
}

fn with_database(server: &str, db: &str) -> String {
    let mut u = url_of(server);
    u.set_path(&format!("/{db}"));
    u.to_string()
}

pub async fn sql(url: &str, text: &str) {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client.batch_execute(text).await.unwrap();
}

/// A journal in `dir` with `n` paid attempts of till `till` (each one attempt seal and two
/// transition seals).
pub fn journal_with(dir: &Path, till: &str, n: u32) -> Arc<Journal> {
    let journal = Arc::new(Journal::open(&dir.join(format!("{till}.db"))).unwrap());
    pay(&journal, till, 0, n);
    journal
}

/// `n` more paid attempts, bills numbered from `from`.
pub fn pay(journal: &Journal, till: &str, from: u32, n: u32) {
    let now = Utc::now();
    let day = now.date_naive();
    for i in from..from + n {
        let a = journal
            .begin(
                NewAttempt {
                    bill: BillNo::parse(&format!("B{till}-{i}")).unwrap(),
                    amount: Fen(100 + u64::from(i)),
                    channel: Channel::PosWechatBarcode,
                    wallet: None,
                    code_masked: None,
                    operator: "cashier".into(),
                    scheme: OrderScheme::internal("CS", till).unwrap(),
                    bill_paid_before: None,
                },
                now,
                day,
                i,
            )
            .unwrap();
        journal
            .record(a.id, Change::new(AttemptState::Paid, "SUCCESS"), now)
            .unwrap();
    }
}

/// One attempt begun and left sending, bill numbered `i`.
pub fn pay_pending(journal: &Journal, till: &str, i: u32) {
    let now = Utc::now();
    journal
        .begin(
            NewAttempt {
                bill: BillNo::parse(&format!("B{till}-{i}")).unwrap(),
                amount: Fen(100 + u64::from(i)),
                channel: Channel::PosWechatBarcode,
                wallet: None,
                code_masked: None,
                operator: "cashier".into(),
                scheme: OrderScheme::internal("CS", till).unwrap(),
                bill_paid_before: None,
            },
            now,
            now.date_naive(),
            i,
        )
        .unwrap();
}

/// The (seq, hash) of every seal in `journal`.
pub fn journal_seals(journal: &Journal) -> Vec<(i64, String)> {
    journal
        .seals_after(0, u32::MAX)
        .unwrap()
        .into_iter()
        .map(|s| (s.seq, s.hash))
        .collect()
}
