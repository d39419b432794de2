//! Closing days in the real window: Z 1, then an abandoned QR code paid after it and a refund of
//! a paid Cloud Pay payment of that day; both land on Z 2 as corrections, and Z 1 stays as it was.
//!
//! Z 2 must be for a later business day, and the app has no clock to turn. So the business zone
//! is turned instead: the first day runs in Pacific/Pago_Pago (UTC−11), then the app restarts in
//! Pacific/Kiritimati (UTC+14), 25 hours ahead, where it is always at least one date later. The
//! back office is the test's own sandbox, so the QR code and the ledger outlive the restart.

use anyhow::Context;
use cashier_sandbox::{Sandbox as Backend, SandboxConfig};
use serde_json::{Value, json};

use crate::harness::{App, AppOptions, E2eResult, PAID_CODE, Sandbox, WAIT};

const PIN: &str = "2580";

/// The till's configuration on the test's sandbox (both back offices), in business zone `zone`.
fn config(backend: &Backend, key_file: &std::path::Path, zone: &str) -> String {
    let sc = SandboxConfig::default();
    format!(
        "timezone = \"{zone}\"\noperator = \"{op}\"\ncloudpay_authen_key_file = \"{key}\"\n\
         [tourv5]\nbase_url = \"{url}\"\n\
         [cloudpay]\nhosts = [\"{url}\"]\norder_prefix = \"{prefix}\"\nout_mch_id = \"{mch}\"\n\
         out_sub_mch_id = \"{sub}\"\nout_shop_id = \"{shop}\"\n",
        op = sc.operator,
        key = key_file.display(),
        url = backend.url(),
        prefix = sc.order_prefix,
        mch = sc.out_mch_id,
        sub = sc.out_sub_mch_id,
        shop = sc.out_shop_id,
    )
}

// Multi-threaded: the back office serves the app while the test waits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_payment_and_a_refund_land_on_the_next_z_the_first_unchanged() -> E2eResult<()> {
    let backend = Backend::start(SandboxConfig::default()).await?;
    let key = tempfile::NamedTempFile::new()?;
    std::fs::write(key.path(), SandboxConfig::default().authen_key)?;
    let options = AppOptions {
        config_toml: Some(config(&backend, key.path(), "Pacific/Pago_Pago")),
        ..AppOptions::default()
    };
    let Some(mut app) = App::launch("closing", options).await? else {
        return Ok(());
    };
    let sandbox = Sandbox::at(&backend.url())?;
    app.first_manager("Wang", PIN, "S001").await?;
    app.log_in().await?;

    // Day 1: a Cloud Pay payment, and a QR code the cashier gave up on (still payable).
    let paid = app.start_scan("E2E-Z1", "30.00", PAID_CODE).await?;
    app.wait_for_attempt(paid, "paid", WAIT).await?;
    let qr = app.start_qr("E2E-Z2", "9.90", "wechat_qr").await?;
    let late = qr["id"].as_i64().context("qr id")?;
    let code_url = qr["code_url"].as_str().context("code url")?.to_owned();
    app.invoke("cancel", json!({ "id": late })).await?;
    app.wait_for_attempt(late, "abandoned", WAIT).await?;
    let late_order = app.attempt(late).await?["order_no"].clone();
    let paid_order = app.attempt(paid).await?["order_no"].clone();

    let z1 = take_z(&app).await?;
    assert_eq!(z1["number"], 1);
    let open: Vec<&Value> = z1["open_items"]
        .as_array()
        .context("open")?
        .iter()
        .collect();
    assert!(open.iter().any(|o| o["order_no"] == late_order), "{open:?}");
    app.screenshot_named("desk-z").await?;
    let z1_copy = app.invoke("z_copy", json!({ "number": 1 })).await?;

    // The next business day: the same till, restarted in a zone a day ahead.
    let config_path = app.data_dir().join("config.toml");
    std::fs::write(
        &config_path,
        config(&backend, key.path(), "Pacific/Kiritimati"),
    )?;
    app.restart().await?;
    app.log_in().await?;
    sandbox.pay_on_customer_page(&code_url).await?;
    // The worklist's "query again" (a manager's move, here through the same command).
    app.invoke("query_again", json!({ "id": late })).await?;
    app.wait_for_attempt(late, "paid", WAIT).await?;
    let manager = app.managers().await?[0]["id"].clone();
    let approval = json!({ "manager": manager, "pin": PIN });
    let refund = json!({ "id": paid, "amount": "", "note": "returned", "approval": approval });
    app.invoke("refund", refund).await?;
    app.wait_for_attempt(paid, "refunded", WAIT).await?;
    let today = app.start_scan("E2E-Z3", "12.00", PAID_CODE).await?;
    app.wait_for_attempt(today, "paid", WAIT).await?;

    let z2 = take_z(&app).await?;
    assert_eq!(z2["number"], 2);
    assert!(
        z2["day"].as_str() > z1["day"].as_str(),
        "{} after {}",
        z2["day"],
        z1["day"]
    );
    assert_eq!(z2["prev_hash"], z1["hash"]);
    let corrections = z2["corrections"].as_array().context("corrections")?;
    let of = |order: &Value, kind: &str| {
        corrections
            .iter()
            .find(|c| &c["order_no"] == order && c["kind"] == kind)
            .cloned()
    };
    let late_paid =
        of(&late_order, "paid").with_context(|| format!("no late payment in {corrections:?}"))?;
    let refunded =
        of(&paid_order, "refunded").with_context(|| format!("no refund in {corrections:?}"))?;
    for c in [&late_paid, &refunded] {
        assert_eq!(c["day"], z1["day"], "a correction of the first day: {c}");
    }
    app.wait_for_text("closing-corrections", "9.90", WAIT)
        .await?;
    app.wait_for_text("closing-corrections", "30.00", WAIT)
        .await?;
    app.screenshot_named("desk-z-corrections").await?;

    // Z 1 as it was written: same hash, same body. Only the clock time it was taken at is shown
    // in the zone the till runs in now (a day ahead), so that one line is left out.
    let again = app.invoke("z_copy", json!({ "number": 1 })).await?;
    assert_eq!(again["hash"], z1["hash"]);
    assert_eq!(without_clock(again), without_clock(z1_copy));
    app.finish().await
}

/// Opens the desk, takes the day's Z on its day-close tab under the PIN, and gives it (as core
/// stored it: the last of `z_reports`, read back with `z_copy`, less the copy's marks).
async fn take_z(app: &App) -> E2eResult<Value> {
    app.open_desk(PIN).await?;
    app.desk_tab("close").await?;
    app.by_testid("x-report", WAIT).await?;
    app.click("take-z").await?;
    app.approve(PIN).await?;
    app.by_testid("z-report", WAIT).await?;
    let list = app.invoke("z_reports", json!({})).await?;
    let number = list
        .as_array()
        .and_then(|l| l.iter().filter_map(|z| z["number"].as_u64()).max())
        .with_context(|| format!("no Z in {list}"))?;
    app.invoke("z_copy", json!({ "number": number })).await
}

/// A Z less `at_text`, its `HH:MM` in the business zone of the moment it is shown.
fn without_clock(mut z: Value) -> Value {
    if let Some(map) = z.as_object_mut() {
        map.remove("at_text");
    }
    z
}
