//! The money parsers: what a cashier types (`Fen::parse_yuan`) and what a backend sends as a
//! yuan JSON number (`wire_yuan`). An amount read either way formats back to text that reads
//! as the same `Fen`, and nothing is accepted outside (0, max].
#![no_main]

use cashier_core::money::{AmountError, DEFAULT_MAX, Fen, wire_yuan};
use cashier_fuzz::Cursor;
use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Wire {
    #[serde(with = "wire_yuan")]
    v: Fen,
}

/// Every amount `parse_yuan` can read under `max` (15 digits of yuan at most).
const TYPED_LIMIT: u64 = 99_999_999_999_999_999;

fn typed(text: &str, max: Fen) {
    match Fen::parse_yuan(text, max) {
        Ok(f) => {
            assert!(f.0 > 0 && f <= max, "{text:?} read as {f:?} over {max:?}");
            // The receipt's text of it reads as itself.
            assert_eq!(Fen::parse_yuan(&f.to_string(), max), Ok(f), "{text:?}");
            // And so does the wire's.
            assert_eq!(Fen::from_wire_yuan(f.to_wire_yuan()), Ok(f));
        }
        Err(AmountError::OverMax { .. } | AmountError::Zero | AmountError::Empty) => {}
        Err(
            AmountError::Negative
            | AmountError::TooManyDecimals
            | AmountError::NotPlainDigits(_)
            | AmountError::Wire(_),
        ) => {}
    }
}

fn wire(text: &str) {
    let json = format!("{{\"v\":{text}}}");
    if let Ok(w) = serde_json::from_str::<Wire>(&json) {
        let out = serde_json::to_string(&w).expect("a Fen always serialises");
        let back: Wire = serde_json::from_str(&out).expect("what we write reads back");
        assert_eq!(back.v, w.v, "{json} -> {out}");
        assert_eq!(Fen::from_wire_yuan(w.v.to_wire_yuan()), Ok(w.v));
    }
}

fn amount(n: u64) {
    let f = Fen(n);
    assert_eq!(Fen::from_wire_yuan(f.to_wire_yuan()), Ok(f));
    let out = serde_json::to_string(&Wire { v: f }).expect("a Fen always serialises");
    let back: Wire = serde_json::from_str(&out).expect("what we write reads back");
    assert_eq!(back.v, f, "{out}");
    if (1..=TYPED_LIMIT).contains(&n) {
        assert_eq!(Fen::parse_yuan(&f.to_string(), Fen(TYPED_LIMIT)), Ok(f));
    }
}

// Input: a mode byte, then the text a cashier typed (mode 0), the text of the JSON number a
// backend sent (1), or an amount in fen, 8 bytes little-endian (2).
fuzz_target!(|data: &[u8]| {
    let mut input = Cursor::new(data);
    let mode = input.u8();
    match mode % 3 {
        0 => {
            let text = String::from_utf8_lossy(input.rest());
            // The default ceiling, the configuration's own (`Config::max_fen`), and tiny ones.
            let max =
                [DEFAULT_MAX, Fen(u64::MAX / 1000), Fen(1), Fen(999)][usize::from(mode >> 2) % 4];
            typed(&text, max);
        }
        1 => wire(&String::from_utf8_lossy(input.rest())),
        _ => amount(input.u64()),
    }
});
