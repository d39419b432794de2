//! The crash test: `cashier pay` is SIGKILLed at each dangerous edge of a payment (the
//! failpoints of `cashier_core::failpoint`), `cashier recover` runs, and the journal is held
//! against the sandbox's ledger: nothing lost, nothing charged twice, nothing "paid" that was
//! not, nothing left half-way. Attempts left Unknown are resolved by a manager and the bill
//! is paid again, once.

use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::common;
use crate::common::{
    CMD_TIMEOUT, DECLINED_CODE, PAID_CODE, PASSWORD_CODE, QrPoll, Till, customer_pays, is_qr,
};
use cashier_core::failpoint::{AFTER_JOURNAL_BEFORE_SEND, AFTER_SEND_BEFORE_RECORD, BEFORE_CLOSE};
use cashier_core::{Attempt, AttemptState};
use cashier_sandbox::Ledger;
use tokio::runtime::Runtime;

/// How the `pay` process dies.
#[derive(Debug, Clone, Copy)]
enum Kill {
    /// At this failpoint.
    At(&'static str),
    /// The QR is shown, the cashier presses Ctrl-C (SIGINT: final query, then close), and the
    /// process dies at this failpoint on the way.
    CancelAt(&'static str),
    /// No failpoint: the QR is shown, the customer pays, and the till dies before its next poll.
    AfterCustomerPaid,
}

#[derive(Debug, Clone, Copy)]
struct Scenario {
    kill: Kill,
    channel: &'static str,
    code: Option<&'static str>,
    qr: QrPoll,
}

impl Scenario {
    fn name(&self) -> String {
        let at = match self.kill {
            Kill::At(fp) => fp.to_string(),
            Kill::CancelAt(fp) => format!("ctrl-c, {fp}"),
            Kill::AfterCustomerPaid => "customer-paid-then-kill".to_string(),
        };
        let tail = self
            .code
            .map(|c| format!(" …{}", &c[c.len() - 4..]))
            .unwrap_or_default();
        format!("{at} / {}{tail}", self.channel)
    }
}

/// Password needed: the customer confirms only about 27 s after the pay call.
const SLOW_PASSWORD_CODE: &str = "134520273825381009";

/// QR polls for failpoints before the code is shown: the pay process never gets to poll.
const QR_NORMAL: QrPoll = QrPoll {
    first_after: 1.0,
    every: 1.0,
    give_up: 120.0,
};
/// A QR that expires quickly, so the flow reaches its final query and close.
const QR_SHORT: QrPoll = QrPoll {
    first_after: 0.5,
    every: 0.5,
    give_up: 3.0,
};
/// A slow first poll: room to pay from the customer page and kill before the till looks.
const QR_SLOW_POLL: QrPoll = QrPoll {
    first_after: 5.0,
    every: 5.0,
    give_up: 120.0,
};

fn scenarios() -> Vec<Scenario> {
    let mut v = Vec::new();
    let barcode = ["cloud-barcode", "pos-wechat-barcode", "koudai-barcode"];
    let qr = ["wechat-qr", "alipay-qr", "cloud-qr"];
    for fp in [AFTER_JOURNAL_BEFORE_SEND, AFTER_SEND_BEFORE_RECORD] {
        for channel in barcode {
            v.push(Scenario {
                kill: Kill::At(fp),
                channel,
                code: Some(PAID_CODE),
                qr: QR_NORMAL,
            });
        }
        for channel in qr {
            v.push(Scenario {
                kill: Kill::At(fp),
                channel,
                code: None,
                qr: QR_NORMAL,
            });
        }
    }
    // The pay call answered "waiting for the password": recovery finds it still in progress.
    for channel in barcode {
        v.push(Scenario {
            kill: Kill::At(AFTER_SEND_BEFORE_RECORD),
            channel,
            code: Some(PASSWORD_CODE),
            qr: QR_NORMAL,
        });
    }
    // Confirmed only after about 27 s: still open when the manager resolves it.
    for channel in ["pos-wechat-barcode", "koudai-barcode"] {
        v.push(Scenario {
            kill: Kill::At(AFTER_SEND_BEFORE_RECORD),
            channel,
            code: Some(SLOW_PASSWORD_CODE),
            qr: QR_NORMAL,
        });
    }
    // The pay call was declined: recovery must not turn that into money.
    v.push(Scenario {
        kill: Kill::At(AFTER_SEND_BEFORE_RECORD),
        channel: "cloud-barcode",
        code: Some(DECLINED_CODE),
        qr: QR_NORMAL,
    });
    // A QR that ran out of time (Cloud Pay's own time_expire comes a minute after the till's).
    for channel in qr {
        v.push(Scenario {
            kill: Kill::At(BEFORE_CLOSE),
            channel,
            code: None,
            qr: QR_SHORT,
        });
    }
    // The cashier cancels a shown QR.
    for channel in qr {
        v.push(Scenario {
            kill: Kill::CancelAt(BEFORE_CLOSE),
            channel,
            code: None,
            qr: QR_NORMAL,
        });
    }
    for channel in ["wechat-qr", "cloud-qr"] {
        v.push(Scenario {
            kill: Kill::AfterCustomerPaid,
            channel,
            code: None,
            qr: QR_SLOW_POLL,
        });
    }
    v
}

/// What one scenario ended as, for the summary.
#[derive(Debug, Clone)]
struct Ended {
    name: String,
    before_recovery: AttemptState,
    after_recovery: AttemptState,
    charges_after_recovery: usize,
    /// Recovery's reason, as journalled.
    reason: String,
    repaid: bool,
    resolved_paid: bool,
    /// Unknown after recovery, found paid by the start-up recovery of the manager's command.
    paid_later: bool,
}

#[test]
fn crash_at_every_failpoint_then_recover() {
    let started = Instant::now();
    let rt = common::runtime();
    let all = scenarios();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<Ended, String>)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(sc) = all.get(i) else { break };
                    let r = std::panic::catch_unwind(AssertUnwindSafe(|| run_scenario(&rt, i, sc)))
                        .map_err(|p| panic_text(p.as_ref()));
                    results
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((i, r));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    results.sort_by_key(|(i, _)| *i);

    let mut failures = Vec::new();
    let (mut paid, mut not_paid, mut unknown) = (0, 0, 0);
    let (mut repaid, mut resolved_paid, mut paid_later) = (0, 0, 0);
    eprintln!(
        "\n{:<56} {:<9} {:<10} {:>7}  after",
        "scenario", "killed in", "recovered", "charges"
    );
    for (i, r) in &results {
        match r {
            Ok(e) => {
                match e.after_recovery {
                    AttemptState::Paid | AttemptState::PartlyPaid => paid += 1,
                    // Abandoned: an unclosable QR code, not paid so far and still watched.
                    AttemptState::Failed
                    | AttemptState::Cancelled
                    | AttemptState::Expired
                    | AttemptState::Abandoned => not_paid += 1,
                    AttemptState::Unknown => unknown += 1,
                    other => panic!("{}: {other} after recovery passed the checks", e.name),
                }
                repaid += usize::from(e.repaid);
                resolved_paid += usize::from(e.resolved_paid);
                paid_later += usize::from(e.paid_later);
                let after = if e.paid_later {
                    "paid on the manager's start-up recovery"
                } else if e.repaid {
                    "resolved failed, paid again"
                } else if e.resolved_paid {
                    "resolved paid"
                } else {
                    ""
                };
                eprintln!(
                    "{:<56} {:<9} {:<10} {:>7}  {after}",
                    e.name,
                    e.before_recovery.as_str(),
                    e.after_recovery.as_str(),
                    e.charges_after_recovery
                );
                eprintln!("{:<56} recovery's reason: {}", "", e.reason);
            }
            Err(msg) => {
                eprintln!("{:<56} FAILED", all[*i].name());
                failures.push(format!("{}: {msg}", all[*i].name()));
            }
        }
    }
    let run = results.len();
    eprintln!(
        "\ncrash test: {run} scenarios run — {paid} ended paid, {not_paid} ended failed/cancelled/expired, \
         {unknown} ended unknown; {repaid} re-paid after a manager resolved them failed, {resolved_paid} resolved \
         paid, {paid_later} found paid by a later query; {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} scenario(s) failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert_eq!(run, all.len(), "every scenario ran");
    assert_eq!(
        paid + not_paid + unknown,
        run,
        "every scenario ended in exactly one way"
    );
    assert_eq!(
        repaid + resolved_paid + paid_later,
        unknown,
        "every unknown attempt was settled"
    );
    assert!(repaid > 0, "the resolve-then-pay-again path ran");
    assert!(
        paid > 0 && not_paid > 0,
        "the scenarios cover both a payment found and one that never moved money"
    );
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".into())
}

fn pay_args<'a>(sc: &'a Scenario, bill: &'a str, code: Option<&'a str>) -> Vec<&'a str> {
    let mut args = vec![
        "--json",
        "pay",
        "--channel",
        sc.channel,
        "--bill",
        bill,
        "--amount",
        "12.30",
    ];
    if let Some(c) = code {
        args.extend(["--code", c]);
    }
    args
}

