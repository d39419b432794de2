//! The app as one till of a store (docs/store.md), against a real PostgreSQL: the status bar
//! shows the link to the store, the desk's 门店 tab shows the store's day across its tills
//! (read as the reader role), and with the link cut the till pays on and says what waits.
//!
//! Three tills: 01 is the app; 02 is a till opened in this process as the app opens one, which
//! pays and ships by itself; 03 is registered but never ships, which the desk must flag.

use std::time::Duration;

use anyhow::{Context, anyhow};
use cashier_core::AttemptId;
use cashier_core::till::StoreLinkState;
use cashier_open::{ConfigFile, open};
use serde_json::json;

use crate::harness::{
    App, AppOptions, DEMO_PIN, E2eResult, Link, MERCHANT, PAID_CODE, QUICK_GIVE_UP, TestStore,
    WAIT, pg_server, poll,
};

/// The store worker backs off up to a minute between tries; a loaded machine adds to it.
const STORE_WAIT: Duration = Duration::from_secs(180);

#[tokio::test]
async fn the_desk_shows_the_stores_day_and_the_status_bar_its_link() -> E2eResult<()> {
    let Some(server) = pg_server("store")? else {
        return Ok(());
    };
    let store = TestStore::create(&server).await?;
    let till_01 = store.add_till("01").await?;
    let till_02 = store.add_till("02").await?;
    store.add_till("03").await?;
    let reader = store.add_reader().await?;
    let link = Link::start(store.server_addr()?).await?;
    let mut via_link = till_01.clone();
    via_link
        .set_port(Some(link.port))
        .map_err(|()| anyhow!("a port in the store URL"))?;

    let other_dir = tempfile::tempdir()?;
    let _other = other_till_pays(other_dir.path(), till_02.as_str()).await?;

    let options = AppOptions {
        config_toml: Some(format!(
            "{QUICK_GIVE_UP}[store]\nurl = {:?}\nmerchant = \"{MERCHANT}\"\n",
            via_link.as_str()
        )),
        env: vec![("CASHIER_STORE_READER_URL".into(), reader.to_string())],
        ..AppOptions::default()
    };
    let Some(app) = App::launch("store", options).await? else {
        return Ok(());
    };
    app.log_in().await?;
    let sandbox = app.sandbox().await?;
    let paid = app.start_scan("E2E-S1", "12.30", PAID_CODE).await?;
    app.wait_for_attempt(paid, "paid", WAIT).await?;
    app.make_unknown(&sandbox, "E2E-S2", "66.00").await?;
    app.wait_for_text("status-store", "门店 已同步", STORE_WAIT)
        .await?;
    app.screenshot_named("store-status-synced").await?;

    // The store's day: both tills' payments, each till's link, and the Unknown to act on at 01.
    app.open_desk(DEMO_PIN).await?;
    app.desk_tab("store").await?;
    app.wait_for_text("store-day-total", "共 3 笔", WAIT)
        .await?;
    let total = app.text_of("store-day-total").await?;
    assert!(
        total.contains("32.30"),
        "12.30 at 01 + 20.00 at 02: {total}"
    );
    for till in ["01", "02"] {
        let row = app.text_of(&format!("store-till-{till}")).await?;
        assert!(row.contains("已同步"), "till {till}: {row}");
    }
    let silent = app.by_testid("store-till-03", WAIT).await?;
    assert!(silent.text().await?.contains("从未上传"));
    assert_eq!(
        silent.attr("data-fault").await?.as_deref(),
        Some("true"),
        "a till that never shipped is flagged"
    );
    let open = app.text_of("store-day-open").await?;
    assert!(open.contains("E2E-S2") && open.contains("66.00"), "{open}");
    app.screenshot_named("desk-store-day").await?;

    // Another day: the picker asks the store for it.
    pick_day(&app, "2020-01-01").await?;
    app.wait_for_text("store-day-total", "共 0 笔", WAIT)
        .await?;
    app.by_testid("store-day-none-open", WAIT).await?;

    // The store goes away: the till pays on, and the status bar says since when and what waits.
    link.cut();
    let away = app.start_scan("E2E-S3", "5.00", PAID_CODE).await?;
    app.wait_for_attempt(away, "paid", WAIT).await?;
    let offline = app
        .wait_for_text("status-store", "条待传", STORE_WAIT)
        .await?;
    assert!(offline.starts_with("门店 离线 自 "), "{offline}");
    app.screenshot_named("store-status-offline").await?;

    // Back: it catches up by itself.
    link.restore().await?;
    app.wait_for_text("status-store", "门店 已同步", STORE_WAIT)
        .await?;
    Ok(())
}

/// Till 02, opened the app's way on a configuration with a `[store]`, pays 20.00 and waits until
/// its link says synced. Kept open (the returned value) so its worker keeps shipping.
async fn other_till_pays(
    dir: &std::path::Path,
    store_url: &str,
) -> E2eResult<cashier_open::Opened> {
    let config = dir.join("cashier.toml");
    std::fs::write(
        &config,
        format!(
            "till = \"02\"\ndb_path = {:?}\n[store]\nurl = {store_url:?}\nmerchant = \"{MERCHANT}\"\n",
            dir.join("journal.db").display().to_string(),
        ),
    )?;
    let cfg = ConfigFile::at(Some(config.clone())).load()?;
    let opened = open(cfg, config).await?;
    let note = opened
        .note
        .clone()
        .context("the embedded sandbox's login")?;
    opened.till.login(&note.operator, note.password).await?;
    let started = opened
        .till
        .start_barcode("E2E-S02", "20.00", PAID_CODE)
        .await?;
    let done = opened.till.wait(AttemptId(started.id)).await?;
    anyhow::ensure!(
        done.state == cashier_core::AttemptState::Paid,
        "till 02: {done:?}"
    );
    let till = opened.till.clone();
    poll("till 02 to say synced", STORE_WAIT, || async {
        match till.status().store {
            Some(s) if s.state == StoreLinkState::Synced => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await?;
    Ok(opened)
}

/// Sets the desk's store-day picker as a manager's pick does (the input's change event).
async fn pick_day(app: &App, day: &str) -> E2eResult<()> {
    let script = r#"const [day] = arguments;
        const input = document.querySelector('[data-testid="store-day-day"]');
        input.value = day;
        input.dispatchEvent(new Event("change", { bubbles: true }));"#;
    app.client().execute(script, vec![json!(day)]).await?;
    app.wait_for_text("store-day", day, WAIT).await?;
    Ok(())
}
