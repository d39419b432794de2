//! The till's printing API as the screens and the CLI call it: reprints (marked, audited),
//! `print_order`, the X and Z on paper, previews, the test page, a till without a printer, and
//! the settings' printer section.

use std::sync::atomic::Ordering;

use cashier_core::closing::COPY_WORDS;
use cashier_core::error::{ErrorKind, Field};
use cashier_core::print::{CodePage, Paper, PreviewLine, PrintKind, PrinterUrl, REPRINT_WORDS};
use cashier_core::till::{PrintReport, SettingsInput};
use cashier_core::{AttemptId, AttemptState, Error};

use super::*;

/// The audit trail's rows of `action`, newest first.
fn audited(shop: &Shop, action: &str) -> Vec<cashier_core::journal::AuditRecord> {
    let (_, rows) = shop.till.journal().audit_page(None, 0, 200).unwrap();
    rows.into_iter().filter(|r| r.action == action).collect()
}

fn all_printed(shop: &Shop) -> bool {
    shop.till.journal().waiting_print_jobs().unwrap() == 0
}

#[tokio::test]
async fn a_reprint_is_marked_printed_again_and_in_the_audit_trail() {
    let printer = TestPrinter::new();
    let shop = open(&printer).await;
    let paid = shop.pay("A-RE", "3.5").await;
    until("the slip printed", || printer.docs().len() == 1).await;
    let job = shop.till.reprint(AttemptId(paid.id)).await.unwrap();
    assert!(job.reprint && job.kind == PrintKind::Slip, "{job:?}");
    until("the reprint printed", || printer.docs().len() == 2).await;
    let docs = printer.docs();
    assert!(!text_of(&docs[0]).contains(REPRINT_WORDS));
    assert!(
        text_of(&docs[1]).starts_with(REPRINT_WORDS),
        "{}",
        text_of(&docs[1])
    );
    assert!(text_of(&docs[1]).contains(&paid.order_no));
    let rows = audited(&shop, "reprint");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0].subject.as_deref(), rows[0].result.as_str()),
        (Some(paid.order_no.as_str()), "done")
    );

    let preview = shop.till.slip_preview(AttemptId(paid.id)).await.unwrap();
    assert_eq!(preview.jobs.len(), 2);
    assert!(preview.jobs[1].reprint && preview.jobs[1].printed_at_text.is_some());
    assert!(preview.preview.lines.iter().any(|l| matches!(
        l,
        PreviewLine::Qr { payload, svg } if *payload == paid.order_no && svg.contains("<svg")
    )));
    assert!(preview.preview.lines.iter().any(|l| matches!(
        l,
        PreviewLine::Text { text, .. } if text.contains(SHOP)
    )));

    // A payment that was never paid has no slip to reprint; the try is in the trail too.
    let started = shop
        .till
        .start_barcode("A-DECLINED", "1", crate::common::DECLINED)
        .await
        .unwrap();
    let failed = shop.till.wait(AttemptId(started.id)).await.unwrap();
    assert_eq!(failed.state, AttemptState::Failed);
    assert!(shop.jobs(failed.id).is_empty());
    let e = shop.till.reprint(AttemptId(failed.id)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotAllowed, "{e}");
    assert_eq!(audited(&shop, "reprint")[0].result, "refused");
}

