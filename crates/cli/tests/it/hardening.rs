//! Bad configuration, bad input and a hostile terminal: each is refused (or survived) clearly,
//! before anything is journalled or sent, and never stops a payment from being followed.

use std::io::Read;
use std::process::Stdio;
use std::time::Duration;

use crate::common;
use crate::common::{PAID_CODE, QrPoll, Till, bare_command, pay_args};

fn till() -> (tokio::runtime::Runtime, Till) {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    (rt, till)
}

/// Adds TOML to the till's configuration file: its keys go under their table's existing
/// header where the file has one, else the table is appended.
fn add_config(till: &Till, toml: &str) {
    let mut text = std::fs::read_to_string(&till.config).unwrap();
    let (header, keys) = toml.split_once('\n').unwrap();
    if text.contains(&format!("{header}\n")) {
        text = text.replacen(&format!("{header}\n"), &format!("{header}\n{keys}\n"), 1);
    } else {
        text.push('\n');
        text.push_str(toml);
    }
    std::fs::write(&till.config, text).unwrap();
}

#[test]
fn an_unknown_key_in_any_table_is_refused_by_its_path() {
    for (toml, path) in [
        ("[tourv5]\npaytyp_wechat = \"WX\"", "tourv5.paytyp_wechat"),
        ("[cloudpay]\norder_prefx = \"x\"", "cloudpay.order_prefx"),
        ("[poll.wechat_barcod]\nevery = 3", "poll.wechat_barcod"),
        ("[scanner]\nbaudrate = 9600", "scanner.baudrate"),
        ("[http]\ntimeout = 3", "http.timeout"),
    ] {
        let (_rt, till) = till();
        add_config(&till, toml);
        let r = till.pay_code("cloud-barcode", "CFG-1", "1.00", PAID_CODE);
        let err = r.json()["error"].clone();
        assert_eq!(err["code"], "config", "{toml}\n{r}");
        assert!(
            err["message"].as_str().unwrap_or("").contains(path),
            "{toml}: the message names {path}\n{r}"
        );
        assert!(till.attempts().is_empty(), "nothing journalled");
        assert!(till.ledger().orders.is_empty(), "nothing sent");
    }
}

#[test]
fn poll_durations_out_of_bounds_are_refused_before_anything_is_sent() {
    for (toml, word) in [
        ("give_up = 1e19", "at most one day"),
        ("give_up = 86401", "at most one day"),
        ("every = 0", "at least 0.5"),
        ("every = 0.1", "at least 0.5"),
    ] {
        let (_rt, till) = till();
        let text = std::fs::read_to_string(&till.config).unwrap();
        let replaced = text.replacen(
            "[poll.cloud_barcode]\nfirst_after = 0.3\nevery = 0.5\ngive_up = 20",
            &format!(
                "[poll.cloud_barcode]\nfirst_after = 0.3\n{}",
                if toml.starts_with("every") {
                    format!("{toml}\ngive_up = 20")
                } else {
                    format!("every = 0.5\n{toml}")
                }
            ),
            1,
        );
        assert_ne!(text, replaced, "the harness's config changed shape");
        std::fs::write(&till.config, replaced).unwrap();
        let r = till.pay_code("cloud-barcode", "CFG-2", "1.00", PAID_CODE);
        assert_eq!(r.code(), Some(4), "{toml}\n{r}");
        let msg = r.json()["error"]["message"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(
            msg.contains("poll.cloud_barcode") && msg.contains(word),
            "{toml}: {msg}"
        );
        assert!(till.attempts().is_empty(), "nothing journalled");
        assert!(till.ledger().orders.is_empty(), "nothing sent");
    }
}

/// `cashier pay … | head -1`: stdout and stderr closed mid-payment. The payment is still
/// followed to its end and journalled, and the process does not panic.
#[test]
fn closed_output_pipes_do_not_stop_a_payment() {
    let (_rt, till) = till();
    let mut cmd = till.command(&[
        "pay",
        "--channel",
        "cloud-barcode",
        "--bill",
        "PIPE-1",
        "--amount",
        "3.00",
        "--code",
        "134520273825381002",
    ]);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{}", till.password).unwrap();
    }
    // Read one line of stderr, as `head -1` would, then close both pipes.
    let mut stderr = child.stderr.take().unwrap();
    let mut first = [0u8; 1];
    let _ = stderr.read(&mut first);
    drop(stderr);
    drop(child.stdout.take());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "still running");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(status.code(), Some(0), "paid, and no panic (101)");
    let a = till.attempts_of_bill("PIPE-1");
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].state, cashier_core::AttemptState::Paid, "{a:?}");
}

