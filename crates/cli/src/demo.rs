//! `cashier demo`: what a shop sees, end to end, against the embedded sandbox — a barcode
//! payment where the customer must enter a password, and a QR payment paid from the
//! customer page, then the day's receipts.

use crate::term::diag;
use std::process::ExitCode;

use cashier_core::backend::cloudpay::Platform;
use cashier_core::config::Config;
use cashier_core::{AttemptState, Channel, Error};
use chrono::Utc;

use crate::pay::{self, PayArgs};
use crate::receipts;
use crate::setup;

/// A WeChat code the sandbox answers "password needed, paid after 2 queries".
const DEMO_CODE: &str = "134520273825381002";

pub async fn run(json: bool) -> Result<ExitCode, Error> {
    let mut cfg = Config::default();
    cfg.apply_env(|k| std::env::var(k).ok())?;
    // The demo always runs on the embedded sandbox, in its own journal.
    cfg.tourv5 = None;
    cfg.cloudpay = None;
    // A fresh demo journal each run, so its receipts and the fresh sandbox's ledger describe
    // the same payments.
    let dir = std::env::temp_dir().join("cashier-demo");
    let _ = std::fs::remove_dir_all(&dir);
    let db = dir.join("journal.db");
    cfg.db_path = Some(db.clone());
    let opened = setup::open_with(cfg, dir.join("cashier.toml"), json).await?;
    let till = &opened.till;
    let stamp = Utc::now().format("%H%M%S");

    diag!("\n== 1. barcode: POS WeChat, customer enters a password / 条码支付（需输入密码）==");
    let barcode = PayArgs {
        channel: Channel::PosWechatBarcode,
        bill: format!("DEMO{stamp}A"),
        amount: "12.30".into(),
        code: Some(DEMO_CODE.into()),
        wallet: Platform::Wechat,
    };
    let first = pay::run(till, barcode, json).await?;

    diag!("\n== 2. QR: WeChat, paid from the customer page / 二维码支付 ==");
    let customer = tokio::spawn(play_customer(till.subscribe()));
    let qr = PayArgs {
        channel: Channel::WechatQr,
        bill: format!("DEMO{stamp}B"),
        amount: "8.80".into(),
        code: None,
        wallet: Platform::Wechat,
    };
    let second = pay::run(till, qr, json).await?;
    customer.abort();

    diag!("\n== 3. receipts / 今日收款 (journal {}) ==", db.display());
    receipts::print(till, None, None, None, json)?;
    if let Some(sandbox) = &opened.sandbox {
        let ledger = sandbox.ledger();
        diag!(
            "sandbox ledger: {} charge(s), ¥{} — the backend's side of the same day",
            ledger.charges.len(),
            ledger.total_charged()
        );
    }
    Ok(
        if first == ExitCode::SUCCESS && second == ExitCode::SUCCESS {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        },
    )
}

/// Waits for the QR to be on screen, then pays it from the sandbox's customer page as a
/// phone would, a few seconds later.
async fn play_customer(mut events: cashier_core::till::TillEvents) {
    while let Some(e) = events.recv().await {
        let cashier_core::till::TillEvent::Attempt { attempt } = e else {
            continue;
        };
        if let (AttemptState::Shown, Some(url)) = (attempt.state, attempt.code_url) {
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
            diag!("(the customer scans the code and taps Pay: POST {url})");
            let paid = customer_pays(&url).await;
            if let Err(err) = paid {
                diag!("customer page did not answer: {err}");
            }
            return;
        }
    }
}

/// The customer's phone tapping "Pay" on the sandbox's page.
async fn customer_pays(url: &str) -> Result<(), String> {
    let resp = reqwest::Client::new()
        .post(url)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if resp.status().is_success() {
        Ok(())
    } else {
        Err(format!("HTTP {}", resp.status()))
    }
}
