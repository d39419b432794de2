//! Core's keyboard-wedge rules (`till::wedge::scan_rules`), the patterns the screen applies to
//! a burst ended by the scanner's suffix. For any framing every pattern compiles; for a burst
//! of what a scanner types (printable ASCII) under a framing a scanner is set up with, a rule
//! takes exactly what core's own parsers take (`PaymentCode::parse`, its wallet, `BillNo`),
//! and a typed amount is never a scan in the amount field.
//!
//! The timing state machine is the screen's (ui/src/wedge.ts) and is fuzzed there with
//! fast-check (ui/test/wedge.fuzz.test.ts).
#![no_main]

use std::cell::RefCell;

use cashier_core::money::DEFAULT_MAX;
use cashier_core::till::wedge::{ScanField, ScanMeaning, scan_rules};
use cashier_core::{BillNo, CodeKind, Fen, PaymentCode, ScannerFraming};
use cashier_fuzz::fields;
use libfuzzer_sys::fuzz_target;
use regex::Regex;

struct Input<'a> {
    text: &'a str,
    prefix: &'a str,
    suffix: &'a str,
}

type Rules = Vec<(ScanField, Regex, ScanMeaning)>;

thread_local! {
    /// The last framing's compiled rules: compiling is most of an input's cost.
    static RULES: RefCell<Option<(ScannerFraming, Rules)>> = const { RefCell::new(None) };
}

fn rules(framing: &ScannerFraming) -> Rules {
    RULES.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some((f, r)) = cache.as_ref()
            && f == framing
        {
            return r.clone();
        }
        let r: Rules = scan_rules(framing)
            .into_iter()
            .map(|r| {
                let re = Regex::new(&r.pattern)
                    .unwrap_or_else(|e| panic!("{framing:?}: {} does not compile: {e}", r.pattern));
                (r.field, re, r.means)
            })
            .collect();
        *cache = Some((framing.clone(), r.clone()));
        r
    })
}

/// What the first rule for `field` that takes `text` says it is.
fn meaning(rules: &Rules, field: ScanField, text: &str) -> Option<ScanMeaning> {
    rules
        .iter()
        .find(|(f, re, _)| *f == field && re.is_match(text))
        .map(|(_, _, m)| *m)
}

/// A framing a scanner is set up with: printable, and not digits alone (those cannot be told
/// from the code they frame, by the parser either).
fn plain(s: &str) -> bool {
    s.is_empty()
        || (s.bytes().all(|b| b.is_ascii_graphic()) && !s.bytes().all(|b| b.is_ascii_digit()))
}

// Input: the burst's text, then the framing's prefix and suffix, separated by U+001F.
fuzz_target!(|data: &str| {
    let [text, prefix, suffix] = fields(data);
    let input = Input {
        text,
        prefix,
        suffix,
    };
    let framing = ScannerFraming {
        prefix: input.prefix.into(),
        suffix: input.suffix.into(),
    };
    let rules = rules(&framing);
    let text = input.text;
    if !(plain(input.prefix) && plain(input.suffix))
        || text.is_empty()
        || !text.bytes().all(|b| b.is_ascii_graphic())
    {
        return;
    }
    let code = PaymentCode::parse(text, &framing).ok();
    let wallet = code.as_ref().is_some_and(|c| c.kind() != CodeKind::Unknown);
    let as_code = code.is_some().then_some(ScanMeaning::PaymentCode);
    assert_eq!(
        meaning(&rules, ScanField::Amount, text),
        as_code,
        "{framing:?} {text:?}"
    );
    assert_eq!(
        meaning(&rules, ScanField::Bill, text),
        wallet.then_some(ScanMeaning::PaymentCode),
        "{framing:?} {text:?}"
    );
    let bill = BillNo::parse(text)
        .is_ok()
        .then_some(ScanMeaning::BillNumber);
    assert_eq!(
        meaning(&rules, ScanField::None, text),
        as_code.or(bill),
        "{framing:?} {text:?}"
    );
    // An amount as a cashier writes it (no leading zeros) is typing in the amount field.
    let leading_zero = text.starts_with('0') && !text.starts_with("0.") && text != "0";
    if Fen::parse_yuan(text, DEFAULT_MAX).is_ok() && !leading_zero {
        assert_eq!(
            meaning(&rules, ScanField::Amount, text),
            None,
            "{framing:?} {text:?}"
        );
    }
});
