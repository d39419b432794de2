//! The opener on real files and a real sandbox on loopback: which backends a till gets, and that
//! a till opened for reading has none; the printer driver is the ESC/POS one.

use std::path::Path;
use std::time::Duration;

use cashier_core::backend::http::HttpPolicy;
use cashier_core::backend::tourv5::TourV5Config;
use cashier_core::config::Config;
use secrecy::SecretString;

use super::{ConfigFile, open, open_for_reading, printer};

fn journal_in(dir: &Path) -> Config {
    Config {
        db_path: Some(dir.join("journal.db")),
        ..Config::default()
    }
}

#[tokio::test]
async fn with_nothing_configured_the_embedded_sandbox_stands_in_and_logs_in() {
    let dir = tempfile::tempdir().unwrap();
    let opened = open(journal_in(dir.path()), dir.path().join("cashier.toml"))
        .await
        .unwrap();
    assert!(opened.sandbox.is_some());
    let note = opened.note.clone().expect("the sandbox's credentials");
    let status = opened
        .till
        .login(&note.operator, note.password)
        .await
        .unwrap();
    assert!(status.sandbox, "{status:?}");
}

#[tokio::test]
async fn a_configured_back_office_is_reached_by_the_clients_not_a_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let cfg = Config {
        tourv5: Some(TourV5Config {
            base_url: format!("http://{dead}/"),
            ..TourV5Config::default()
        }),
        http: HttpPolicy {
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(2),
        },
        operator: "cashier".into(),
        ..journal_in(dir.path())
    };
    let opened = open(cfg, dir.path().join("cashier.toml")).await.unwrap();
    assert!(opened.sandbox.is_none() && opened.note.is_none());
    let e = opened
        .till
        .login("cashier", SecretString::from("123456".to_string()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "unreachable", "{e}");
}

#[tokio::test]
async fn a_till_opened_for_reading_starts_no_sandbox_and_cannot_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cashier.toml");
    let db = dir.path().join("journal.db");
    std::fs::write(&path, format!("db_path = {:?}\n", db.display().to_string())).unwrap();
    let till = open_for_reading(&ConfigFile::at(Some(path))).unwrap();
    assert!(!till.is_sandbox());
    let e = till
        .login("cashier", SecretString::from(String::new()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "config", "{e}");
    assert!(db.exists(), "the journal it reads is the configured one");
}

#[test]
fn the_printer_a_front_end_gets_speaks_esc_pos() {
    use cashier_core::print::{
        Align, CodePage, Doc, DocLine, Paper, PrinterSetup, PrinterState, PrinterUrl,
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slips.bin");
    let setup = PrinterSetup {
        url: PrinterUrl::File(path.clone()),
        paper: Paper::Mm58,
        code_page: CodePage::Gbk,
    };
    let doc = Doc {
        lines: vec![
            DocLine::text("测试 Test", Align::Center, true, false),
            DocLine::Cut,
        ],
    };
    assert_eq!(printer().print(&setup, &doc), Ok(PrinterState::NotAsked));
    let bytes = std::fs::read(&path).unwrap();
    // ESC @ (initialise), and the text in GBK inside Hanzi mode.
    assert!(bytes.starts_with(&[0x1B, b'@']), "{bytes:?}");
    let (gbk, _, _) = encoding_rs::GBK.encode("测试 Test");
    assert!(bytes.windows(gbk.len()).any(|w| w == &gbk[..]));
}
