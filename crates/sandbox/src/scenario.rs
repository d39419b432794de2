//! What a payment code makes the sandbox do, chosen by the code's last four digits.
//!
//! | last four digits | scenario | what the backend answers |
//! |---|---|---|
//! | `1001` … `1009` (`100N`) | password needed | the pay call answers "waiting for the customer's password" (Tour V5 `USERPAYING` / POS `errcode` 1 / Cloud Pay WeChat state 6, Alipay 4); paid about N×3 s after the pay call (the customer typing the password) and charged then, whether or not anybody asked: queries, the POS bill status and the ledger only report it |
//! | `2222` | declined | insufficient balance: Tour V5 `errcode` -1 "余额不足 insufficient balance"; Cloud Pay status 104 |
//! | `3333` | code expired | Tour V5 `errcode` -1 "付款码已过期 payment code expired"; Cloud Pay status 104 |
//! | `4444` | pending forever | waits for the password forever; never charged |
//! | `7003` | charged, answered busy | charged by the pay call, but the answer says busy: Cloud Pay status 3 (unsigned, "系统繁忙，请查询 busy, query the order"), Tour V5 (KouDaiLQ, POS) `errcode` 500 (undocumented) "系统繁忙 busy"; Cloud Pay `query_order`, KouDaiLQ query and the POS bill status report it paid |
//! | `7102` | new order number needed | not charged: Cloud Pay status 102 (unsigned, "请更换订单号 use a new order number"), Tour V5 `errcode` -1 "请重新支付 pay again"; the order is declined |
//! | `7103` | charged, answered wait | charged by the pay call, but Cloud Pay answers status 103 (unsigned, "请稍候查询 wait then query"); Tour V5 as `7003`; queries report it paid |
//! | `7777` | code already used | not charged: Cloud Pay status 104, Tour V5 `errcode` -1, both "付款码已使用 code already used"; the order is declined |
//! | `8000` … `8999` (`8xxx`) | paid at once, single-use | charged by the pay call; single-use: a second charge with the same code is refused as already used (answered as `7777`), on any channel, for any other order or bill; the same Cloud Pay order number again is still the duplicate (104 / 407); `/_sandbox/reset` forgets the used codes |
//! | anything else | paid at once | charged by the pay call itself |
//!
//! Examples: WeChat code `134520273825387649` is paid at once; `134520273825381003` answers
//! pending to the pay call and to every query in the next 9 s, and is paid from then on, so a
//! client polling every 3 s finds it paid on its third query. `134520273825388001` is paid
//! once; presented again for another order or bill it is refused as already used.
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
/// 3-second poll interval of docs/protocols.md §5.2, so `100N` is found paid on about the N-th
/// poll.
pub const PASSWORD_STEP: Duration = Duration::from_secs(3);

/// The behaviour a payment code selects (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
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
    /// Charged by the pay call, whose answer says busy: Cloud Pay status 3, Tour V5
    /// `errcode` 500.
    ChargedBusy,
    /// Charged by the pay call, whose answer says wait: Cloud Pay status 103, Tour V5 as
    /// [`Scenario::ChargedBusy`].
    ChargedWait,
    /// Refused, not charged: Cloud Pay status 102 (retry only with a new order number).
    NewOrderNumber,
    /// Refused, not charged: the payment code was used before.
    CodeUsed,
    /// Charged by the pay call, once: presented again, the code plays
    /// [`Scenario::CodeUsed`] (the book remembers it, see `Book::barcode`).
    SingleUse,
}

/// How a pay call answers instead of "done": a status or `errcode` and its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Failure {
    pub code: i64,
    pub message: &'static str,
}

const fn failure(code: i64, message: &'static str) -> Option<Failure> {
    Some(Failure { code, message })
}

