//! The till's print worker with a printer of the test's own: a paid payment's slip printed
//! once, what it says, a printer out of paper or gone away and back, a job left half-sent by a
//! stopped till, and a printer stuck inside a job that holds up no payment.

use std::sync::atomic::Ordering;

use cashier_core::print::{DocLine, PrintJobState, PrintKind, REPRINT_WORDS};
use cashier_core::{AttemptId, AttemptState};

use super::*;

fn printed(shop: &Shop, id: i64) -> bool {
    shop.jobs(id)
        .iter()
        .all(|j| j.state == PrintJobState::Printed)
        && !shop.jobs(id).is_empty()
}

#[tokio::test]
async fn a_paid_payment_prints_its_slip_once_and_the_slip_says_it_all() {
    let printer = TestPrinter::new();
    let shop = open(&printer).await;
    let paid = shop.pay("P-1", "12.3").await;
    until("the slip printed", || printed(&shop, paid.id)).await;
    let jobs = shop.jobs(paid.id);
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!((jobs[0].kind, jobs[0].tries), (PrintKind::Slip, 1));
    let docs = printer.docs();
    assert_eq!(docs.len(), 1, "printed once");
    let slip = text_of(&docs[0]);
    let paid_at = shop
        .till
        .journal()
        .transitions(AttemptId(paid.id))
        .unwrap()
        .into_iter()
        .find(|t| t.to_state == AttemptState::Paid)
        .unwrap()
        .at;
    let local = paid_at
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    for want in [
        SHOP,
        "P-1",
        "￥12.30",
        "1345 **** **** 7649",
        local.as_str(),
        paid.order_no.as_str(),
    ] {
        assert!(
            slip.contains(want),
            "{want:?} missing from the slip:\n{slip}"
        );
    }
    assert!(!slip.contains(PAID_CODE), "never the clear code");
    assert!(docs[0].lines.contains(&DocLine::Qr(paid.order_no.clone())));
    let status = shop.till.printer_status();
    assert_eq!(
        (status.label.as_str(), status.fault, status.waiting),
        ("打印机 就绪", false, 0)
    );
    assert_eq!(shop.till.journal().verify().unwrap().first_break, None);
}

#[tokio::test]
async fn out_of_paper_the_slip_waits_and_prints_once_the_paper_is_back() {
    let printer = TestPrinter::new();
    printer.no_paper.store(true, Ordering::SeqCst);
    let shop = open(&printer).await;
    let mut events = shop.till.subscribe();
    let paid = shop.pay("P-PAPER", "5").await;
    let said = printer_event(&mut events, |p| p.fault && p.waiting == 1).await;
    assert_eq!(said.label, "打印机 缺纸 · 1 张待打印");
    let status = shop.till.printer_status();
    assert!(status.fault && status.label.contains("缺纸"), "{status:?}");
    assert!(status.since.is_some(), "{status:?}");
    let job = &shop.jobs(paid.id)[0];
    assert_eq!((job.state, job.tries), (PrintJobState::Waiting, 0));
    assert_eq!(printer.sent.load(Ordering::SeqCst), 0, "nothing sent to it");

    printer.no_paper.store(false, Ordering::SeqCst);
    until("the slip printed", || printed(&shop, paid.id)).await;
    assert_eq!(printer.docs().len(), 1);
    let status = shop.till.printer_status();
    assert_eq!((status.fault, status.waiting), (false, 0), "{status:?}");
}

#[tokio::test]
async fn a_printer_off_and_one_lost_mid_job_print_the_slip_once_when_back() {
    let printer = TestPrinter::new();
    printer.off.store(true, Ordering::SeqCst);
    let shop = open(&printer).await;
    shop.till.set_lang(cashier_core::Lang::En);
    let mut events = shop.till.subscribe();
    let paid = shop.pay("P-OFF", "6").await;
    let said = printer_event(&mut events, |p| p.fault && p.waiting == 1).await;
    assert!(
        said.label.starts_with("Printer offline since ") && said.label.ends_with(" · 1 waiting"),
        "{said:?}"
    );
    assert_eq!(said.online, Some(false));
    assert_eq!(
        shop.jobs(paid.id)[0].tries,
        0,
        "not sent while it does not answer"
    );

    // Back, but the first job goes away half-way (switched off again during it).
    printer.lost_jobs.store(1, Ordering::SeqCst);
    printer.off.store(false, Ordering::SeqCst);
    let said = printer_event(&mut events, |p| {
        p.fault && p.message.as_deref().is_some_and(|m| m.contains("reset"))
    })
    .await;
    assert_eq!(said.waiting, 1, "the job waits again, whole: {said:?}");
    until("the slip printed", || printed(&shop, paid.id)).await;
    let job = &shop.jobs(paid.id)[0];
    assert_eq!(job.tries, 2, "{job:?}");
    assert!(!job.reprint, "the lost try never reached the cut");
    assert_eq!(printer.sent.load(Ordering::SeqCst), 2);
    assert_eq!(printer.docs().len(), 1, "on paper once");
}

