//! The payment-code parser with a scanner's framing (`PaymentCode::parse`), and the masks that
//! keep a code out of logs. A code read is 10–32 digits taken from the read itself, reads the
//! same again framed or bare, and never shows in clear through `Debug`, `Display` or
//! `redact_codes`.
#![no_main]

use cashier_core::code::{mask_digits, redact_codes, wallet_code_pattern};
use cashier_core::{CodeKind, PaymentCode, ScannerFraming};
use cashier_fuzz::fields;
use libfuzzer_sys::fuzz_target;
use regex::Regex;

struct Input<'a> {
    raw: &'a str,
    prefix: &'a str,
    suffix: &'a str,
}

/// A run of ten or more ASCII digits: a code in clear.
fn clear_code(s: &str) -> bool {
    let mut run = 0;
    for c in s.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 10 {
            return true;
        }
    }
    false
}

// Input: the read, then the framing's prefix and suffix, separated by U+001F.
fuzz_target!(|text: &str| {
    let [raw, prefix, suffix] = fields(text);
    let input = Input {
        raw,
        prefix,
        suffix,
    };
    let framing = ScannerFraming {
        prefix: input.prefix.to_string(),
        suffix: input.suffix.to_string(),
    };
    let redacted = redact_codes(input.raw);
    assert!(!clear_code(&redacted), "{:?} -> {redacted:?}", input.raw);
    assert_eq!(redacted.chars().count(), input.raw.chars().count());
    let masked = mask_digits(input.raw);
    assert_eq!(masked.chars().count(), input.raw.chars().count());

    let Ok(code) = PaymentCode::parse(input.raw, &framing) else {
        return;
    };
    let digits = code.expose();
    assert!((10..=32).contains(&digits.len()), "{digits:?}");
    assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{digits:?}");
    assert!(input.raw.contains(digits));
    // The digits alone read as the same code, whatever the framing.
    assert_eq!(
        PaymentCode::parse(digits, &ScannerFraming::default()),
        Ok(code.clone())
    );
    // Framed again as the scanner frames it, with its line end, too (a framing whose edges the
    // parser trims as line ends, or which is all digits, cannot be told from the code).
    let plain = |s: &str| {
        s.is_empty()
            || (s.chars().all(|c| c.is_ascii_graphic()) && !s.bytes().all(|b| b.is_ascii_digit()))
    };
    if plain(input.prefix) && plain(input.suffix) {
        let framed = format!("{}{digits}{}\r\n", input.prefix, input.suffix);
        assert_eq!(
            PaymentCode::parse(&framed, &framing),
            Ok(code.clone()),
            "{framed:?}"
        );
    }
    // Never in clear through its own formatting.
    for shown in [format!("{code:?}"), format!("{code}"), code.masked()] {
        assert!(!shown.contains(digits), "{shown}");
        assert!(!clear_code(&shown), "{shown}");
    }
    // Its wallet is the one core's screen pattern names.
    let wallet = Regex::new(&wallet_code_pattern(&ScannerFraming::default()))
        .expect("core's pattern compiles");
    assert_eq!(
        wallet.is_match(digits),
        code.kind() != CodeKind::Unknown,
        "{digits}"
    );
});
