//! The print queue in the journal, on a real journal file: which transitions owe a slip, that
//! the slip is written in the paid transition's own transaction, refund slips, the job's states,
//! and that print jobs leave the journal's verification alone.

use cashier_core::journal::{Change, Journal, NewAttempt, PrintJob, RefundState};
use cashier_core::order_no::OrderScheme;
use cashier_core::print::{PrintJobState, PrintKind};
use cashier_core::{Attempt, AttemptState as S, BillNo, Channel, Fen};
use chrono::{DateTime, TimeZone, Utc};

fn journal() -> (tempfile::TempDir, std::path::PathBuf, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let j = Journal::open(&path).unwrap();
    j.set_slips(true).unwrap();
    (dir, path, j)
}

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 6, 6, minute, 0).unwrap()
}

fn begin(j: &Journal, bill: &str) -> Attempt {
    let new = NewAttempt {
        bill: BillNo::parse(bill).unwrap(),
        amount: Fen(1230),
        channel: Channel::CloudBarcode,
        wallet: Some("wechat".into()),
        code_masked: Some("1345**********7649".into()),
        operator: "cashier".into(),
        scheme: OrderScheme::internal("CS", "01").unwrap(),
        bill_paid_before: None,
    };
    j.begin(new, at(0), at(0).date_naive(), 7).unwrap()
}

fn to(j: &Journal, a: &Attempt, state: S, raw: &str, minute: u32) -> Attempt {
    j.record(a.id, Change::new(state, raw), at(minute)).unwrap()
}

fn jobs(j: &Journal, a: &Attempt) -> Vec<PrintJob> {
    j.print_jobs_of(a.id).unwrap()
}

#[test]
fn a_paid_payment_owes_one_slip_and_nothing_else_does() {
    let (_dir, _path, j) = journal();
    let a = begin(&j, "Q-PAID");
    assert!(jobs(&j, &a).is_empty(), "sending owes nothing");
    to(&j, &a, S::Pending, "USERPAYING", 1);
    to(&j, &a, S::Paid, "SUCCESS", 2);
    let owed = jobs(&j, &a);
    assert_eq!(owed.len(), 1, "{owed:?}");
    let slip = &owed[0];
    assert_eq!(
        (slip.kind, slip.state, slip.reprint, slip.tries),
        (PrintKind::Slip, PrintJobState::Waiting, false, 0)
    );
    // Written at the paid transition's own moment.
    let paid = j.transitions(a.id).unwrap().pop().unwrap();
    assert_eq!((paid.to_state, slip.created_at), (S::Paid, paid.at));
    // A poll that says paid again (even in other words) is kept, and owes nothing more.
    to(&j, &a, S::Paid, "SUCCESS (queried again)", 3);
    assert_eq!(j.transitions(a.id).unwrap().len(), 4);
    assert_eq!(jobs(&j, &a).len(), 1);
    assert_eq!(j.waiting_print_jobs().unwrap(), 1);

    for (bill, end) in [("Q-FAILED", S::Failed), ("Q-CANCELLED", S::Cancelled)] {
        let b = begin(&j, bill);
        to(&j, &b, end, "NO", 1);
        assert!(jobs(&j, &b).is_empty(), "{end:?} owes no slip");
    }
    // A QR code given up on, then paid after all: its slip is owed then.
    let c = begin(&j, "Q-LATE");
    to(&j, &c, S::Expired, "timeout", 1);
    to(&j, &c, S::Paid, "SUCCESS", 9);
    assert_eq!(jobs(&j, &c).len(), 1);

    j.set_slips(false).unwrap();
    let d = begin(&j, "Q-OFF");
    to(&j, &d, S::Paid, "SUCCESS", 2);
    assert!(jobs(&j, &d).is_empty(), "slips off: none owed");
    assert_eq!(j.verify().unwrap().first_break, None);
}

/// The slip is owed by the paid transition's own transaction: when the job cannot be written,
/// the transition is not written either (and the payment's answer is recorded again later).
#[test]
fn the_slip_and_the_paid_transition_commit_together() {
    let (_dir, path, j) = journal();
    let a = begin(&j, "Q-TOGETHER");
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "CREATE TRIGGER no_jobs BEFORE INSERT ON print_jobs
         BEGIN SELECT RAISE(ABORT, 'no print jobs today'); END;",
    )
    .unwrap();
    let refused = j.record(a.id, Change::new(S::Paid, "SUCCESS"), at(1));
    assert!(refused.is_err(), "{refused:?}");
    let still = j.get(a.id).unwrap().unwrap();
    assert_eq!(
        still.state,
        S::Sending,
        "the paid transition rolled back with it"
    );
    assert_eq!(j.transitions(a.id).unwrap().len(), 1);
    raw.execute_batch("DROP TRIGGER no_jobs").unwrap();
    to(&j, &a, S::Paid, "SUCCESS", 2);
    assert_eq!(jobs(&j, &a).len(), 1);
}