impl Scenario {
    /// How long after the pay call a `Password` order becomes paid; `None` for the others.
    pub fn password_delay(self) -> Option<Duration> {
        match self {
            Scenario::Password(n) => PASSWORD_STEP.checked_mul(n),
            _ => None,
        }
    }

    /// What Cloud Pay's `micro_pay` answers instead of status 0 (always unsigned).
    pub(crate) fn cloud_failure(self) -> Option<Failure> {
        match self {
            Scenario::Declined => failure(104, messages::DECLINED),
            Scenario::CodeExpired => failure(104, messages::CODE_EXPIRED),
            Scenario::ChargedBusy => failure(3, messages::BUSY_QUERY),
            Scenario::ChargedWait => failure(103, messages::WAIT_QUERY),
            Scenario::NewOrderNumber => failure(102, messages::NEW_ORDER_NUMBER),
            Scenario::CodeUsed => failure(104, messages::CODE_USED),
            Scenario::Paid | Scenario::SingleUse | Scenario::Password(_) | Scenario::Forever => {
                None
            }
        }
    }

    /// What Tour V5's barcode pay calls (KouDaiLQ, POS) answer instead of `errcode` 0 or 1.
    pub(crate) fn tour_failure(self) -> Option<Failure> {
        match self {
            Scenario::Declined => failure(-1, messages::DECLINED),
            Scenario::CodeExpired => failure(-1, messages::CODE_EXPIRED),
            Scenario::ChargedBusy | Scenario::ChargedWait => failure(500, messages::BUSY),
            Scenario::NewOrderNumber => failure(-1, messages::PAY_AGAIN),
            Scenario::CodeUsed => failure(-1, messages::CODE_USED),
            Scenario::Paid | Scenario::SingleUse | Scenario::Password(_) | Scenario::Forever => {
                None
            }
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
            "7003" => Scenario::ChargedBusy,
            "7103" => Scenario::ChargedWait,
            "7102" => Scenario::NewOrderNumber,
            "7777" => Scenario::CodeUsed,
            t if t.len() == 4 && t.starts_with('8') && t.bytes().all(|b| b.is_ascii_digit()) => {
                Scenario::SingleUse
            }
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

    #[test]
    fn answer_scenarios_and_single_use_codes() {
        let cases = [
            ("134520273825387003", Scenario::ChargedBusy),
            ("134520273825387103", Scenario::ChargedWait),
            ("134520273825387102", Scenario::NewOrderNumber),
            ("134520273825387777", Scenario::CodeUsed),
            ("134520273825388001", Scenario::SingleUse),
            ("134520273825388000", Scenario::SingleUse),
            ("134520273825388999", Scenario::SingleUse),
            ("8001", Scenario::SingleUse),
            ("801", Scenario::Paid),
            ("134520273825387004", Scenario::Paid),
            ("134520273825387101", Scenario::Paid),
            ("134520273825379999", Scenario::Paid),
        ];
        for (code, scenario) in cases {
            assert_eq!(Scenario::of_code(code), scenario, "{code}");
        }
    }

    #[test]
    fn failures_per_backend() {
        let cloud = |s: Scenario| s.cloud_failure().map(|f| f.code);
        let tour = |s: Scenario| s.tour_failure().map(|f| f.code);
        assert_eq!(cloud(Scenario::ChargedBusy), Some(3));
        assert_eq!(cloud(Scenario::ChargedWait), Some(103));
        assert_eq!(cloud(Scenario::NewOrderNumber), Some(102));
        assert_eq!(cloud(Scenario::CodeUsed), Some(104));
        assert_eq!(cloud(Scenario::SingleUse), None);
        assert_eq!(tour(Scenario::ChargedBusy), Some(500));
        assert_eq!(tour(Scenario::ChargedWait), Some(500));
        assert_eq!(tour(Scenario::NewOrderNumber), Some(-1));
        assert_eq!(tour(Scenario::CodeUsed), Some(-1));
        assert_eq!(tour(Scenario::Paid), None);
    }
}
