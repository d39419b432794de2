//! Money as an integer number of fen (1 yuan = 100 fen).
//!
//! Parsing is strict because it reads what a cashier types: `12`, `12.3`, `12.30`.
//! Full-width digits and the full-width point (from Chinese input methods) are normalised,
//! everything else that is not a plain positive amount is rejected with a reason.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An amount of money in fen. Never negative.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Fen(pub u64);

/// Default ceiling for one payment: 100 000.00 yuan.
pub const DEFAULT_MAX: Fen = Fen(10_000_000);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("amount is empty")]
    Empty,
    #[error("amount must be more than zero")]
    Zero,
    #[error("amount cannot be negative")]
    Negative,
    #[error("amount has more than two decimals")]
    TooManyDecimals,
    #[error("amount must be written as plain digits (no exponent, sign or separators): {0:?}")]
    NotPlainDigits(String),
    #[error("amount {amount} is over the maximum of {max}")]
    OverMax { amount: String, max: Fen },
    #[error("amount from the backend is not a valid yuan value: {0}")]
    Wire(String),
}

impl AmountError {
    pub fn zh(&self) -> String {
        match self {
            Self::Empty => "请输入金额".into(),
            Self::Zero => "金额必须大于零".into(),
            Self::Negative => "金额不能为负数".into(),
            Self::TooManyDecimals => "金额最多两位小数".into(),
            Self::NotPlainDigits(s) => format!("金额只能由数字和小数点组成：{s}"),
            Self::OverMax { amount, max } => format!("金额 {amount} 超过上限 {max} 元"),
            Self::Wire(s) => format!("后台返回的金额无效：{s}"),
        }
    }
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// Parses what a cashier typed, in yuan, against a ceiling.
    pub fn parse_yuan(input: &str, max: Fen) -> Result<Fen, AmountError> {
        let normalised: String = input.trim().chars().map(normalise_char).collect();
        let s = normalised.as_str();
        if s.is_empty() {
            return Err(AmountError::Empty);
        }
        if let Some(rest) = s.strip_prefix('-') {
            // Only call it "negative" when the rest is a number; "-x" is just not digits.
            if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '.') {
                return Err(AmountError::Negative);
            }
            return Err(AmountError::NotPlainDigits(input.trim().to_string()));
        }
        let (int_part, frac_part) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        let digits_only = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !digits_only(int_part) {
            return Err(AmountError::NotPlainDigits(input.trim().to_string()));
        }
        let frac = match frac_part {
            None => "",
            Some(f) if digits_only(f) => f,
            Some(_) => return Err(AmountError::NotPlainDigits(input.trim().to_string())),
        };
        if frac.len() > 2 {
            return Err(AmountError::TooManyDecimals);
        }
        let over = || AmountError::OverMax {
            amount: input.trim().to_string(),
            max,
        };
        // Leading zeros are harmless ("012.5"), but a huge digit run must not overflow.
        let int_trimmed = int_part.trim_start_matches('0');
        if int_trimmed.len() > 15 {
            return Err(over());
        }
        let yuan: u64 = if int_trimmed.is_empty() {
            0
        } else {
            int_trimmed.parse().map_err(|_| over())?
        };
        let mut frac_fen: u64 = 0;
        for (i, b) in frac.bytes().enumerate() {
            frac_fen += u64::from(b - b'0') * if i == 0 { 10 } else { 1 };
        }
        let fen = Fen(yuan * 100 + frac_fen);
        if fen.0 == 0 {
            return Err(AmountError::Zero);
        }
        if fen > max {
            return Err(over());
        }
        Ok(fen)
    }

    /// The amount as a yuan decimal for the wire (`12.3` → `12.30`, scale 2).
    pub fn to_wire_yuan(self) -> Decimal {
        Decimal::from_i128_with_scale(i128::from(self.0), 2)
    }

    /// Reads a yuan decimal from the wire; more than two decimals is an error, not rounding.
    pub fn from_wire_yuan(d: Decimal) -> Result<Fen, AmountError> {
        if d.is_sign_negative() && !d.is_zero() {
            return Err(AmountError::Wire(d.to_string()));
        }
        // A backend can send any number; an overflow is a bad answer, not a crash.
        let fen = d
            .checked_mul(Decimal::ONE_HUNDRED)
            .ok_or_else(|| AmountError::Wire(d.to_string()))?;
        if fen.fract() != Decimal::ZERO {
            return Err(AmountError::Wire(d.to_string()));
        }
        let fen = fen.trunc().mantissa() / 10i128.pow(fen.trunc().scale());
        u64::try_from(fen)
            .map(Fen)
            .map_err(|_| AmountError::Wire(d.to_string()))
    }

    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    pub fn saturating_add(self, other: Fen) -> Fen {
        Fen(self.0.saturating_add(other.0))
    }
}

fn normalise_char(c: char) -> char {
    match c {
        '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
        '．' => '.',
        '－' => '-',
        other => other,
    }
}

/// Yuan with exactly two decimals, as on a receipt: `12.30`.
impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad` so receipts can align amounts with `{:>12}`.
        f.pad(&format!("{}.{:02}", self.0 / 100, self.0 % 100))
    }
}

/// Serde adapter: a `Fen` field that travels as a yuan JSON number (`12.3`), never through f64.
pub mod wire_yuan {
    use super::Fen;
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(fen: &Fen, s: S) -> Result<S::Ok, S::Error> {
        rust_decimal::serde::arbitrary_precision::serialize(&fen.to_wire_yuan().normalize(), s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Fen, D::Error> {
        let dec: Decimal = rust_decimal::serde::arbitrary_precision::deserialize(d)?;
        Fen::from_wire_yuan(dec).map_err(serde::de::Error::custom)
    }
}
