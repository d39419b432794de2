//! The `cashier` binary end to end, against a sandbox hosted in the test process: payments on
//! every channel, refusals, bad input, receipts, query, cross-process cancel, the serial
//! scanner on a real pseudo-terminal, secrets kept out of output and journal, and the embedded
//! sandbox when nothing is configured.

use std::collections::BTreeSet;
use std::io::Write;
use std::time::Duration;

use crate::common;
use crate::common::{
    BARCODE_CHANNELS, CMD_TIMEOUT, DECLINED_CODE, PAID_CODE, QR_CHANNELS, QrPoll, Running, Till,
    bare_command, customer_pays,
};
use cashier_core::AttemptState;
use cashier_core::receipts::{CSV_HEADER, business_day};
use cashier_sandbox::SandboxConfig;
use serde_json::Value;

/// (a) Every channel ends paid, exit 0, with the result's fields right and one charge each.
#[test]
fn pay_on_every_channel_ends_paid() {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    let mut bills = Vec::new();
    let mut runs: Vec<(&str, common::Finished)> = Vec::new();
    for (i, channel) in BARCODE_CHANNELS.iter().enumerate() {
        let bill = common::bill("PAY", i);
        runs.push((channel, till.pay_code(channel, &bill, "12.3", PAID_CODE)));
        bills.push(bill);
    }
    for (i, channel) in QR_CHANNELS.iter().enumerate() {
        let bill = common::bill("PAYQR", i);
        runs.push((
            channel,
            till.pay_qr_as_customer(&rt, channel, &bill, "12.3"),
        ));
        bills.push(bill);
    }
    // Cloud Pay QR for an Alipay wallet.
    let bill = common::bill("PAYALI", 0);
    let mut pay = till.spawn(
        &[
            "--json",
            "pay",
            "--channel",
            "cloud-qr",
            "--wallet",
            "alipay",
            "--bill",
            &bill,
            "--amount",
            "12.3",
        ],
        &[],
    );
    let shown = pay.wait_event(|e| e["state"] == "shown", Duration::from_secs(30));
    assert_eq!(
        customer_pays(&rt, shown["code_url"].as_str().expect("code_url"))["state"],
        "paid"
    );
    runs.push(("cloud-qr", pay.finish(CMD_TIMEOUT)));
    bills.push(bill);

    let ledger = till.ledger();
    let journal = till.attempts();
    for ((channel, run), bill) in runs.iter().zip(&bills) {
        run.assert_code(0);
        let r = run.json();
        assert_eq!(r["state"], "paid", "{channel}\n{run}");
        assert_eq!(r["bill"], bill.as_str(), "{channel}");
        assert_eq!(r["amount_fen"], 1230, "{channel}: 12.3 yuan");
        assert_eq!(r["channel"], *channel);
        assert!(r["reason"].is_null(), "{channel}: {r}");
        let order = r["order_no"].as_str().expect("order_no");
        if channel.starts_with("cloud") {
            assert!(
                order.starts_with(common::PREFIX),
                "{channel}: Cloud Pay order {order}"
            );
        }
        // The progress stream: JSON lines for this attempt, ending paid; QR shows a code.
        let events = run.events();
        assert!(
            !events.is_empty(),
            "{channel}: progress events on stderr\n{run}"
        );
        assert!(
            events
                .iter()
                .all(|e| e["order_no"] == order && e["attempt_id"].is_i64()),
            "{events:#?}"
        );
        assert_eq!(
            events.last().map(|e| e["state"].clone()),
            Some(Value::from("paid")),
            "{channel}"
        );
        if common::is_qr(channel) {
            assert!(
                events
                    .iter()
                    .any(|e| e["state"] == "shown" && e["code_url"].is_string()),
                "{channel}"
            );
        }
        let charges = ledger.charges_for_bill(bill);
        assert_eq!(charges.len(), 1, "{channel}: one charge: {charges:?}");
        assert_eq!(charges[0].amount_fen, 1230);
        assert_eq!(charges[0].channel, *channel);
        let a: Vec<_> = journal.iter().filter(|a| a.bill.as_str() == bill).collect();
        assert_eq!(a.len(), 1, "{channel}");
        assert_eq!(
            (a[0].state, a[0].amount.0, a[0].order_no.as_str()),
            (AttemptState::Paid, 1230, order)
        );
    }
    assert_eq!(ledger.charges.len(), runs.len());
}

