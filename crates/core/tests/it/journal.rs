//! The payment journal on real SQLite files.

use std::path::{Path, PathBuf};

use cashier_core::journal::{Change, Journal, JournalError, NewAttempt};
use cashier_core::order_no::{OrderNoError, OrderScheme};
use cashier_core::{Attempt, AttemptId, AttemptState as S, BillNo, Channel, Fen, ManagerDecision};
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use tempfile::TempDir;

const BAR: Channel = Channel::CloudBarcode;
const QR: Channel = Channel::CloudQr;

fn file() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    // A sub-directory that does not exist yet: open must create it.
    let path = dir.path().join("data").join("journal.sqlite");
    (dir, path)
}

fn journal() -> (TempDir, PathBuf, Journal) {
    let (dir, path) = file();
    let j = Journal::open(&path).unwrap();
    (dir, path, j)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 16, 30, 5).unwrap()
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn bill(s: &str) -> BillNo {
    BillNo::parse(s).unwrap()
}

fn new(b: &str, channel: Channel, fen: u64) -> NewAttempt {
    NewAttempt {
        bill: bill(b),
        amount: Fen(fen),
        channel,
        wallet: None,
        code_masked: (!channel.is_qr()).then(|| "1345**********7649".to_string()),
        operator: "op7".into(),
        scheme: OrderScheme::internal("CA", "T01").unwrap(),
        bill_paid_before: None,
    }
}

fn try_start(j: &Journal, b: &str, channel: Channel) -> Result<Attempt, JournalError> {
    j.begin(new(b, channel, 100), now(), day(), 7)
}

fn start(j: &Journal, b: &str, channel: Channel, fen: u64) -> Attempt {
    j.begin(new(b, channel, fen), now(), day(), 7).unwrap()
}

fn try_rec(j: &Journal, id: AttemptId, state: S, raw: &str) -> Result<Attempt, JournalError> {
    j.record(id, Change::new(state, raw), now())
}

fn rec(j: &Journal, id: AttemptId, state: S, raw: &str) -> Attempt {
    try_rec(j, id, state, raw).unwrap()
}

fn ids(attempts: Vec<Attempt>) -> Vec<AttemptId> {
    attempts.into_iter().map(|a| a.id).collect()
}

fn raw_conn(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

/// Writes an attempt row behind the journal's back, as another program or a bad disk might.
fn raw_insert(path: &Path, bill: &str, order_no: &str, state: &str) -> rusqlite::Result<usize> {
    raw_conn(path).execute(
        "INSERT INTO attempts (bill, amount_fen, channel, order_no, operator, till, state,
             created_at, updated_at, business_day)
         VALUES (?1, 100, 'cloud-qr', ?2, 'op', 'T', ?3, '2026-11-21T16:30:05.000Z',
             '2026-11-21T16:30:05.000Z', '2026-11-22')",
        [bill, order_no, state],
    )
}

#[test]
fn begin_is_durable_across_reopen() {
    let (_dir, path, j) = journal();
    let a = j.begin(new("B1", BAR, 1230), now(), day(), 7).unwrap();
    rec(&j, a.id, S::Pending, "USERPAYING");
    drop(j);
    let j = Journal::open(&path).unwrap();
    let back = j.get(a.id).unwrap().unwrap();
    assert_eq!((back.state, back.business_day), (S::Pending, day()));
    assert_eq!((&back.order_no, back.amount), (&a.order_no, Fen(1230)));
    let trail = j.transitions(a.id).unwrap();
    assert_eq!(trail.len(), 2);
    assert_eq!((trail[0].from_state, trail[0].to_state), (None, S::Sending));
    assert_eq!(trail[0].actor.as_deref(), Some("op7"));
    assert_eq!(trail[1].from_state, Some(S::Sending));
    assert_eq!(trail[1].raw_status, "USERPAYING");
    assert_eq!(j.live().unwrap(), vec![back]);
}

