//! What the backends take as a payment code (docs/protocols.md §4): 10 to 32 ASCII digits, exactly
//! as sent (no spaces, no line ends), and which wallet issued it, read by the till's own rules
//! (`cashier_core::code`): WeChat 18 digits starting 10–15, Alipay 16–24 starting 25–30.

use cashier_core::code::{MAX_LEN, MIN_LEN};
use cashier_core::{CodeKind, PaymentCode, ScannerFraming};

/// Why a code is refused before anything is charged.
pub const NOT_A_CODE: &str = "付款码无效 not a payment code (10 to 32 digits)";

/// The code's wallet, or `None` when it is not 10–32 digits.
pub fn kind(code: &str) -> Option<CodeKind> {
    let digits =
        (MIN_LEN..=MAX_LEN).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit());
    if !digits {
        return None;
    }
    PaymentCode::parse(code, &ScannerFraming::default())
        .ok()
        .map(|c| c.kind())
}

#[cfg(test)]
mod tests {
    use super::kind;
    use cashier_core::CodeKind;

    #[test]
    fn ten_to_thirty_two_digits_and_nothing_else() {
        assert_eq!(kind("134520273825387649"), Some(CodeKind::Wechat));
        assert_eq!(kind("284520273825387649"), Some(CodeKind::Alipay));
        assert_eq!(kind("6212345678901234567"), Some(CodeKind::UnionPay));
        assert_eq!(kind("1234567890"), Some(CodeKind::Unknown));
        assert_eq!(kind(&"9".repeat(32)), Some(CodeKind::Unknown));
        for bad in [
            "",
            "12345",
            "123456789",
            &"9".repeat(33),
            " 134520273825387649",
            "134520273825387649\n",
            "13452027382538764x",
            "１３４５２０２７３８２５",
        ] {
            assert_eq!(kind(bad), None, "{bad:?}");
        }
    }
}
