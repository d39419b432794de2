//! The store for a soak run: a fresh database on the PostgreSQL server given (as its owner),
//! migrated, one login role per till; and at the end, the store held against the journals.

use std::collections::HashSet;

use cashier_core::journal::Journal;
use cashier_core::store::StoreUrl;
use cashier_store::Store;

pub const MERCHANT: &str = "SOAK";
const TILL_PASSWORD: &str = "soak-till-pw";

pub struct StoreDb {
    /// The owner's URL on the run's database.
    pub admin: StoreUrl,
    pub name: String,
    /// `host:port` of the server, which the proxy forwards to.
    pub upstream: String,
}

fn parsed(url: &str) -> Result<url::Url, String> {
    url::Url::parse(url).map_err(|e| format!("store URL: {e}"))
}

async fn connect(url: &str) -> Result<tokio_postgres::Client, String> {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| format!("store: {e}"))?;
    tokio::spawn(conn);
    Ok(client)
}

impl StoreDb {
    /// Creates database `soak_<random>` on the server of `server_url` (a superuser's URL) and
    /// migrates it.
    pub async fn create(server_url: &str) -> Result<StoreDb, String> {
        let name = format!("soak_{:08x}", rand::random::<u32>());
        connect(server_url)
            .await?
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .map_err(|e| format!("create database: {e}"))?;
        let mut u = parsed(server_url)?;
        u.set_path(&format!("/{name}"));
        let admin = StoreUrl::new(u.to_string());
        cashier_store::migrate(&admin, None)
            .await
            .map_err(|e| format!("migrate: {e}"))?;
        let upstream = format!(
            "{}:{}",
            u.host_str().unwrap_or("127.0.0.1"),
            u.port().unwrap_or(5432)
        );
        Ok(StoreDb {
            admin,
            name,
            upstream,
        })
    }

    /// Registers `till` under a role of its own; its URL through the proxy on `proxy_port`.
    pub async fn add_till(&self, till: &str, proxy_port: u16) -> Result<StoreUrl, String> {
        let role = format!("{}_till_{}", self.name, till.to_lowercase());
        cashier_store::add_till(
            &self.admin,
            MERCHANT,
            till,
            &role,
            Some(TILL_PASSWORD),
            None,
        )
        .await
        .map_err(|e| format!("add till {till}: {e}"))?;
        let mut u = parsed(self.admin.expose())?;
        u.set_username(&role).map_err(|_| "role in URL")?;
        u.set_password(Some(TILL_PASSWORD))
            .map_err(|_| "password in URL")?;
        u.set_host(Some("127.0.0.1")).map_err(|e| e.to_string())?;
        u.set_port(Some(proxy_port)).map_err(|_| "port in URL")?;
        Ok(StoreUrl::new(u.to_string()))
    }

    /// Problems between the store and the journals: each till's `(seq, hash)` at the store
    /// must be exactly its journal's seals, no conflict recorded, and `verify` clean.
    pub async fn check(&self, journals: &[(String, Journal)]) -> Result<StoreFigures, String> {
        let client = connect(self.admin.expose()).await?;
        let mut figures = StoreFigures::default();
        for (till, journal) in journals {
            let mut want = Vec::new();
            let mut after = 0;
            loop {
                let batch = journal
                    .seals_after(after, 5000)
                    .map_err(|e| format!("journal {till}: {e}"))?;
                let Some(last) = batch.last() else { break };
                after = last.seq;
                want.extend(batch.into_iter().map(|s| (s.seq, s.hash)));
            }
            let held: Vec<(i64, String)> = client
                .query(
                    "SELECT seq, hash FROM cashier.seals WHERE merchant = $1 AND till = $2 ORDER BY seq",
                    &[&MERCHANT, till],
                )
                .await
                .map_err(|e| format!("store seals: {e}"))?
                .into_iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            figures.seals += want.len();
            if held != want {
                let (h, w): (HashSet<_>, HashSet<_>) =
                    (held.iter().collect(), want.iter().collect());
                let missing = w.difference(&h).count();
                let extra = h.difference(&w).count();
                figures.problems.push(format!(
                    "till {till}: the journal has {} seals, the store {} ({missing} missing, {extra} not the journal's)",
                    want.len(),
                    held.len()
                ));
            }
        }
        let conflicts: i64 = client
            .query_one("SELECT count(*) FROM cashier.conflicts", &[])
            .await
            .map_err(|e| format!("store conflicts: {e}"))?
            .get(0);
        if conflicts > 0 {
            figures
                .problems
                .push(format!("{conflicts} conflict(s) recorded at the store"));
        }
        let store = Store::open(&self.admin, None).map_err(|e| e.to_string())?;
        let breaks = store
            .verify(Some(MERCHANT))
            .await
            .map_err(|e| format!("verify: {e}"))?;
        figures.breaks = breaks.len();
        for b in breaks.iter().take(10) {
            figures
                .problems
                .push(format!("verify: till {} seq {}: {}", b.till, b.seq, b.what));
        }
        Ok(figures)
    }
}

#[derive(Debug, Default)]
pub struct StoreFigures {
    pub seals: usize,
    pub breaks: usize,
    pub problems: Vec<String>,
}
