//! `Till`, as a front end uses it: opened on the embedded sandbox, logged in, payments from raw
//! input returning at once with their progress as events, input refused before anything is
//! written, a lagging subscriber brought back up to date, and the serial scanner on a real pty.

use std::time::Duration;

use cashier_core::config::Config;
use cashier_core::error::{ErrorKind, Field};
use cashier_core::till::{
    Action, AttemptFilter, QrChoice, ScannerState, Till, TillEvent, TillEvents, Tone,
};
use cashier_core::{AttemptId, AttemptState, Channel, Lang};
use cashier_sandbox::Sandbox;
use secrecy::SecretString;

const PAID: &str = "134520273825387649";
const ALIPAY_PAID: &str = "284520273825387649";
const PASSWORD: &str = "134520273825381003";

struct Fixture {
    till: Till,
    sandbox: Sandbox,
    _dir: tempfile::TempDir,
}

async fn open(edit: impl FnOnce(&mut Config)) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (till, sandbox, note) =
        crate::common::sandbox_till(dir.path(), dir.path().join("cashier.toml"), edit).await;
    till.login(&note.operator, note.password.clone())
        .await
        .unwrap();
    Fixture {
        till,
        sandbox,
        _dir: dir,
    }
}

/// Waits for attempt `id` to reach `state` on the event stream.
async fn until(
    events: &mut TillEvents,
    id: i64,
    state: AttemptState,
) -> cashier_core::till::AttemptView {
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let Some(TillEvent::Attempt { attempt }) = events.recv().await
                && attempt.id == id
                && attempt.state == state
            {
                return attempt;
            }
        }
    })
    .await
    .expect("the state arrives in time")
}

#[tokio::test]
async fn a_wedge_scan_pays_and_the_view_says_what_to_show() {
    let f = open(|_| {}).await;
    let mut events = f.till.subscribe();
    let started = f
        .till
        .start_barcode("T-1", "12.3", &format!("{PAID}\r\n"))
        .await
        .unwrap();
    // Returned as soon as it was journalled, before any answer.
    assert_eq!(started.state, AttemptState::Sending);
    assert_eq!(
        started.channel,
        Channel::CloudBarcode,
        "a WeChat code goes to Cloud Pay here"
    );
    assert_eq!(started.amount_text, "¥12.30");
    assert_eq!(started.code_masked.as_deref(), Some("1345 **** **** 7649"));
    let paid = until(&mut events, started.id, AttemptState::Paid).await;
    assert_eq!(paid.tone, Tone::Paid);
    assert_eq!(paid.state_label, "支付成功");
    assert!(paid.actions.contains(&Action::NextCustomer));
    assert!(paid.actions.contains(&Action::Refund));
    f.till.set_lang(Lang::En);
    let again = f.till.attempt(AttemptId(paid.id)).await.unwrap();
    assert_eq!(again.state_label, "Paid");
    assert_eq!(f.sandbox.ledger().charges_for_bill("T-1").len(), 1);
}

#[tokio::test]
async fn a_password_payment_tells_the_cashier_what_is_happening() {
    let f = open(|cfg| cfg.routing.wechat = Some(Channel::PosWechatBarcode)).await;
    let mut events = f.till.subscribe();
    let started = f.till.start_barcode("T-PW", "5", PASSWORD).await.unwrap();
    assert_eq!(
        started.channel,
        Channel::PosWechatBarcode,
        "routing is configurable"
    );
    let pending = until(&mut events, started.id, AttemptState::Pending).await;
    assert_eq!(pending.tone, Tone::Progress);
    assert_eq!(pending.say.as_deref(), Some("请顾客在手机上输入密码"));
    assert!(
        pending.progress.remaining_ms.is_some_and(|ms| ms > 0),
        "a countdown"
    );
    until(&mut events, started.id, AttemptState::Paid).await;
}

#[tokio::test]
async fn a_qr_is_drawn_by_core_and_paid_by_the_customer() {
    let f = open(|_| {}).await;
    let mut events = f.till.subscribe();
    let started = f
        .till
        .start_qr("T-QR", "8.8", QrChoice::CloudAlipayQr)
        .await
        .unwrap();
    assert_eq!(started.state, AttemptState::Issuing);
    let shown = until(&mut events, started.id, AttemptState::Shown).await;
    assert!(
        shown
            .qr_svg
            .as_deref()
            .is_some_and(|s| s.starts_with("<?xml") || s.contains("<svg"))
    );
    assert_eq!(shown.actions, vec![Action::Cancel]);
    assert_eq!(shown.say.as_deref(), Some("请顾客用支付宝扫码支付"));
    let r = reqwest::Client::new()
        .post(shown.code_url.clone().unwrap())
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    until(&mut events, started.id, AttemptState::Paid).await;
}

