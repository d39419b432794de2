//! `--state`: a sandbox started again on its state file remembers every order, charge and
//! used single-use code; a payment in progress goes on (a QR order is still payable, a
//! customer typing a password still finishes); a torn last line (a kill mid-write) is dropped.

use std::time::Duration;

use crate::common::*;
use cashier_sandbox::SandboxConfig;

const PASSWORD_3S: &str = "134520273825381001";
const SINGLE_USE: &str = "134520273825388001";

fn on(state: &std::path::Path) -> SandboxConfig {
    SandboxConfig {
        state: Some(state.to_path_buf()),
        ..SandboxConfig::default()
    }
}

#[tokio::test]
async fn a_restart_keeps_the_book_and_payments_in_progress() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("sandbox-state.jsonl");
    let http = client();
    let sb = sandbox_with(on(&file)).await;
    let url = sb.url();
    let paid = cloud(&http, &url, "micro_pay", &micro_pay("sz0100sbox-st1")).await;
    assert_eq!(wechat_state(&paid, "micro_pay"), 2);
    let typing = cloud_content(1, pay_content("sz0100sbox-st2", 250, Some(PASSWORD_3S)));
    let typing = cloud(&http, &url, "micro_pay", &typing).await;
    assert_eq!(
        wechat_state(&typing, "micro_pay"),
        6,
        "waiting for the password"
    );
    let qr = cloud_content(1, pay_content("sz0100sbox-st3", 990, None));
    cloud(&http, &url, "scan_code_pay", &qr).await;
    let once = cloud_content(1, pay_content("sz0100sbox-st4", 300, Some(SINGLE_USE)));
    assert_eq!(
        wechat_state(&cloud(&http, &url, "micro_pay", &once).await, "micro_pay"),
        2
    );
    let before = sb.ledger();
    assert_eq!((before.orders.len(), before.charges.len()), (4, 2));
    // Killed, as far as the file knows: nothing more is written after the last answer.
    sb.shutdown().await;

    let sb = sandbox_with(on(&file)).await;
    let url = sb.url();
    let after = sb.ledger();
    assert_eq!(after.charges, before.charges, "every charge kept");
    for reference in ["sz0100sbox-st1", "sz0100sbox-st3", "sz0100sbox-st4"] {
        assert_eq!(
            after.order(reference),
            before.order(reference),
            "{reference}"
        );
    }
    // The paid order is still known and paid: a query after a lost answer finds it.
    let q = cloud(
        &http,
        &url,
        "query_order",
        &order_query("sz0100sbox-st1", 1, 1),
    )
    .await;
    assert_eq!(wechat_state(&q, "query_order"), 2);
    // The QR order in progress is still payable, once.
    let page = http
        .post(format!("{url}_sandbox/pay/sz0100sbox-st3"))
        .header("Accept", "application/json")
        .send()
        .await?;
    assert!(page.status().is_success(), "{}", page.status());
    let q = cloud(
        &http,
        &url,
        "query_order",
        &order_query("sz0100sbox-st3", 2, 1),
    )
    .await;
    assert_eq!(wechat_state(&q, "query_order"), 2);
    // The customer typing the password finishes on the restarted sandbox, charged once.
    tokio::time::sleep(Duration::from_millis(3200)).await;
    let q = cloud(
        &http,
        &url,
        "query_order",
        &order_query("sz0100sbox-st2", 1, 1),
    )
    .await;
    assert_eq!(
        wechat_state(&q, "query_order"),
        2,
        "the password order settled"
    );
    // A single-use code used before the restart is still used.
    let again = cloud_content(1, pay_content("sz0100sbox-st5", 300, Some(SINGLE_USE)));
    assert_eq!(status(&sb, "micro_pay", &again).await, 104);
    let ledger = sb.ledger();
    let bills: Vec<&str> = ledger
        .charges
        .iter()
        .map(|c| c.reference.as_str())
        .collect();
    assert_eq!(
        bills,
        [
            "sz0100sbox-st1",
            "sz0100sbox-st4",
            "sz0100sbox-st3",
            "sz0100sbox-st2"
        ]
    );
    sb.shutdown().await;

    // A kill in the middle of a write leaves a torn last line: dropped, the rest read.
    let mut text = std::fs::read_to_string(&file)?;
    text.push_str("{\"delta\":{\"seq\":99,\"orders\":[[7,");
    std::fs::write(&file, text)?;
    let sb = sandbox_with(on(&file)).await;
    assert_eq!(sb.ledger().charges, ledger.charges);
    sb.shutdown().await;
    // A broken line in the middle is refused: the sandbox does not start on half a book.
    let text = std::fs::read_to_string(&file)?;
    std::fs::write(&file, format!("not json\n{text}"))?;
    assert!(cashier_sandbox::Sandbox::start(on(&file)).await.is_err());
    Ok(())
}