#[tokio::test]
async fn print_order_prints_now_marked_reprint_on_the_printer_named() {
    let printer = TestPrinter::new();
    let shop = open(&printer).await;
    let paid = shop.pay("A-ORDER", "8").await;
    until("the slip printed", || printer.docs().len() == 1).await;
    let elsewhere = PrinterUrl::parse("tcp://10.0.0.9:9100").unwrap();
    let job = shop
        .till
        .print_order(&paid.order_no, Some(elsewhere))
        .await
        .unwrap();
    assert!(job.reprint && job.printed_at_text.is_some(), "{job:?}");
    let (url, doc) = printer.printed.lock().unwrap().last().cloned().unwrap();
    assert_eq!(url, "tcp://10.0.0.9:9100");
    assert!(text_of(&doc).starts_with(REPRINT_WORDS));
    assert_eq!(shop.jobs(paid.id).len(), 2, "recorded as a printed reprint");

    let none = shop.till.print_order("CS-NO-SUCH", None).await.unwrap_err();
    assert_eq!(none.kind(), ErrorKind::NotFound, "{none}");

    printer.off.store(true, Ordering::SeqCst);
    let off = shop
        .till
        .print_order(&paid.order_no, None)
        .await
        .unwrap_err();
    assert!(matches!(off, Error::Printer(_)), "{off:?}");
    assert_eq!(
        (off.kind(), off.code().as_str()),
        (ErrorKind::Unreachable, "printer")
    );
    assert!(
        off.message(cashier_core::Lang::ZhCn)
            .contains("无法连接打印机")
    );
    let rows = audited(&shop, "reprint");
    assert_eq!(
        rows.iter().map(|r| r.result.as_str()).collect::<Vec<_>>(),
        ["failed", "done"]
    );
    assert_eq!(printer.docs().len(), 2);
}

