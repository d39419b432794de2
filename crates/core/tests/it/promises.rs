//! The README's promises about money and secrets, each guarded by a test that fails when the
//! promise breaks, whatever shape the code takes.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::*;
use base64::Engine;
use cashier_backends::crypto::md5_key;
use cashier_core::journal::Journal;
use hmac::{Hmac, Mac};
use reqwest::{Method, Url};
use sha2::{Digest, Sha256};

/// Durability: a journal opened the normal way commits in WAL mode and fsyncs every commit,
/// so the row written just before money moves survives a power cut.
#[test]
fn the_journal_is_wal_with_full_synchronous_commits() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(&dir.path().join("journal.db")).unwrap();
    let storage = journal.storage().unwrap();
    assert_eq!(storage.journal_mode.to_ascii_lowercase(), "wal");
    assert_eq!(storage.synchronous, "FULL");
    drop(journal);
    // The same holds for a journal that already existed.
    let again = Journal::open(&dir.path().join("journal.db")).unwrap();
    assert_eq!(again.storage().unwrap().synchronous, "FULL");
}

/// HAWK's MAC, written out from the scheme's definition with plain HMAC-SHA256: nothing of
/// the client's own signing code is used.
#[allow(clippy::too_many_arguments)]
fn independent_mac(
    key: &str,
    ts: u64,
    nonce: &str,
    method: &str,
    resource: &str,
    host: &str,
    port: u16,
    body: &[u8],
) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut payload = b"hawk.1.payload\napplication/json\n".to_vec();
    payload.extend_from_slice(body);
    payload.push(b'\n');
    let hash = b64.encode(Sha256::digest(&payload));
    let normalized =
        format!("hawk.1.header\n{ts}\n{nonce}\n{method}\n{resource}\n{host}\n{port}\n{hash}\n\n");
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(normalized.as_bytes());
    b64.encode(mac.finalize().into_bytes())
}

fn header_attr<'a>(header: &'a str, name: &str) -> &'a str {
    header
        .trim_start_matches("Hawk ")
        .split(", ")
        .find_map(|kv| kv.strip_prefix(&format!("{name}=\"")))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or_else(|| panic!("no {name} in {header}"))
}

/// HAWK over https without an explicit port signs port 443 (and http port 80): a back office
/// at `https://host/` refuses every request signed for another port.
#[test]
fn hawk_signs_the_schemes_default_port() {
    let key = md5_key(&SecretString::from("123456".to_string()));
    let ts = SystemTime::now();
    let ts_secs = ts.duration_since(UNIX_EPOCH).unwrap().as_secs();
    for (base, port) in [
        ("https://backoffice.example/", 443),
        ("http://backoffice.example/", 80),
        ("https://backoffice.example:8443/", 8443),
    ] {
        let client = TourV5::new(
            Http::new(HttpPolicy::default()).unwrap(),
            TourV5Config {
                base_url: base.into(),
                ..TourV5Config::default()
            },
            Arc::new(SystemClock),
        )
        .unwrap();
        let url = Url::parse(base)
            .unwrap()
            .join("api/UnPos/User/Login/ByPwd")
            .unwrap();
        let body = br#""2026-11-30 10:00:00""#;
        let header = client
            .authorization(&Method::POST, &url, body, "cashier", &key, ts, "n0nce")
            .unwrap();
        let expected = independent_mac(
            secrecy::ExposeSecret::expose_secret(&key),
            ts_secs,
            "n0nce",
            "POST",
            "/api/UnPos/User/Login/ByPwd",
            "backoffice.example",
            port,
            body,
        );
        assert_eq!(header_attr(&header, "mac"), expected, "{base}: port {port}");
    }
}

/// Start-up recovery queries Unknown attempts too: one that the backend completed after the
/// till gave up on it is found paid at the next start, with no manager involved.
#[tokio::test(start_paused = true)]
async fn an_unknown_attempt_completed_later_is_found_paid_at_the_next_start() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("journal.db");
    let clock = Arc::new(TokioClock::starting_at(Utc::now()));
    let mut short = settings();
    // Gives up at 9 s; the customer's password goes through about 27 s after the pay call.
    short.polls.wechat_barcode = cashier_core::config::PollPolicy::secs(3, 3, 9);
    let open = |settings: CheckoutSettings| {
        let (sandbox, db, clock) = (&sandbox, &db, clock.clone());
        async move {
            Checkout::open(
                Arc::new(Journal::open(db).unwrap()),
                backends(sandbox, Duration::from_secs(15)).await,
                settings,
                clock,
                7,
            )
            .await
            .unwrap()
        }
    };
    let (engine, _) = open(short.clone()).await;
    let a = engine
        .pay_barcode(barcode(
            "B-LATE",
            "8.80",
            Channel::PosWechatBarcode,
            "134520273825381009",
        ))
        .await
        .unwrap();
    assert_eq!(a.state, AttemptState::Unknown, "{a:?}");
    drop(engine);
    tokio::time::sleep(Duration::from_secs(30)).await;
    let (engine, report) = open(short).await;
    let after = engine.journal().get(a.id).unwrap().unwrap();
    assert_eq!(after.state, AttemptState::Paid, "{report:?}");
    let trail = engine.journal().transitions(a.id).unwrap();
    assert!(
        trail.iter().all(|t| t.actor.as_deref() != Some("manager")),
        "no manager decided it: {trail:?}"
    );
    assert_agrees(engine.journal(), &sandbox.ledger(), "B-LATE");
}
