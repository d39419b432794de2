//! Stopping a running `cashier pay` from outside. A machine that shuts down sends SIGTERM
//! first, not Ctrl-C's SIGINT: a QR code being shown gets the same ending from either — one
//! final query, then the close where the backend can (docs/protocols.md §5.3) — instead of a
//! process that dies with its order still open.
#![cfg(unix)]

use crate::common;
use crate::common::{CMD_TIMEOUT, QrPoll, Till};
use cashier_core::AttemptState;

/// No poll before the signal (the first one would come after 100 s), so every query the
/// backend sees is the final one the signal asked for.
const NO_POLL_YET: QrPoll = QrPoll {
    first_after: 100.0,
    every: 0.5,
    give_up: 120.0,
};

/// The backend's order of `bill` (Tour V5 knows its orders by its own autoid).
fn order_of(till: &Till, bill: &str) -> Option<cashier_sandbox::LedgerOrder> {
    till.ledger().orders.into_iter().find(|o| o.bill == bill)
}

/// Shows a QR code on `channel`, sends `signal` once it is shown, and returns the order
/// number, the finished process and the till.
fn stopped_by(signal: libc::c_int, channel: &str, bill: &str) -> (String, common::Finished, Till) {
    let rt = common::runtime();
    let till = Till::start(&rt, NO_POLL_YET);
    let (pay, shown) = till.show_qr(channel, bill, "6.60");
    let order = shown["order_no"].as_str().expect("order_no").to_string();
    assert_eq!(
        order_of(&till, bill).map(|o| o.queries),
        Some(0),
        "no query before the signal ({order})"
    );
    let pid = libc::pid_t::try_from(pay.child.id()).expect("pid fits");
    // SAFETY: kill(2) on our own child's pid, which has not been reaped yet.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "signal sent");
    let ended = pay.finish(CMD_TIMEOUT);
    drop(rt);
    (order, ended, till)
}

#[test]
fn sigterm_cancels_a_cloud_pay_qr_as_ctrl_c_does() {
    for (signal, name) in [(libc::SIGINT, "SIGINT"), (libc::SIGTERM, "SIGTERM")] {
        let bill = format!("TERM-CP-{name}");
        let (order, ended, till) = stopped_by(signal, "cloud-qr", &bill);
        assert_eq!(
            ended.code(),
            Some(1),
            "{name}: an exit, not death by signal\n{ended}"
        );
        assert_eq!(ended.json()["state"], "cancelled", "{name}\n{ended}");
        let o = order_of(&till, &bill).expect("the order reached Cloud Pay");
        assert_eq!(o.reference, order);
        assert_eq!(
            (o.queries, o.state.as_str()),
            (1, "closed"),
            "{name}: one final query, then the close"
        );
        let a = till.attempts_of_bill(&bill);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].state, AttemptState::Cancelled, "{name}: {a:?}");
    }
}

/// Tour V5 cannot close a QR code: the final query runs, and the code is left abandoned
/// (watched for a late payment), as after Ctrl-C.
#[test]
fn sigterm_gives_a_back_office_qr_its_final_query() {
    let (_, ended, till) = stopped_by(libc::SIGTERM, "wechat-qr", "TERM-TV");
    assert_eq!(
        ended.code(),
        Some(1),
        "an exit, not death by signal\n{ended}"
    );
    let o = order_of(&till, "TERM-TV").expect("the order reached the back office");
    assert_eq!(o.queries, 1, "the final query\n{ended}");
    let a = till.attempts_of_bill("TERM-TV");
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].state, AttemptState::Abandoned, "{a:?}");
}
