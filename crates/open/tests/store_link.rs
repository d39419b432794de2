//! A till opened as the app opens it, with a `[store]`, ships its journal by itself, against a
//! real PostgreSQL (`eval "$(scripts/postgres start)"` sets `CASHIER_TEST_PG`; without it these
//! tests say so and pass, unless `CASHIER_TEST_PG_REQUIRED=1`):
//!
//! - paying is enough for the store to hold the till's seals: nobody calls a sync;
//! - with the store out of reach (the till's link to it cut: a proxy in between, closed),
//!   payments go through as ever, and the status bar says offline since when, with the count of
//!   rows waiting, announced by a status event; the store back, the till catches up by itself
//!   and says synced;
//! - a store whose schema is newer than the till refuses it: the status says so, payments go on.
//!
//! No timing is asserted: each state is waited for with a generous deadline. `-- --nocapture`
//! prints the status bar's views as the tests saw them.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use cashier_core::shipping::StoreRefusal;
use cashier_core::store::StoreUrl;
use cashier_core::till::{StoreLinkState, StoreView, Till, TillEvent};
use cashier_core::{AttemptId, AttemptState, Lang};
use cashier_open::{ConfigFile, Opened, open};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

const PAID_AT_ONCE: &str = "134520273825387649";
const MERCHANT: &str = "M1";
const TILL_PW: &str = "pw-of-till-01";
/// Long enough for the store worker's backoff (up to a minute) and a loaded machine.
const DEADLINE: Duration = Duration::from_secs(180);

fn server() -> Option<String> {
    cashier_store::test_server()
}

/// A database of its own on the server, migrated, with till 01 registered under a role of its
/// own; the superuser's URL on it and the role.
async fn store_db(server: &str) -> (url::Url, String) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!("ts{}_{nanos}", std::process::id());
    sql(server, &format!("CREATE DATABASE {name}")).await;
    let mut admin = url::Url::parse(server).unwrap();
    admin.set_path(&format!("/{name}"));
    let admin_url = StoreUrl::new(admin.to_string());
    cashier_store::migrate(&admin_url, None).await.unwrap();
    let role = format!("{name}_till_01");
    cashier_store::add_till(&admin_url, MERCHANT, "01", &role, Some(TILL_PW), None)
        .await
        .unwrap();
    (admin, role)
}

async fn client(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
}

async fn sql(url: &str, text: &str) {
    client(url).await.batch_execute(text).await.unwrap();
}

