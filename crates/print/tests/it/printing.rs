//! `EscPos` printing to printers that answer: over TCP and a serial line the job arrives whole
//! between two status requests; a printer out of paper or with its cover open gets nothing until
//! it can print.

use cashier_core::print::{CodePage, Paper, PrintFault, Printer, PrinterState};
use cashier_print::{EscPos, decode, encode};

use crate::test_printer::{
    COVER_CLOSED, COVER_OPEN, PAPER_NEAR_END, PAPER_OK, PAPER_OUT, TestPrinter,
};
use crate::{ORDER, rendered, setup, slip};

/// Prints the slip on `printer`: it gets exactly the slip's bytes, asked before and after.
fn prints_whole(printer: &TestPrinter, paper: Paper, code_page: CodePage) {
    let setup = setup(printer.url.clone(), paper, code_page);
    assert_eq!(EscPos.print(&setup, &slip()), Ok(PrinterState::Ready));
    let bytes = encode(&slip(), paper, code_page).unwrap();
    assert_eq!(printer.received(), bytes);
    let decoded = decode(&printer.received(), code_page);
    assert_eq!(decoded.lines, rendered(&slip(), paper));
    assert!(decoded.lines.iter().any(|l| l.contains("收银员 Operator")));
    assert_eq!(decoded.qr, vec![ORDER.to_owned()]);
    assert_eq!(decoded.cuts, 1);
    // The cover and the paper before the job, again after it.
    assert_eq!(printer.asked(), vec![2, 4, 2, 4]);
}

#[test]
fn a_network_printer_prints_a_chinese_slip_whole() {
    let printer = TestPrinter::tcp();
    prints_whole(&printer, Paper::Mm80, CodePage::Gbk);
    assert_eq!(printer.jobs().len(), 1, "one connection for the job");
}

#[cfg(unix)]
#[test]
fn a_serial_printer_prints_a_chinese_slip_whole() {
    let printer = TestPrinter::serial();
    prints_whole(&printer, Paper::Mm58, CodePage::Gb18030);
}

#[test]
fn status_says_what_the_printer_answers() {
    let printer = TestPrinter::tcp();
    let setup = setup(printer.url.clone(), Paper::Mm80, CodePage::Gbk);
    for (cover, paper, state) in [
        (COVER_CLOSED, PAPER_OK, PrinterState::Ready),
        (COVER_CLOSED, PAPER_NEAR_END, PrinterState::PaperLow),
        (COVER_CLOSED, PAPER_OUT, PrinterState::OutOfPaper),
        (COVER_OPEN, PAPER_OK, PrinterState::CoverOpen),
    ] {
        printer.set_cover(cover);
        printer.set_paper(paper);
        assert_eq!(EscPos.status(&setup), Ok(state), "{cover:#x} {paper:#x}");
    }
    assert!(printer.received().is_empty(), "asking prints nothing");
}

#[test]
fn out_of_paper_the_printer_gets_nothing_until_the_paper_is_back() {
    let printer = TestPrinter::tcp();
    let setup = setup(printer.url.clone(), Paper::Mm80, CodePage::Gbk);
    printer.set_paper(PAPER_OUT);
    assert_eq!(
        EscPos.print(&setup, &slip()),
        Err(PrintFault::NotReady(PrinterState::OutOfPaper))
    );
    assert!(printer.received().is_empty(), "not a byte of the job");
    assert_eq!(printer.asked(), vec![2, 4], "only the status requests");
    printer.set_paper(PAPER_OK);
    assert_eq!(EscPos.print(&setup, &slip()), Ok(PrinterState::Ready));
    assert_eq!(decode(&printer.received(), CodePage::Gbk).cuts, 1);
}

#[test]
fn with_its_cover_open_the_printer_gets_nothing() {
    let printer = TestPrinter::tcp();
    printer.set_cover(COVER_OPEN);
    let setup = setup(printer.url.clone(), Paper::Mm80, CodePage::Gbk);
    assert_eq!(
        EscPos.print(&setup, &slip()),
        Err(PrintFault::NotReady(PrinterState::CoverOpen))
    );
    assert!(printer.received().is_empty());
}

#[test]
fn paper_running_low_still_prints_and_says_so() {
    let printer = TestPrinter::tcp();
    printer.set_paper(PAPER_NEAR_END);
    let setup = setup(printer.url.clone(), Paper::Mm80, CodePage::Gbk);
    assert_eq!(EscPos.print(&setup, &slip()), Ok(PrinterState::PaperLow));
    assert_eq!(decode(&printer.received(), CodePage::Gbk).cuts, 1);
}