#[tokio::test]
async fn reports_print_from_the_open_desk_and_a_second_z_is_a_copy() {
    let printer = TestPrinter::new();
    let shop = open(&printer).await;
    shop.pay("A-DAY", "20").await;
    until("the slip printed", || all_printed(&shop)).await;
    let x = PrintReport::X { day: None };
    assert!(
        shop.till.print_report(x.clone()).await.is_err(),
        "desk closed"
    );
    let demo = crate::common::demo_approval(&shop.till);
    shop.till.open_desk(&demo).await.unwrap();
    let job = shop.till.print_report(x).await.unwrap();
    assert_eq!(job.kind, PrintKind::XReport);
    until("the X printed", || printer.docs().len() == 2).await;
    let x_text = text_of(&printer.docs()[1]);
    assert!(
        x_text.contains("X 报表") && x_text.contains("￥20.00"),
        "{x_text}"
    );

    let z = shop.till.z_report(None, demo).await.unwrap();
    for _ in 0..2 {
        shop.till
            .print_report(PrintReport::Z { number: z.number })
            .await
            .unwrap();
    }
    until("both Zs printed", || printer.docs().len() == 4).await;
    let (first, second) = (text_of(&printer.docs()[2]), text_of(&printer.docs()[3]));
    assert!(
        first.contains("Z 报表 第 1 号") && !first.contains(COPY_WORDS),
        "{first}"
    );
    assert!(second.starts_with(COPY_WORDS), "{second}");
    assert_eq!(audited(&shop, "z_copy").len(), 1);

    let preview = shop
        .till
        .report_preview(PrintReport::Z { number: z.number })
        .await
        .unwrap();
    assert!(preview.lines.iter().any(|l| matches!(
        l,
        PreviewLine::Text { text, .. } if text.contains("Z 报表 第 1 号")
    )));
    let missing = shop
        .till
        .print_report(PrintReport::Z { number: 9 })
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn the_test_page_prints_now_and_says_how_the_printer_is() {
    let printer = TestPrinter::new();
    let shop = open(&printer).await;
    let view = shop.till.print_test_page().await.unwrap();
    assert_eq!((view.label.as_str(), view.fault), ("打印机 就绪", false));
    let page = text_of(&printer.docs()[0]);
    assert!(
        page.contains("打印测试") && page.contains("printer.bin"),
        "{page}"
    );
    printer.no_paper.store(true, Ordering::SeqCst);
    let e = shop.till.print_test_page().await.unwrap_err();
    assert_eq!(e.code().as_str(), "printer");
    assert!(e.message(cashier_core::Lang::ZhCn).contains("缺纸"), "{e}");
    let status = shop.till.printer_status();
    assert!(status.fault && status.label.contains("缺纸"), "{status:?}");
}

#[tokio::test]
async fn a_till_without_a_printer_says_so_and_owes_no_slip() {
    let dir = tempfile::tempdir().unwrap();
    let (reading, _sandbox, _) =
        crate::common::sandbox_till(dir.path(), dir.path().join("cashier.toml"), |_| {}).await;
    let status = reading.printer_status();
    assert_eq!(
        (status.configured, status.label.as_str(), status.fault),
        (false, "打印机 未设置", false)
    );
    let off = reading.slip_preview(AttemptId(1)).await.unwrap_err();
    assert_eq!(off.kind(), ErrorKind::NotAllowed, "{off}");
    assert!(reading.print_test_page().await.is_err());

    // A driver, and no printer set: previews on 80 mm, prints nothing, owes no slip.
    let printer = TestPrinter::new();
    let shop = open_with(tempfile::tempdir().unwrap(), Some(printer.clone()), |cfg| {
        cfg.printer.url = String::new();
    })
    .await;
    let paid = shop.pay("A-NONE", "4").await;
    assert!(shop.jobs(paid.id).is_empty());
    let e = shop.till.reprint(AttemptId(paid.id)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotAllowed, "{e}");
    let preview = shop.till.slip_preview(AttemptId(paid.id)).await.unwrap();
    assert_eq!(preview.preview.columns, 48);
    assert!(printer.docs().is_empty());
}

#[tokio::test]
async fn the_settings_set_the_printer_and_whether_slips_are_owed() {
    let printer = TestPrinter::new();
    let shop = open_with(tempfile::tempdir().unwrap(), Some(printer), |cfg| {
        cfg.printer.url = String::new();
    })
    .await;
    assert!(!shop.till.journal().slips().unwrap());
    let view = shop.till.settings();
    let json = serde_json::to_value(&view).unwrap();
    for (name, value) in [
        ("shop", serde_json::json!(SHOP)),
        ("printer_url", serde_json::json!("")),
        ("printer_paper", serde_json::json!("80mm")),
        ("printer_code_page", serde_json::json!("gbk")),
        ("printer_slips", serde_json::json!(true)),
    ] {
        assert_eq!(json[name], value, "{name}: {json}");
    }
    let demo = crate::common::demo_approval(&shop.till);
    let mut input = SettingsInput {
        form: view.form.clone(),
        cloudpay_key: None,
    };
    input.form.printer.url = "lpt1".into();
    let bad = shop
        .till
        .save_settings(input.clone(), Some(&demo))
        .await
        .unwrap_err();
    assert_eq!(
        (bad.kind(), bad.field()),
        (ErrorKind::Input, Some(Field::Settings))
    );
    assert!(
        bad.message(cashier_core::Lang::ZhCn).contains("tcp://"),
        "{bad}"
    );
    assert!(!shop.till.journal().slips().unwrap());

    input.form.printer.url = " tcp://127.0.0.1:9100 ".into();
    input.form.printer.paper = Paper::Mm58;
    input.form.printer.code_page = CodePage::Gb18030;
    let saved = shop
        .till
        .save_settings(input.clone(), Some(&demo))
        .await
        .unwrap();
    assert_eq!(saved.form.printer.url, "tcp://127.0.0.1:9100");
    assert!(
        shop.till.journal().slips().unwrap(),
        "slips owed from now on"
    );
    let file =
        cashier_core::config::Config::load(&shop.dir.path().join("cashier.toml"), true).unwrap();
    assert_eq!(
        (
            file.printer.url.as_str(),
            file.printer.paper,
            file.printer.code_page
        ),
        ("tcp://127.0.0.1:9100", Paper::Mm58, CodePage::Gb18030)
    );
    assert!(shop.till.printer_status().configured);

    input.form.printer.slips = false;
    shop.till.save_settings(input, Some(&demo)).await.unwrap();
    assert!(!shop.till.journal().slips().unwrap());
}
