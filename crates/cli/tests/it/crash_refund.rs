//! The crash test of a refund: `cashier refund` is SIGKILLed at each dangerous edge of the
//! refund call (the refund failpoints of `cashier_core::failpoint`), then the manager asks
//! again. The journal's open part is continued under its own refund number, so the backend
//! refunds once whatever the crash left: never twice, never lost, never a second number.

use std::time::Duration;

use crate::common::{self, PAID_CODE, QrPoll, Till};
use cashier_core::failpoint::{REFUND_AFTER_JOURNAL_BEFORE_SEND, REFUND_AFTER_SEND_BEFORE_RECORD};
use cashier_core::journal::RefundState;

struct Case {
    failpoint: &'static str,
    /// Yuan the killed command asked for; `None` for all that was paid.
    amount: Option<&'static str>,
    refund_fen: u64,
    /// The state the attempt ends in once the part is done.
    ends: &'static str,
}

#[test]
fn a_refund_killed_at_either_edge_is_continued_under_its_own_number_once() {
    let rt = common::runtime();
    let cases = [
        Case {
            failpoint: REFUND_AFTER_JOURNAL_BEFORE_SEND,
            amount: None,
            refund_fen: 1230,
            ends: "refunded",
        },
        Case {
            failpoint: REFUND_AFTER_SEND_BEFORE_RECORD,
            amount: None,
            refund_fen: 1230,
            ends: "refunded",
        },
        Case {
            failpoint: REFUND_AFTER_SEND_BEFORE_RECORD,
            amount: Some("0.50"),
            refund_fen: 50,
            ends: "part_refunded",
        },
    ];
    for (i, case) in cases.iter().enumerate() {
        let name = format!("{} {:?}", case.failpoint, case.amount);
        let till = Till::start(&rt, QrPoll::LONG);
        let bill = common::bill("RK", i);
        let paid = till.pay_code("cloud-barcode", &bill, "12.30", PAID_CODE);
        paid.assert_code(0);
        let order = paid.order_no();

        // The manager's refund, killed at the failpoint as a power cut would.
        let mut refund = till.spawn_refund(
            &order,
            case.amount,
            &[("CASHIER_FAILPOINT", case.failpoint)],
        );
        let line = format!("FAILPOINT {} reached", case.failpoint);
        refund.wait_stderr(
            "the failpoint",
            |l| l.contains(&line),
            Duration::from_secs(45),
        );
        let killed = refund.kill();
        assert_eq!(killed.code(), None, "{name}: died of SIGKILL\n{killed}");

        // What the crash left: one part, journalled before the call, its end not known.
        let attempt = till.attempts_of_bill(&bill)[0].clone();
        let parts = till.journal().refunds(attempt.id).unwrap();
        assert_eq!(parts.len(), 1, "{name}: {parts:#?}");
        let part = parts[0].clone();
        assert_eq!(part.state, RefundState::Requested, "{name}: {part:?}");
        assert_eq!(part.amount.0, case.refund_fen, "{name}");
        let sent = till
            .ledger()
            .refunds
            .iter()
            .filter(|r| r.reference == order)
            .count();
        let want_sent = usize::from(case.failpoint == REFUND_AFTER_SEND_BEFORE_RECORD);
        assert_eq!(
            sent, want_sent,
            "{name}: refunds at the backend before asking again"
        );

        // Another amount while that part is open is refused, and names the open part.
        let other = till.refund(&order, Some("1.00"));
        assert_ne!(other.code(), Some(0), "{name}: {other}");
        assert!(
            other.to_string().contains(&part.refund_no),
            "{name}: the refusal names the open part\n{other}"
        );

        // Asking again (no amount: follow what is open) finishes that very part.
        let again = till.refund(&order, None);
        again.assert_code(0);
        assert_eq!(again.json()["state"], case.ends, "{name}\n{again}");
        let parts = till.journal().refunds(attempt.id).unwrap();
        assert_eq!(parts.len(), 1, "{name}: no second part: {parts:#?}");
        assert_eq!(parts[0].refund_no, part.refund_no, "{name}");
        assert_eq!(parts[0].state, RefundState::Refunded, "{name}");
        let ledger = till.ledger();
        let at_backend: Vec<_> = ledger
            .refunds
            .iter()
            .filter(|r| r.reference == order)
            .collect();
        assert_eq!(
            at_backend.len(),
            1,
            "{name}: refunded once: {at_backend:#?}"
        );
        assert_eq!(at_backend[0].out_refund_no, part.refund_no, "{name}");
        assert_eq!(at_backend[0].refund_fen, case.refund_fen, "{name}");
        assert_eq!(at_backend[0].state, "refunded", "{name}");
        assert_eq!(
            ledger.charges_for_bill(&bill).len(),
            1,
            "{name}: one charge"
        );
    }
}
