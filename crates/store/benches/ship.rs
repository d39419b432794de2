//! N simulated tills, each with its own journal, paying and shipping to one PostgreSQL
//! (docs/store.md, "Figures"). Needs `CASHIER_TEST_PG` (`scripts/postgres start`); without it,
//! says so and stops.
//!
//! `cargo bench -p cashier-store --bench ship -- TILLS ATTEMPTS [faults]`
//!
//! 1. Live: every till pays ATTEMPTS payments, the store as a whole taking `STORE_RATE` a
//!    second (a till one every TILLS / STORE_RATE s), and ships after each payment as the app's
//!    task does (and at least every 10 s, and 100 ms after a failure): the lag from a
//!    payment's last journal commit to its seal being at the store, p50 and p99. With `faults`,
//!    every connection of the tills is cut every 300 ms meanwhile.
//! 2. Catch-up: every till pays ATTEMPTS more with the shippers stopped, then all ship at once:
//!    seals per second ingested.
//! 3. Checks: the store holds exactly every journal's seals (0 lost, 0 duplicated), its chains
//!    verify, and the day's report over all tills, timed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use cashier_core::journal::{Change, Durability, Journal, NewAttempt};
use cashier_core::order_no::OrderScheme;
use cashier_core::store::StoreUrl;
use cashier_core::{AttemptState, BillNo, Channel, Fen};
use cashier_store::{Store, TillKey};
use chrono::Utc;
use tokio::sync::Mutex;

/// Payments a second, all tills together.
const STORE_RATE: u32 = 250;
/// A till's shipper ships at least this often, and tries again this long after a failure.
const SYNC_AT_LEAST: Duration = Duration::from_secs(10);
const RETRY_AFTER: Duration = Duration::from_millis(100);
const BATCH: u32 = 500;
const MERCHANT: &str = "BENCH";

