//! `EscPos` when the printer is not there or goes away: `Offline` in bounded time, never an
//! `Ok` for a job the printer did not take, and a job sent again arrives whole exactly once.
//! Printers that cannot be asked (a USB device node, a file) and documents that cannot be printed.

use std::time::{Duration, Instant};

use cashier_core::print::{
    CodePage, Doc, DocLine, Paper, PrintFault, Printer, PrinterState, PrinterUrl,
};
use cashier_print::{EscPos, decode, encode, send};

use crate::test_printer::TestPrinter;
use crate::{setup, slip};

fn is_offline(result: Result<PrinterState, PrintFault>) -> bool {
    matches!(result, Err(PrintFault::Offline(_)))
}

#[test]
fn a_printer_gone_mid_job_fails_it_and_gets_it_again_whole() {
    let printer = TestPrinter::tcp();
    let setup = setup(printer.url.clone(), Paper::Mm80, CodePage::Gbk);
    let bytes = encode(&slip(), Paper::Mm80, CodePage::Gbk).unwrap();
    printer.close_after(200);
    let first = EscPos.print(&setup, &slip());
    assert!(is_offline(first.clone()), "{first:?}");
    printer.set_paper(crate::test_printer::PAPER_OK);
    assert_eq!(EscPos.print(&setup, &slip()), Ok(PrinterState::Ready));
    let jobs = printer.jobs();
    assert_eq!(jobs.len(), 2, "two connections");
    assert!(jobs[0].len() < bytes.len() && bytes.starts_with(&jobs[0]));
    assert_eq!(jobs[1], bytes, "the job again, whole");
    assert_eq!(
        decode(&printer.received(), CodePage::Gbk).cuts,
        1,
        "one slip"
    );
}

#[test]
fn a_job_the_printer_does_not_confirm_after_it_is_offline() {
    let printer = TestPrinter::tcp();
    let setup = setup(printer.url.clone(), Paper::Mm80, CodePage::Gbk);
    // Answers the two questions before the job, then nothing.
    printer.answer_only(2);
    let started = Instant::now();
    let result = EscPos.print(&setup, &slip());
    assert!(is_offline(result.clone()), "{result:?}");
    // The answer after a job may queue behind it in the printer: waited for longer, but bounded.
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(2900) && took < Duration::from_secs(5),
        "{took:?}"
    );
    assert_eq!(printer.asked(), vec![2, 4, 2]);
}

#[test]
fn nothing_listening_is_offline_at_once() {
    // Bound then dropped: the port is closed, so the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = PrinterUrl::Tcp {
        host: "127.0.0.1".to_owned(),
        port,
    };
    let setup = setup(url, Paper::Mm80, CodePage::Gbk);
    let started = Instant::now();
    assert!(is_offline(EscPos.print(&setup, &slip())));
    assert!(is_offline(EscPos.status(&setup)));
    assert!(started.elapsed() < Duration::from_millis(500));
}

/// A printer that never answers is `Offline` within about the answer timeout (1 s), and gets no
/// job: nothing said it could print.
fn silent_is_offline_within_a_second(printer: &TestPrinter) {
    printer.silent();
    let setup = setup(printer.url.clone(), Paper::Mm58, CodePage::Gbk);
    let started = Instant::now();
    let result = EscPos.print(&setup, &slip());
    let took = started.elapsed();
    assert!(is_offline(result.clone()), "{result:?}");
    assert!(
        took >= Duration::from_millis(900),
        "it waited for the answer"
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert!(printer.received().is_empty());
    assert_eq!(printer.asked(), vec![2]);
}

#[test]
fn a_network_printer_that_never_answers_is_offline() {
    silent_is_offline_within_a_second(&TestPrinter::tcp());
}

#[cfg(unix)]
#[test]
fn a_serial_printer_that_never_answers_is_offline() {
    silent_is_offline_within_a_second(&TestPrinter::serial());
}

#[test]
fn a_usb_printer_takes_the_bytes_and_cannot_be_asked() {
    let dir = tempfile::tempdir().unwrap();
    // A regular file in the device node's place: written the same way.
    let node = dir.path().join("lp0");
    std::fs::write(&node, b"").unwrap();
    let setup = setup(PrinterUrl::Usb(node.clone()), Paper::Mm58, CodePage::Gbk);
    assert_eq!(EscPos.status(&setup), Ok(PrinterState::NotAsked));
    assert_eq!(EscPos.print(&setup, &slip()), Ok(PrinterState::NotAsked));
    let bytes = encode(&slip(), Paper::Mm58, CodePage::Gbk).unwrap();
    assert_eq!(std::fs::read(&node).unwrap(), bytes);
    // Unplugged: the node is gone, and is never created.
    let gone = dir.path().join("lp9");
    let setup = crate::setup(PrinterUrl::Usb(gone.clone()), Paper::Mm58, CodePage::Gbk);
    assert!(is_offline(EscPos.print(&setup, &slip())));
    assert!(is_offline(EscPos.status(&setup)));
    assert!(!gone.exists());
}

#[test]
fn a_file_printer_appends_each_job() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slips.bin");
    let setup = setup(PrinterUrl::File(path.clone()), Paper::Mm80, CodePage::Gbk);
    assert_eq!(EscPos.print(&setup, &slip()), Ok(PrinterState::NotAsked));
    assert_eq!(EscPos.print(&setup, &slip()), Ok(PrinterState::NotAsked));
    let bytes = encode(&slip(), Paper::Mm80, CodePage::Gbk).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        [bytes.clone(), bytes].concat()
    );
    send(&setup.url, b"raw").unwrap();
    assert!(std::fs::read(&path).unwrap().ends_with(b"raw"));
}

#[test]
fn a_character_gbk_lacks_is_unprintable_before_any_printer_is_asked() {
    let printer = TestPrinter::tcp();
    let setup = setup(printer.url.clone(), Paper::Mm80, CodePage::Gbk);
    let doc = Doc {
        lines: vec![DocLine::pair("金额 Amount", "¥12.34"), DocLine::Cut],
    };
    let Err(PrintFault::Unprintable(detail)) = EscPos.print(&setup, &doc) else {
        panic!("not unprintable");
    };
    assert!(detail.contains("U+00A5"), "{detail}");
    assert!(matches!(
        EscPos.preview(&setup, &doc),
        Err(PrintFault::Unprintable(_))
    ));
    assert!(printer.asked().is_empty() && printer.received().is_empty());
}

#[test]
fn send_puts_raw_bytes_on_a_network_printer() {
    let printer = TestPrinter::tcp();
    send(&printer.url, b"\x1b@hello\n").unwrap();
    // The stand-in reads on its own thread: wait for the bytes to land.
    let deadline = Instant::now() + Duration::from_secs(5);
    while printer.received().len() < 8 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(printer.received(), b"\x1b@hello\n");
}
