//! Order and refund numbers: the one place that knows how they are made.
//!
//! An order number is `{prefix}{separator?}{till}{minute}{sequence}{nonce}`:
//! - `prefix`: Cloud Pay's merchant prefix (`cloud_cashier_id`, assigned by Tencent: 10 letters
//!   and digits such as `sz0100lmnx`, or 8 digits such as `01000052`), or the till's own prefix
//!   for Tour V5 attempts (which never travel to the back office);
//! - `till`: 1–4 letters or digits, unique per merchant, so two tills never collide;
//! - `minute`, `sequence`, `nonce`: the minute it was made, the journal's attempt id and two
//!   random letters, all written with 24 capital letters (no I or O). The id alone is unique in
//!   one journal; the minute and nonce keep numbers unique if a journal file is ever replaced.
//!
//! Two rules shape it:
//! - Cloud Pay allows 32 characters for `out_trade_no` and `out_refund_no`, and one order may be
//!   refunded in several parts, each with its own number. Refund numbers are the order number
//!   plus `R` and the part (1–99), so order numbers keep to [`ORDER_MAX`] = 29.
//! - An order number never holds ten digits in a row. Anything that does is taken for a
//!   payment code and masked wherever text is redacted (journal reasons, logs, error messages),
//!   so the sequence is written in letters, and a letter separates a prefix and till whose
//!   digits would otherwise run together.

use chrono::{DateTime, Utc};

use crate::{AttemptId, Channel};

/// Longest `out_trade_no` / `out_refund_no` Cloud Pay accepts.
pub const MAX_LEN: usize = 32;
/// Longest order number, leaving room for a refund suffix `R1`…`R99`.
pub const ORDER_MAX: usize = MAX_LEN - 3;
/// Parts one order may be refunded in.
pub const MAX_REFUND_PARTS: u32 = 99;
/// Longest till id.
pub const TILL_MAX: usize = 4;
/// Longest prefix for the till's own (Tour V5) order numbers.
const INTERNAL_PREFIX_MAX: usize = 6;
/// Digits in a row that would make a number look like a payment code (see `code::MIN_LEN`).
const CODE_LIKE_DIGITS: usize = crate::code::MIN_LEN;

const LETTERS: &[u8; 24] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Minutes are counted from 2024-01-01T00:00Z; six letters last 363 years.
const EPOCH_UNIX: i64 = 1_704_067_200;
const MINUTE_WIDTH: usize = 6;
const SEQUENCE_MIN_WIDTH: usize = 5;
const NONCE_WIDTH: usize = 2;
const SEPARATOR: char = 'T';

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderNoError {
    #[error("till {0:?}: 1 to 4 letters or digits")]
    BadTill(String),
    #[error(
        "Cloud Pay order prefix {0:?}: the merchant's prefix from Tencent has 10 letters and digits (e.g. sz0100lmnx) or 8 digits (e.g. 01000052)"
    )]
    BadCloudPayPrefix(String),
    #[error("order prefix {0:?}: 1 to 6 letters or digits")]
    BadInternalPrefix(String),
    #[error("attempt {0} does not fit in an order number of {ORDER_MAX} characters")]
    TooLong(AttemptId),
    #[error("an order can be refunded in at most {MAX_REFUND_PARTS} parts")]
    TooManyRefunds,
}

impl OrderNoError {
    pub fn zh(&self) -> String {
        match self {
            Self::BadTill(t) => format!("收银台编号 {t:?} 应为 1 到 4 位字母或数字"),
            Self::BadCloudPayPrefix(p) => format!(
                "云支付订单前缀 {p:?} 不正确：腾讯分配的前缀为 10 位字母数字（如 sz0100lmnx）或 8 位数字（如 01000052）"
            ),
            Self::BadInternalPrefix(p) => format!("订单前缀 {p:?} 应为 1 到 6 位字母或数字"),
            Self::TooLong(id) => format!("第 {id} 笔支付的订单号超过 {ORDER_MAX} 个字符"),
            Self::TooManyRefunds => format!("一笔订单最多分 {MAX_REFUND_PARTS} 次退款"),
        }
    }
}

/// How one backend's order numbers are made at this till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderScheme {
    prefix: String,
    till: String,
}