#[test]
fn second_live_attempt_is_bill_busy_even_from_another_connection() {
    let (_dir, path, j) = journal();
    let first = start(&j, "B2", QR, 500);
    let busy = JournalError::BillBusy {
        attempt: first.id,
        state: S::Issuing,
    };
    assert_eq!(try_start(&j, "B2", BAR).unwrap_err(), busy);
    let other = Journal::open(&path).unwrap();
    let err = try_start(&other, "B2", BAR).unwrap_err();
    assert_eq!(err, busy);
    assert_eq!(err.code(), "bill_busy");
    assert!(err.zh().contains("未完成"), "{}", err.zh());
    // Unknown blocks the bill too: it may have been charged.
    rec(&j, first.id, S::Unknown, "timeout");
    assert!(matches!(
        try_start(&other, "B2", BAR),
        Err(JournalError::BillBusy {
            state: S::Unknown,
            ..
        })
    ));
    // Once it has ended, the bill is free again.
    rec(&j, first.id, S::Failed, "CLOSED");
    try_start(&other, "B2", BAR).unwrap();
}

#[test]
fn sqlite_itself_allows_one_live_attempt_per_bill_for_exactly_the_live_states() {
    let (_dir, path, j) = journal();
    for (i, state) in S::ALL.into_iter().enumerate() {
        let (bill, state_str) = (format!("S{i}"), state.as_str());
        raw_insert(&path, &bill, &format!("O{i}-0"), state_str).unwrap();
        let second = raw_insert(&path, &bill, &format!("O{i}-1"), state_str);
        assert_eq!(second.is_err(), state.is_live(), "{state}");
    }
    // The journal's own notion of live (used by `live()` and `begin`) is the same set.
    let live: Vec<String> = j
        .live()
        .unwrap()
        .iter()
        .map(|a| a.bill.to_string())
        .collect();
    let expected: Vec<String> = (S::ALL.iter().enumerate())
        .filter(|(_, s)| s.is_live())
        .map(|(i, _)| format!("S{i}"))
        .collect();
    assert_eq!(live, expected);
}

#[test]
fn paid_bill_refuses_another_attempt() {
    let (_dir, _path, j) = journal();
    let a = start(&j, "B3", BAR, 900);
    rec(&j, a.id, S::Paid, "SUCCESS");
    let err = try_start(&j, "B3", QR).unwrap_err();
    assert_eq!(err, JournalError::BillPaid);
    assert_eq!(
        (err.code().as_str(), err.zh().as_str()),
        ("bill_paid", "该单已付清")
    );
}

#[test]
fn partly_paid_leaves_the_bill_open_and_collected_sums() {
    let (_dir, _path, j) = journal();
    let a = start(&j, "B4", BAR, 600);
    rec(&j, a.id, S::PartlyPaid, "SUCCESS");
    let b = start(&j, "B4", QR, 400);
    rec(&j, b.id, S::Failed, "CLOSED");
    assert_eq!(j.bill_collected(&bill("B4")).unwrap(), Fen(600));
    let c = start(&j, "B4", QR, 400);
    rec(&j, c.id, S::Paid, "SUCCESS");
    assert_eq!(j.bill_collected(&bill("B4")).unwrap(), Fen(1000));
    assert_eq!(ids(j.by_bill(&bill("B4")).unwrap()), vec![a.id, b.id, c.id]);
    assert_eq!(j.bill_collected(&bill("NONE")).unwrap(), Fen::ZERO);
}

#[test]
fn order_numbers_have_their_format_are_unique_and_stay() {
    let (_dir, path, j) = journal();
    let a = j.begin(new("B5", BAR, 100), now(), day(), 7).unwrap();
    let b = j.begin(new("B6", BAR, 100), now(), day(), 7).unwrap();
    let body = a.order_no.strip_prefix("CAT01").expect("prefix, then till");
    assert!(
        body.bytes().all(|c| c.is_ascii_uppercase()),
        "{}",
        a.order_no
    );
    assert!(a.order_no.len() <= 29, "room for a refund suffix");
    assert_ne!(a.order_no, b.order_no);
    let later = now() + TimeDelta::minutes(3);
    let after = j
        .record(a.id, Change::new(S::Unknown, "timeout"), later)
        .unwrap();
    assert_eq!(after.order_no, a.order_no);
    assert_eq!(after.updated_at, later);
    assert_eq!(j.by_order_no(&a.order_no).unwrap().unwrap().id, a.id);
    assert_eq!(j.by_order_no("nope").unwrap(), None);
    let raw = raw_conn(&path);
    let changed = raw.execute("UPDATE attempts SET order_no = 'X' WHERE id = ?1", [a.id.0]);
    assert!(changed.is_err(), "an order number must never change");
    let amount = raw.execute("UPDATE attempts SET amount_fen = 1 WHERE id = ?1", [a.id.0]);
    assert!(amount.is_err(), "nor the amount");
}

