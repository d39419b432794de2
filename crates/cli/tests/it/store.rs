//! `cashier store …` as a store's owner and a till run them, against a real PostgreSQL
//! (`eval "$(scripts/postgres start)"` sets `CASHIER_TEST_PG`; without it this says so and
//! passes, unless `CASHIER_TEST_PG_REQUIRED=1`): migrate, add-till (its password on stdin),
//! a payment, sync, report, verify; then a derived row broken by the owner, found by verify
//! (exit 5), put right by rebuild, verify clean again. Exit codes and JSON as scripts read them.

use crate::common::{CMD_TIMEOUT, PAID_CODE, QrPoll, Till, runtime};

#[test]
fn the_store_commands_from_migrate_to_rebuild() {
    let Some(server) = cashier_store::test_server() else {
        return;
    };
    let rt = runtime();
    let name = format!("cli{}", std::process::id());
    let admin = rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let mut admin = url::Url::parse(&server).unwrap();
        admin.set_path(&format!("/{name}"));
        admin
    });
    let till = Till::start(&rt, QrPoll::LONG);
    let owner = [("CASHIER_STORE_ADMIN_URL", admin.as_str())];

    let migrated = till
        .spawn(&["--json", "store", "migrate"], &owner)
        .finish(CMD_TIMEOUT);
    migrated.assert_code(0);
    assert_eq!(migrated.json()["from"], 0, "{migrated:?}");
    // The till's role, its password read from stdin (the till's password, as `spawn` gives).
    let role = format!("{name}_till_01");
    till.spawn(
        &[
            "store",
            "add-till",
            "--merchant",
            "M1",
            "--till",
            "01",
            "--role",
            &role,
            "--password-stdin",
        ],
        &owner,
    )
    .finish(CMD_TIMEOUT)
    .assert_code(0);

    let mut as_till = admin.clone();
    as_till.set_username(&role).unwrap();
    as_till.set_password(Some(&till.password)).unwrap();
    let mut config = std::fs::read_to_string(&till.config).unwrap();
    config.push_str(&format!(
        "\n[store]\nurl = {:?}\nmerchant = \"M1\"\n",
        as_till.as_str()
    ));
    std::fs::write(&till.config, config).unwrap();

    till.pay_code("cloud-barcode", "B-STORE-1", "12.34", PAID_CODE)
        .assert_code(0);
    let synced = till.run(&["--json", "store", "sync"]);
    synced.assert_code(0);
    let day = till.attempts()[0].business_day.to_string();
    let reader = [("CASHIER_STORE_READER_URL", admin.as_str())];
    let report = till
        .spawn(&["--json", "store", "report", "--day", &day], &reader)
        .finish(CMD_TIMEOUT);
    report.assert_code(0);
    let r = report.json();
    assert_eq!(r["tills"][0]["till"], "01", "{r:#}");
    assert_eq!(r["tills"][0]["link"], "caught_up", "{r:#}");
    assert_eq!(r["totals"]["collected"], 1234, "{r:#}");
    till.spawn(&["store", "verify"], &reader)
        .finish(CMD_TIMEOUT)
        .assert_code(0);

    // The owner breaks a derived row: verify says so (5); rebuild puts it right.
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(admin.as_str(), tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .batch_execute("UPDATE cashier.attempts SET state = 'failed'")
            .await
            .unwrap();
    });
    till.spawn(&["store", "verify"], &reader)
        .finish(CMD_TIMEOUT)
        .assert_code(5);
    let rebuilt = till
        .spawn(&["--json", "store", "rebuild"], &owner)
        .finish(CMD_TIMEOUT);
    rebuilt.assert_code(0);
    assert_eq!(rebuilt.json()["attempts"], 1, "{rebuilt:?}");
    till.spawn(&["store", "verify"], &reader)
        .finish(CMD_TIMEOUT)
        .assert_code(0);
}
