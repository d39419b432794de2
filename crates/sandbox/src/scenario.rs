//! What a payment code makes the sandbox do, chosen by the code's last four digits.
//!
//! | last four digits | scenario | what the backend answers |
//! |---|---|---|
//! | `1001` … `1009` (`100N`) | password needed | the pay call answers "waiting for the customer's password" (Tour V5 `USERPAYING` / POS `errcode` 1 / Cloud Pay WeChat state 6, Alipay 4); paid about N×3 s after the pay call (the customer typing the password) and charged then, whether or not anybody asked: queries, the POS bill status and the ledger only report it |
//! | `2222` | declined | insufficient balance: Tour V5 `errcode` -1 "余额不足 insufficient balance"; Cloud Pay status 104 |
//! | `3333` | code expired | Tour V5 `errcode` -1 "付款码已过期 payment code expired"; Cloud Pay status 104 |
//! | `4444` | pending forever | waits for the password forever; never charged |
//! | anything else | paid at once | charged by the pay call itself |
//!
//! Examples: WeChat code `134520273825387649` is paid at once; `134520273825381003` answers
//! pending to the pay call and to every query in the next 9 s, and is paid from then on, so a
//! client polling every 3 s finds it paid on its third query.
//!
//! The time is measured on tokio's clock (see `clock`): real time on a normal runtime, the
//! test's virtual time on a paused one.
//!
//! QR orders have no code: the customer page (`/_sandbox/pay/{reference}`) pays or declines
//! them, and an unpaid QR order closes when the sandbox's `qr_ttl` (or Cloud Pay's
//! `time_expire`) has passed.

use std::time::Duration;

use crate::messages;

/// How long the customer of a `100N` code takes per N: the sandbox's stand-in for the
/// 3-second poll interval of PROTOCOLS §5.2, so `100N` is found paid on about the N-th poll.
pub const PASSWORD_STEP: Duration = Duration::from_secs(3);

/// The behaviour a payment code selects (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Charged by the pay call.
    Paid,
    /// Pending until N × [`PASSWORD_STEP`] after the pay call, then paid and charged.
    Password(u32),
    /// Refused: insufficient balance.
    Declined,
    /// Refused: the payment code has expired.
    CodeExpired,
    /// Pending forever, never charged.
    Forever,
}

impl Scenario {
    /// How long after the pay call a `Password` order becomes paid; `None` for the others.
    pub fn password_delay(self) -> Option<Duration> {
        match self {
            Scenario::Password(n) => PASSWORD_STEP.checked_mul(n),
            _ => None,
        }
    }

    /// The refusal the pay call answers with, for the scenarios that refuse.
    pub(crate) fn refusal(self) -> Option<&'static str> {
        match self {
            Scenario::Declined => Some(messages::DECLINED),
            Scenario::CodeExpired => Some(messages::CODE_EXPIRED),
            _ => None,
        }
    }

    /// The scenario for a payment code (clear digits; only its last four matter).
    pub fn of_code(code: &str) -> Scenario {
        let n = code.chars().count();
        let tail: String = code.chars().skip(n.saturating_sub(4)).collect();
        match tail.as_str() {
            "2222" => Scenario::Declined,
            "3333" => Scenario::CodeExpired,
            "4444" => Scenario::Forever,
            t => match t.strip_prefix("100").and_then(|d| d.parse::<u32>().ok()) {
                Some(queries @ 1..=9) => Scenario::Password(queries),
                _ => Scenario::Paid,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Scenario;

    #[test]
    fn table_examples() {
        assert_eq!(Scenario::of_code("134520273825387649"), Scenario::Paid);
        assert_eq!(
            Scenario::of_code("134520273825381003"),
            Scenario::Password(3)
        );
        assert_eq!(Scenario::of_code("134520273825381000"), Scenario::Paid);
        assert_eq!(Scenario::of_code("134520273825382222"), Scenario::Declined);
        assert_eq!(
            Scenario::of_code("134520273825383333"),
            Scenario::CodeExpired
        );
        assert_eq!(Scenario::of_code("134520273825384444"), Scenario::Forever);
        assert_eq!(Scenario::of_code("1009"), Scenario::Password(9));
        assert_eq!(Scenario::of_code("12"), Scenario::Paid);
    }
}
