//! Managers and PINs on a real till (embedded sandbox on loopback, a real journal file): who
//! approves, wrong PINs and the doubling lock (kept across a restart), the demo manager, the
//! install's secret, the audit trail's chain, and the refund sent under the approver's staff
//! id (docs/desk.md).

use std::sync::Mutex;

use chrono::{DateTime, TimeDelta};
use rusqlite::Connection;

use crate::common::*;
use cashier_core::AttemptId;
use cashier_core::audit::{AuditAction, AuditResult};
use cashier_core::config::Config;
use cashier_core::managers::{Approval, DEMO_MANAGER_PIN, DeskRefusal, ManagerId, pin};
use cashier_core::till::{SandboxNote, Till, TillOptions};

/// A wall clock the test moves by hand: a lock's end is reached without waiting for it.
#[derive(Debug)]
struct HandClock(Mutex<DateTime<Utc>>);

impl Clock for HandClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

impl HandClock {
    fn advance(&self, by: TimeDelta) {
        *self.0.lock().unwrap() += by;
    }
}

struct Desk {
    till: Till,
    sandbox: Sandbox,
    clock: Arc<HandClock>,
    cfg: Config,
    note: SandboxNote,
    key: SecretString,
    dir: tempfile::TempDir,
}

async fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config {
        db_path: Some(dir.path().join("journal.db")),
        ..Default::default()
    };
    let cashier_sandbox::embed::StandIn {
        sandbox,
        note,
        authen_key,
    } = cashier_sandbox::embed::embed(&mut cfg).await.unwrap();
    let clock = Arc::new(HandClock(Mutex::new(Utc::now())));
    let mut d = Desk {
        till: open_on(&cfg, Some(&note), &authen_key, clock.clone()),
        sandbox,
        clock,
        cfg,
        note,
        key: authen_key,
        dir,
    };
    d.till = d.reopen(true);
    d
}

fn open_on(
    cfg: &Config,
    note: Option<&SandboxNote>,
    key: &SecretString,
    clock: Arc<HandClock>,
) -> Till {
    Till::open(
        cfg.clone(),
        clock,
        TillOptions {
            sandbox: note.cloned(),
            config_path: None,
            seed: Some(7),
            connector: Some(Arc::new(Clients::with_authen_key(key.clone()))),
            printer: None,
            shipper: None,
            store_reader: None,
        },
    )
    .unwrap()
}

impl Desk {
    /// The same journal opened again: on the sandbox, or as a till with real backends.
    fn reopen(&self, sandbox: bool) -> Till {
        let note = sandbox.then_some(&self.note);
        open_on(&self.cfg, note, &self.key, self.clock.clone())
    }

    fn journal_path(&self) -> std::path::PathBuf {
        self.dir.path().join("journal.db")
    }

    fn demo(&self) -> ManagerId {
        self.till
            .managers()
            .unwrap()
            .iter()
            .find(|m| m.demo)
            .unwrap()
            .id
    }

    /// A manager added under the demo manager's PIN; returns its id.
    async fn add(&self, name: &str, pin: &str, staff_id: Option<&str>) -> ManagerId {
        let list = self
            .till
            .add_manager(
                name,
                pin,
                staff_id.map(str::to_string),
                &approval(self.demo(), DEMO_MANAGER_PIN),
            )
            .await
            .unwrap();
        list.iter().find(|m| m.name == name).unwrap().id
    }
}

fn approval(manager: ManagerId, pin: &str) -> Approval {
    Approval {
        manager,
        pin: pin.to_string(),
    }
}

fn refusal(e: Error) -> DeskRefusal {
    match e {
        Error::Desk(r) => r,
        other => panic!("not a desk refusal: {other:?}"),
    }
}

async fn try_pin(till: &Till, id: ManagerId, pin: &str) -> Result<String, DeskRefusal> {
    till.approve(&approval(id, pin), AuditAction::OpenDesk, None)
        .await
        .map(|a| a.name)
        .map_err(refusal)
}