struct SimTill {
    key: TillKey,
    journal: Arc<Journal>,
    /// (last seal of a payment, when it was committed), oldest first, not yet at the store.
    waiting: Mutex<Vec<(i64, Instant)>>,
    /// Told after each payment: the shipper's cue.
    paid: tokio::sync::Notify,
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let Ok(server) = std::env::var("CASHIER_TEST_PG") else {
        eprintln!("skipped: CASHIER_TEST_PG is not set (eval \"$(scripts/postgres start)\")");
        return;
    };
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let tills: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(10);
    let attempts: u32 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100);
    let faults = args.iter().any(|a| a == "faults");
    let pay_every = Duration::from_secs(1) * tills as u32 / STORE_RATE;
    println!(
        "{tills} tills x {attempts} payments, one per till every {pay_every:?}, batch {BATCH}, faults: {faults}"
    );

    let db = format!("bench_{}", std::process::id());
    let (admin_client, conn) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    admin_client
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .await
        .unwrap();
    let admin = StoreUrl::new(with_db(&server, &db));
    cashier_store::migrate(&admin, None).await.unwrap();
    let role = format!("{db}_tills");
    let dir = tempfile::tempdir().unwrap();
    let mut sims = Vec::new();
    // The role once, through the command's own path; the other tills' rows in one statement.
    cashier_store::add_till(&admin, MERCHANT, "0000", &role, Some("bench"), None)
        .await
        .unwrap();
    let (c, conn) = tokio_postgres::connect(admin.expose(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    c.execute(
        "INSERT INTO cashier.tills (merchant, till, role)
         SELECT $1, lpad(n::text, 4, '0'), $2 FROM generate_series(1, $3::int - 1) n",
        &[&MERCHANT, &role, &(tills as i32)],
    )
    .await
    .unwrap();
    drop(c);
    for n in 0..tills {
        let till = format!("{n:04}");
        let journal =
            Journal::open_with(&dir.path().join(format!("{till}.db")), Durability::Normal).unwrap();
        sims.push(Arc::new(SimTill {
            key: TillKey::new(MERCHANT, till),
            journal: Arc::new(journal),
            waiting: Mutex::new(Vec::new()),
            paid: tokio::sync::Notify::new(),
        }));
    }
    // All tills share one role (row-level security as for one each) and one pool.
    let store = Arc::new(Store::open(&login(&admin, &role, "bench"), None).unwrap());
    store.set_max_connections(tills.min(100));

    // 1. Live.
    let done = Arc::new(AtomicBool::new(false));
    let lags = Arc::new(Mutex::new(Vec::<Duration>::new()));
    let mut payers = Vec::new();
    let mut shippers = Vec::new();
    for (n, sim) in sims.iter().enumerate() {
        let sim2 = sim.clone();
        payers.push(tokio::spawn(async move {
            // Tills start spread over one payment interval.
            tokio::time::sleep(pay_every * n as u32 / tills as u32).await;
            for i in 0..attempts {
                pay(&sim2, i).await;
                sim2.paid.notify_one();
                tokio::time::sleep(pay_every).await;
            }
        }));
        let (sim, store, done, lags) = (sim.clone(), store.clone(), done.clone(), lags.clone());
        shippers.push(tokio::spawn(async move {
            loop {
                let finished = done.load(Ordering::Relaxed);
                match store.sync(&sim.key, &sim.journal, BATCH).await {
                    Ok(r) => {
                        let now = Instant::now();
                        let mut waiting = sim.waiting.lock().await;
                        let shipped = waiting.partition_point(|(seq, _)| *seq <= r.head);
                        lags.lock()
                            .await
                            .extend(waiting.drain(..shipped).map(|(_, at)| now - at));
                        if finished && waiting.is_empty() {
                            return;
                        }
                        drop(waiting);
                        let _ = tokio::time::timeout(SYNC_AT_LEAST, sim.paid.notified()).await;
                    }
                    Err(_) => tokio::time::sleep(RETRY_AFTER).await,
                }
            }
        }));
    }
    let cutter = faults.then(|| {
        let (server, role) = (with_db(&server, &db), role.clone());
        tokio::spawn(async move {
            let (c, conn) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            let mut cuts = 0u64;
            loop {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let rows = c
                    .query(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1",
                        &[&role],
                    )
                    .await
                    .unwrap();
                cuts += rows.len() as u64;
                println!("  cut {cuts} connections so far");
            }
        })
    });
    let started = Instant::now();
    for p in payers {
        p.await.unwrap();
    }
    if let Some(c) = &cutter {
        c.abort();
    }
    done.store(true, Ordering::Relaxed);
    for s in shippers {
        s.await.unwrap();
    }
    let mut lags = Arc::try_unwrap(lags).unwrap().into_inner();
    lags.sort();
    let pct = |p: f64| lags[((lags.len() - 1) as f64 * p) as usize];
    println!(
        "live: {} payments in {:.1} s; lag to the store p50 {:?}, p99 {:?}, max {:?}",
        lags.len(),
        started.elapsed().as_secs_f64(),
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );

    // 2. Catch-up.
    let mut payers = Vec::new();
    for sim in &sims {
        let sim = sim.clone();
        payers.push(tokio::spawn(async move {
            for i in attempts..2 * attempts {
                pay(&sim, i).await;
            }
        }));
    }
    for p in payers {
        p.await.unwrap();
    }
    let started = Instant::now();
    let mut shippers = Vec::new();
    for sim in &sims {
        let (sim, store) = (sim.clone(), store.clone());
        shippers.push(tokio::spawn(async move {
            loop {
                match store.sync(&sim.key, &sim.journal, BATCH).await {
                    Ok(r) if r.caught_up() => return r.inserted,
                    _ => tokio::time::sleep(RETRY_AFTER).await,
                }
            }
        }));
    }
    let mut inserted = 0;
    for s in shippers {
        inserted += s.await.unwrap();
    }
    let took = started.elapsed();
    println!(
        "catch-up: {inserted} seals in {:.2} s: {:.0} seals/s",
        took.as_secs_f64(),
        inserted as f64 / took.as_secs_f64()
    );

    // 3. Checks and the day's report.
    let (c, conn) = tokio_postgres::connect(admin.expose(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut expected = 0i64;
    for sim in &sims {
        let in_journal = sim.journal.last_seal_seq().unwrap();
        let row = c
            .query_one(
                "SELECT count(*), count(DISTINCT seq), coalesce(max(seq), 0) FROM cashier.seals
                 WHERE merchant = $1 AND till = $2",
                &[&MERCHANT, &sim.key.till],
            )
            .await
            .unwrap();
        let (count, distinct, max): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
        assert_eq!(
            (count, distinct, max),
            (in_journal, in_journal, in_journal),
            "{}",
            sim.key.till
        );
        expected += in_journal;
    }
    let reader = Store::open(&admin, None).unwrap();
    assert!(reader.verify(Some(MERCHANT)).await.unwrap().is_empty());
    println!(
        "checked: {expected} seals at the store, every till's exactly (0 lost, 0 duplicated), chains intact"
    );
    let started = Instant::now();
    let day = reader
        .day(MERCHANT, Utc::now().date_naive(), Duration::from_secs(600))
        .await
        .unwrap();
    println!(
        "report of the day: {} tills, {} attempts, in {:?}",
        day.tills.len(),
        day.totals.count(),
        started.elapsed()
    );
    drop((store, reader));
    let _ = admin_client
        .batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)"))
        .await;
}

async fn pay(sim: &Arc<SimTill>, i: u32) {
    let till = sim.key.till.clone();
    let journal = sim.journal.clone();
    let seq = journal
        .blocking(move |j| {
            let now = Utc::now();
            let a = j.begin(
                NewAttempt {
                    bill: BillNo::parse(&format!("B{till}-{i}")).expect("bill"),
                    amount: Fen(100 + u64::from(i % 50)),
                    channel: Channel::PosWechatBarcode,
                    wallet: None,
                    code_masked: None,
                    operator: "cashier".into(),
                    scheme: OrderScheme::internal("CS", &till).expect("scheme"),
                    bill_paid_before: None,
                },
                now,
                now.date_naive(),
                i,
            )?;
            j.record(a.id, Change::new(AttemptState::Paid, "SUCCESS"), now)?;
            j.last_seal_seq()
        })
        .await
        .unwrap();
    sim.waiting.lock().await.push((seq, Instant::now()));
}

fn with_db(server: &str, db: &str) -> String {
    let mut u = url::Url::parse(server).unwrap();
    u.set_path(&format!("/{db}"));
    u.to_string()
}

fn login(admin: &StoreUrl, role: &str, password: &str) -> StoreUrl {
    let mut u = url::Url::parse(admin.expose()).unwrap();
    u.set_username(role).unwrap();
    u.set_password(Some(password)).unwrap();
    StoreUrl::new(u.to_string())
}
