//! "Payment codes are masked in logs, journal and screen" — also when a backend repeats the
//! full code in its refusal (real ones do). The sandbox's `echo_code` fault refuses a payment
//! with the code in its words; the clear code must then appear nowhere: not in the attempt's
//! reason, not in any transition's raw status or note, not in the CLI's output, not in its log.

use crate::common;
use crate::common::{QrPoll, Till};
use serde_json::json;

#[test]
fn a_code_echoed_by_a_backend_is_masked_everywhere() {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    for (n, (channel, endpoint, code)) in [
        (
            "koudai-barcode",
            "api/3Pay/KouDaiLQ/BarCode",
            "134520273825387641",
        ),
        ("cloud-barcode", "cpay/micro_pay", "284520273825387642"),
    ]
    .into_iter()
    .enumerate()
    {
        let armed = rt.block_on(async {
            reqwest::Client::new()
                .post(format!("{}_sandbox/faults", till.sandbox.url()))
                .json(&json!({"endpoint": endpoint, "kind": "echo_code", "count": 1}))
                .send()
                .await
                .map(|r| r.status().is_success())
        });
        assert_eq!(armed.ok(), Some(true), "the fault is armed");
        let bill = format!("ECHO-{n}");
        let run = till.spawn(
            &[
                "--json",
                "pay",
                "--channel",
                channel,
                "--bill",
                &bill,
                "--amount",
                "2.00",
                "--code",
                code,
            ],
            &[("CASHIER_LOG", "debug")],
        );
        let done = run.finish(common::CMD_TIMEOUT);
        done.assert_code(1);
        let masked = format!("{}**********{}", &code[..4], &code[14..]);
        assert!(
            !done.stdout.contains(code),
            "{channel}: clear code on stdout\n{done}"
        );
        assert!(
            !done.stderr.contains(code),
            "{channel}: clear code in the log\n{done}"
        );
        assert!(
            done.stdout.contains(&masked),
            "{channel}: the backend's words are kept, masked\n{done}"
        );
        let attempts = till.attempts_of_bill(&bill);
        assert_eq!(attempts.len(), 1);
        let a = &attempts[0];
        let reason = a.reason.clone().unwrap_or_default();
        assert!(
            !reason.contains(code) && reason.contains(&masked),
            "{channel}: reason {reason:?}"
        );
        for t in till.journal().transitions(a.id).expect("transitions") {
            for text in [Some(t.raw_status.clone()), t.reason.clone(), t.note.clone()]
                .into_iter()
                .flatten()
            {
                assert!(!text.contains(code), "{channel}: clear code in {t:?}");
            }
        }
        assert!(
            till.ledger().charges_for_bill(&bill).is_empty(),
            "refused: nothing charged"
        );
    }
}