#[test]
fn an_order_number_that_cannot_fit_is_refused_and_nothing_is_written() {
    let (_dir, path, j) = journal();
    // The longest prefix and till, and an id past 24^7: its letters no longer fit in 29 characters.
    let long = |b: &str| NewAttempt {
        scheme: OrderScheme::cloud_pay("sz0100abcd", "A001").unwrap(),
        ..new(b, BAR, 100)
    };
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "INSERT INTO attempts (id, bill, amount_fen, channel, order_no, operator, till, state,
             created_at, updated_at, business_day)
         VALUES (4586471423, 'B0', 1, 'cloud-barcode', 'X', 'op', 'A001', 'failed', 't', 't', '2026-11-22')",
    )
    .unwrap();
    let err = j.begin(long("B7"), now(), day(), 1).unwrap_err();
    assert!(
        matches!(err, JournalError::OrderNo(OrderNoError::TooLong(_))),
        "{err:?}"
    );
    assert!(j.by_bill(&bill("B7")).unwrap().is_empty());
}

#[test]
fn transitions_are_append_only() {
    let (_dir, path, j) = journal();
    let a = start(&j, "B8", BAR, 100);
    let raw = raw_conn(&path);
    let upd = raw
        .execute("UPDATE transitions SET to_state = 'paid'", [])
        .unwrap_err();
    assert!(upd.to_string().contains("append-only"), "{upd}");
    assert!(raw.execute("DELETE FROM transitions", []).is_err());
    assert!(raw.execute("DELETE FROM attempts", []).is_err());
    assert_eq!(j.transitions(a.id).unwrap().len(), 1);
}

#[test]
fn a_clear_payment_code_or_a_zero_amount_is_refused() {
    let (_dir, _path, j) = journal();
    let mut clear = new("B9", BAR, 100);
    clear.code_masked = Some("134567890123457649".into());
    let err = j.begin(clear, now(), day(), 7).unwrap_err();
    assert!(err.to_string().contains("CHECK"), "{err}");
    assert!(j.by_bill(&bill("B9")).unwrap().is_empty());
    let mut eight = new("B9", BAR, 100);
    eight.code_masked = Some("12345678**".into());
    j.begin(eight, now(), day(), 7).unwrap();
    let err = j.begin(new("B10", QR, 0), now(), day(), 7).unwrap_err();
    assert_eq!(err, JournalError::BadAmount(Fen(0)));
}

#[test]
fn final_states_stay_final_except_refund() {
    let (_dir, _path, j) = journal();
    let a = start(&j, "B11", BAR, 100);
    rec(&j, a.id, S::Failed, "PAYERROR");
    let illegal = JournalError::IllegalTransition {
        from: S::Failed,
        to: S::Paid,
    };
    assert_eq!(try_rec(&j, a.id, S::Paid, "SUCCESS").unwrap_err(), illegal);
    let b = start(&j, "B11", BAR, 100);
    rec(&j, b.id, S::Paid, "SUCCESS");
    assert!(try_rec(&j, b.id, S::Sending, "x").is_err());
    assert!(try_rec(&j, b.id, S::Failed, "x").is_err());
    assert_eq!(rec(&j, b.id, S::Refunded, "REFUND").state, S::Refunded);
    assert!(try_rec(&j, b.id, S::Paid, "x").is_err());
    let missing = try_rec(&j, AttemptId(999), S::Paid, "x").unwrap_err();
    assert_eq!(missing, JournalError::NotFound(AttemptId(999)));
}

#[test]
fn repeating_the_same_answer_writes_nothing_and_reference_is_never_erased() {
    let (_dir, _path, j) = journal();
    let a = start(&j, "B12", QR, 100);
    let shown = Change {
        reference: Some("TX1".into()),
        code_url: Some("weixin://wxpay/x".into()),
        ..Change::new(S::Shown, "NOTPAY")
    };
    let first = j.record(a.id, shown, now()).unwrap();
    let later = now() + TimeDelta::seconds(5);
    let polled = j
        .record(a.id, Change::new(S::Shown, "NOTPAY"), later)
        .unwrap();
    assert_eq!(
        polled, first,
        "a repeated poll changes nothing, not even updated_at"
    );
    assert_eq!(j.transitions(a.id).unwrap().len(), 2);
    let paying = rec(&j, a.id, S::Shown, "USERPAYING");
    assert_eq!(paying.reference.as_deref(), Some("TX1"));
    assert_eq!(paying.code_url.as_deref(), Some("weixin://wxpay/x"));
    assert_eq!(j.transitions(a.id).unwrap().len(), 3);
}

