//! The journal's row decoding: an attempt's and a refund part's stored values, as another
//! version or a hand edit may have left them, through the journal's own readers
//! (`AttemptRow::read`, the refund reader) and the time and date readers beneath them. A row
//! either reads or is `Corrupt`, never a panic; what reads, written back the way the journal
//! writes, reads again and writes the same.
#![no_main]

use cashier_core::journal::fuzzing::{
    ATTEMPT_COLUMNS, REFUND_COLUMNS, Value, decode_attempt, decode_refund, encode_attempt,
    encode_refund,
};
use cashier_core::timestamp;
use cashier_fuzz::Cursor;
use chrono::{DateTime, SubsecRound, Utc};
use libfuzzer_sys::fuzz_target;

/// One stored value: mostly a known-good one for its column, so that the rest of the row is
/// reached.
enum Stored<'a> {
    Good(u8),
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
    Null,
}

const TIMES: &[&str] = &[
    "2026-11-30T08:15:00.123Z",
    "2026-11-30T08:15:00Z",
    "2026-11-30T16:15:00.5+08:00",
    "2026-11-30T08:15:00.123456789Z",
    "0000-01-01T00:00:00.000Z",
    "9999-12-31T23:59:60.999Z",
];

/// Known-good values per attempt column (`select_attempts!` order).
fn good_attempt(col: usize, pick: u8) -> Value {
    let pick = usize::from(pick);
    let text = |all: &[&str]| Value::Text(all[pick % all.len()].to_string());
    match col {
        0 => Value::Integer([1, 42, i64::MAX][pick % 3]),
        1 => text(&["B-1001", "20261130000042", "A", "bill 7"]),
        2 | 16 | 18 => Value::Integer([1, 1234, 0, 10_000_000][pick % 4]),
        3 => text(&[
            "wechat-qr",
            "alipay-qr",
            "koudai-barcode",
            "pos-wechat-barcode",
            "cloud-qr",
            "cloud-barcode",
        ]),
        4 => text(&["CS01T0120261130000001", "CP01T0120261130000001"]),
        5 | 6 | 7 | 8 | 12 => text(&[
            "wechat",
            "1345**********7649",
            "weixin://wxpay/bizpayurl?pr=x",
            "USERPAYING",
        ]),
        9 | 10 => text(&["cashier", "01"]),
        11 => text(&[
            "sending",
            "pending",
            "issuing",
            "shown",
            "paid",
            "partly_paid",
            "failed",
            "cancelled",
            "expired",
            "unknown",
            "abandoned",
            "part_refunded",
            "refunded",
        ]),
        13 | 14 | 17 => text(TIMES),
        _ => text(&["2026-11-30", "0000-01-01", "9999-12-31"]),
    }
}

fn good_refund(col: usize, pick: u8) -> Value {
    let pick = usize::from(pick);
    let text = |all: &[&str]| Value::Text(all[pick % all.len()].to_string());
    match col {
        0 | 1 | 2 | 4 => Value::Integer([1, 2, 1234][pick % 3]),
        3 => text(&["CP01T0120261130000001R1"]),
        5 => text(&["requested", "refunding", "refunded", "failed", "unknown"]),
        6..=8 => text(&["customer changed mind", "张经理", ""]),
        _ => text(TIMES),
    }
}

fn value(s: &Stored<'_>, col: usize, good: fn(usize, u8) -> Value) -> Value {
    match s {
        Stored::Good(p) => good(col, *p),
        Stored::Int(i) => Value::Integer(*i),
        Stored::Real(r) => Value::Real(*r),
        Stored::Text(t) => Value::Text((*t).to_string()),
        Stored::Blob(b) => Value::Blob(b.to_vec()),
        Stored::Null => Value::Null,
    }
}

fn row<const N: usize>(stored: &[Stored<'_>], good: fn(usize, u8) -> Value) -> [Value; N] {
    std::array::from_fn(|col| match stored.get(col) {
        Some(s) => value(s, col, good),
        None => good(col, 0),
    })
}

/// A time as the journal writes it loses what is under a millisecond, nothing else.
fn check_time(text: &str) {
    let Ok(t) = timestamp::parse(text) else {
        return;
    };
    let written = timestamp::text(t);
    let back: DateTime<Utc> =
        timestamp::parse(&written).unwrap_or_else(|e| panic!("{text:?} -> {written:?}: {e}"));
    assert_eq!(back, t.trunc_subsecs(3), "{text:?} -> {written:?}");
    assert_eq!(timestamp::text(back), written);
}

fn check_day(text: &str) {
    if let Some(d) = timestamp::parse_day(text) {
        assert_eq!(timestamp::day_text(d), text);
    }
}

enum Input<'a> {
    Attempt(Vec<Stored<'a>>),
    Refund(Vec<Stored<'a>>),
    Time(&'a str),
}

/// Input: a mode byte; for a row (modes 0, 1), its columns in order, each a kind byte and its
/// value: 0 a known-good value (one byte picks it), 1 an integer (8 bytes), 2 a real (8),
/// 3 text and 4 a blob (a length byte, then the bytes), 5 NULL; columns left out are good.
/// For mode 2, the text of a time.
fn input(data: &[u8]) -> Input<'_> {
    let mut c = Cursor::new(data);
    let mode = c.u8();
    if mode % 3 == 2 {
        return Input::Time(std::str::from_utf8(c.rest()).unwrap_or(""));
    }
    let mut stored = Vec::new();
    while !c.is_empty() {
        stored.push(match c.u8() % 6 {
            0 => Stored::Good(c.u8()),
            1 => Stored::Int(c.u64() as i64),
            2 => Stored::Real(f64::from_bits(c.u64())),
            3 => {
                let n = usize::from(c.u8());
                Stored::Text(std::str::from_utf8(c.bytes(n)).unwrap_or("\u{fffd}"))
            }
            4 => {
                let n = usize::from(c.u8());
                Stored::Blob(c.bytes(n))
            }
            _ => Stored::Null,
        });
    }
    if mode.is_multiple_of(3) {
        Input::Attempt(stored)
    } else {
        Input::Refund(stored)
    }
}

fuzz_target!(|data: &[u8]| match input(data) {
    Input::Attempt(stored) => {
        let values: [Value; ATTEMPT_COLUMNS] = row(&stored, good_attempt);
        if let Ok(a) = decode_attempt(&values) {
            let written = encode_attempt(&a);
            let again = decode_attempt(&written)
                .unwrap_or_else(|e| panic!("{a:?} written as {written:?}: {e}"));
            assert_eq!(encode_attempt(&again), written);
        }
    }
    Input::Refund(stored) => {
        let values: [Value; REFUND_COLUMNS] = row(&stored, good_refund);
        if let Ok(r) = decode_refund(&values) {
            let written = encode_refund(&r);
            let again = decode_refund(&written)
                .unwrap_or_else(|e| panic!("{r:?} written as {written:?}: {e}"));
            assert_eq!(encode_refund(&again), written);
        }
    }
    Input::Time(text) => {
        check_time(text);
        check_day(text);
    }
});
