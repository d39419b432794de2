//! A manager refunds a Cloud Pay payment in parts, end to end: the checkout engine on a real
//! SQLite file, the sandbox on loopback answering in the vendor's shape (docs/protocols.md §2),
//! a merchant prefix of the real shape. A part, then the rest, then one more that is refused;
//! the payment ends refunded, each part under the till's staff id.

use crate::common::*;
use cashier_core::backend::cloudpay::{RefundAuthority, RefundOutcome};
use cashier_core::journal::RefundState;

const PREFIX: &str = "sz0100lmnx";
const ALIPAY_PAID: &str = "284520273825387649";

async fn merchant() -> (Sandbox, tempfile::TempDir, std::path::PathBuf) {
    let sandbox = Sandbox::start(SandboxConfig {
        order_prefix: PREFIX.into(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("journal.db");
    (sandbox, dir, db)
}

async fn open(sandbox: &Sandbox, db: &std::path::Path) -> Arc<Checkout> {
    let settings = CheckoutSettings {
        orders: OrderSchemes {
            tourv5: OrderScheme::internal("CS", "01").unwrap(),
            cloudpay: Some(OrderScheme::cloud_pay(PREFIX, "01").unwrap()),
        },
        ..settings()
    };
    Checkout::open(
        Arc::new(Journal::open(db).unwrap()),
        backends_for(sandbox, Duration::from_secs(15), PREFIX).await,
        settings,
        Arc::new(TokioClock::starting_at(Utc::now())),
        7,
    )
    .await
    .unwrap()
    .0
}

async fn part_then_rest_then_refused(code: &str, platform: Platform, bill: &str) {
    let (sandbox, _dir, db) = merchant().await;
    let engine = open(&sandbox, &db).await;
    let paid = engine
        .pay_barcode(barcode(bill, "12.30", Channel::CloudBarcode, code))
        .await
        .unwrap();
    assert_eq!(paid.state, AttemptState::Paid, "{paid:?}");
    assert!(paid.order_no.starts_with(PREFIX), "{}", paid.order_no);

    let part = engine
        .refund(
            paid.id,
            Some(Fen(5_00)),
            "one item returned",
            &crate::common::approver("王店长"),
        )
        .await
        .unwrap();
    assert_eq!(
        (part.state, part.refunded),
        (AttemptState::PartRefunded, Fen(5_00))
    );
    let rest = engine
        .refund(
            paid.id,
            None,
            "the rest returned",
            &crate::common::approver("王店长"),
        )
        .await
        .unwrap();
    assert_eq!(
        (rest.state, rest.refunded),
        (AttemptState::Refunded, Fen(12_30))
    );
    let refused = engine
        .refund(
            paid.id,
            Some(Fen(1)),
            "one fen more",
            &crate::common::approver("王店长"),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "not_refundable", "{refused}");

    // The backend holds exactly the two parts, finished, each under the till's staff id.
    let staff = CloudPayConfig::default().staff_id;
    let ledger = sandbox.ledger();
    let parts: Vec<_> = ledger
        .refunds
        .iter()
        .filter(|r| r.reference == paid.order_no)
        .map(|r| (r.refund_fen, r.state.as_str(), r.authorized_by.as_deref()))
        .collect();
    assert_eq!(
        parts,
        [
            (5_00, "refunded", Some(staff.as_str())),
            (7_30, "refunded", Some(staff.as_str()))
        ]
    );
    assert_eq!(
        ledger.order(&paid.order_no).map(|o| o.state.as_str()),
        Some("refunded")
    );

    // The backend itself refuses one more refund of the refunded order (a new number): a
    // refusal, never "no usable answer".
    let (_, cp) = clients_for(&sandbox, Duration::from_secs(15), PREFIX).await;
    let more = cp
        .refund(
            &paid.order_no,
            &format!("{}R9", paid.order_no),
            platform,
            paid.amount,
            Fen(1),
            &RefundAuthority::Staff {
                staff_id: staff.clone(),
                name: None,
            },
        )
        .await
        .unwrap();
    assert!(matches!(more, RefundOutcome::Failed { .. }), "{more:?}");
    assert_eq!(sandbox.ledger().refunds.len(), 2);

    // What the journal file says, read by a fresh connection.
    let journal = Journal::open(&db).unwrap();
    let a = journal
        .get(paid.id)
        .unwrap()
        .expect("the attempt is journalled");
    assert_eq!((a.state, a.refunded), (AttemptState::Refunded, Fen(12_30)));
    let parts = journal.refunds(paid.id).unwrap();
    assert_eq!(parts.len(), 2);
    assert!(parts.iter().all(|r| r.state == RefundState::Refunded));
    for (n, r) in parts.iter().enumerate() {
        assert_eq!(r.refund_no, format!("{}R{}", paid.order_no, n + 1));
        assert!(r.refund_no.len() <= 32, "{}", r.refund_no);
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn wechat_payment_refunded_in_parts() {
    part_then_rest_then_refused(PAID, Platform::Wechat, "RP-WX").await;
}

#[tokio::test]
async fn alipay_payment_refunded_in_parts() {
    part_then_rest_then_refused(ALIPAY_PAID, Platform::Alipay, "RP-ALI").await;
}
