//! docs/protocols.md §5, "What a call that went wrong means for the money": one test per row.
//! Each drives the checkout engine (or, where only a client can reach the path, the client)
//! against the sandbox on loopback with one of its faults, and reads what the journal says
//! happened right after the call — failed where nothing moved, unknown where money may have —
//! with the sandbox's ledger as the witness.

use crate::common::*;
use cashier_core::CallFate;
use cashier_core::journal::RefundState;

/// The state the attempt took right after its payment call, and the attempt as it ended.
async fn pay_with_fault(
    t: &Till,
    channel: Channel,
    endpoint: &str,
    kind: &str,
    bill: &str,
) -> (AttemptState, Attempt) {
    arm(t, endpoint, kind).await;
    let ended = t
        .engine
        .pay_barcode(barcode(bill, "4.20", channel, PAID))
        .await
        .unwrap();
    (after_call(t, &ended), ended)
}

fn after_call(t: &Till, a: &Attempt) -> AttemptState {
    let tr = t.engine.journal().transitions(a.id).unwrap();
    assert_eq!(tr.first().map(|x| x.to_state), Some(AttemptState::Sending));
    tr.get(1).map(|x| x.to_state).unwrap_or(a.state)
}

/// Money may have moved: Unknown right after the call, never Failed at any point, and in the
/// end the journal agrees with the ledger (the queries find what the backend did).
async fn assert_unknown_after(kind: &str, bill: &str) {
    let t = till().await;
    let (after, ended) =
        pay_with_fault(&t, Channel::CloudBarcode, "cpay/micro_pay", kind, bill).await;
    assert_eq!(after, AttemptState::Unknown, "{kind}: {ended:?}");
    let states: Vec<_> = t
        .engine
        .journal()
        .transitions(ended.id)
        .unwrap()
        .iter()
        .map(|x| x.to_state)
        .collect();
    assert!(
        !states.contains(&AttemptState::Failed),
        "{kind}: {states:?}"
    );
    assert_agrees(t.engine.journal(), &t.sandbox.ledger(), bill);
}

#[tokio::test(start_paused = true)]
async fn connection_refused_is_not_sent_and_fails() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (tourv5, cp) = clients(&sandbox, Duration::from_secs(15)).await;
    let nobody = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let unreachable = CloudPay::new(
        Http::new(HttpPolicy::default()).unwrap(),
        CloudPayConfig {
            hosts: vec![format!("http://{nobody}/")],
            ..cp.config().clone()
        },
        AuthenKey::new(SecretString::from(SandboxConfig::default().authen_key)).unwrap(),
    )
    .unwrap();
    let b = both((tourv5, unreachable));
    let clock = Arc::new(TokioClock::starting_at(Utc::now()));
    let journal = Arc::new(Journal::open(&dir.path().join("j.db")).unwrap());
    let (engine, _) = Checkout::open(journal, b, settings(), clock, 1)
        .await
        .unwrap();
    let a = engine
        .pay_barcode(barcode("CO-REFUSED", "1", Channel::CloudBarcode, PAID))
        .await
        .unwrap();
    assert_eq!(a.state, AttemptState::Failed, "{a:?}");
    assert!(
        a.reason
            .as_deref()
            .is_some_and(|r| r.contains("not reachable")),
        "{a:?}"
    );
}

/// The engine always makes valid order numbers, so the client is asked directly: a request
/// its settings cannot build is refused before anything leaves, and nothing is charged.
#[tokio::test]
async fn a_request_the_settings_cannot_build_is_not_sent() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let b = backends(&sandbox, Duration::from_secs(5)).await;
    let code = PaymentCode::parse(PAID, &ScannerFraming::default()).unwrap();
    let e = b
        .cloudpay
        .unwrap()
        .micro_pay(
            "not-our-prefix",
            &BillNo::parse("CO-BUILD").unwrap(),
            Fen(100),
            &code,
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.fate(), e.code()),
        (CallFate::NotSent, cashier_core::ErrorCode::Config)
    );
    assert!(sandbox.ledger().orders.is_empty(), "nothing was sent");
}

#[tokio::test(start_paused = true)]
async fn the_till_refuses_before_journalling_a_code_of_another_wallet() {
    let t = till().await;
    let union_pay = "6212345678901234567";
    let e = t
        .engine
        .pay_barcode(barcode("CO-WALLET", "1", Channel::CloudBarcode, union_pay))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_code", "{e}");
    let bill = BillNo::parse("CO-WALLET").unwrap();
    assert!(t.engine.journal().by_bill(&bill).unwrap().is_empty());
}