impl OrderScheme {
    /// Cloud Pay: the merchant prefix Tencent assigned.
    pub fn cloud_pay(prefix: &str, till: &str) -> Result<OrderScheme, OrderNoError> {
        let alnum = prefix.bytes().all(|b| b.is_ascii_alphanumeric());
        let digits = prefix.bytes().all(|b| b.is_ascii_digit());
        if !((prefix.len() == 10 && alnum) || (prefix.len() == 8 && digits)) {
            return Err(OrderNoError::BadCloudPayPrefix(prefix.to_string()));
        }
        OrderScheme::new(prefix, till)
    }

    /// The till's own numbers (Tour V5 attempts: the back office never sees them).
    pub fn internal(prefix: &str, till: &str) -> Result<OrderScheme, OrderNoError> {
        if prefix.is_empty()
            || prefix.len() > INTERNAL_PREFIX_MAX
            || !prefix.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(OrderNoError::BadInternalPrefix(prefix.to_string()));
        }
        OrderScheme::new(prefix, till)
    }

    fn new(prefix: &str, till: &str) -> Result<OrderScheme, OrderNoError> {
        check_till(till)?;
        Ok(OrderScheme {
            prefix: prefix.to_string(),
            till: till.to_string(),
        })
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn till(&self) -> &str {
        &self.till
    }

    /// The order number of attempt `id`, made at `at`; `nonce` is any random number.
    pub fn order_no(
        &self,
        id: AttemptId,
        at: DateTime<Utc>,
        nonce: u32,
    ) -> Result<String, OrderNoError> {
        let minutes = u64::try_from((at.timestamp() - EPOCH_UNIX).max(0) / 60).unwrap_or(0);
        let sequence = u64::try_from(id.0).map_err(|_| OrderNoError::TooLong(id))?;
        let mut no = String::with_capacity(MAX_LEN);
        no.push_str(&self.prefix);
        if trailing_digits(&self.prefix) + leading_digits(&self.till) >= CODE_LIKE_DIGITS {
            no.push(SEPARATOR);
        }
        no.push_str(&self.till);
        push_letters(&mut no, minutes, MINUTE_WIDTH);
        push_letters(&mut no, sequence, SEQUENCE_MIN_WIDTH);
        push_letters(&mut no, u64::from(nonce) % 24u64.pow(2), NONCE_WIDTH);
        if no.len() > ORDER_MAX {
            return Err(OrderNoError::TooLong(id));
        }
        Ok(no)
    }

    /// Whether `no` is one of this scheme's numbers as the backend checks them: it starts with
    /// the prefix, has at most 32 characters, letters and digits only.
    pub fn owns(&self, no: &str) -> bool {
        no.starts_with(&self.prefix)
            && no.len() <= MAX_LEN
            && no.bytes().all(|b| b.is_ascii_alphanumeric())
    }
}

/// The till's schemes, one per backend: the till's own for Tour V5, the merchant's prefix for
/// Cloud Pay where it is configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderSchemes {
    pub tourv5: OrderScheme,
    pub cloudpay: Option<OrderScheme>,
}

impl OrderSchemes {
    pub fn for_channel(&self, channel: Channel) -> &OrderScheme {
        match (&self.cloudpay, channel.is_cloud()) {
            (Some(cp), true) => cp,
            _ => &self.tourv5,
        }
    }
}

/// A seed for the order-number nonces that differs between runs: two processes started in the
/// same microsecond differ by pid, so both go in.
pub fn run_seed() -> u64 {
    u64::from(std::process::id()) ^ chrono::Utc::now().timestamp_micros().unsigned_abs()
}

/// The number of part `part` (1, 2, …) of a refund of `order_no`. The same part always gets
/// the same number, so asking again continues that refund instead of starting another.
pub fn refund_no(order_no: &str, part: u32) -> Result<String, OrderNoError> {
    if !(1..=MAX_REFUND_PARTS).contains(&part) {
        return Err(OrderNoError::TooManyRefunds);
    }
    Ok(format!("{order_no}R{part}"))
}

/// A till id: 1–4 letters or digits.
pub fn check_till(till: &str) -> Result<(), OrderNoError> {
    if till.is_empty() || till.len() > TILL_MAX || !till.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(OrderNoError::BadTill(till.to_string()));
    }
    Ok(())
}

