//! What a keyboard-wedge burst means. A wedge scanner types like a keyboard, so the screen must
//! tell its bursts from a person's keys; timing alone cannot (a busy page receives a person's
//! keys bunched together, and then a cashier's typed amount was taken for a scan). So a burst is
//! a scan only when it ends in the scanner's suffix and its text has the shape of what a scanner
//! reads there; everything else is typing and stays where it was typed. The shapes are core's
//! own rules, handed to the screen as patterns it applies as they are.

use serde::Serialize;
use ts_rs::TS;

use crate::ScannerFraming;
use crate::code::{code_pattern, wallet_code_pattern};

/// Where the keys of a burst were going: the field marked for it on the checkout screen, or no
/// text field at all (the keys went to the window). Other fields never take scans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ScanField {
    Bill,
    Amount,
    None,
}

/// What a burst that is a scan carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ScanMeaning {
    /// The customer's payment code: pay with it.
    PaymentCode,
    /// A bill ticket's barcode: the bill number.
    BillNumber,
}

/// One rule: in `field`, a burst (ended by the scanner's suffix) whose whole text matches
/// `pattern` means `means`. The first rule that matches decides; none: the keys are typing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ScanRule {
    pub field: ScanField,
    /// A regular expression, anchored, in the subset both Rust and JavaScript read alike.
    pub pattern: String,
    pub means: ScanMeaning,
}

/// The rules in the order they apply.
///
/// - Bill field: only a code whose wallet is known is the customer's (never the bill number,
///   which is journalled in clear); anything else is the bill typed, by hand or by a scanner,
///   and stays in the field as typed.
/// - Amount field: any payment code. No amount under a ceiling below ¥1,000,000,000 has 10
///   digits in a row, so a typed amount is never taken for a scan.
/// - No field: any payment code; else a bill ticket (1–20 printable characters).
pub fn scan_rules(framing: &ScannerFraming) -> Vec<ScanRule> {
    let rule = |field, pattern: String, means| ScanRule {
        field,
        pattern,
        means,
    };
    vec![
        rule(
            ScanField::Bill,
            wallet_code_pattern(framing),
            ScanMeaning::PaymentCode,
        ),
        rule(
            ScanField::Amount,
            code_pattern(framing),
            ScanMeaning::PaymentCode,
        ),
        rule(
            ScanField::None,
            code_pattern(framing),
            ScanMeaning::PaymentCode,
        ),
        rule(
            ScanField::None,
            format!(
                "^[\\x21-\\x7e][\\x20-\\x7e]{{0,{}}}$",
                crate::bill::MAX_LEN - 1
            ),
            ScanMeaning::BillNumber,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use regex::Regex;

    use super::*;
    use crate::{BillNo, CodeKind, PaymentCode};

    fn pattern(field: ScanField, means: ScanMeaning, framing: &ScannerFraming) -> Regex {
        let rule = scan_rules(framing)
            .into_iter()
            .find(|r| r.field == field && r.means == means);
        match rule {
            Some(r) => Regex::new(&r.pattern).unwrap(),
            None => panic!("no {means:?} rule for {field:?}"),
        }
    }

    /// Framings a scanner is set up with: empty, or holding a character that is not a digit (a
    /// framing of digits alone cannot be told from the code it frames, by the parser either).
    fn framing() -> impl Strategy<Value = ScannerFraming> {
        let part = prop_oneof![
            Just(String::new()),
            "[\\x21-\\x2f\\x3a-\\x7e][\\x21-\\x7e]{0,3}",
            "[0-9][\\x21-\\x2f\\x3a-\\x7e]",
        ];
        (part.clone(), part).prop_map(|(prefix, suffix)| ScannerFraming { prefix, suffix })
    }

    /// Text a wedge scanner could type, framed or not, mostly digits.
    fn burst(framing: ScannerFraming) -> impl Strategy<Value = String> {
        let body = prop_oneof![
            "[0-9]{0,40}",
            "(1[0-5]|2[5-9]|30|62)[0-9]{12,24}",
            "[\\x21-\\x7e]{1,24}",
            "[0-9]{5,12}\\.[0-9]{0,3}",
        ];
        (body, any::<bool>(), any::<bool>()).prop_map(move |(b, pre, suf)| {
            let p = if pre { framing.prefix.as_str() } else { "" };
            let s = if suf { framing.suffix.as_str() } else { "" };
            format!("{p}{b}{s}")
        })
    }

    fn framed_burst() -> impl Strategy<Value = (ScannerFraming, String)> {
        framing().prop_flat_map(|f| (Just(f.clone()), burst(f)))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn the_code_pattern_takes_what_the_parser_takes((framing, text) in framed_burst()) {
            let re = pattern(ScanField::Amount, ScanMeaning::PaymentCode, &framing);
            prop_assert_eq!(re.is_match(&text), PaymentCode::parse(&text, &framing).is_ok());
            let re = pattern(ScanField::None, ScanMeaning::PaymentCode, &framing);
            prop_assert_eq!(re.is_match(&text), PaymentCode::parse(&text, &framing).is_ok());
        }

        #[test]
        fn the_wallet_pattern_takes_codes_of_a_known_wallet((framing, text) in framed_burst()) {
            let re = pattern(ScanField::Bill, ScanMeaning::PaymentCode, &framing);
            let known = PaymentCode::parse(&text, &framing).is_ok_and(|c| c.kind() != CodeKind::Unknown);
            prop_assert_eq!(re.is_match(&text), known);
        }

        #[test]
        fn the_bill_pattern_takes_what_a_bill_number_is(text in "[\\x21-\\x7e]([\\x20-\\x7e]{0,24}[\\x21-\\x7e])?") {
            let re = pattern(ScanField::None, ScanMeaning::BillNumber, &ScannerFraming::default());
            prop_assert_eq!(re.is_match(&text), BillNo::parse(&text).is_ok());
        }

        /// What a cashier types into the amount field is never a scan there.
        #[test]
        fn no_amount_is_a_scan(yuan in 0u64..100_000, fen in 0u64..100, form in 0..3) {
            let text = match form {
                0 => yuan.to_string(),
                1 => format!("{yuan}.{}", fen / 10),
                _ => format!("{yuan}.{fen:02}"),
            };
            for r in scan_rules(&ScannerFraming::default()).iter().filter(|r| r.field == ScanField::Amount) {
                prop_assert!(!Regex::new(&r.pattern).unwrap().is_match(&text), "{} took {}", r.pattern, text);
            }
        }
    }

    #[test]
    fn the_sandbox_test_codes_are_scans_and_bills_are_not() {
        let plain = ScannerFraming::default();
        let code = pattern(ScanField::Amount, ScanMeaning::PaymentCode, &plain);
        let wallet = pattern(ScanField::Bill, ScanMeaning::PaymentCode, &plain);
        for c in [
            "134520273825387649",
            "284520273825387649",
            "6212345678901234567",
        ] {
            assert!(code.is_match(c) && wallet.is_match(c), "{c}");
        }
        // A shop's own numeric bill ticket is a payment code by length, but of no known wallet.
        assert!(code.is_match("20261130000042") && !wallet.is_match("20261130000042"));
        assert!(!code.is_match("12.34") && !code.is_match("1234"));
    }
}
