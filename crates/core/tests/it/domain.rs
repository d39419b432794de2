//! What a cashier types and what a scanner reads: every bad input gets a typed, clear error.

use cashier_core::money::DEFAULT_MAX;
use cashier_core::{
    AmountError, BillError, BillNo, CodeError, CodeKind, Error, Fen, Lang, PaymentCode,
    ScannerFraming,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::str::FromStr;

fn yuan(s: &str) -> Result<Fen, AmountError> {
    Fen::parse_yuan(s, DEFAULT_MAX)
}

#[test]
fn amounts_a_cashier_types() {
    assert_eq!(yuan("12"), Ok(Fen(1200)));
    assert_eq!(yuan("12.3"), Ok(Fen(1230)));
    assert_eq!(yuan("12.30"), Ok(Fen(1230)));
    assert_eq!(yuan("0.01"), Ok(Fen(1)));
    assert_eq!(yuan(" 7.05 "), Ok(Fen(705)));
    assert_eq!(yuan("012.5"), Ok(Fen(1250)));
    assert_eq!(yuan("100000"), Ok(Fen(10_000_000)));
    assert_eq!(yuan("100000.00"), Ok(Fen(10_000_000)));
    // Full-width digits and point from a Chinese input method are normalised.
    assert_eq!(yuan("１２．５"), Ok(Fen(1250)));
    assert_eq!(yuan("１２"), Ok(Fen(1200)));
}

#[test]
fn amounts_rejected_with_a_reason() {
    assert_eq!(yuan(""), Err(AmountError::Empty));
    assert_eq!(yuan("   "), Err(AmountError::Empty));
    assert_eq!(yuan("0"), Err(AmountError::Zero));
    assert_eq!(yuan("0.00"), Err(AmountError::Zero));
    assert_eq!(yuan("-5"), Err(AmountError::Negative));
    assert_eq!(yuan("－5"), Err(AmountError::Negative));
    assert_eq!(yuan("1.234"), Err(AmountError::TooManyDecimals));
    for bad in [
        "1e3", "1E3", "NaN", "nan", "inf", "+5", "1,000", "12.", ".5", "1.2.3", "12 元", "¥12",
        "0x10", "1_000", "--5", "-",
    ] {
        assert!(
            matches!(yuan(bad), Err(AmountError::NotPlainDigits(_))),
            "{bad:?} gave {:?}",
            yuan(bad)
        );
    }
    assert!(matches!(
        yuan("100000.01"),
        Err(AmountError::OverMax { .. })
    ));
    assert!(matches!(
        yuan("99999999999999999999999"),
        Err(AmountError::OverMax { .. })
    ));
    assert!(matches!(
        Fen::parse_yuan("50.01", Fen(5000)),
        Err(AmountError::OverMax { .. })
    ));
    assert_eq!(Fen::parse_yuan("50", Fen(5000)), Ok(Fen(5000)));
}

#[test]
fn every_amount_error_has_both_languages() {
    for e in [
        AmountError::Empty,
        AmountError::Zero,
        AmountError::Negative,
        AmountError::TooManyDecimals,
        AmountError::NotPlainDigits("x".into()),
        AmountError::OverMax {
            amount: "1".into(),
            max: DEFAULT_MAX,
        },
    ] {
        let err = Error::from(e);
        assert_eq!(err.code(), "invalid_amount");
        let zh = err.message(Lang::ZhCn);
        let en = err.message(Lang::En);
        assert!(!zh.is_empty() && !en.is_empty() && zh != en, "{zh} / {en}");
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{zh}"
        );
    }
}

#[test]
fn wire_yuan_is_exact() {
    assert_eq!(Fen(1230).to_wire_yuan().to_string(), "12.30");
    assert_eq!(Fen(1).to_wire_yuan().to_string(), "0.01");
    assert_eq!(Fen(1230).to_string(), "12.30");
    assert_eq!(
        Fen::from_wire_yuan(Decimal::from_str("12.3").unwrap()),
        Ok(Fen(1230))
    );
    assert!(Fen::from_wire_yuan(Decimal::from_str("12.345").unwrap()).is_err());
    assert!(Fen::from_wire_yuan(Decimal::from_str("-1").unwrap()).is_err());
    #[derive(serde::Serialize, serde::Deserialize)]
    struct W {
        #[serde(with = "cashier_core::money::wire_yuan")]
        v: Fen,
    }
    // 0.1 + 0.2 style values must come out exactly, never via f64.
    for (fen, text) in [
        (30, "0.3"),
        (1, "0.01"),
        (10_000_000, "100000"),
        (1999, "19.99"),
        (12_345_678_901, "123456789.01"),
    ] {
        let json = serde_json::to_string(&W { v: Fen(fen) }).unwrap();
        assert_eq!(json, format!("{{\"v\":{text}}}"));
        let back: W = serde_json::from_str(&json).unwrap();
        assert_eq!(back.v, Fen(fen));
    }
    assert!(serde_json::from_str::<W>("{\"v\":1.001}").is_err());
    // A backend's absurd number is an error, never a crash.
    assert!(serde_json::from_str::<W>("{\"v\":1000000000000000000000000000}").is_err());
    assert!(Fen::from_wire_yuan(Decimal::MAX).is_err());
}