#[test]
fn a_refund_part_that_ends_refunded_owes_a_refund_slip() {
    let (_dir, _path, j) = journal();
    let a = begin(&j, "Q-REFUND");
    to(&j, &a, S::Paid, "SUCCESS", 1);
    let failed = j.begin_refund(a.id, Fen(200), "老李", "试", at(2)).unwrap();
    j.record_refund(failed.id, RefundState::Failed, None, at(3))
        .unwrap();
    assert_eq!(jobs(&j, &a).len(), 1, "a failed part owes nothing");
    let part = j
        .begin_refund(a.id, Fen(230), "老李", "顾客退票", at(4))
        .unwrap();
    j.record_refund(part.id, RefundState::Refunding, None, at(5))
        .unwrap();
    assert_eq!(jobs(&j, &a).len(), 1, "not ended yet");
    let (_, after) = j
        .record_refund(part.id, RefundState::Refunded, None, at(6))
        .unwrap();
    assert_eq!(after.state, S::PartRefunded);
    let owed = jobs(&j, &a);
    assert_eq!(owed.len(), 2, "{owed:?}");
    assert_eq!(
        (owed[1].kind, owed[1].refund_id, owed[1].state),
        (PrintKind::RefundSlip, Some(part.id), PrintJobState::Waiting)
    );
    // A late answer repeating the end changes nothing.
    j.record_refund(part.id, RefundState::Refunded, None, at(7))
        .unwrap();
    assert_eq!(jobs(&j, &a).len(), 2);
    // Refunding the rest: one more refund slip, and no new customer slip.
    let rest = j
        .begin_refund(a.id, Fen(1000), "老李", "余款", at(8))
        .unwrap();
    let (_, done) = j
        .record_refund(rest.id, RefundState::Refunded, None, at(9))
        .unwrap();
    assert_eq!(done.state, S::Refunded);
    let kinds: Vec<PrintKind> = jobs(&j, &a).iter().map(|j| j.kind).collect();
    assert_eq!(
        kinds,
        [
            PrintKind::Slip,
            PrintKind::RefundSlip,
            PrintKind::RefundSlip
        ]
    );
    assert_eq!(j.verify().unwrap().first_break, None);
}

#[test]
fn a_job_is_claimed_once_and_one_left_printing_comes_back_as_a_reprint() {
    let (_dir, _path, j) = journal();
    let a = begin(&j, "Q-CLAIM");
    to(&j, &a, S::Paid, "SUCCESS", 1);
    let job = j.next_print_job().unwrap().unwrap();
    assert!(j.claim_print_job(job.id).unwrap());
    assert!(!j.claim_print_job(job.id).unwrap(), "claimed once");
    assert_eq!(j.next_print_job().unwrap(), None);
    assert_eq!(j.waiting_print_jobs().unwrap(), 0);
    // Back to waiting with the fault's words, whole.
    j.print_job_failed(job.id, "out of paper").unwrap();
    let back = j.print_job(job.id).unwrap().unwrap();
    assert_eq!(
        (back.state, back.tries, back.last_error.as_deref()),
        (PrintJobState::Waiting, 1, Some("out of paper"))
    );
    assert!(j.claim_print_job(job.id).unwrap());
    // The till stopped here: on the next start the job waits again, marked as a reprint.
    assert_eq!(j.requeue_interrupted_prints().unwrap(), 1);
    let again = j.next_print_job().unwrap().unwrap();
    assert_eq!((again.id, again.reprint, again.tries), (job.id, true, 2));
    assert!(j.claim_print_job(job.id).unwrap());
    j.print_job_printed(job.id, at(5)).unwrap();
    let done = j.print_job(job.id).unwrap().unwrap();
    assert_eq!(
        (done.state, done.printed_at, done.last_error),
        (PrintJobState::Printed, Some(at(5)), None)
    );
    assert_eq!(j.requeue_interrupted_prints().unwrap(), 0);
    // Reprints, reports and a job that can never print.
    let reprint = j.queue_reprint(a.id, at(6)).unwrap();
    assert!(reprint.reprint);
    let x = j.queue_x_report(at(6).date_naive(), at(6)).unwrap();
    assert_eq!(x.kind, PrintKind::XReport);
    j.print_job_unprintable(x.id, "a character GBK lacks")
        .unwrap();
    assert_eq!(
        j.print_job(x.id).unwrap().unwrap().state,
        PrintJobState::Unprintable
    );
    assert_eq!(j.waiting_print_jobs().unwrap(), 1);
    assert!(
        j.queue_reprint(cashier_core::AttemptId(999), at(6))
            .is_err()
    );
    // Print jobs are not money: the journal's chains do not read them.
    let integrity = j.verify().unwrap();
    assert_eq!(integrity.first_break, None, "{integrity:?}");
}

#[test]
fn one_process_at_a_time_prints_the_queue() {
    let (_dir, path, j) = journal();
    let claim = j.claim_print_queue().unwrap();
    assert!(claim.is_some());
    let other = Journal::open(&path).unwrap();
    assert!(other.claim_print_queue().unwrap().is_none());
    drop(claim);
    assert!(other.claim_print_queue().unwrap().is_some());
}
