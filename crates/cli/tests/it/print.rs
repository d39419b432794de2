//! `cashier print --order O --printer file:PATH`: a past payment's slip printed again, marked
//! 重印 / REPRINT, as ESC/POS bytes in the printer's code page that decode back to the payment;
//! a printer named wrongly or an order that does not exist is refused with the usual exit codes.

use cashier_core::print::CodePage;

use crate::common::{self, CMD_TIMEOUT, PAID_CODE, QrPoll, Running, Till};

#[test]
fn a_past_slip_is_reprinted_on_the_printer_named() {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    let bill = common::bill("PRINT", 0);
    let paid = till.pay_code("cloud-barcode", &bill, "12.34", PAID_CODE);
    paid.assert_code(0);
    let order = paid.json()["order_no"]
        .as_str()
        .expect("order_no")
        .to_string();

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("slip.bin");
    let printer = format!("file:{}", out.display());
    let printed = Running::start(
        till.command(&["--json", "print", "--order", &order, "--printer", &printer]),
        None,
    )
    .finish(CMD_TIMEOUT);
    printed.assert_code(0);
    assert_eq!(printed.json()["state"], "printed", "{printed}");
    assert_eq!(printed.json()["reprint"], true, "{printed}");

    let slip = cashier_print::decode(&std::fs::read(&out).unwrap(), CodePage::Gbk);
    let text = slip.lines.join("\n");
    assert_eq!(slip.cuts, 1, "one slip:\n{text}");
    assert_eq!(
        slip.qr,
        vec![order.clone()],
        "the QR code is the order number"
    );
    for expected in ["重印", bill.as_str(), "￥12.34", order.as_str()] {
        assert!(
            text.contains(expected),
            "{expected:?} not on the slip:\n{text}"
        );
    }
    // Never the payment code in clear.
    assert!(!text.contains(PAID_CODE), "{text}");
}

#[test]
fn a_wrong_printer_or_order_is_refused_and_prints_nothing() {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("slip.bin");
    let printer = format!("file:{}", out.display());

    let bad = Running::start(
        till.command(&["print", "--order", "CS01X", "--printer", "lpt1"]),
        None,
    )
    .finish(CMD_TIMEOUT);
    bad.assert_code(2);
    assert!(
        bad.stderr.contains("tcp://"),
        "says which forms work: {bad}"
    );

    let unknown = Running::start(
        till.command(&["print", "--order", "CS01-NO-SUCH", "--printer", &printer]),
        None,
    )
    .finish(CMD_TIMEOUT);
    unknown.assert_code(4);
    assert!(
        !out.exists(),
        "nothing printed for an order that does not exist"
    );
}