/// (b) A declined code: exit 1, failed, in the backend's words; nothing charged.
#[test]
fn declined_code_fails_with_the_backends_reason() {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    for (i, channel) in BARCODE_CHANNELS.iter().enumerate() {
        let bill = common::bill("DECL", i);
        let run = till.pay_code(channel, &bill, "8.00", DECLINED_CODE);
        run.assert_code(1);
        let r = run.json();
        assert_eq!(r["state"], "failed", "{channel}\n{run}");
        let reason = r["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains("insufficient balance") || reason.contains("余额不足"),
            "{channel}: the sandbox's words in the reason: {reason:?}"
        );
    }
    let expired = till.pay_code("koudai-barcode", "DECL-EXP", "8.00", "134520273825383333");
    expired.assert_code(1);
    let reason = expired.json()["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        reason.contains("expired") || reason.contains("过期"),
        "{reason:?}"
    );
    assert!(
        till.ledger().charges.is_empty(),
        "nothing charged: {:?}",
        till.ledger().charges
    );
    assert!(
        till.attempts()
            .iter()
            .all(|a| a.state == AttemptState::Failed)
    );
}

/// (c) Bad input: exit 2 with the error code, nothing journalled, nothing sent.
#[test]
fn bad_input_is_refused_before_anything_is_journalled() {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    let long_bill = "B".repeat(21);
    let mut cases: Vec<(&str, String, String, &str, &str)> = Vec::new();
    for amount in ["0", "-1", "1.234", "1e3", "abc", "100000.01"] {
        cases.push((
            "cloud-barcode",
            "BAD-AMT".into(),
            amount.into(),
            PAID_CODE,
            "invalid_amount",
        ));
    }
    for bill in ["", long_bill.as_str(), "单号"] {
        cases.push((
            "pos-wechat-barcode",
            bill.into(),
            "1.00".into(),
            PAID_CODE,
            "invalid_bill",
        ));
    }
    for code in ["12345", "abc"] {
        cases.push((
            "koudai-barcode",
            "BAD-CODE".into(),
            "1.00".into(),
            code,
            "invalid_code",
        ));
    }
    // QR channels check amount and bill the same way.
    cases.push((
        "wechat-qr",
        "BAD-QR".into(),
        "0.001".into(),
        PAID_CODE,
        "invalid_amount",
    ));
    cases.push((
        "cloud-qr",
        long_bill.clone(),
        "1.00".into(),
        PAID_CODE,
        "invalid_bill",
    ));
    for (channel, bill, amount, code, want) in &cases {
        let mut args = vec!["--json", "pay", "--channel", channel];
        let bill_arg = format!("--bill={bill}");
        let amount_arg = format!("--amount={amount}");
        args.extend([bill_arg.as_str(), amount_arg.as_str()]);
        if !common::is_qr(channel) {
            args.extend(["--code", code]);
        }
        let run = till.run(&args);
        let what = format!("{channel} bill {bill:?} amount {amount:?} code {code:?}");
        assert_eq!(run.code(), Some(2), "{what}\n{run}");
        let r = run.json();
        assert_eq!(r["error"]["code"], *want, "{what}: {r}");
        assert!(
            r["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{what}: {r}"
        );
    }
    assert!(
        till.attempts().is_empty(),
        "nothing journalled: {:#?}",
        till.attempts()
    );
    let ledger = till.ledger();
    assert!(
        ledger.orders.is_empty() && ledger.charges.is_empty(),
        "nothing sent: {ledger:?}"
    );
}

/// (d) Receipts: CSV with a header and one row per attempt; JSON totals equal the ledger's.
#[test]
fn receipts_match_the_journal_and_the_ledger() {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    till.pay_code("cloud-barcode", "RCP-1", "12.3", PAID_CODE)
        .assert_code(0);
    till.pay_code("koudai-barcode", "RCP-2", "0.05", PAID_CODE)
        .assert_code(0);
    till.pay_code("pos-wechat-barcode", "RCP-3", "7", DECLINED_CODE)
        .assert_code(1);
    till.pay_qr_as_customer(&rt, "wechat-qr", "RCP-4", "100")
        .assert_code(0);

    let day = business_day(chrono::Utc::now(), chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d")
        .to_string();
    let csv = till.run(&["receipts", "--csv", "--day", &day]);
    csv.assert_code(0);
    // For Excel: the same CSV behind a UTF-8 byte-order mark.
    let excel = till.run(&["receipts", "--csv", "--bom", "--day", &day]);
    excel.assert_code(0);
    assert_eq!(
        excel.stdout.strip_prefix('\u{feff}'),
        Some(csv.stdout.as_str())
    );
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some(CSV_HEADER.join(",").as_str()),
        "header row\n{csv}"
    );
    let attempts = till.attempts();
    assert_eq!(
        lines.len(),
        1 + attempts.len(),
        "one row per attempt\n{csv}"
    );
    let amount_col = CSV_HEADER
        .iter()
        .position(|h| *h == "amount_yuan")
        .expect("amount column");
    let bill_col = CSV_HEADER
        .iter()
        .position(|h| *h == "bill")
        .expect("bill column");
    let state_col = CSV_HEADER
        .iter()
        .position(|h| *h == "state")
        .expect("state column");
    let rows: Vec<Vec<&str>> = lines[1..].iter().map(|l| l.split(',').collect()).collect();
    let row = |bill: &str| {
        rows.iter()
            .find(|r| r[bill_col] == bill)
            .unwrap_or_else(|| panic!("row {bill}\n{csv}"))
    };
    assert_eq!(
        (row("RCP-1")[amount_col], row("RCP-1")[state_col]),
        ("12.30", "paid")
    );
    assert_eq!(row("RCP-2")[amount_col], "0.05");
    assert_eq!(
        (row("RCP-3")[amount_col], row("RCP-3")[state_col]),
        ("7.00", "failed")
    );
    assert_eq!(row("RCP-4")[amount_col], "100.00");

    let report = till.run(&["--json", "receipts", "--day", &day]);
    report.assert_code(0);
    let r = report.json();
    let ledger = till.ledger();
    assert_eq!(
        r["collected"],
        ledger.total_charged().0,
        "collected = the ledger's total\n{report}"
    );
    assert_eq!(ledger.total_charged().0, 1230 + 5 + 10_000);
    assert_eq!(r["attempts"].as_array().map(Vec::len), Some(4));
    let by_channel: u64 = r["by_channel"]
        .as_object()
        .expect("by_channel")
        .values()
        .filter_map(|t| t["amount"].as_u64())
        .sum();
    assert_eq!(
        by_channel,
        ledger.total_charged().0,
        "channel totals add up: {}",
        r["by_channel"]
    );
    assert_eq!(r["by_outcome"]["failed"]["count"], 1, "{}", r["by_outcome"]);
}

/// (e) `query` of an order number the journal does not have.
#[test]
fn query_of_an_unknown_order_is_refused() {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    let run = till.run(&["--json", "query", "--order", "sz0100sbox01NOSUCHORDER"]);
    run.assert_code(4);
    assert_eq!(run.json()["error"]["kind"], "not_found", "{run}");
}

/// (f) `cashier cancel` from a second process ends a QR shown by a running `cashier pay`.
#[test]
fn cancel_from_another_process_ends_the_running_qr() {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    let mut pay = till.spawn(
        &[
            "--json",
            "pay",
            "--channel",
            "cloud-qr",
            "--bill",
            "CANCEL-1",
            "--amount",
            "3.50",
        ],
        &[],
    );
    let shown = pay.wait_event(|e| e["state"] == "shown", Duration::from_secs(30));
    let order = shown["order_no"].as_str().expect("order_no").to_string();

    let cancel = till.run(&["--json", "cancel", "--order", &order]);
    let paid = pay.finish(CMD_TIMEOUT);
    assert_eq!(
        cancel.json()["state"],
        "cancelled",
        "the cancel command's result\n{cancel}"
    );
    cancel.assert_code(1);
    paid.assert_code(1);
    assert_eq!(
        paid.json()["state"],
        "cancelled",
        "the pay process saw the journal row change\n{paid}"
    );
    let ledger = till.ledger();
    assert_eq!(
        ledger.order(&order).map(|o| o.state.as_str()),
        Some("closed"),
        "{ledger:?}"
    );
    assert!(ledger.charges.is_empty());
    let journal = till.attempts();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].state, AttemptState::Cancelled);
}

