//! What `cashier`'s exit code says about a payment is how core counts the attempt
//! (`Outcome::of`, the day report's rule): a part-refunded payment is still paid, a refunded one
//! is not — while the `refund` that ended it did what it was asked.

use cashier_core::receipts::Outcome;

use crate::common::{self, PAID_CODE, QrPoll, Till};

#[test]
fn a_refunded_payment_exits_as_core_counts_it() {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    let bill = common::bill("REFX", 0);
    let paid = till.pay_code("cloud-barcode", &bill, "2.00", PAID_CODE);
    paid.assert_code(0);
    let order = paid.order_no();
    // The query's exit code and state against what core makes of the journal's attempt.
    let query_counts = |want: Outcome, code: i32| {
        let q = till.run(&["--json", "query", "--order", &order]);
        let state = till.attempts_of_bill(&bill)[0].state;
        assert_eq!(Outcome::of(state), want, "{state:?}\n{q}");
        assert_eq!(q.json()["state"], state.as_str(), "{q}");
        q.assert_code(code);
    };

    let part = till.refund(&order, Some("0.50"));
    part.assert_code(0);
    assert_eq!(part.json()["state"], "part_refunded", "{part}");
    query_counts(Outcome::Paid, 0);

    let rest = till.refund(&order, None);
    rest.assert_code(0);
    assert_eq!(rest.json()["state"], "refunded", "{rest}");
    query_counts(Outcome::Refunded, 1);
}
