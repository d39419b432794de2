//! The manager's desk from the command line: the first manager from stdin, the X, the Z once a
//! day and its copies, the audit trail, `verify` on a clean and on a tampered journal, and PINs
//! refused without ever being echoed. The real binary on a real journal, the backends on the
//! test's sandbox (so there is no demo manager: "boss" is created as a shop would).

use serde_json::Value;

use crate::common::{self, BOSS_PIN, CMD_TIMEOUT, Finished, PAID_CODE, QrPoll, Running, Till};

/// `cashier ARGS` with exactly `stdin` on stdin (no back-office password: the desk's commands
/// never log in).
fn desk(till: &Till, args: &[&str], stdin: &str) -> Finished {
    Running::start(till.command(args), Some(stdin.to_string())).finish(CMD_TIMEOUT)
}

/// "boss" (PIN 2468) created by `cashier manager first`, the PIN piped once.
fn first_boss(till: &Till) {
    let made = desk(till, &["manager", "first", "--name", "boss"], "2468\n");
    made.assert_code(0);
    assert!(made.stdout.contains("boss"), "{made}");
}

fn boss(till: &Till, args: &[&str]) -> Finished {
    let mut all = args.to_vec();
    all.extend(["--manager", "boss"]);
    desk(till, &all, &format!("{BOSS_PIN}\n"))
}