/// A 401 the renewed session does not cure (the login is refused too): refused, failed.
#[tokio::test(start_paused = true)]
async fn http_4xx_is_refused_and_fails() {
    let t = till().await;
    arm_times(&t, "api/*", "bad_signature", 2).await;
    let a = t
        .engine
        .pay_barcode(barcode("CO-4XX", "1", Channel::KoudaiBarcode, PAID))
        .await
        .unwrap();
    assert_eq!(a.state, AttemptState::Failed, "{a:?}");
    assert_eq!(after_call(&t, &a), AttemptState::Failed);
    assert!(t.sandbox.ledger().charges_for_bill("CO-4XX").is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_vendor_decline_is_refused_and_fails() {
    let t = till().await;
    for (channel, bill) in [
        (Channel::PosWechatBarcode, "CO-DECL-TV"),
        (Channel::CloudBarcode, "CO-DECL-CP"),
    ] {
        let a = t
            .engine
            .pay_barcode(barcode(bill, "1", channel, DECLINED))
            .await
            .unwrap();
        assert_eq!(
            (after_call(&t, &a), a.state),
            (AttemptState::Failed, AttemptState::Failed),
            "{channel}: {a:?}"
        );
        assert_agrees(t.engine.journal(), &t.sandbox.ledger(), bill);
    }
}

/// The backend charges, then holds the answer past the till's request timeout.
#[tokio::test(start_paused = true)]
async fn no_answer_in_time_is_unknown() {
    assert_unknown_after("commit_then_hang", "CO-TIMEOUT").await;
}

#[tokio::test(start_paused = true)]
async fn http_5xx_is_unknown() {
    assert_unknown_after("http500", "CO-5XX").await;
}

#[tokio::test(start_paused = true)]
async fn a_gateway_html_page_is_unknown() {
    assert_unknown_after("html_error", "CO-HTML").await;
}

#[tokio::test(start_paused = true)]
async fn a_connection_cut_after_sending_is_unknown() {
    assert_unknown_after("reset", "CO-RESET").await;
}

#[tokio::test(start_paused = true)]
async fn a_body_that_does_not_read_is_unknown() {
    assert_unknown_after("malformed_json", "CO-JSON").await;
}

#[tokio::test(start_paused = true)]
async fn an_answer_whose_signature_fails_is_unknown() {
    assert_unknown_after("bad_signature", "CO-SIG").await;
}

/// Whatever went wrong issuing a QR code, no code reached a customer: failed, not charged.
#[tokio::test(start_paused = true)]
async fn a_qr_code_not_issued_fails_whatever_went_wrong() {
    let t = till().await;
    for (kind, bill) in [("http500", "CO-QR-5XX"), ("reset", "CO-QR-RESET")] {
        arm(&t, "cpay/scan_code_pay", kind).await;
        let a = t
            .engine
            .pay_qr(qr(bill, "3", Channel::CloudQr))
            .await
            .unwrap();
        assert_eq!(a.state, AttemptState::Failed, "{kind}: {a:?}");
        assert_agrees(t.engine.journal(), &t.sandbox.ledger(), bill);
    }
}

/// A refund call without a trustworthy answer leaves the part unknown — followed, never
/// failed (a failed part would free the amount for a second refund).
#[tokio::test(start_paused = true)]
async fn a_refund_without_an_answer_stays_unknown() {
    let t = till().await;
    let paid = t
        .engine
        .pay_barcode(barcode("CO-REFUND", "6", Channel::CloudBarcode, PAID))
        .await
        .unwrap();
    assert_eq!(paid.state, AttemptState::Paid);
    arm(&t, "cpay/refund", "http500").await;
    let outcome = t
        .engine
        .refund(
            paid.id,
            None,
            "goods returned",
            &crate::common::approver("boss"),
        )
        .await;
    let parts = t.engine.journal().refunds(paid.id).unwrap();
    assert_eq!(parts.len(), 1, "{parts:?}");
    assert_ne!(parts[0].state, RefundState::Failed, "{parts:?} {outcome:?}");
    if parts[0].state != RefundState::Refunded {
        let e = outcome.unwrap_err();
        assert_eq!(e.fate(), CallFate::MayHaveMoved, "{e}");
    }
}