/// Writes `n` in the 24 letters, most significant first, at least `width` letters wide.
fn push_letters(out: &mut String, mut n: u64, width: usize) {
    let mut buf = Vec::with_capacity(width.max(14));
    while n > 0 || buf.len() < width {
        let digit = usize::try_from(n % 24).unwrap_or(0);
        buf.push(LETTERS[digit]);
        n /= 24;
    }
    out.extend(buf.iter().rev().map(|&b| char::from(b)));
}

fn trailing_digits(s: &str) -> usize {
    s.bytes().rev().take_while(u8::is_ascii_digit).count()
}

fn leading_digits(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 34, 56)
            .single()
            .unwrap_or_default()
    }

    fn longest_digit_run(s: &str) -> usize {
        s.split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn real_prefixes_with_the_longest_till_fit_with_room_for_refunds() {
        for (prefix, till) in [
            ("sz0100abcd", "01"),
            ("sz0100abcd", "A001"),
            ("01000052", "01"),
            ("01000052", "A001"),
            ("01000052", "9999"),
            ("0123456789", "9999"),
        ] {
            let scheme = OrderScheme::cloud_pay(prefix, till).expect("valid");
            for id in [1, 999_999, 7_962_623, 191_102_975] {
                let no = scheme
                    .order_no(AttemptId(id), at(2099, 12, 31), u32::MAX)
                    .expect("fits");
                assert!(no.len() <= ORDER_MAX, "{no}");
                assert!(scheme.owns(&no), "{no}");
                let refund = refund_no(&no, MAX_REFUND_PARTS).expect("refund");
                assert!(refund.len() <= MAX_LEN, "{refund}");
                assert!(scheme.owns(&refund), "{refund}");
                assert!(longest_digit_run(&no) < CODE_LIKE_DIGITS || prefix == "0123456789");
                assert!(
                    crate::code::redact_codes(&no) == no || prefix == "0123456789",
                    "{no} would be masked"
                );
            }
        }
    }

    #[test]
    fn numbers_are_unique_per_attempt_and_differ_between_tills() {
        let a = OrderScheme::cloud_pay("01000052", "01").expect("valid");
        let b = OrderScheme::cloud_pay("01000052", "02").expect("valid");
        let t = at(2026, 11, 30);
        let mut seen = std::collections::HashSet::new();
        for id in 1..5000 {
            assert!(seen.insert(a.order_no(AttemptId(id), t, 7).expect("fits")));
            assert!(seen.insert(b.order_no(AttemptId(id), t, 7).expect("fits")));
        }
    }

    #[test]
    fn refund_parts_have_distinct_numbers() {
        let no = "sz0100abcd01BKQWXZAAAACXK";
        let parts: std::collections::HashSet<_> = (1..=MAX_REFUND_PARTS)
            .map(|p| refund_no(no, p).expect("part"))
            .collect();
        assert_eq!(parts.len(), 99);
        assert_eq!(refund_no(no, 0), Err(OrderNoError::TooManyRefunds));
        assert_eq!(refund_no(no, 100), Err(OrderNoError::TooManyRefunds));
    }

    #[test]
    fn prefixes_of_the_wrong_shape_are_refused() {
        for bad in [
            "sbx",
            "sz0100abc",
            "sz0100abcde",
            "0100005",
            "010000521",
            "sz-100abcd",
            "",
        ] {
            assert!(OrderScheme::cloud_pay(bad, "01").is_err(), "{bad}");
        }
        for bad in ["", "1234567", "C-S"] {
            assert!(OrderScheme::internal(bad, "01").is_err(), "{bad}");
        }
        for till in ["", "12345", "0 1", "０１"] {
            assert!(OrderScheme::internal("CS", till).is_err(), "{till}");
        }
    }

    #[test]
    fn a_clock_before_the_epoch_still_gives_a_number() {
        let scheme = OrderScheme::internal("CS", "01").expect("valid");
        let no = scheme
            .order_no(AttemptId(1), at(1999, 1, 1), 0)
            .expect("fits");
        assert_eq!(no, "CS01AAAAAAAAAABAA");
    }
}