#[test]
fn resolve_needs_a_note_and_a_manager() {
    let (_dir, _path, j) = journal();
    let a = start(&j, "B13", BAR, 100);
    rec(&j, a.id, S::Unknown, "timeout");
    let bad = |r: Result<_, JournalError>| matches!(r, Err(JournalError::BadResolve(_)));
    assert!(bad(j.resolve(
        a.id,
        ManagerDecision::Paid,
        "  ",
        "mgr",
        now()
    )));
    assert!(bad(j.resolve(a.id, ManagerDecision::Paid, "ok", "", now())));
    let note = "checked the merchant app: paid";
    assert_eq!(
        j.resolve(a.id, ManagerDecision::Paid, note, "mgr", now())
            .unwrap()
            .state,
        S::Paid
    );
    let last = j.transitions(a.id).unwrap().pop().unwrap();
    assert_eq!(
        (last.actor.as_deref(), last.note.as_deref()),
        (Some("mgr"), Some(note))
    );
    assert_eq!(last.from_state, Some(S::Unknown));
    let again = j.resolve(a.id, ManagerDecision::Failed, "oops", "mgr", now());
    assert!(matches!(again, Err(JournalError::IllegalTransition { .. })));
}

#[test]
fn migrations_run_on_an_empty_file_and_again_are_harmless() {
    let (dir, _) = file();
    let path = dir.path().join("empty.sqlite");
    std::fs::File::create(&path).unwrap();
    let a = start(&Journal::open(&path).unwrap(), "B14", BAR, 100);
    let j = Journal::open(&path).unwrap();
    drop(Journal::open(&path).unwrap());
    assert_eq!(j.get(a.id).unwrap(), Some(a));
    let raw = raw_conn(&path);
    let version: i64 = raw
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        version,
        cashier_core::journal::SCHEMA_VERSION as i64,
        "every migration ran once"
    );
    let mode: String = raw
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_corrupt_row_is_an_error_not_a_panic() {
    let (_dir, path, j) = journal();
    raw_insert(&path, "B15", "O77", "teleported").unwrap();
    // The only row of a new journal: id 1.
    assert!(matches!(j.get(AttemptId(1)), Err(JournalError::Corrupt(_))));
    assert!(matches!(
        j.by_bill(&bill("B15")),
        Err(JournalError::Corrupt(_))
    ));
    let err = j.day(day()).unwrap_err();
    assert_eq!(err.code(), "journal_corrupt");
    assert!(err.to_string().contains("teleported"), "{err}");
}

#[test]
fn readers_find_by_day_and_search() {
    let (_dir, _path, j) = journal();
    let a = start(&j, "A-100", BAR, 100);
    let b = start(&j, "A-101", QR, 200);
    let other_day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let c = j.begin(new("C-1", QR, 300), now(), other_day, 7).unwrap();
    assert_eq!(ids(j.day(day()).unwrap()), vec![a.id, b.id]);
    assert_eq!(ids(j.day(other_day).unwrap()), vec![c.id]);
    assert_eq!(ids(j.search("A-10").unwrap()), vec![a.id, b.id]);
    assert_eq!(ids(j.search(" A-101 ").unwrap()), vec![b.id]);
    assert_eq!(
        ids(j.search("a-10").unwrap()),
        vec![],
        "search is case-sensitive"
    );
    assert_eq!(ids(j.search(&c.order_no).unwrap()), vec![c.id]);
    assert_eq!(ids(j.search("CAT01").unwrap()).len(), 3);
    assert_eq!(ids(j.search("").unwrap()), vec![]);
    assert_eq!(ids(j.live().unwrap()), vec![a.id, b.id, c.id]);
}

