//! TLS wherever the server offers it: a server with a CA of its own is refused until the till
//! names that CA, then carries everything over TLS (this server refuses anything else).

use std::path::PathBuf;

use cashier_core::store::StoreUrl;
use cashier_store::{Store, StoreError};

use crate::common::server;

/// A second server, TLS only, stopped and deleted when dropped.
struct TlsServer {
    url: String,
    dir: String,
    ca: PathBuf,
}

impl TlsServer {
    fn start() -> TlsServer {
        let out = script(&["start", "tls"]);
        let var = |name: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}=")))
                .unwrap_or_else(|| panic!("{name} in {out}"))
                .to_string()
        };
        TlsServer {
            url: var("CASHIER_TEST_PG"),
            dir: var("CASHIER_TEST_PG_DIR"),
            ca: PathBuf::from(var("CASHIER_TEST_PG_CA")),
        }
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        script(&["stop", &self.dir]);
    }
}

fn script(args: &[&str]) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/postgres");
    let out = std::process::Command::new(path)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn as_role(url: &str, role: &str, password: &str, query: &str) -> StoreUrl {
    let mut u = url::Url::parse(url).unwrap();
    u.set_username(role).unwrap();
    u.set_password(Some(password)).unwrap();
    u.set_query((!query.is_empty()).then_some(query));
    StoreUrl::new(u.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_where_the_server_offers_it_and_an_unknown_certificate_refused() {
    // A machine that runs the store's tests can start a second server.
    if server().is_none() {
        return;
    }
    let tls = TlsServer::start();
    let owner = StoreUrl::new(tls.url.clone());

    let e = cashier_store::migrate(&owner, None).await.unwrap_err();
    assert!(matches!(e, StoreError::Tls { .. }), "{e:?}");
    assert!(e.to_string().contains("ca_file"), "{e}");

    cashier_store::migrate(&owner, Some(&tls.ca)).await.unwrap();
    cashier_store::add_till(&owner, "M1", "01", "tls_till_01", Some("pw"), Some(&tls.ca))
        .await
        .unwrap();
    let till = Store::open_with_ca(
        &as_role(&tls.url, "tls_till_01", "pw", ""),
        None,
        Some(&tls.ca),
    )
    .unwrap();
    till.check_schema().await.unwrap();

    // The server takes nothing but TLS: what worked above went over it.
    let plain = Store::open_with_ca(
        &as_role(&tls.url, "tls_till_01", "pw", "sslmode=disable"),
        None,
        Some(&tls.ca),
    )
    .unwrap();
    let e = plain.check_schema().await.unwrap_err();
    assert!(format!("{e}").contains("no encryption"), "{e:?}");
}