/// A paid payment, yesterday closed by Z 1 (nothing in it) and today by Z 2; returns Z 2.
fn two_days_closed(till: &Till) -> Value {
    first_boss(till);
    till.pay_code("cloud-barcode", &common::bill("DESK", 0), "1.00", PAID_CODE)
        .assert_code(0);
    let x = boss(till, &["--json", "x"]);
    x.assert_code(0);
    let today =
        chrono::NaiveDate::parse_from_str(x.json()["day"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let yesterday = today.pred_opt().unwrap().to_string();
    let z1 = boss(till, &["--json", "z", "--day", &yesterday]);
    z1.assert_code(0);
    assert_eq!(z1.json()["number"], 1, "{z1}");
    assert_eq!(z1.json()["count"], 0, "{z1}");
    let z2 = boss(till, &["--json", "z"]);
    z2.assert_code(0);
    z2.json()
}

#[test]
fn a_day_is_closed_once_copied_listed_and_audited() {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    first_boss(&till);
    let again = desk(&till, &["manager", "first", "--name", "eve"], "1357\n");
    again.assert_code(4);
    assert!(again.stderr.contains("the first manager exists"), "{again}");
    till.pay_code("cloud-barcode", &common::bill("DESK", 1), "1.00", PAID_CODE)
        .assert_code(0);

    let x = boss(&till, &["--json", "x"]);
    x.assert_code(0);
    let xj = x.json();
    assert_eq!(
        (xj["kind"].as_str(), xj["count"].as_u64()),
        (Some("X"), Some(1)),
        "{x}"
    );
    let text = boss(&till, &["x"]);
    text.assert_code(0);
    assert!(
        text.stdout.contains("X report") && text.stdout.contains("¥1.00"),
        "{text}"
    );

    let z = boss(&till, &["--json", "z"]);
    z.assert_code(0);
    let zj = z.json();
    assert_eq!(
        (zj["kind"].as_str(), zj["number"].as_u64()),
        (Some("Z"), Some(1)),
        "{z}"
    );
    assert_eq!(zj["net_text"], "¥1.00", "{z}");

    let second = boss(&till, &["z"]);
    second.assert_code(4);
    assert!(second.stderr.contains("is closed by Z 1"), "{second}");
    assert!(second.stdout.is_empty(), "nothing printed as a Z: {second}");

    let copy = boss(&till, &["z", "--copy", "1"]);
    copy.assert_code(0);
    assert!(copy.stdout.contains("副本 / DUPLICATE"), "{copy}");
    assert!(
        copy.stdout.contains(zj["hash"].as_str().unwrap()),
        "the same Z: {copy}"
    );
    let copy = boss(&till, &["--json", "z", "--copy", "1"]).json();
    assert_eq!(
        (copy["copy"].as_bool(), &copy["hash"]),
        (Some(true), &zj["hash"])
    );
    let missing = boss(&till, &["z", "--copy", "9"]);
    missing.assert_code(4);

    let list = boss(&till, &["--json", "z", "--list"]);
    list.assert_code(0);
    let numbers: Vec<u64> = list
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [1], "{list}");

    let audit = boss(&till, &["--json", "audit"]);
    audit.assert_code(0);
    let aj = audit.json();
    let rows = aj["rows"].as_array().unwrap();
    assert_eq!(
        aj["total"].as_u64(),
        Some(rows.len() as u64),
        "every page: {audit}"
    );
    let has = |action: &str, result: &str, pred: &dyn Fn(&Value) -> bool| {
        rows.iter()
            .any(|r| r["action"] == action && r["result"] == result && pred(r))
    };
    assert!(
        has("first_manager", "done", &|r| r["subject"] == "boss"),
        "{audit}"
    );
    assert!(
        has("z_report", "done", &|r| r["subject"]
            .as_str()
            .unwrap_or("")
            .starts_with("Z 1 ")),
        "{audit}"
    );
    assert!(
        has("z_report", "refused", &|r| r["note"]
            .as_str()
            .unwrap_or("")
            .contains("closed by Z 1")),
        "{audit}"
    );
    assert!(
        has("z_report", "done", &|r| r["approved_by"] == "boss"
            && r["note"] == "PIN accepted"),
        "the approval: {audit}"
    );
    assert!(has("z_copy", "done", &|r| r["subject"] == "Z 1"), "{audit}");

    // The text reads oldest first: the first manager before the Z.
    let text = boss(&till, &["audit"]);
    text.assert_code(0);
    let at = |words: &str| {
        text.stdout
            .find(words)
            .unwrap_or_else(|| panic!("{words}: {text}"))
    };
    assert!(at("first manager") < at("Z 1 "), "{text}");

    let verified = desk(&till, &["verify"], "");
    verified.assert_code(0);
    assert!(verified.stdout.contains("journal intact"), "{verified}");
    let vj = desk(&till, &["--json", "verify"], "").json();
    assert_eq!(
        (vj["first_break"].is_null(), vj["z_reports"].as_u64()),
        (true, Some(1))
    );
}

fn seal_of(till: &Till, kind: &str, id: i64) -> i64 {
    rusqlite::Connection::open(&till.db)
        .unwrap()
        .query_row(
            "SELECT seq FROM seals WHERE kind = ?1 AND ref_id = ?2",
            rusqlite::params![kind, id],
            |r| r.get(0),
        )
        .unwrap()
}

/// `verify` on the tampered journal: exit 5, the break on stderr and in the JSON.
fn broken(till: &Till, chain: &str, seq: i64) -> Finished {
    let text = desk(till, &["verify"], "");
    text.assert_code(5);
    assert!(text.stdout.is_empty(), "{text}");
    assert!(
        text.stderr.contains("does not verify")
            && text.stderr.contains(&format!("sequence {seq}:")),
        "{text}"
    );
    let json = desk(till, &["--json", "verify"], "");
    json.assert_code(5);
    let b = &json.json()["first_break"];
    assert_eq!(
        (b["chain"].as_str(), b["seq"].as_i64()),
        (Some(chain), Some(seq)),
        "{json}"
    );
    text
}

#[test]
fn verify_finds_an_edited_transition_at_its_seal() {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    two_days_closed(&till);
    desk(&till, &["verify"], "").assert_code(0);
    let db = rusqlite::Connection::open(&till.db).unwrap();
    let id: i64 = db
        .query_row("SELECT max(id) FROM transitions", [], |r| r.get(0))
        .unwrap();
    db.execute_batch(&format!(
        "DROP TRIGGER transitions_no_update;
         UPDATE transitions SET raw_status = 'SUCCESS-EDITED' WHERE id = {id};"
    ))
    .unwrap();
    drop(db);
    broken(&till, "rows", seal_of(&till, "transition", id));
}

#[test]
fn verify_finds_a_deleted_z() {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    let z2 = two_days_closed(&till);
    assert_eq!(z2["number"], 2);
    desk(&till, &["verify"], "").assert_code(0);
    rusqlite::Connection::open(&till.db)
        .unwrap()
        .execute_batch("DROP TRIGGER z_reports_no_delete; DELETE FROM z_reports WHERE number = 2;")
        .unwrap();
    // The last Z: no later Z chains on it, but its seal in the journal's sequence stays.
    let text = broken(&till, "rows", seal_of(&till, "z", 2));
    assert!(text.stderr.contains("z 2 is sealed but gone"), "{text}");
}

#[test]
fn a_wrong_pin_is_refused_with_tries_left_and_never_echoed() {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    first_boss(&till);
    let wrong = "97531";
    let tried = desk(&till, &["x", "--manager", "boss"], &format!("{wrong}\n"));
    tried.assert_code(2);
    assert!(tried.stderr.contains("wrong PIN; 4 more tries"), "{tried}");
    assert!(tried.stdout.is_empty(), "no report: {tried}");
    let json = desk(
        &till,
        &["--json", "z", "--manager", "boss"],
        &format!("{wrong}\n"),
    );
    json.assert_code(2);
    assert_eq!(json.json()["error"]["code"], "pin_wrong", "{json}");
    assert!(json.stdout.contains("3 more tries"), "{json}");
    for f in [&tried, &json] {
        assert!(
            !f.stdout.contains(wrong) && !f.stderr.contains(wrong),
            "PIN echoed: {f}"
        );
    }
    for _ in 0..3 {
        desk(&till, &["x", "--manager", "boss"], &format!("{wrong}\n"));
    }
    // Locked now: the right PIN is refused too, until the lock ends.
    let locked = boss(&till, &["x"]);
    locked.assert_code(4);
    assert!(locked.stderr.contains("boss is locked"), "{locked}");
}

#[test]
fn managers_are_added_listed_and_disabled_under_a_pin() {
    let rt = common::runtime();
    let till = Till::start(&rt, QrPoll::LONG);
    let none = desk(&till, &["manager", "list"], "");
    none.assert_code(0);
    assert!(none.stdout.contains("no manager yet"), "{none}");
    first_boss(&till);
    // stdin: the new manager's PIN, then the approver's.
    let added = desk(
        &till,
        &[
            "manager",
            "add",
            "--name",
            "ann",
            "--staff-id",
            "S7",
            "--manager",
            "boss",
        ],
        &format!("1357\n{BOSS_PIN}\n"),
    );
    added.assert_code(0);
    assert!(
        added.stdout.contains("ann") && added.stdout.contains("S7"),
        "{added}"
    );
    let ann_x = desk(&till, &["x", "--manager", "ann"], "1357\n");
    ann_x.assert_code(0);

    let off = boss(&till, &["manager", "disable", "--name", "ann"]);
    off.assert_code(0);
    let list = desk(&till, &["--json", "manager", "list"], "");
    list.assert_code(0);
    let lj = list.json();
    let active = |name: &str| {
        lj.as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap()["active"]
            .as_bool()
    };
    assert_eq!(
        (active("boss"), active("ann")),
        (Some(true), Some(false)),
        "{list}"
    );
    let refused = desk(&till, &["x", "--manager", "ann"], "1357\n");
    refused.assert_code(4);
    assert!(refused.stderr.contains("ann is disabled"), "{refused}");
    let last = boss(&till, &["manager", "disable", "--name", "boss"]);
    last.assert_code(4);
    assert!(last.stderr.contains("last active manager"), "{last}");
}