#[test]
fn several_connections_may_create_the_same_new_file_at_once() {
    fn shared_between_threads<T: Send + Sync>() {}
    shared_between_threads::<Journal>();
    let (_dir, path) = file();
    let opening: Vec<_> = (0..4)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || Journal::open(&path).map(drop))
        })
        .collect();
    for open in opening {
        open.join().unwrap().unwrap();
    }
}

#[test]
fn the_seals_read_as_an_outbox_in_order_with_their_day_and_chain() {
    let (_dir, _path, j) = journal();
    assert_eq!(j.last_seal_seq().unwrap(), 0);
    assert!(j.seals_after(0, 10).unwrap().is_empty());
    for (i, b) in ["O1", "O2", "O3"].into_iter().enumerate() {
        let a = j.begin(new(b, BAR, 100), now(), day(), i as u32).unwrap();
        j.record(a.id, Change::new(S::Paid, "SUCCESS"), now())
            .unwrap();
    }
    assert_eq!(j.last_seal_seq().unwrap(), 9);
    let first = j.seals_after(0, 4).unwrap();
    let rest = j.seals_after(4, 100).unwrap();
    let all: Vec<_> = first.iter().chain(&rest).collect();
    assert_eq!(
        all.iter().map(|s| s.seq).collect::<Vec<_>>(),
        (1..=9).collect::<Vec<_>>()
    );
    assert_eq!(all[0].kind, "attempt");
    assert_eq!(all[1].kind, "transition");
    // Every seal carries its attempt's day, holds its own hash and links to the one before.
    let mut prev = "0".repeat(64);
    for s in &all {
        assert_eq!(s.business_day, day());
        assert!(s.hash_holds(), "{s:?}");
        assert_eq!(s.prev_hash, prev);
        prev = s.hash.clone();
    }
    let mut changed = all[2].clone();
    changed.body = changed.body.replace("SUCCESS", "FAIL");
    assert!(!changed.hash_holds());
}

/// What is written once is never changed or removed, whoever opens the file: every append-only
/// table refuses an UPDATE and a DELETE from outside the program (another SQLite client), and
/// attempts refuse a DELETE and a change of what identifies them at the backend.
#[test]
fn append_only_tables_refuse_changes_from_outside() {
    let (_dir, path, j) = journal();
    let a = start(&j, "B-AO", BAR, 1000);
    rec(&j, a.id, S::Paid, "SUCCESS");
    let part = j
        .begin_refund(a.id, Fen(100), "boss", "a ticket returned", now())
        .unwrap();
    j.record_refund(part.id, cashier_core::RefundState::Refunded, None, now())
        .unwrap();
    j.append_audit("01", now(), &cashier_core::audit::AuditEntry::default())
        .unwrap();
    j.take_z(&cashier_core::journal::ZRequest {
        day: day(),
        now: now(),
        today: day(),
        till: "01",
        approved_by: "boss",
    })
    .unwrap();
    drop(j);

    let conn = rusqlite::Connection::open(&path).unwrap();
    let refused = [
        ("UPDATE transitions SET note = 'x'", "append-only"),
        ("DELETE FROM transitions", "append-only"),
        ("UPDATE seals SET body = body || ' '", "append-only"),
        ("DELETE FROM seals", "append-only"),
        ("UPDATE audit SET note = 'x'", "append-only"),
        ("DELETE FROM audit", "append-only"),
        ("UPDATE z_reports SET grand_total_fen = 0", "never changed"),
        ("DELETE FROM z_reports", "never deleted"),
        ("DELETE FROM attempts", "never deleted"),
        ("UPDATE attempts SET amount_fen = 1", "fixed"),
        ("DELETE FROM refunds", "never deleted"),
    ];
    for (sql, why) in refused {
        let before: i64 = conn
            .query_row("SELECT count(*) FROM seals", [], |r| r.get(0))
            .unwrap();
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains(why), "{sql}: {err}");
        let after: i64 = conn
            .query_row("SELECT count(*) FROM seals", [], |r| r.get(0))
            .unwrap();
        assert_eq!(before, after, "{sql}");
    }
    drop(conn);
    let j = Journal::open(&path).unwrap();
    let integrity = j.verify().unwrap();
    assert_eq!(
        integrity.first_break, None,
        "the journal verifies as before"
    );
    assert_eq!((integrity.audit, integrity.z_reports), (1, 1));
}
