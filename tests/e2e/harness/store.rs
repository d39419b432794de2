//! A store for the app to ship to: a database of its own on the test's PostgreSQL server
//! (`CASHIER_TEST_PG`, set by `eval "$(scripts/postgres start)"`), migrated, with tills and a
//! reader registered under roles of their own; and a TCP link between a till and the server
//! that the test can cut, as when the store's machine goes away.

use std::net::SocketAddr;
use std::sync::Mutex;

use anyhow::{Context, anyhow};
use cashier_core::store::StoreUrl;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use url::Url;

use super::E2eResult;

/// The merchant every till of the test store belongs to.
pub const MERCHANT: &str = "M1";

/// The test's PostgreSQL server, or `None` when there is none and none is required
/// (`cashier_store::test_server`, whose contract every store test shares).
pub fn pg_server(test: &str) -> E2eResult<Option<String>> {
    let server = cashier_store::test_server();
    if server.is_none() {
        eprintln!("e2e test `{test}` skipped: no PostgreSQL");
    }
    Ok(server)
}

/// A migrated store database on the server.
pub struct TestStore {
    admin: Url,
    name: String,
}

impl TestStore {
    pub async fn create(server: &str) -> E2eResult<TestStore> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .subsec_nanos();
        let name = format!("e2e{}_{nanos}", std::process::id());
        let (client, conn) = tokio_postgres::connect(server, tokio_postgres::NoTls).await?;
        tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await?;
        let mut admin = Url::parse(server)?;
        admin.set_path(&format!("/{name}"));
        cashier_store::migrate(&StoreUrl::new(admin.to_string()), None)
            .await
            .map_err(|e| anyhow!("migrating the test store: {e}"))?;
        Ok(TestStore { admin, name })
    }

    /// Registers `till` under a role of its own; the URL that till connects with.
    pub async fn add_till(&self, till: &str) -> E2eResult<Url> {
        let role = format!("{}_till_{till}", self.name);
        let password = format!("pw-{till}");
        cashier_store::add_till(
            &self.admin_url(),
            MERCHANT,
            till,
            &role,
            Some(&password),
            None,
        )
        .await
        .map_err(|e| anyhow!("registering till {till}: {e}"))?;
        self.url_as(&role, &password)
    }

    /// A read-only role for the manager's desk; the URL it reads with.
    pub async fn add_reader(&self) -> E2eResult<Url> {
        let role = format!("{}_reader", self.name);
        cashier_store::add_reader(&self.admin_url(), &role, Some("pw-reader"), None)
            .await
            .map_err(|e| anyhow!("registering the reader: {e}"))?;
        self.url_as(&role, "pw-reader")
    }

    fn admin_url(&self) -> StoreUrl {
        StoreUrl::new(self.admin.to_string())
    }

    fn url_as(&self, role: &str, password: &str) -> E2eResult<Url> {
        let mut url = self.admin.clone();
        url.set_username(role)
            .map_err(|()| anyhow!("role {role} in a URL"))?;
        url.set_password(Some(password))
            .map_err(|()| anyhow!("a password in a URL"))?;
        Ok(url)
    }

    /// The address of the server, for a [`Link`] to it.
    pub fn server_addr(&self) -> E2eResult<SocketAddr> {
        let host = self
            .admin
            .host_str()
            .context("the server's URL has no host")?;
        let port = self.admin.port().unwrap_or(5432);
        Ok(format!("{host}:{port}").parse()?)
    }
}

/// A TCP proxy between a till and the server: cut, the till's connections die and new ones are
/// refused; restored on the same port.
pub struct Link {
    pub port: u16,
    target: SocketAddr,
    serving: Mutex<Option<JoinHandle<()>>>,
}

impl Link {
    pub async fn start(target: SocketAddr) -> E2eResult<Link> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let link = Link {
            port: listener.local_addr()?.port(),
            target,
            serving: Mutex::new(None),
        };
        link.serve(listener);
        Ok(link)
    }

    fn serve(&self, listener: TcpListener) {
        let target = self.target;
        let task = tokio::spawn(async move {
            // Dropped with this task when the link is cut: every connection ends with it.
            let mut conns = JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                conns.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        if let Ok(mut serving) = self.serving.lock() {
            *serving = Some(task);
        }
    }

    pub fn cut(&self) {
        if let Some(task) = self.serving.lock().ok().and_then(|mut s| s.take()) {
            task.abort();
        }
    }

    pub async fn restore(&self) -> E2eResult<()> {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await?;
        self.serve(listener);
        Ok(())
    }
}
