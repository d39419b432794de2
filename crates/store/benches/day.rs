//! The store's day report at scale (docs/store.md, "Figures"): TILLS tills × ATTEMPTS attempts on
//! one business day, then `Store::day` timed against a baseline in the same run: one bare
//! `count(*)` of that day's attempts (the least any report of the day must read). Needs
//! `CASHIER_TEST_PG` (`scripts/postgres start`); without it, says so and stops.
//!
//! `cargo bench -p cashier-store --bench day -- TILLS ATTEMPTS` (`BENCH_KEEP=1`: the database is
//! kept, for a look at the plans).
//!
//! The rows are written straight into what the report reads (the derived `attempts`, `refunds`,
//! `closed_days`, the tills and their heads), in SQL: shipping millions of seals through the
//! hash chain's check would take most of an hour here and is measured by the `ship` bench. The
//! mix is a day's: 90 % paid, 4 % failed, 3 % cancelled, 2.9 % expired, 0.1 % still Unknown
//! (at the desk, each one listed); one
//! paid in 50 partly refunded; every other till has taken its Z.

use std::time::{Duration, Instant};

use cashier_core::store::StoreUrl;
use cashier_store::Store;
use chrono::NaiveDate;

const MERCHANT: &str = "BENCH";
const RUNS: usize = 7;

const LOAD: &str = r#"
INSERT INTO cashier.tills (merchant, till, role)
SELECT $1, lpad(t::text, 4, '0'), 'cashier_till' FROM generate_series(1, $2::int) t;
INSERT INTO cashier.heads (merchant, till, seq, journal_seq, seen_at)
SELECT $1, lpad(t::text, 4, '0'), $3::int * 3, $3::int * 3, now() FROM generate_series(1, $2::int) t;
INSERT INTO cashier.attempts (merchant, till, business_day, attempt_id, channel, amount_fen,
                              order_no, bill, created_at, state, state_seq)
SELECT $1, lpad(t::text, 4, '0'), $4::date, a,
       (ARRAY['wechat-qr', 'alipay-qr', 'koudai-barcode', 'pos-wechat-barcode', 'cloud-qr', 'cloud-barcode'])[1 + a % 6],
       100 + (a * 37) % 20000, 'B' || t || '-' || a, 'BILL-' || a,
       to_char($4::date, 'YYYY-MM-DD') || 'T08:00:00+08:00',
       CASE WHEN a % 1000 < 900 THEN 'paid' WHEN a % 1000 < 940 THEN 'failed'
            WHEN a % 1000 < 970 THEN 'cancelled' WHEN a % 1000 < 999 THEN 'expired'
            ELSE 'unknown' END,
       a * 3
FROM generate_series(1, $2::int) t, generate_series(1, $3::int) a;
INSERT INTO cashier.refunds (merchant, till, business_day, refund_id, attempt_id, amount_fen, state, state_seq)
SELECT $1, lpad(t::text, 4, '0'), $4::date, a, a, 50, 'refunded', a * 3 + 1
FROM generate_series(1, $2::int) t, generate_series(50, $3::int, 50) a;
INSERT INTO cashier.closed_days (merchant, till, business_day, z_number, seq)
SELECT $1, lpad(t::text, 4, '0'), $4::date, 1, $3::int * 3 FROM generate_series(2, $2::int, 2) t;
"#;

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
    let tills: i32 = args.first().and_then(|a| a.parse().ok()).unwrap_or(100);
    let attempts: i32 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let day = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();

    let db = format!("bench_day_{}", std::process::id());
    let (server_client, conn) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    server_client
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .await
        .unwrap();
    let mut admin = url::Url::parse(&server).unwrap();
    admin.set_path(&format!("/{db}"));
    let admin = StoreUrl::new(admin.to_string());
    cashier_store::migrate(&admin, None).await.unwrap();

    let (c, conn) = tokio_postgres::connect(admin.expose(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let started = Instant::now();
    // One statement at a time: parameters are not allowed in a multi-statement batch.
    for statement in LOAD.split(';').filter(|s| !s.trim().is_empty()) {
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
            vec![&MERCHANT, &tills, &attempts, &day];
        let needed = (1..=4)
            .filter(|n| statement.contains(&format!("${n}")))
            .max()
            .unwrap_or(0);
        c.execute(statement, &params[..needed]).await.unwrap();
    }
    c.batch_execute("ANALYZE").await.unwrap();
    println!(
        "{tills} tills x {attempts} attempts on {day}: loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let store = Store::open(&admin, None).unwrap();
    let mut report = Vec::new();
    let mut baseline = Vec::new();
    let mut shown = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        let read = store
            .day(MERCHANT, day, Duration::from_secs(600))
            .await
            .unwrap();
        report.push(t.elapsed());
        shown = Some((read.totals.count(), read.tills.len(), read.open.len()));

        let t = Instant::now();
        let row = c
            .query_one(
                "SELECT count(*) FROM cashier.attempts WHERE merchant = $1 AND business_day = $2",
                &[&MERCHANT, &day],
            )
            .await
            .unwrap();
        baseline.push(t.elapsed());
        let counted: i64 = row.get(0);
        assert_eq!(counted, i64::from(tills) * i64::from(attempts));
    }
    let (count, till_rows, open) = shown.unwrap();
    assert_eq!(till_rows, tills as usize);
    report.sort();
    baseline.sort();
    let (r, b) = (report[RUNS / 2], baseline[RUNS / 2]);
    println!(
        "report: {count} attempts, {till_rows} tills, {open} open; median of {RUNS}: \
         report {:.3} s, baseline count(*) {:.3} s, ratio {:.2}",
        r.as_secs_f64(),
        b.as_secs_f64(),
        r.as_secs_f64() / b.as_secs_f64()
    );
    drop(store);
    drop(c);
    // Kept for a look at the plans (`EXPLAIN ANALYZE` of the report's queries) when asked.
    if std::env::var_os("BENCH_KEEP").is_some() {
        println!("kept database {db}");
        return;
    }
    server_client
        .batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)"))
        .await
        .unwrap();
}