/// The (seq, hash) of every seal the store holds for till 01, in order.
async fn store_seals(admin: &url::Url) -> Vec<(i64, String)> {
    client(admin.as_str())
        .await
        .query(
            "SELECT seq, hash FROM cashier.seals WHERE merchant = $1 AND till = '01' ORDER BY seq",
            &[&MERCHANT],
        )
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

fn journal_seals(till: &Till) -> Vec<(i64, String)> {
    till.journal()
        .seals_after(0, u32::MAX)
        .unwrap()
        .into_iter()
        .map(|s| (s.seq, s.hash))
        .collect()
}

/// A TCP proxy between the till and the server: cut, the till's connections die and new ones
/// are refused, as when the store's machine goes away; restored on the same port.
struct Link {
    port: u16,
    target: SocketAddr,
    serving: Mutex<Option<JoinHandle<()>>>,
}

impl Link {
    async fn start(target: SocketAddr) -> Link {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let link = Link {
            port,
            target,
            serving: Mutex::new(None),
        };
        link.serve(listener);
        link
    }

    fn serve(&self, listener: TcpListener) {
        let target = self.target;
        let task = tokio::spawn(async move {
            // Dropped with this task when the link is cut: every connection ends with it.
            let mut conns = JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                conns.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        *self.serving.lock().unwrap() = Some(task);
    }

    fn cut(&self) {
        if let Some(task) = self.serving.lock().unwrap().take() {
            task.abort();
        }
    }

    async fn restore(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.serve(listener);
    }
}

fn target_of(server: &str) -> SocketAddr {
    let u = url::Url::parse(server).unwrap();
    format!("{}:{}", u.host_str().unwrap(), u.port().unwrap_or(5432))
        .parse()
        .unwrap()
}

/// The app's own way to open a till, on a configuration file with a `[store]`.
async fn open_till(dir: &Path, store_url: &str) -> Opened {
    let config = dir.join("cashier.toml");
    std::fs::write(
        &config,
        format!(
            "db_path = {:?}\n[store]\nurl = {store_url:?}\nmerchant = \"{MERCHANT}\"\nbatch = 4\n",
            dir.join("journal.db").display().to_string(),
        ),
    )
    .unwrap();
    let cfg = ConfigFile::at(Some(config.clone())).load().unwrap();
    let opened = open(cfg, config).await.unwrap();
    let note = opened.note.clone().unwrap();
    opened
        .till
        .login(&note.operator, note.password)
        .await
        .unwrap();
    opened
}

async fn pay(till: &Till, bill: &str) {
    let started = till
        .start_barcode(bill, "12.34", PAID_AT_ONCE)
        .await
        .unwrap();
    let done = till.wait(AttemptId(started.id)).await.unwrap();
    assert_eq!(done.state, AttemptState::Paid, "{done:?}");
}

/// Waits until `check` holds, or fails saying what was last seen.
async fn until<T: std::fmt::Debug>(
    what: &str,
    mut look: impl AsyncFnMut() -> T,
    check: impl Fn(&T) -> bool,
) -> T {
    let start = std::time::Instant::now();
    loop {
        let seen = look().await;
        if check(&seen) {
            return seen;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "{what}: not in {DEADLINE:?}; last seen {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until the store holds exactly the till's journal and the till's link says synced;
/// gives that view.
async fn caught_up(till: &Till, admin: &url::Url) -> StoreView {
    let journal = journal_seals(till);
    until(
        "the store holds the journal",
        async || store_seals(admin).await,
        |s| *s == journal,
    )
    .await;
    until(
        "the link says synced",
        async || store_view(till),
        |v| v.state == StoreLinkState::Synced,
    )
    .await
}

fn store_view(till: &Till) -> StoreView {
    till.status()
        .store
        .expect("a till with [store] shows its link")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_ships_by_itself_and_pays_on_while_the_store_is_away() {
    let Some(server) = server() else {
        return;
    };
    let (admin, role) = store_db(&server).await;
    let link = Link::start(target_of(&server)).await;
    let mut url = admin.clone();
    url.set_username(&role).unwrap();
    url.set_password(Some(TILL_PW)).unwrap();
    url.set_port(Some(link.port)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let opened = open_till(dir.path(), url.as_str()).await;
    let till = opened.till.clone();
    assert_eq!(till.lang(), Lang::ZhCn);

    // Paying is all it takes: the store receives the seals without any sync being called.
    for i in 0..3 {
        pay(&till, &format!("B-STORE-{i}")).await;
    }
    assert!(
        journal_seals(&till).len() >= 9,
        "three payments seal at least 9 rows"
    );
    let synced = caught_up(&till, &admin).await;
    assert_eq!(synced.label, "门店 已同步");
    assert!(!synced.fault);

    // The store goes away: payments go on; the status bar says offline, with what waits.
    let mut events = till.subscribe();
    link.cut();
    for i in 3..5 {
        pay(&till, &format!("B-STORE-{i}")).await;
    }
    let at_store = i64::try_from(store_seals(&admin).await.len()).unwrap();
    let last = till.journal().last_seal_seq().unwrap();
    assert!(
        last > at_store,
        "the payments made while away are not at the store"
    );
    let waiting = u64::try_from(last - at_store).unwrap();
    let offline = until(
        "the link says offline with the rows waiting",
        async || store_view(&till),
        |v| v.state == StoreLinkState::Offline && v.waiting == Some(waiting),
    )
    .await;
    println!("{offline:#?}");
    assert!(offline.fault);
    assert!(
        offline.label.starts_with("门店 离线 自 ")
            && offline.label.ends_with(&format!(" · {waiting} 条待传")),
        "{offline:?}"
    );
    let message = offline.message.clone().unwrap();
    assert!(!message.contains(TILL_PW), "the password shows: {message}");
    // The screens heard it from a status event, not only from asking.
    until(
        "a status event says offline",
        async || {
            let mut seen = None;
            while let Some(e) = events.try_recv() {
                if let TillEvent::Status { status } = e
                    && status.store.as_ref().map(|s| s.state) == Some(StoreLinkState::Offline)
                {
                    seen = status.store;
                }
            }
            seen
        },
        Option::is_some,
    )
    .await;

    // The store is back: the till catches up by itself, and says so.
    link.restore().await;
    let back = caught_up(&till, &admin).await;
    assert_eq!(back.label, "门店 已同步");
    assert_eq!(back.since, None);
    drop(opened);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_newer_than_the_till_refuses_it_and_payments_go_on() {
    let Some(server) = server() else {
        return;
    };
    let (admin, role) = store_db(&server).await;
    sql(
        admin.as_str(),
        "INSERT INTO cashier.schema_version (version) VALUES (99)",
    )
    .await;
    let mut url = admin.clone();
    url.set_username(&role).unwrap();
    url.set_password(Some(TILL_PW)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let opened = open_till(dir.path(), url.as_str()).await;
    let till = opened.till.clone();
    pay(&till, "B-NEWER-1").await;
    let refused = until(
        "the link says refused",
        async || store_view(&till),
        |v| v.state == StoreLinkState::Refused,
    )
    .await;
    println!("{refused:#?}");
    assert_eq!(refused.refusal, Some(StoreRefusal::SchemaNewer));
    assert!(refused.fault);
    assert!(
        refused.label.starts_with("门店 拒绝：需升级本机"),
        "{refused:?}"
    );
    assert!(refused.message.as_deref().unwrap().contains("升级"));
    // Payments are not held up, and nothing reached the store.
    pay(&till, "B-NEWER-2").await;
    assert!(store_seals(&admin).await.is_empty());
    drop(opened);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_and_another_tills_role_are_refused_clearly_and_payments_go_on() {
    let Some(server) = server() else {
        return;
    };
    let (admin, role) = store_db(&server).await;
    // Till 02's role, registered for till 02 only: this till (01) shipping as it is refused by
    // the database's row-level security.
    let other = format!("{role}_02");
    let admin_url = StoreUrl::new(admin.to_string());
    cashier_store::add_till(
        &admin_url,
        MERCHANT,
        "02",
        &other,
        Some("pw-of-till-02"),
        None,
    )
    .await
    .unwrap();
    for (user, password, why, words) in [
        (
            &role,
            "not-the-password",
            StoreRefusal::Login,
            "门店 拒绝：登录被拒",
        ),
        (
            &other,
            "pw-of-till-02",
            StoreRefusal::Role,
            "门店 拒绝：角色被拒",
        ),
    ] {
        let mut url = admin.clone();
        url.set_username(user).unwrap();
        url.set_password(Some(password)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let opened = open_till(dir.path(), url.as_str()).await;
        let till = opened.till.clone();
        pay(&till, "B-REFUSED-1").await;
        let refused = until(
            "the link says refused",
            async || store_view(&till),
            |v| v.state == StoreLinkState::Refused,
        )
        .await;
        println!("{refused:#?}");
        assert_eq!(refused.refusal, Some(why), "{refused:?}");
        assert!(refused.label.starts_with(words), "{refused:?}");
        let message = refused.message.clone().unwrap();
        assert!(!message.contains(password), "the password shows: {message}");
        pay(&till, "B-REFUSED-2").await;
        drop(opened);
    }
    assert!(store_seals(&admin).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_reads_the_stores_day() {
    let Some(server) = server() else {
        return;
    };
    let (admin, role) = store_db(&server).await;
    let mut url = admin.clone();
    url.set_username(&role).unwrap();
    url.set_password(Some(TILL_PW)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let opened = open_till(dir.path(), url.as_str()).await;
    let till = opened.till.clone();
    pay(&till, "B-DAY-1").await;
    pay(&till, "B-DAY-2").await;
    let journal = journal_seals(&till);
    until(
        "the store holds the journal",
        async || store_seals(&admin).await,
        |s| *s == journal,
    )
    .await;
    // Closed until a manager opens it.
    assert!(till.store_day(None).await.is_err());
    let managers = till.managers().unwrap();
    till.open_desk(&cashier_core::managers::Approval {
        manager: managers[0].id,
        pin: cashier_core::managers::DEMO_MANAGER_PIN.to_string(),
    })
    .await
    .unwrap();
    // Without CASHIER_STORE_READER_URL the desk reads as the till's own role: row-level
    // security shows it this till only.
    let day = till.store_day(None).await.unwrap();
    println!("{day:#?}");
    assert_eq!(day.count, 2);
    assert_eq!(day.collected_text, "¥24.68");
    assert_eq!(day.tills.len(), 1);
    let t = &day.tills[0];
    assert_eq!((t.till.as_str(), t.count), ("01", 2));
    assert!(t.link_label.starts_with("已同步"), "{t:?}");
    assert!(!t.fault);
    assert!(day.open.is_empty());
    drop(opened);
}
