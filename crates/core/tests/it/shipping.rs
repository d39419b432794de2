//! The till's store worker against a store played by the test (core's `Shipper` port): it ships
//! by itself, a store that hangs or is away holds up no payment, the status bar says where the
//! link stands in the till's language (offline since when, with the rows waiting; refused, and
//! why), and a till without `[store]` ships nothing and shows no link. The same against a real
//! PostgreSQL: `crates/open/tests/store_link.rs`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};

use cashier_core::config::Config;
use cashier_core::journal::Journal;
use cashier_core::shipping::{ShipFault, Shipment, Shipper, Shipping, StoreRefusal};
use cashier_core::store::{StoreConfig, StoreUrl};
use cashier_core::till::{StoreLinkState, StoreView, Till, TillEvent};
use cashier_core::{AttemptId, AttemptState, Lang};

use crate::common::*;

const PAID: &str = "134520273825387649";
/// Generous: the worker backs off up to a minute between tries while the store is away.
const DEADLINE: Duration = Duration::from_secs(180);

#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    /// Takes everything: the store's mark moves to the journal's end.
    Ship,
    Offline,
    Refuse(StoreRefusal),
    /// Never answers.
    Hang,
}

/// A store as the test plays it.
#[derive(Debug)]
struct PlayedStore {
    answer: Mutex<Answer>,
    calls: AtomicU32,
    head: AtomicI64,
}

impl PlayedStore {
    fn new(answer: Answer) -> Arc<PlayedStore> {
        Arc::new(PlayedStore {
            answer: Mutex::new(answer),
            calls: AtomicU32::new(0),
            head: AtomicI64::new(0),
        })
    }

    fn answer(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }
}

impl Shipper for PlayedStore {
    fn ship<'a>(&'a self, journal: &'a Arc<Journal>) -> Shipping<'a> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let answer = *self.answer.lock().unwrap();
            match answer {
                Answer::Ship => {
                    let last = journal.last_seal_seq().unwrap();
                    self.head.store(last, Ordering::SeqCst);
                    Ok(Shipment {
                        head: last,
                        journal_seq: last,
                    })
                }
                Answer::Offline => Err(ShipFault::Offline(
                    "store postgres://till_01:***@127.0.0.1:1/store unreachable: connection refused"
                        .into(),
                )),
                Answer::Refuse(why) => Err(ShipFault::Refused {
                    why,
                    detail: "new row violates row-level security policy".into(),
                }),
                Answer::Hang => std::future::pending().await,
            }
        })
    }
}

fn with_store(cfg: &mut Config) {
    cfg.lang = Lang::En;
    cfg.store = Some(StoreConfig {
        url: StoreUrl::new("postgres://till_01:s3cret@127.0.0.1:1/store"),
        merchant: "M1".into(),
        ..StoreConfig::default()
    });
}

async fn open_shipping(
    dir: &std::path::Path,
    store: &Arc<PlayedStore>,
    edit: impl FnOnce(&mut Config),
) -> (Till, Sandbox) {
    let shipper: Arc<dyn Shipper> = store.clone();
    let (till, sandbox, note) =
        sandbox_till_with(dir, dir.join("cashier.toml"), edit, None, Some(shipper)).await;
    till.login(&note.operator, note.password).await.unwrap();
    (till, sandbox)
}

async fn pay(till: &Till, bill: &str) {
    let started = till.start_barcode(bill, "1.00", PAID).await.unwrap();
    let done = till.wait(AttemptId(started.id)).await.unwrap();
    assert_eq!(done.state, AttemptState::Paid);
}

fn link(till: &Till) -> StoreView {
    till.status()
        .store
        .expect("a till with [store] shows its link")
}