#[tokio::test]
async fn a_refund_prints_a_refund_slip_with_what_is_left() {
    let printer = TestPrinter::new();
    let shop = open(&printer).await;
    let paid = shop.pay("P-REFUND", "10").await;
    until("the slip printed", || printed(&shop, paid.id)).await;
    let demo = crate::common::demo_approval(&shop.till);
    let after = shop
        .till
        .refund(AttemptId(paid.id), "2.5", "顾客退一张票", &demo)
        .await
        .unwrap();
    assert_eq!(after.state, AttemptState::PartRefunded);
    until("the refund slip printed", || {
        shop.jobs(paid.id).len() == 2 && printed(&shop, paid.id)
    })
    .await;
    assert_eq!(shop.jobs(paid.id)[1].kind, PrintKind::RefundSlip);
    let part = &shop.till.journal().refunds(AttemptId(paid.id)).unwrap()[0];
    let docs = printer.docs();
    assert_eq!(docs.len(), 2);
    let slip = text_of(&docs[1]);
    for want in [
        "退款小票 Refund",
        part.refund_no.as_str(),
        "￥2.50",
        "￥7.50",
        part.manager.as_str(),
        paid.order_no.as_str(),
    ] {
        assert!(slip.contains(want), "{want:?} missing from:\n{slip}");
    }
}

/// The till stopped between sending a slip and marking it printed: it may be on paper, so the
/// next till prints it again marked 重印 / REPRINT, and only once.
#[tokio::test]
async fn a_job_left_printing_is_printed_again_marked_reprint() {
    let dir = tempfile::tempdir().unwrap();
    let first = open_in(dir, None).await;
    let paid = first.pay("P-STOP", "7").await;
    let job = first.jobs(paid.id).pop().unwrap();
    assert_eq!(
        job.state,
        PrintJobState::Waiting,
        "no driver: nobody prints it"
    );
    assert!(first.till.journal().claim_print_job(job.id).unwrap());
    let Shop { till, sandbox, dir } = first;
    drop(till);
    drop(sandbox);

    let printer = TestPrinter::new();
    let second = open_in(dir, Some(printer.clone())).await;
    until("the slip printed", || printed(&second, paid.id)).await;
    let again = second.till.journal().print_job(job.id).unwrap().unwrap();
    assert_eq!((again.reprint, again.tries), (true, 2));
    let docs = printer.docs();
    assert_eq!(docs.len(), 1);
    assert!(
        text_of(&docs[0]).starts_with(REPRINT_WORDS),
        "{}",
        text_of(&docs[0])
    );
}

/// A printer stuck inside a job holds up no payment: the next customer pays while it is
/// still stuck (no time measured: the payment is done before the printer is let go).
#[tokio::test]
async fn a_printer_stuck_in_a_job_does_not_hold_up_the_next_payment() {
    let printer = TestPrinter::new();
    let stuck = printer.stick_next();
    // Were the printer called on the runtime's one thread, everything would stop with it:
    // this lets it go after a while, so that such a till fails below instead of hanging.
    let watchdog = stuck.release.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(30));
        let _ = watchdog.send(());
    });
    let shop = open(&printer).await;
    let first = shop.pay("P-STUCK-1", "1").await;
    let inside = stuck.inside;
    tokio::task::spawn_blocking(move || inside.recv().unwrap())
        .await
        .unwrap();
    let second = shop.pay("P-STUCK-2", "2").await;
    assert_eq!(second.state, AttemptState::Paid);
    assert!(printer.docs().is_empty(), "the printer is still stuck");
    assert_eq!(shop.jobs(first.id)[0].state, PrintJobState::Printing);
    assert_eq!(shop.jobs(second.id)[0].state, PrintJobState::Waiting);
    stuck.release.send(()).unwrap();
    until("both slips printed", || {
        printed(&shop, first.id) && printed(&shop, second.id)
    })
    .await;
    assert_eq!(printer.docs().len(), 2);
}
