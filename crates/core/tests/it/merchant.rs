//! A till configured as real merchants are: Cloud Pay prefixes of the two real shapes
//! (10 letters and digits, 8 digits) and till ids up to 4 characters. Every channel pays, a
//! Cloud Pay payment is refunded in two parts, a crash mid-password-payment recovers to paid,
//! and a Tour V5 QR code paid after a crash is in the receipts.

use crate::common::*;
use cashier_core::checkout::RecoveryReport;
use cashier_core::journal::RefundState;
use cashier_core::order_no;
use cashier_core::receipts::DayReport;

struct Merchant {
    sandbox: Sandbox,
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    clock: Arc<TokioClock>,
    prefix: &'static str,
    till: &'static str,
}

impl Merchant {
    async fn start(prefix: &'static str, till: &'static str) -> Merchant {
        let sandbox = Sandbox::start(SandboxConfig {
            order_prefix: prefix.into(),
            qr_ttl: Duration::from_secs(7200),
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        Merchant {
            sandbox,
            db: dir.path().join("journal.db"),
            _dir: dir,
            clock: Arc::new(TokioClock::starting_at(Utc::now())),
            prefix,
            till,
        }
    }

    async fn open(&self) -> (Arc<Checkout>, RecoveryReport) {
        let settings = CheckoutSettings {
            orders: OrderSchemes {
                tourv5: OrderScheme::internal("CS", self.till).unwrap(),
                cloudpay: Some(OrderScheme::cloud_pay(self.prefix, self.till).unwrap()),
            },
            ..settings()
        };
        Checkout::open(
            Arc::new(Journal::open(&self.db).unwrap()),
            backends_for(&self.sandbox, Duration::from_secs(15), self.prefix).await,
            settings,
            self.clock.clone(),
            7,
        )
        .await
        .unwrap()
    }
}

async fn customer_pays(url: &str) {
    let r = reqwest::Client::new()
        .post(url)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
}

async fn shown_code(
    events: &mut broadcast::Receiver<CheckoutEvent>,
    id: cashier_core::AttemptId,
) -> String {
    loop {
        let e = wait_for(events, AttemptState::Shown).await;
        if e.attempt_id == id {
            return e.code_url.expect("code URL while shown");
        }
    }
}

async fn run(prefix: &'static str, till: &'static str) {
    let m = Merchant::start(prefix, till).await;
    let (engine, _) = m.open().await;
    let mut events = engine.subscribe();

    // Every channel pays.
    let mut n = 0;
    for (channel, code) in [
        (Channel::PosWechatBarcode, PAID),
        (Channel::KoudaiBarcode, PAID),
        (Channel::CloudBarcode, PAID),
        (Channel::CloudBarcode, "284520273825387649"),
    ] {
        n += 1;
        let a = engine
            .pay_barcode(barcode(&format!("M{n}"), "12.30", channel, code))
            .await
            .unwrap();
        assert_eq!(
            a.state,
            AttemptState::Paid,
            "{prefix}/{till} {channel}: {a:?}"
        );
        if channel.is_cloud() {
            assert!(a.order_no.starts_with(prefix), "{}", a.order_no);
        }
        assert!(a.order_no.len() <= order_no::ORDER_MAX, "{}", a.order_no);
    }
    for channel in [Channel::WechatQr, Channel::AlipayQr, Channel::CloudQr] {
        n += 1;
        let (a, flow) = engine
            .start_qr(qr(&format!("M{n}"), "5", channel))
            .await
            .unwrap();
        customer_pays(&shown_code(&mut events, a.id).await).await;
        let a = flow.await.unwrap().unwrap();
        assert_eq!(
            a.state,
            AttemptState::Paid,
            "{prefix}/{till} {channel}: {a:?}"
        );
    }

    // A Cloud Pay payment refunded in two parts, each with its own number.
    let paid = engine
        .pay_barcode(barcode("M-REFUND", "12.30", Channel::CloudBarcode, PAID))
        .await
        .unwrap();
    let part = engine
        .refund(
            paid.id,
            Some(Fen(5_00)),
            "one item returned",
            &crate::common::approver("boss"),
        )
        .await
        .unwrap();
    assert_eq!(part.state, AttemptState::PartRefunded);
    assert_eq!(part.refunded, Fen(5_00));
    let rest = engine
        .refund(
            paid.id,
            None,
            "the rest returned",
            &crate::common::approver("boss"),
        )
        .await
        .unwrap();
    assert_eq!(rest.state, AttemptState::Refunded);
    assert_eq!(rest.refunded, Fen(12_30));
    let parts = engine.journal().refunds(paid.id).unwrap();
    assert_eq!(parts.len(), 2);
    assert!(parts.iter().all(|r| r.state == RefundState::Refunded));
    assert_ne!(parts[0].refund_no, parts[1].refund_no);
    for r in &parts {
        assert!(
            r.refund_no.starts_with(prefix) && r.refund_no.len() <= 32,
            "{}",
            r.refund_no
        );
    }
    let ledger = m.sandbox.ledger();
    let refunded: u64 = ledger
        .refunds
        .iter()
        .filter(|r| r.reference == paid.order_no)
        .map(|r| r.refund_fen)
        .sum();
    assert_eq!(refunded, 12_30, "{:?}", ledger.refunds);
    assert!(
        engine
            .refund(
                paid.id,
                Some(Fen(1)),
                "nothing left",
                &crate::common::approver("boss")
            )
            .await
            .is_err(),
        "nothing is left to refund"
    );

    // A crash 1 s into a password payment; the customer completes it; the next start follows
    // it to paid with no manager.
    let (pw, flow) = engine
        .start_barcode(barcode("M-PW", "7", Channel::PosWechatBarcode, PASSWORD_3))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    flow.abort();
    let _ = flow.await;

    // A Tour V5 QR code on screen when the till crashes, paid afterwards.
    let (late, flow) = engine
        .start_qr(qr("M-LATE", "9", Channel::WechatQr))
        .await
        .unwrap();
    let url = shown_code(&mut events, late.id).await;
    flow.abort();
    let _ = flow.await;
    drop(events);
    drop(engine);

    let (engine, report) = m.open().await;
    let report = engine.wait_recovered(report).await;
    let to = |id| {
        report
            .checked
            .iter()
            .find(|r| r.attempt_id == id)
            .map(|r| r.to)
    };
    assert_eq!(to(pw.id), Some(AttemptState::Paid), "{report:?}");
    assert_eq!(to(late.id), Some(AttemptState::Abandoned), "{report:?}");
    assert!(
        engine
            .journal()
            .transitions(pw.id)
            .unwrap()
            .iter()
            .all(|t| t.raw_status != "resolved_by_hand"),
        "no manager"
    );
    customer_pays(&url).await;
    let found = engine.query_again(late.id).await.unwrap();
    assert_eq!(found.state, AttemptState::Paid);

    let day = m
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let report = DayReport::build(day, engine.journal().day(day).unwrap());
    // 4 × 12.30 + 3 × 5 + the refunded 12.30 (kept: 0) + 7 + 9.
    assert_eq!(
        report.totals.collected,
        Fen(4 * 12_30 + 3 * 5_00 + 7_00 + 9_00)
    );
    assert_eq!(report.totals.refunded, Fen(12_30));
    let ledger = m.sandbox.ledger();
    assert_eq!(
        ledger.total_charged(),
        report
            .totals
            .collected
            .saturating_add(report.totals.refunded),
        "every charge is in the journal, once"
    );
    // Bills without refunds: charged exactly what the journal collected.
    for a in engine.journal().day(day).unwrap() {
        if a.refunded == Fen::ZERO {
            assert_agrees(engine.journal(), &ledger, a.bill.as_str());
        }
    }
}

#[tokio::test(start_paused = true)]
async fn ten_character_prefix_with_the_default_till() {
    run("sz0100abcd", "01").await;
}

#[tokio::test(start_paused = true)]
async fn eight_digit_prefix_with_a_four_character_till() {
    run("01000052", "A001").await;
}