/// (g) `cashier scan --once` on a real pseudo-terminal: the code is printed masked only.
#[cfg(unix)]
#[test]
fn scan_reads_a_code_from_a_serial_port_masked() {
    use serialport::SerialPort;
    let (mut master, slave) = serialport::TTYPort::pair().expect("pty pair");
    let port = slave.name().expect("slave name");
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = bare_command(home.path());
    cmd.args(["--json", "scan", "--once", "--port", &port]);
    let mut scan = Running::start(cmd, None);
    let connected = scan.wait_stdout(
        "the connected event",
        |l| l.contains("\"connected\""),
        Duration::from_secs(10),
    );
    assert!(connected.contains(&port), "{connected}");
    std::thread::sleep(Duration::from_millis(300));
    master
        .write_all(format!("{PAID_CODE}\r").as_bytes())
        .expect("write to the pty master");
    master.flush().expect("flush");
    let done = scan.finish(Duration::from_secs(15));
    done.assert_code(0);
    let events = common::json_lines(&done.stdout);
    let code = events
        .iter()
        .find(|e| e["event"] == "code")
        .unwrap_or_else(|| panic!("a code event\n{done}"));
    assert_eq!(code["masked"], "1345**********7649", "{code}");
    assert_eq!(code["kind"], "wechat");
    assert!(
        !done.stdout.contains(PAID_CODE) && !done.stderr.contains(PAID_CODE),
        "clear code printed\n{done}"
    );
    drop(slave);
}