async fn until(what: &str, till: &Till, check: impl Fn(&StoreView) -> bool) -> StoreView {
    let start = std::time::Instant::now();
    loop {
        let seen = link(till);
        if check(&seen) {
            return seen;
        }
        assert!(start.elapsed() < DEADLINE, "{what}: last seen {seen:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_never_answers_holds_up_no_payment() {
    let dir = tempfile::tempdir().unwrap();
    let store = PlayedStore::new(Answer::Hang);
    let (till, _sandbox) = open_shipping(dir.path(), &store, with_store).await;
    for i in 0..3 {
        pay(&till, &format!("B-HANG-{i}")).await;
    }
    let view = link(&till);
    assert_eq!(view.state, StoreLinkState::Checking);
    assert_eq!(view.label, "Store connecting");
    assert!(!view.fault);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_link_says_offline_with_the_rows_waiting_then_synced_when_the_store_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = PlayedStore::new(Answer::Ship);
    let (till, _sandbox) = open_shipping(dir.path(), &store, with_store).await;
    pay(&till, "B-LINK-1").await;
    let last = till.journal().last_seal_seq().unwrap();
    let synced = until("synced", &till, |v| {
        v.state == StoreLinkState::Synced && store.head.load(Ordering::SeqCst) == last
    })
    .await;
    assert_eq!(synced.label, "Store synced");
    assert_eq!(synced.waiting, Some(0));

    let mut events = till.subscribe();
    store.answer(Answer::Offline);
    pay(&till, "B-LINK-2").await;
    pay(&till, "B-LINK-3").await;
    let head = store.head.load(Ordering::SeqCst);
    let last = till.journal().last_seal_seq().unwrap();
    let waiting = u64::try_from(last - head).unwrap();
    assert!(waiting > 0);
    let offline = until("offline with the rows waiting", &till, |v| {
        v.state == StoreLinkState::Offline && v.waiting == Some(waiting)
    })
    .await;
    assert!(offline.fault);
    let since = offline.since.clone().expect("since when");
    assert_eq!(
        offline.label,
        format!("Store offline since {since} · {waiting} rows waiting")
    );
    let message = offline.message.unwrap();
    assert!(message.contains("payments go on"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
    // Announced to the screens by a status event.
    let heard = tokio::time::timeout(DEADLINE, async {
        loop {
            if let Some(TillEvent::Status { status }) = events.recv().await
                && status
                    .store
                    .is_some_and(|s| s.state == StoreLinkState::Offline)
            {
                return;
            }
        }
    })
    .await;
    assert!(heard.is_ok(), "no status event said offline");

    store.answer(Answer::Ship);
    let back = until("synced again", &till, |v| v.state == StoreLinkState::Synced).await;
    assert_eq!(back.label, "Store synced");
    assert_eq!(back.since, None);
    assert_eq!(store.head.load(Ordering::SeqCst), last);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusing_store_is_a_fault_with_its_reason_and_payments_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let store = PlayedStore::new(Answer::Refuse(StoreRefusal::Role));
    let (till, _sandbox) = open_shipping(dir.path(), &store, with_store).await;
    pay(&till, "B-ROLE-1").await;
    let refused = until("refused", &till, |v| v.state == StoreLinkState::Refused).await;
    assert!(refused.fault);
    assert_eq!(refused.refusal, Some(StoreRefusal::Role));
    assert!(
        refused.label.starts_with("Store refused: role refused"),
        "{refused:?}"
    );
    let message = refused.message.unwrap();
    assert!(
        message.contains("add-till") && message.contains("row-level security"),
        "{message}"
    );
    // A store at fault is not asked again at the payments' pace: the next payments do not ask it.
    let calls = store.calls.load(Ordering::SeqCst);
    pay(&till, "B-ROLE-2").await;
    pay(&till, "B-ROLE-3").await;
    assert_eq!(store.calls.load(Ordering::SeqCst), calls);
    // In Chinese too.
    till.set_lang(Lang::ZhCn);
    assert!(link(&till).label.starts_with("门店 拒绝：角色被拒"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_store_section_nothing_ships_and_no_link_shows() {
    let dir = tempfile::tempdir().unwrap();
    let store = PlayedStore::new(Answer::Ship);
    let (till, _sandbox) = open_shipping(dir.path(), &store, |_| {}).await;
    pay(&till, "B-NONE-1").await;
    assert_eq!(till.status().store, None);
    assert_eq!(store.calls.load(Ordering::SeqCst), 0);
}