#[tokio::test]
async fn bad_input_is_refused_next_to_its_field_and_nothing_is_written() {
    let f = open(|_| {}).await;
    let check = f.till.check_amount("12.345");
    assert!(!check.ok);
    let body = check.error.unwrap();
    assert_eq!(
        (body.kind, body.field),
        (ErrorKind::Input, Some(Field::Amount))
    );
    assert_eq!(body.message, "金额最多两位小数");
    assert_eq!(
        f.till.check_amount("0012.3").text.as_deref(),
        Some("¥12.30")
    );
    for (bill, amount, code, field) in [
        ("", "1", PAID, Field::Bill),
        ("T-BAD", "abc", PAID, Field::Amount),
        ("T-BAD", "1", "12345", Field::Code),
        ("T-BAD", "1", "1345abc", Field::Code),
    ] {
        let e = f.till.start_barcode(bill, amount, code).await.unwrap_err();
        assert_eq!(
            (e.kind(), e.field()),
            (ErrorKind::Input, Some(field)),
            "{e}"
        );
    }
    let all = f.till.attempts(AttemptFilter::default()).await.unwrap();
    assert!(all.is_empty(), "nothing journalled: {all:?}");
    assert!(f.sandbox.ledger().orders.is_empty(), "nothing sent");
}

/// A customer's code scanned where the bill goes is told apart from a bill's barcode, so the
/// screen can take it as the payment scan instead of journalling it in clear as a bill number.
#[tokio::test]
async fn a_payment_code_is_told_apart_from_a_bill_number() {
    let f = open(|_| {}).await;
    for (raw, code) in [
        (PAID, true),                  // WeChat: 18 digits from 10 to 15
        (ALIPAY_PAID, true),           // Alipay: 16 to 24 digits from 25 to 30
        ("6212345678901234567", true), // UnionPay: 19 digits from 62
        ("20261130000042", false),     // a bill ticket's barcode
        ("B1001", false),
        ("1345202738253876", false), // a WeChat prefix, but not 18 digits
        ("", false),
    ] {
        let check = f.till.check_bill(raw);
        assert_eq!(check.payment_code, code, "{raw:?}");
        // Typed, it is still a bill number a shop may use.
        assert_eq!(check.ok, !raw.is_empty(), "{raw:?}");
    }
}

#[tokio::test]
async fn a_bill_with_an_unknown_attempt_cannot_be_charged_again() {
    let f = open(|_| {}).await;
    let mut events = f.till.subscribe();
    let a = f
        .till
        .start_barcode("T-TWICE", "3", "134520273825384444")
        .await
        .unwrap();
    until(&mut events, a.id, AttemptState::Pending).await;
    let e = f
        .till
        .start_barcode("T-TWICE", "3", PAID)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotAllowed, "{e}");
    assert_eq!(e.code(), "bill_busy");
    let status = f.till.status();
    assert_eq!(status.counts.live_count, 1);
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_gets_the_current_state() {
    let f = open(|_| {}).await;
    let mut slow = f.till.subscribe();
    let mut events = f.till.subscribe();
    // A QR on screen stays live; then enough payments to overflow the slow subscriber.
    let qr = f
        .till
        .start_qr("T-LAG-QR", "1", QrChoice::CloudWechatQr)
        .await
        .unwrap();
    until(&mut events, qr.id, AttemptState::Shown).await;
    for i in 0..120 {
        let a = f
            .till
            .start_barcode(&format!("T-LAG-{i}"), "1", ALIPAY_PAID)
            .await
            .unwrap();
        until(&mut events, a.id, AttemptState::Paid).await;
    }
    // Everything it missed is replaced by the status and the live attempts, the QR among them.
    let first = slow.recv().await.unwrap();
    assert!(matches!(first, TillEvent::Status { .. }), "{first:?}");
    let second = slow.recv().await.unwrap();
    match second {
        TillEvent::Attempt { attempt } => {
            assert_eq!(attempt.id, qr.id);
            assert_eq!(attempt.state, AttemptState::Shown);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_serial_scan_on_a_pty_is_paid_by_its_number() {
    use serialport::SerialPort;
    let (mut master, slave) = serialport::TTYPort::pair().expect("a pty pair");
    let name = slave.name().expect("the pty's name");
    let f = open(|cfg| cfg.scanner.port = name.clone()).await;
    let mut events = f.till.subscribe();
    tokio::time::timeout(Duration::from_secs(10), async {
        while f.till.status().scanner.state != ScannerState::Connected {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the scanner connects");
    std::io::Write::write_all(&mut master, format!("{PAID}\r").as_bytes()).unwrap();
    std::io::Write::flush(&mut master).unwrap();
    let scan = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(TillEvent::Scan { scan }) = events.recv().await {
                return scan;
            }
        }
    })
    .await
    .expect("the scan arrives");
    assert_eq!(scan.error, None);
    assert_eq!(scan.code_masked.as_deref(), Some("1345**********7649"));
    let a = f
        .till
        .start_scanned("T-SER", "6", scan.scan_id)
        .await
        .unwrap();
    until(&mut events, a.id, AttemptState::Paid).await;
    let again = f
        .till
        .start_scanned("T-SER2", "6", scan.scan_id)
        .await
        .unwrap_err();
    assert_eq!(again.field(), Some(Field::Code), "a scan pays once");
    drop(slave);
}

#[tokio::test]
async fn the_password_is_needed_where_tour_v5_is_configured() {
    let f = open(|_| {}).await;
    let e = f
        .till
        .login("cashier", SecretString::from(String::new()))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::Input, Some(Field::Password))
    );
    let e = f
        .till
        .login("cashier", SecretString::from("wrong".to_string()))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected, "{e}");
}