/// (h) The back-office password and the Cloud Pay key never reach stdout or stderr (not even in
/// debug logs), and the journal file holds no clear payment code.
#[test]
fn secrets_stay_out_of_output_and_journal() {
    let rt = common::runtime();
    let sc = SandboxConfig {
        password: "pw-Zq7!unusual-secret".into(),
        authen_key: "KEY-unusual-0123456789abcdefghij".into(),
        ..SandboxConfig::default()
    };
    assert_eq!(sc.authen_key.len(), 32);
    let till = Till::start_with(&rt, QrPoll::LONG, sc);
    let codes = [
        "134520273825387649",
        "134520273825381002",
        "134520273825384567",
        "134520273825382222",
    ];
    let mut outputs = Vec::new();
    for (i, (channel, code)) in BARCODE_CHANNELS
        .iter()
        .flat_map(|c| codes.iter().map(move |k| (*c, *k)))
        .enumerate()
    {
        let bill = common::bill("SEC", i);
        let pay = till.spawn(
            &[
                "--json",
                "pay",
                "--channel",
                channel,
                "--bill",
                &bill,
                "--amount",
                "1.00",
                "--code",
                code,
            ],
            &[("CASHIER_LOG", "debug")],
        );
        outputs.push((channel, code, pay.finish(CMD_TIMEOUT)));
    }
    outputs.push(("login", "", till.run(&["--json", "login"])));
    outputs.push(("recover", "", till.run(&["--json", "recover"])));
    outputs.push(("receipts", "", till.run(&["receipts", "--csv"])));
    for (what, _code, run) in &outputs {
        for secret in [&till.password, &till.authen_key] {
            assert!(
                !run.stdout.contains(secret.as_str()),
                "{what}: secret on stdout\n{run}"
            );
            assert!(
                !run.stderr.contains(secret.as_str()),
                "{what}: secret on stderr\n{run}"
            );
        }
        for code in codes {
            assert!(
                !run.stdout.contains(code) && !run.stderr.contains(code),
                "{what}: clear code {code} printed\n{run}"
            );
        }
    }
    assert!(
        outputs
            .iter()
            .any(|(_, c, r)| *c == PAID_CODE && r.code() == Some(0)),
        "payments ran"
    );
    assert!(
        till.ledger().charges.len() >= 6,
        "the payments went through: {:?}",
        till.ledger().charges
    );

    let mut bytes = Vec::new();
    for ext in ["", "-wal", "-shm", "-journal"] {
        let path = format!("{}{ext}", till.db.display());
        if let Ok(b) = std::fs::read(&path) {
            bytes.extend(b);
        }
    }
    let has = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(
        has("1345**********7649"),
        "positive control: the masked code is in the journal file"
    );
    for code in codes {
        assert!(!has(code), "clear code {code} in the journal file");
    }
    assert!(
        !has(&till.password) && !has(&till.authen_key),
        "a secret in the journal file"
    );
}

