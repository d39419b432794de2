//! The whole way to paper, as the app and the CLI wire it: a till on the embedded sandbox with
//! the ESC/POS driver and a `file:` printer (the raw bytes a print server would get). A paid
//! payment's slip, then the X and the Z of the day from the desk, are read back from those bytes
//! with the decoder: Chinese text in GBK, amounts, the order number in the slip's QR code.
//!
//! `cargo test -p cashier-open --test paper -- --nocapture` prints the decoded documents.

use std::path::Path;
use std::time::Duration;

use cashier_core::managers::Approval;
use cashier_core::print::CodePage;
use cashier_core::till::{PrintReport, Till};
use cashier_core::{AttemptId, AttemptState};
use cashier_open::{ConfigFile, open};
use cashier_print::{Decoded, decode};

const PAID_AT_ONCE: &str = "134520273825387649";

/// Waits until the printer file holds `cuts` whole documents (the worker prints in the
/// background); gives them decoded.
async fn printed(file: &Path, cuts: u32) -> Decoded {
    for _ in 0..200 {
        let bytes = std::fs::read(file).unwrap_or_default();
        let decoded = decode(&bytes, CodePage::Gbk);
        if decoded.cuts >= cuts {
            assert_eq!(decoded.cuts, cuts, "printed more than asked: {decoded:?}");
            return decoded;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{cuts} documents not printed in 20 s");
}

/// The lines of the last document: after the previous cut's feed.
fn last_document(all: &Decoded, before: &Decoded) -> String {
    all.lines[before.lines.len()..].join("\n")
}

async fn demo_approval(till: &Till) -> Approval {
    let managers = till.managers().unwrap();
    Approval {
        manager: managers[0].id,
        pin: cashier_core::managers::DEMO_MANAGER_PIN.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slip_and_the_days_x_and_z_reach_paper_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let paper = dir.path().join("printer.bin");
    let config = dir.path().join("cashier.toml");
    std::fs::write(
        &config,
        format!(
            "db_path = {:?}\nshop = \"黄山风景区 东门售票处\"\n[printer]\nurl = \"file:{}\"\npaper = \"58mm\"\n",
            dir.path().join("journal.db").display().to_string(),
            paper.display()
        ),
    )
    .unwrap();
    let cfg = ConfigFile::at(Some(config.clone())).load().unwrap();
    let opened = open(cfg, config).await.unwrap();
    let till = opened.till.clone();
    let note = opened.note.clone().unwrap();
    till.login(&note.operator, note.password).await.unwrap();

    let started = till
        .start_barcode("B-PAPER-1", "12.34", PAID_AT_ONCE)
        .await
        .unwrap();
    let done = till.wait(AttemptId(started.id)).await.unwrap();
    assert_eq!(done.state, AttemptState::Paid);
    let slip = printed(&paper, 1).await;
    let text = slip.lines.join("\n");
    println!(
        "—— the customer's slip (58 mm, decoded) ——\n{text}\nQR: {:?}\n",
        slip.qr
    );
    for expected in ["黄山风景区 东门售票处", "B-PAPER-1", "￥12.34", "7649"] {
        assert!(
            text.contains(expected),
            "{expected:?} not on the slip:\n{text}"
        );
    }
    assert!(
        !text.contains(PAID_AT_ONCE),
        "a payment code in clear:\n{text}"
    );
    assert_eq!(slip.qr, vec![done.order_no.clone()]);

    let approval = demo_approval(&till).await;
    till.open_desk(&approval).await.unwrap();
    till.print_report(PrintReport::X { day: None })
        .await
        .unwrap();
    let with_x = printed(&paper, 2).await;
    let x = last_document(&with_x, &slip);
    println!("—— the X report (decoded) ——\n{x}\n");
    assert!(x.contains("12.34"), "the day's takings on the X:\n{x}");

    let z = till.z_report(None, approval).await.unwrap();
    till.print_report(PrintReport::Z { number: z.number })
        .await
        .unwrap();
    let with_z = printed(&paper, 3).await;
    let z_text = last_document(&with_z, &with_x);
    println!("—— the Z report (decoded) ——\n{z_text}\n");
    assert!(
        z_text.contains("12.34"),
        "the day's takings on the Z:\n{z_text}"
    );
    assert!(with_z.qr.len() == 1, "only the slip has a QR code");
}
