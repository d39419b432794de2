//! What `synchronous=FULL` costs against `NORMAL` for the journal's real work: one `begin` and
//! one `record` per payment attempt, on a real file. The figures justify the pragma chosen in
//! `Journal::open_with`. The file lives under the target dir, not /tmp, which may be tmpfs
//! (where fsync costs nothing and the comparison would mean nothing).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cashier_core::journal::{Change, Durability, Journal, NewAttempt};
use cashier_core::order_no::OrderScheme;
use cashier_core::{AttemptState, BillNo, Channel, Fen};
use chrono::{NaiveDate, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

static BILLS: AtomicU64 = AtomicU64::new(0);

fn scheme() -> OrderScheme {
    OrderScheme::internal("CA", "T01").unwrap_or_else(|e| panic!("{e}"))
}

fn one_attempt(journal: &Journal, day: NaiveDate) {
    let n = BILLS.fetch_add(1, Ordering::Relaxed);
    let Ok(bill) = BillNo::parse(&format!("B{n}")) else {
        panic!("bench bill number B{n} is invalid");
    };
    let new = NewAttempt {
        bill,
        amount: Fen(12_30),
        channel: Channel::CloudBarcode,
        wallet: Some("wechat".into()),
        code_masked: Some("1345**********7649".into()),
        operator: "op1".into(),
        scheme: scheme(),
        bill_paid_before: None,
    };
    let now = Utc::now();
    let attempt = match journal.begin(new, now, day, 7) {
        Ok(a) => a,
        Err(e) => panic!("begin: {e}"),
    };
    let paid = Change {
        reference: Some(format!("ref{n}")),
        ..Change::new(AttemptState::Paid, "SUCCESS")
    };
    if let Err(e) = journal.record(attempt.id, paid, now) {
        panic!("record: {e}");
    }
}

fn begin_and_record(c: &mut Criterion) {
    let dir = match tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")) {
        Ok(d) => d,
        Err(e) => panic!("tempdir: {e}"),
    };
    let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let mut group = c.benchmark_group("journal begin+record");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8))
        // Elements per second here is attempts per second.
        .throughput(Throughput::Elements(1));
    for (name, durability) in [("full", Durability::Full), ("normal", Durability::Normal)] {
        let path = dir.path().join(format!("{name}.sqlite"));
        let journal = match Journal::open_with(&path, durability) {
            Ok(j) => j,
            Err(e) => panic!("open {}: {e}", path.display()),
        };
        group.bench_function(name, |b| b.iter(|| one_attempt(&journal, day)));
    }
    group.finish();
}

criterion_group!(benches, begin_and_record);
criterion_main!(benches);