/// (i) Nothing configured: the embedded sandbox takes the payment, and says so.
#[test]
fn no_backend_configured_uses_the_embedded_sandbox() {
    let home = tempfile::tempdir().expect("tempdir");
    let db = home.path().join("journal.db");
    let run = |json: bool, bill: &str| {
        let mut cmd = bare_command(home.path());
        cmd.env("CASHIER_DB", &db).env("CASHIER_LANG", "en");
        if json {
            cmd.arg("--json");
        }
        cmd.args([
            "pay",
            "--channel",
            "cloud-barcode",
            "--bill",
            bill,
            "--amount",
            "12.3",
            "--code",
            PAID_CODE,
        ]);
        Running::start(cmd, None).finish(CMD_TIMEOUT)
    };
    let j = run(true, "EMB-1");
    j.assert_code(0);
    let r = j.json();
    assert_eq!(
        (r["state"].as_str(), r["amount_fen"].as_u64()),
        (Some("paid"), Some(1230)),
        "{j}"
    );
    let h = run(false, "EMB-2");
    h.assert_code(0);
    assert!(
        h.stderr.contains("SANDBOX"),
        "human mode says it is the sandbox\n{h}"
    );
    let journal = cashier_core::journal::Journal::open(&db).expect("journal");
    let states: BTreeSet<_> = common::all_attempts(&journal)
        .iter()
        .map(|a| (a.bill.to_string(), a.state.as_str()))
        .collect();
    assert_eq!(
        states,
        BTreeSet::from([("EMB-1".to_string(), "paid"), ("EMB-2".to_string(), "paid")])
    );
}

/// A QR nobody pays ends when its time on screen is up (the poll policy's `give_up`), exit 1,
/// nothing charged: `expired` where the backend closes it (Cloud Pay), `abandoned` — still
/// payable, and watched — where it cannot (Tour V5).
#[test]
fn an_unpaid_qr_expires() {
    let rt = common::runtime();
    let short = QrPoll {
        first_after: 0.5,
        every: 0.5,
        give_up: 3.0,
    };
    // One till (and back office) per channel, so that the three run side by side.
    let running: Vec<_> = ["wechat-qr", "alipay-qr", "cloud-qr"]
        .into_iter()
        .map(|channel| {
            let till = Till::start(&rt, short);
            let args = [
                "--json",
                "pay",
                "--channel",
                channel,
                "--bill",
                "EXP-1",
                "--amount",
                "2",
            ];
            let pay = till.spawn(&args, &[]);
            (channel, till, pay)
        })
        .collect();
    let mut problems = Vec::new();
    for (channel, till, pay) in running {
        let done = pay.finish(CMD_TIMEOUT);
        let r = done.json();
        let want = if channel == "cloud-qr" {
            "expired"
        } else {
            "abandoned"
        };
        if done.code() != Some(1) || r["state"] != want {
            problems.push(format!(
                "{channel}: want exit 1, expired; got {:?} {r}",
                done.code()
            ));
        }
        assert!(till.ledger().charges.is_empty(), "{channel}");
        let shown = done.events().iter().any(|e| e["state"] == "shown");
        assert!(
            shown,
            "{channel}: the code was shown before it expired\n{done}"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Start-up recovery in a second process (here `cashier recover`; every `pay`, `query`,
/// `cancel` and `resolve` opens the same way) must leave alone a QR that another process is
/// showing: the customer may be scanning it right now, and the first till must still see the
/// payment when it comes.
#[test]
fn a_second_process_leaves_a_shown_qr_alone() {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    let mut problems = Vec::new();
    for channel in ["cloud-qr", "wechat-qr"] {
        let bill = format!("LIVE-{channel}");
        let mut pay = till.spawn(
            &[
                "--json",
                "pay",
                "--channel",
                channel,
                "--bill",
                &bill,
                "--amount",
                "4.20",
            ],
            &[],
        );
        let shown = pay.wait_event(|e| e["state"] == "shown", Duration::from_secs(30));
        let url = shown["code_url"].as_str().expect("code_url").to_string();

        let rec = till.run(&["--json", "recover"]);
        // The customer scans and pays the code the first till still shows.
        let answer = customer_pays(&rt, &url);
        assert_eq!(
            answer["state"], "paid",
            "{channel}: the customer page took the money: {answer}"
        );
        assert_eq!(till.ledger().charges_for_bill(&bill).len(), 1, "{channel}");
        // The first till polls every 0.5 s: it has no reason to take long.
        match pay.finish_within(Duration::from_secs(15)) {
            Ok(done) if done.code() == Some(0) && done.json()["state"] == "paid" => {}
            Ok(done) => problems.push(format!(
                "{channel}: the customer paid, the till ended otherwise\nrecover: {rec}\npay: {done}"
            )),
            Err(stuck) => {
                let last: Vec<&str> = stuck.stderr.lines().rev().take(3).collect();
                problems.push(format!(
                    "{channel}: the customer paid, the till had not seen it 15 s later; its last lines:\n{}\nrecover: {rec}",
                    last.join("\n")
                ))
            }
        }
        let journal = till.attempts_of_bill(&bill);
        if journal.first().map(|a| a.state) == Some(AttemptState::Expired) {
            problems.push(format!(
                "{channel}: charged, yet journalled expired: {journal:#?}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