/// The audit trail's rows, oldest first: (action, result, approved_by).
fn trail(path: &std::path::Path) -> Vec<(String, String, Option<String>)> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT action, result, approved_by FROM audit ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_right_pin_approves_a_wrong_one_is_denied_with_the_tries_left() {
    let d = desk().await;
    let wang = d.add("王店长", "2468", None).await;
    assert_eq!(try_pin(&d.till, wang, "2468").await.unwrap(), "王店长");
    assert_eq!(
        try_pin(&d.till, wang, "1357").await,
        Err(DeskRefusal::PinWrong { left: 4 })
    );
    assert_eq!(
        try_pin(&d.till, wang, "1358").await,
        Err(DeskRefusal::PinWrong { left: 3 })
    );
    assert_eq!(
        try_pin(&d.till, ManagerId(99), "2468").await,
        Err(DeskRefusal::UnknownManager)
    );
    // Every try is a line: the add (approval + done), then right, wrong, wrong, unknown.
    let rows = trail(&d.journal_path());
    let tail: Vec<_> = rows[rows.len() - 4..]
        .iter()
        .map(|(a, r, _)| (a.as_str(), r.as_str()))
        .collect();
    assert_eq!(
        tail,
        [
            ("open_desk", "done"),
            ("open_desk", "denied"),
            ("open_desk", "denied"),
            ("open_desk", "refused")
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_lock_the_manager_across_a_restart_until_the_lock_ends_and_it_doubles() {
    let mut d = desk().await;
    let wang = d.add("王店长", "2468", None).await;
    for left in (1..5).rev() {
        assert_eq!(
            try_pin(&d.till, wang, "0000").await,
            Err(DeskRefusal::PinWrong { left })
        );
    }
    let locked = try_pin(&d.till, wang, "0000").await.unwrap_err();
    assert!(matches!(locked, DeskRefusal::Locked { .. }), "{locked:?}");
    // The right PIN is refused while locked, and after a restart on the same journal.
    let right = try_pin(&d.till, wang, "2468").await.unwrap_err();
    assert!(matches!(right, DeskRefusal::Locked { .. }), "{right:?}");
    d.till = d.reopen(true);
    let right = try_pin(&d.till, wang, "2468").await.unwrap_err();
    assert!(matches!(right, DeskRefusal::Locked { .. }), "{right:?}");
    let view = d.till.managers().unwrap();
    assert!(
        view.iter()
            .any(|m| m.id == wang && m.locked_until_time.is_some())
    );

    // One minute later, five more wrong lock it for two.
    d.clock.advance(TimeDelta::seconds(61));
    for _ in 0..5 {
        assert!(try_pin(&d.till, wang, "0000").await.is_err());
    }
    d.clock.advance(TimeDelta::seconds(61));
    assert!(
        matches!(
            try_pin(&d.till, wang, "2468").await,
            Err(DeskRefusal::Locked { .. })
        ),
        "the second lock lasts two minutes"
    );
    d.clock.advance(TimeDelta::seconds(60));
    assert_eq!(try_pin(&d.till, wang, "2468").await.unwrap(), "王店长");

    let results: Vec<_> = trail(&d.journal_path())
        .into_iter()
        .map(|(_, r, _)| r)
        .collect();
    assert!(
        results.iter().filter(|r| *r == "locked_out").count() >= 4,
        "{results:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_manager_approves_only_on_the_sandbox() {
    let d = desk().await;
    let demo = d.demo();
    assert!(try_pin(&d.till, demo, DEMO_MANAGER_PIN).await.is_ok());
    let status = d.till.status();
    assert!(status.login_hint.unwrap().contains(DEMO_MANAGER_PIN));
    assert!(!status.needs_first_manager);

    let real = d.reopen(false);
    assert!(
        real.status().needs_first_manager,
        "only the demo manager exists"
    );
    assert_eq!(
        try_pin(&real, demo, DEMO_MANAGER_PIN).await,
        Err(DeskRefusal::DemoOffSandbox)
    );
    let first = real
        .create_first_manager("王店长", "2468", None)
        .await
        .unwrap();
    assert!(!real.status().needs_first_manager);
    assert!(matches!(
        real.create_first_manager("李店长", "1357", None)
            .await
            .map_err(refusal),
        Err(DeskRefusal::FirstManagerExists)
    ));
    let wang = first.iter().find(|m| m.name == "王店长").unwrap().id;
    assert_eq!(try_pin(&real, wang, "2468").await.unwrap(), "王店长");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_managers_sharing_a_pin_each_approve_as_themselves() {
    let d = desk().await;
    let wang = d.add("王店长", "2468", None).await;
    let li = d.add("李店长", "2468", None).await;
    assert_eq!(try_pin(&d.till, wang, "2468").await.unwrap(), "王店长");
    assert_eq!(try_pin(&d.till, li, "2468").await.unwrap(), "李店长");
    // A disabled one approves nothing; the last active one cannot be disabled.
    let demo = approval(d.demo(), DEMO_MANAGER_PIN);
    d.till.disable_manager(li, &demo).await.unwrap();
    assert!(matches!(
        try_pin(&d.till, li, "2468").await,
        Err(DeskRefusal::ManagerDisabled { .. })
    ));
    d.till
        .disable_manager(d.demo(), &approval(wang, "2468"))
        .await
        .unwrap();
    assert!(matches!(
        d.till
            .disable_manager(wang, &approval(wang, "2468"))
            .await
            .map_err(refusal),
        Err(DeskRefusal::LastActiveManager)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pin_is_never_in_the_journal_and_its_secret_is_beside_it_private() {
    let d = desk().await;
    d.add("王店长", "86420975", None).await;
    drop(d.till.clone());
    let path = d.journal_path();
    // The WAL is part of the journal too.
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(path.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    let hay = String::from_utf8_lossy(&bytes);
    assert!(hay.contains("王店长"), "the account is in the journal");
    assert!(!hay.contains("86420975"), "the PIN is not");
    assert!(!hay.contains(DEMO_MANAGER_PIN));

    let secret = pin::secret_path(&path);
    assert_eq!(secret, d.dir.path().join("journal.db.pin-secret"));
    let meta = std::fs::metadata(&secret).unwrap();
    assert_eq!(meta.len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    let secret_bytes = std::fs::read(&secret).unwrap();
    assert!(
        !bytes.windows(32).any(|w| w == secret_bytes.as_slice()),
        "the secret is not inside the journal"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_secret_no_pin_is_checked() {
    let d = desk().await;
    let wang = d.add("王店长", "2468", None).await;
    std::fs::remove_file(pin::secret_path(&d.journal_path())).unwrap();
    assert!(matches!(
        try_pin(&d.till, wang, "2468").await,
        Err(DeskRefusal::SecretMissing { .. })
    ));
    // Nor is a new secret made behind the managers' backs.
    assert!(
        d.till
            .add_manager("李店长", "1357", None, &approval(wang, "2468"))
            .await
            .is_err()
    );
    assert!(!pin::secret_path(&d.journal_path()).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_is_a_chain_and_an_edited_row_breaks_it_there() {
    let d = desk().await;
    let wang = d.add("王店长", "2468", None).await;
    let _ = try_pin(&d.till, wang, "0000").await;
    d.till.open_desk(&approval(wang, "2468")).await.unwrap();
    let page = d.till.audit_trail(None, 0, 3).await.unwrap();
    assert_eq!(page.rows.len(), 3);
    // The add (its approval, then the add), the wrong PIN, the desk opened.
    assert_eq!(page.total, 4);
    assert!(page.rows[0].seq > page.rows[1].seq, "newest first");
    assert_eq!(page.rows[0].action, Some(AuditAction::OpenDesk));
    assert_eq!(page.rows[0].result, Some(AuditResult::Done));
    assert_eq!(page.rows[0].approved_by.as_deref(), Some("王店长"));
    assert_eq!(
        d.till.journal().verify_audit_trail().unwrap(),
        Ok(page.total)
    );

    // The desk closes when left alone.
    d.clock.advance(TimeDelta::minutes(6));
    assert!(matches!(
        d.till.audit_trail(None, 0, 3).await.map_err(refusal),
        Err(DeskRefusal::DeskNotOpen)
    ));

    // An outside editor drops the trigger and turns a denial into an approval.
    let conn = Connection::open(d.journal_path()).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_no_update;
         UPDATE audit SET result = 'done' WHERE seq = 3;",
    )
    .unwrap();
    let rows = trail(&d.journal_path());
    assert_eq!(rows[2].1, "done");
    let broken = d.till.journal().verify_audit_trail().unwrap().unwrap_err();
    assert_eq!(broken.0, 3, "{broken:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_is_sent_under_the_approvers_staff_id() {
    let d = desk().await;
    let wang = d.add("王店长", "2468", Some("S-0042")).await;
    d.till
        .login(&d.note.operator, d.note.password.clone())
        .await
        .unwrap();
    let paid = d
        .till
        .pay_barcode(barcode(
            "B-REFUND",
            "12.30",
            Channel::CloudBarcode,
            "134520273825387649",
        ))
        .await
        .unwrap();
    let paid = d.till.wait(AttemptId(paid.id)).await.unwrap();
    assert_eq!(paid.state, AttemptState::Paid);
    // A wrong PIN refunds nothing.
    let wrong = d
        .till
        .refund(
            AttemptId(paid.id),
            "5",
            "one item returned",
            &approval(wang, "0000"),
        )
        .await;
    assert!(wrong.is_err());
    assert!(d.sandbox.ledger().refunds.is_empty());
    let part = d
        .till
        .refund(
            AttemptId(paid.id),
            "5",
            "one item returned",
            &approval(wang, "2468"),
        )
        .await
        .unwrap();
    assert_eq!(part.state, AttemptState::PartRefunded);
    // The demo manager has no staff id of its own: the till's configured one.
    let rest = d
        .till
        .refund(
            AttemptId(paid.id),
            "",
            "the rest",
            &approval(d.demo(), DEMO_MANAGER_PIN),
        )
        .await
        .unwrap();
    assert_eq!(rest.state, AttemptState::Refunded);
    let staff = d.cfg.cloudpay.as_ref().unwrap().staff_id.clone();
    let by: Vec<_> = d
        .sandbox
        .ledger()
        .refunds
        .iter()
        .map(|r| (r.refund_fen, r.authorized_by.clone()))
        .collect();
    assert_eq!(
        by,
        [(5_00, Some("S-0042".to_string())), (7_30, Some(staff))]
    );
    let refunds: Vec<_> = trail(&d.journal_path())
        .into_iter()
        .filter(|(a, _, _)| a == "refund")
        .map(|(_, r, who)| (r, who.unwrap_or_default()))
        .collect();
    assert_eq!(
        refunds,
        [
            ("denied".to_string(), "王店长".to_string()),
            ("done".into(), "王店长".into()),
            ("done".into(), "王店长".into()),
            ("done".into(), "演示主管".into()),
            ("done".into(), "演示主管".into()),
        ]
    );
}