fn run_scenario(rt: &Runtime, i: usize, sc: &Scenario) -> Ended {
    let name = sc.name();
    let till = Till::start(rt, sc.qr);
    let bill = common::bill("K", i);
    let failpoint = match sc.kill {
        Kill::At(fp) | Kill::CancelAt(fp) => vec![("CASHIER_FAILPOINT", fp)],
        Kill::AfterCustomerPaid => vec![],
    };
    let mut pay = till.spawn(&pay_args(sc, &bill, sc.code), &failpoint);
    match sc.kill {
        Kill::At(fp) => {
            let line = format!("FAILPOINT {fp} reached");
            pay.wait_stderr(
                "the failpoint",
                |l| l.contains(&line),
                Duration::from_secs(45),
            );
        }
        Kill::CancelAt(fp) => {
            pay.wait_event(|e| e["state"] == "shown", Duration::from_secs(30));
            let pid = libc::pid_t::try_from(pay.child.id()).expect("pid fits");
            // SAFETY: kill(2) on our own child's pid, which has not been reaped yet.
            assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0, "SIGINT sent");
            let line = format!("FAILPOINT {fp} reached");
            pay.wait_stderr(
                "the failpoint",
                |l| l.contains(&line),
                Duration::from_secs(45),
            );
        }
        Kill::AfterCustomerPaid => {
            let shown = pay.wait_event(|e| e["state"] == "shown", Duration::from_secs(30));
            let url = shown["code_url"]
                .as_str()
                .expect("code_url on the shown event");
            let answer = customer_pays(rt, url);
            assert_eq!(
                answer["state"], "paid",
                "{name}: the customer page took the money: {answer}"
            );
        }
    }
    let killed = pay.kill();
    assert_eq!(
        killed.code(),
        None,
        "{name}: the pay process died of SIGKILL, not an exit\n{killed}"
    );

    // What the power cut left: the attempt is journalled and still live.
    let before = till.attempts_of_bill(&bill);
    assert_eq!(
        before.len(),
        1,
        "{name}: one attempt journalled before the crash: {before:#?}"
    );
    let before = before[0].clone();
    assert!(
        before.state.is_live(),
        "{name}: killed mid-payment, yet the journal says {}",
        before.state
    );
    let ledger = till.ledger();
    match sc.kill {
        Kill::At(fp) if fp == AFTER_JOURNAL_BEFORE_SEND => {
            assert!(
                ledger.orders.iter().all(|o| o.bill != bill),
                "{name}: nothing may reach the backend before the send: {:?}",
                ledger.orders
            );
        }
        Kill::At(_) | Kill::CancelAt(_) => {
            assert!(
                ledger.orders.iter().any(|o| o.bill == bill),
                "{name}: the call had reached the backend"
            )
        }
        Kill::AfterCustomerPaid => {
            assert_eq!(
                before.state,
                AttemptState::Shown,
                "{name}: the till must die before its poll saw the payment (else this proves nothing)"
            );
            assert_eq!(
                ledger.charges_for_bill(&bill).len(),
                1,
                "{name}: the customer paid once"
            );
        }
    }

    // Recovery, as the next start of the till would do it.
    let rec = till.run(&["--json", "recover"]);
    let report = rec.json();
    let listed = report["recovered"].as_array().cloned().unwrap_or_default();
    assert!(
        listed
            .iter()
            .any(|r| r["order_no"] == before.order_no.as_str()),
        "{name}: recovery reports the attempt it found\n{rec}"
    );
    let after = till.attempts_of_bill(&bill);
    assert_eq!(
        after.len(),
        1,
        "{name}: recovery queries, it does not pay again: {after:#?}"
    );
    let after = after[0].clone();
    let want_exit = if after.state == AttemptState::Unknown {
        3
    } else {
        0
    };
    assert_eq!(
        rec.code(),
        Some(want_exit),
        "{name}: recover's exit code for {}\n{rec}",
        after.state
    );
    let ledger = till.ledger();
    check_books(&name, &till.attempts(), &ledger);
    let charges_after_recovery = ledger.charges_for_bill(&bill).len();
    match sc.kill {
        Kill::At(fp) if fp == AFTER_JOURNAL_BEFORE_SEND => {
            assert_eq!(
                charges_after_recovery, 0,
                "{name}: recovery charged a payment that was never sent"
            )
        }
        Kill::AfterCustomerPaid => assert_eq!(
            after.state,
            AttemptState::Paid,
            "{name}: the customer paid before the crash: recovery must find it ({:?})",
            after.reason
        ),
        Kill::At(_) | Kill::CancelAt(_) => {}
    }
    if sc.code == Some(PAID_CODE)
        && matches!(sc.kill, Kill::At(fp) if fp == AFTER_SEND_BEFORE_RECORD)
    {
        // The money moved with the pay call; a recovery that cannot see it must at least say Unknown.
        assert!(
            matches!(after.state, AttemptState::Paid | AttemptState::Unknown),
            "{name}: money moved, recovery says {}",
            after.state
        );
    }

    let mut ended = Ended {
        name: name.clone(),
        before_recovery: before.state,
        after_recovery: after.state,
        charges_after_recovery,
        reason: after.reason.clone().unwrap_or_default(),
        repaid: false,
        resolved_paid: false,
        paid_later: false,
    };
    if after.state != AttemptState::Unknown {
        return ended;
    }
    if charges_after_recovery > 0 {
        // The manager finds the payment in the back office and records it.
        let r = till.as_manager(&[
            "--json",
            "resolve",
            "--order",
            &after.order_no,
            "--to",
            "paid",
            "--note",
            "found in the back office",
            "--manager",
            "boss",
        ]);
        r.assert_code(0);
        assert_eq!(r.json()["state"], "paid", "{name}\n{r}");
        check_books(&name, &till.attempts(), &till.ledger());
        ended.resolved_paid = true;
        return ended;
    }
    // Not charged yet. A careful manager does not declare failed a payment the customer may
    // still be confirming: they query again until the backend says something definite (here,
    // until the sandbox's order is no longer waiting for the password).
    let deadline = std::time::Instant::now() + Duration::from_secs(40);
    loop {
        let ledger = till.ledger();
        let waiting = ledger
            .orders
            .iter()
            .any(|o| o.bill == bill && matches!(o.state.as_str(), "userpaying" | "notpay"));
        if !waiting {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{name}: the order never settled: {:?}",
            ledger.orders
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let q = till.run(&["--json", "query", "--order", &after.order_no]);
    if q.json()["state"] == "paid" {
        // The customer confirmed meanwhile: query again found it, nothing to resolve.
        let ledger = till.ledger();
        assert_eq!(
            ledger.charges_for_bill(&bill).len(),
            1,
            "{name}: one charge\n{q}"
        );
        check_books(&name, &till.attempts(), &ledger);
        ended.paid_later = true;
        return ended;
    }
    if ledger_charges(&till, &bill) > 0 {
        // An attempt the backend cannot be asked about (a KouDaiLQ answer lost with its
        // autoid) waits for the manager, who finds the payment in the back office.
        let r = till.as_manager(&[
            "--json",
            "resolve",
            "--order",
            &after.order_no,
            "--to",
            "paid",
            "--note",
            "found in the back office after the customer confirmed",
            "--manager",
            "boss",
        ]);
        r.assert_code(0);
        check_books(&name, &till.attempts(), &till.ledger());
        ended.resolved_paid = true;
        return ended;
    }
    // Definitely not charged: the manager declares it failed, and the bill is paid again, once.
    // While the backend may still complete it (or cannot be asked), the till makes them wait.
    let resolve_failed = || {
        till.as_manager(&[
            "--json",
            "resolve",
            "--order",
            &after.order_no,
            "--to",
            "failed",
            "--note",
            "not in the back office",
            "--manager",
            "boss",
        ])
    };
    let mut r = resolve_failed();
    for _ in 0..10 {
        let told_to_wait = r.json()["error"]["code"] == "not_allowed"
            && r.json()["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("resolve it after"));
        if !told_to_wait {
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
        r = resolve_failed();
    }
    let answer = r.json();
    if answer["error"]["code"] == "illegal_transition" {
        // The customer finished entering the password meanwhile: the resolve command's own
        // start-up recovery queried again and found the money, so "failed" is refused.
        r.assert_code(4);
        let now = till.attempts_of_bill(&bill);
        assert_eq!(now.len(), 1, "{name}: {now:#?}");
        assert_eq!(
            now[0].state,
            AttemptState::Paid,
            "{name}: resolve refused, so the attempt must be paid\n{r}"
        );
        let ledger = till.ledger();
        assert_eq!(
            ledger.charges_for_bill(&bill).len(),
            1,
            "{name}: one charge"
        );
        check_books(&name, &till.attempts(), &ledger);
        ended.paid_later = true;
        return ended;
    }
    assert_eq!(answer["state"], "failed", "{name}: resolve\n{r}");
    r.assert_code(1);
    let again = if is_qr(sc.channel) {
        till.pay_qr_as_customer(rt, sc.channel, &bill, "12.30")
    } else {
        till.spawn(&pay_args(sc, &bill, Some(PAID_CODE)), &[])
            .finish(CMD_TIMEOUT)
    };
    again.assert_code(0);
    assert_eq!(again.json()["state"], "paid", "{name}: paid again\n{again}");
    let ledger = till.ledger();
    assert_eq!(
        ledger.charges_for_bill(&bill).len(),
        1,
        "{name}: exactly one charge after the second payment"
    );
    check_books(&name, &till.attempts(), &ledger);
    ended.repaid = true;
    ended
}

fn ledger_charges(till: &Till, bill: &str) -> usize {
    till.ledger().charges_for_bill(bill).len()
}

/// The journal against the ledger: the check the soak ends with too (`cashier_sandbox::books`).
fn check_books(name: &str, attempts: &[Attempt], ledger: &Ledger) {
    let books = cashier_sandbox::books::check(attempts, ledger);
    assert!(
        books.is_clean(),
        "{name}: the journal disagrees with the ledger:\n{}",
        books.problems.join("\n")
    );
}