proptest! {
    #[test]
    fn any_fen_round_trips_through_typed_text(fen in 1u64..=10_000_000) {
        let typed = Fen(fen).to_string();
        prop_assert_eq!(yuan(&typed), Ok(Fen(fen)));
        let wire = Fen(fen).to_wire_yuan();
        prop_assert_eq!(Fen::from_wire_yuan(wire), Ok(Fen(fen)));
    }

    #[test]
    fn parse_never_panics_and_accepts_only_plain_amounts(s in "\\PC{0,24}") {
        if let Ok(f) = yuan(&s) {
            prop_assert!(f.0 > 0 && f <= DEFAULT_MAX);
            let t = s.trim();
            prop_assert!(t.chars().all(|c| c.is_ascii_digit() || c == '.' || ('０'..='９').contains(&c) || c == '．'), "{:?}", s);
        }
    }

    #[test]
    fn three_decimals_always_rejected(int in 0u64..100_000, frac in 0u32..1000) {
        let s = format!("{int}.{frac:03}");
        prop_assert_eq!(yuan(&s), Err(AmountError::TooManyDecimals));
    }

    #[test]
    fn payment_code_digits_10_to_32_accepted_and_masked(d in "[0-9]{10,32}") {
        let c = PaymentCode::parse(&format!("{d}\r\n"), &ScannerFraming::default()).unwrap();
        prop_assert_eq!(c.expose(), d.as_str());
        let n = d.len();
        let expected = format!("{}{}{}", &d[..4], "*".repeat(n - 8), &d[n - 4..]);
        prop_assert_eq!(c.masked(), expected.clone());
        prop_assert_eq!(format!("{c}"), expected.clone());
        let debug = format!("{c:?}");
        prop_assert!(debug.contains(&expected) && !debug.contains(&d));
    }

    #[test]
    fn payment_code_parse_never_panics(s in "\\PC{0,40}") {
        let _ = PaymentCode::parse(&s, &ScannerFraming { prefix: "]Q".into(), suffix: "#".into() });
    }
}

#[test]
fn payment_codes_classified_and_masked() {
    let none = ScannerFraming::default();
    let c = |s: &str| PaymentCode::parse(s, &none);
    assert_eq!(c("134520273825387649").unwrap().kind(), CodeKind::Wechat);
    assert_eq!(c("104520273825387649").unwrap().kind(), CodeKind::Wechat);
    assert_eq!(c("284520273825387649").unwrap().kind(), CodeKind::Alipay);
    assert_eq!(c("2845202738253876").unwrap().kind(), CodeKind::Alipay);
    assert_eq!(c("6212345678901234567").unwrap().kind(), CodeKind::UnionPay);
    assert_eq!(c("1234567890").unwrap().kind(), CodeKind::Unknown);
    assert_eq!(c("164520273825387649").unwrap().kind(), CodeKind::Unknown);
    let w = c("134520273825387649\r\n").unwrap();
    assert_eq!(w.masked(), "1345**********7649");
    assert_eq!(format!("{w}"), "1345**********7649");
    assert!(!format!("{w:?}").contains("134520273825387649"));
    assert_eq!(c(""), Err(CodeError::Empty));
    assert_eq!(c("\r\n"), Err(CodeError::Empty));
    assert_eq!(c("12345"), Err(CodeError::BadLength(5)));
    assert_eq!(c(&"1".repeat(33)), Err(CodeError::BadLength(33)));
    assert_eq!(c("13452027382538764a"), Err(CodeError::NotDigits('a')));
    assert_eq!(
        c("１３４５２０２７３８２５３８７６４９"),
        Err(CodeError::NotDigits('１'))
    );
    let framed = ScannerFraming {
        prefix: "]Q1".into(),
        suffix: "\t".into(),
    };
    assert_eq!(
        PaymentCode::parse("]Q1134520273825387649\t\r", &framed)
            .unwrap()
            .expose(),
        "134520273825387649"
    );
    let e = Error::from(CodeError::BadLength(5));
    assert_eq!(e.code(), "invalid_code");
    assert!(e.message(Lang::ZhCn).contains("10 到 32"));
}

#[test]
fn bill_numbers() {
    assert_eq!(
        BillNo::parse(" B20261122-001 ").unwrap().as_str(),
        "B20261122-001"
    );
    assert_eq!(BillNo::parse(&"A".repeat(20)).unwrap().as_str().len(), 20);
    assert_eq!(BillNo::parse(""), Err(BillError::Empty));
    assert_eq!(BillNo::parse(&"A".repeat(21)), Err(BillError::TooLong(21)));
    assert_eq!(BillNo::parse("单号1"), Err(BillError::BadChar('单')));
    assert_eq!(BillNo::parse("A\tB"), Err(BillError::BadChar('\t')));
    assert_eq!(Error::from(BillError::Empty).code(), "invalid_bill");
    assert!(serde_json::from_str::<BillNo>("\"\"").is_err());
}