#[test]
fn a_foreign_database_is_refused_untouched() {
    let (_rt, till) = till();
    {
        let db = rusqlite::Connection::open(&till.db).unwrap();
        db.execute_batch("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);")
            .unwrap();
    }
    let before = std::fs::read(&till.db).unwrap();
    let r = till.run(&["--json", "receipts"]);
    assert_eq!(r.json()["error"]["code"], "journal_foreign", "{r}");
    assert_eq!(
        std::fs::read(&till.db).unwrap(),
        before,
        "not one byte changed"
    );
    assert!(!till.db.with_extension("db-wal").exists());
}

#[test]
fn a_code_of_the_wrong_wallet_is_refused_before_anything_is_sent() {
    let (_rt, till) = till();
    for (channel, code, wallet) in [
        ("pos-wechat-barcode", "284520273825387649", "Alipay"),
        ("cloud-barcode", "6212345678901234567", "UnionPay"),
    ] {
        let r = till.pay_code(channel, "WALLET-1", "1.00", code);
        assert_eq!(r.code(), Some(2), "{channel}\n{r}");
        assert_eq!(r.json()["error"]["code"], "invalid_code", "{r}");
        assert!(
            r.json()["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains(wallet),
            "{r}"
        );
    }
    assert!(till.attempts().is_empty(), "nothing journalled");
    assert!(till.ledger().orders.is_empty(), "nothing sent");
}

#[test]
fn an_amount_in_an_error_is_shown_as_typed() {
    let (_rt, till) = till();
    let r = till.run(&[
        "--json",
        "pay",
        "--channel",
        "cloud-barcode",
        "--bill",
        "BIG-1",
        "--amount",
        "99999999999999",
        "--code",
        PAID_CODE,
    ]);
    r.assert_code(2);
    let msg = r.json()["error"]["message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(msg.contains("99999999999999"), "not masked: {msg}");
    assert!(!msg.contains('*'), "{msg}");
}

#[test]
fn the_configured_language_applies_to_errors() {
    let (_rt, till) = till();
    for (lang, expect) in [("en", "bill"), ("zh-CN", "单号")] {
        std::fs::write(
            &till.config,
            format!(
                "lang = \"{lang}\"\n{}",
                std::fs::read_to_string(&till.config)
                    .unwrap()
                    .lines()
                    .filter(|l| !l.starts_with("lang ="))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        )
        .unwrap();
        let mut cmd = till.command(&pay_args("cloud-barcode", "", "1.00", Some(PAID_CODE)));
        cmd.env_remove("CASHIER_LANG");
        let out = cmd.stdin(Stdio::null()).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(expect), "{lang}: {stdout}");
    }
}

#[test]
fn scan_once_on_a_port_that_cannot_be_opened_fails() {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let out = bare_command(dir.path())
        .args(["scan", "--port", "/nonexistent/ttyUSB9", "--once"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "no waiting forever"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/ttyUSB9"));
}

#[test]
fn logs_written_to_a_pipe_carry_no_colour_codes() {
    let (_rt, till) = till();
    let mut cmd = till.command(&pay_args("cloud-barcode", "LOG-1", "1.00", Some(PAID_CODE)));
    cmd.env("CASHIER_LOG", "info");
    let out = {
        use std::io::Write;
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{}", till.password).unwrap();
        child.wait_with_output().unwrap()
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("INFO"), "log lines are there: {stderr}");
    assert!(!stderr.contains('\u{1b}'), "no ANSI escapes: {stderr}");
}

/// `refund --amount ""` (or blank) is bad input like `pay --amount ""`: refused before anything
/// is journalled or sent, never read as "all that is left" — that is said only by leaving
/// `--amount` out.
#[test]
fn a_blank_refund_amount_is_refused_and_refunds_nothing() {
    let (_rt, till) = till();
    let paid = till.pay_code("cloud-barcode", "BLANK-1", "1.00", PAID_CODE);
    paid.assert_code(0);
    let order = paid.order_no();
    let blank_pay = till.pay_code("cloud-barcode", "BLANK-2", "", PAID_CODE);
    blank_pay.assert_code(2);
    let refund = |amount: Option<&str>| till.refund(&order, amount);
    for blank in ["", " ", "\t"] {
        let r = refund(Some(blank));
        r.assert_code(2);
        assert_eq!(
            r.json()["error"]["code"],
            blank_pay.json()["error"]["code"],
            "{blank:?}: refused as pay refuses it\n{r}"
        );
        assert!(till.ledger().refunds.is_empty(), "{blank:?}: nothing sent");
        let a = till.attempts_of_bill("BLANK-1");
        assert_eq!(a[0].state, cashier_core::AttemptState::Paid, "{a:?}");
        assert!(
            till.journal().refunds(a[0].id).unwrap().is_empty(),
            "{blank:?}: nothing journalled"
        );
    }
    let all = refund(None);
    all.assert_code(0);
    assert_eq!(all.json()["state"], "refunded", "{all}");
}
