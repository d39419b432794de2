//! Payment codes as read by a scanner gun (docs/protocols.md §4).
//!
//! A payment code is a bearer credential for about a minute, so `Debug` and `Display` only ever
//! show it masked; the clear digits come out through [`PaymentCode::expose`], at the wire only.

use std::fmt;
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 32;

#[derive(Clone, PartialEq, Eq)]
pub struct PaymentCode {
    digits: String,
    kind: CodeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    Wechat,
    Alipay,
    UnionPay,
    Unknown,
}

impl CodeKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            CodeKind::Wechat => "微信",
            CodeKind::Alipay => "支付宝",
            CodeKind::UnionPay => "银联",
            CodeKind::Unknown => "未知钱包的",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            CodeKind::Wechat => "WeChat",
            CodeKind::Alipay => "Alipay",
            CodeKind::UnionPay => "UnionPay",
            CodeKind::Unknown => "unknown wallet",
        }
    }

    fn with_article_en(self) -> &'static str {
        match self {
            CodeKind::Wechat => "a WeChat",
            CodeKind::Alipay => "an Alipay",
            CodeKind::UnionPay => "a UnionPay",
            CodeKind::Unknown => "an unrecognised",
        }
    }
}

/// What the scanner wraps around a code; configured per scanner model.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScannerFraming {
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub suffix: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("no payment code was read")]
    Empty,
    #[error(
        "a payment code holds only digits; this read holds {0:?} (a mis-scan or the wrong barcode)"
    )]
    NotDigits(char),
    #[error("a payment code has 10 to 32 digits; this one has {0}")]
    BadLength(usize),
    #[error("this is {} payment code; this way of paying takes {takes} codes only", .got.with_article_en())]
    WrongWallet { got: CodeKind, takes: &'static str },
}

impl CodeError {
    pub fn zh(&self) -> String {
        match self {
            Self::Empty => "没有读到付款码".into(),
            Self::NotDigits(c) => format!("付款码只能是数字，读到了 {c:?}（扫错了或不是付款码）"),
            Self::BadLength(n) => format!("付款码应为 10 到 32 位数字，这个有 {n} 位"),
            Self::WrongWallet { got, takes } => format!(
                "这是{}付款码，此收款方式只收{}付款码",
                got.name_zh(),
                match *takes {
                    "WeChat" => "微信",
                    _ => "微信或支付宝",
                }
            ),
        }
    }
}

impl PaymentCode {
    /// Strips CR/LF and the scanner's framing, then checks 10–32 ASCII digits.
    ///
    /// The framing is stripped where it is present; should that leave no code, the read is
    /// taken with less of it stripped, as [`code_pattern`] allows (each part is optional there):
    /// a prefix holding a code and the suffix's start (`2845492027376449#` with suffix `#`) ate
    /// the code it framed, and the screen took for a scan what this refused. The most stripped
    /// reading is tried first and its error is the one reported.
    pub fn parse(raw: &str, framing: &ScannerFraming) -> Result<PaymentCode, CodeError> {
        let s = raw.trim_matches(|c| c == '\r' || c == '\n');
        let mut first = None;
        for reading in readings(s, framing) {
            match Self::digits(reading) {
                Ok(code) => return Ok(code),
                Err(e) => {
                    first.get_or_insert(e);
                }
            }
        }
        Err(first.unwrap_or(CodeError::Empty))
    }

    /// One reading of a read, framing gone: 10–32 ASCII digits.
    fn digits(s: &str) -> Result<PaymentCode, CodeError> {
        let s = s.trim_matches(|c| c == '\r' || c == '\n' || c == ' ');
        if s.is_empty() {
            return Err(CodeError::Empty);
        }
        if let Some(c) = s.chars().find(|c| !c.is_ascii_digit()) {
            return Err(CodeError::NotDigits(c));
        }
        if !(MIN_LEN..=MAX_LEN).contains(&s.len()) {
            return Err(CodeError::BadLength(s.len()));
        }
        Ok(PaymentCode {
            kind: classify(s),
            digits: s.to_string(),
        })
    }

    pub fn kind(&self) -> CodeKind {
        self.kind
    }

    /// The clear digits, for the request body and nothing else.
    pub fn expose(&self) -> &str {
        &self.digits
    }

    /// First 4 and last 4 digits, the rest as `*`: what logs, the journal and the UI may show.
    pub fn masked(&self) -> String {
        mask_digits(&self.digits)
    }
}

/// The ways a read splits into framing and code, the most framing stripped first: prefix and
/// suffix, prefix, suffix, neither (each only where it is there to strip).
fn readings<'a>(s: &'a str, framing: &ScannerFraming) -> Vec<&'a str> {
    let strip = |affix: &str, stripped: Option<&'a str>| stripped.filter(|_| !affix.is_empty());
    let unprefixed = strip(&framing.prefix, s.strip_prefix(framing.prefix.as_str()));
    let mut out = Vec::with_capacity(4);
    for body in unprefixed.into_iter().chain([s]) {
        out.extend(strip(
            &framing.suffix,
            body.strip_suffix(framing.suffix.as_str()),
        ));
        out.push(body);
    }
    out
}

/// Masks any code-like string for logs, the journal and the ledger: one `*` a hidden character
/// (`1345**********7649`).
pub fn mask_digits(s: &str) -> String {
    mask(s, Middle::Counted)
}

/// The same mask as the screen shows it (`1345 **** **** 7649`): the middle is always
/// `**** ****`, so the code's length does not show either. A clear code and its
/// [`mask_digits`] form give the same text.
pub fn mask_for_screen(s: &str) -> String {
    mask(s, Middle::Grouped)
}

enum Middle {
    Counted,
    Grouped,
}

/// The one masking rule: the first 4 and last 4 characters stay, everything between is hidden;
/// 8 characters or fewer are hidden whole (4 + 4 of them would be all of the code).
fn mask(s: &str, middle: Middle) -> String {
    const SHOWN: usize = 4;
    let n = s.chars().count();
    if n <= 2 * SHOWN {
        return "*".repeat(n);
    }
    let head: String = s.chars().take(SHOWN).collect();
    let tail: String = s.chars().skip(n - SHOWN).collect();
    match middle {
        Middle::Counted => format!("{head}{}{tail}", "*".repeat(n - 2 * SHOWN)),
        Middle::Grouped => format!("{head} **** **** {tail}"),
    }
}

/// Masks every run of 10 or more digits in free text (a backend message that echoes the code,
/// a reason on its way to the journal or the screen). Shorter numbers — amounts, error codes —
/// stay readable.
pub fn redact_codes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= MIN_LEN {
            out.push_str(&mask_digits(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// docs/protocols.md §4: which wallet a code belongs to, by its length and first two digits.
/// The one table of wallet shapes: [`classify`] reads codes by it and [`wallet_code_pattern`]
/// hands the same shapes to the screen (a keyboard-wedge burst that fits one is a payment scan).
const WALLET_SHAPES: [(CodeKind, RangeInclusive<usize>, RangeInclusive<u32>); 3] = [
    // WeChat: 18 digits starting 10–15.
    (CodeKind::Wechat, 18..=18, 10..=15),
    // Alipay: 16–24 digits starting 25–30.
    (CodeKind::Alipay, 16..=24, 25..=30),
    // UnionPay: 19 digits starting 62.
    (CodeKind::UnionPay, 19..=19, 62..=62),
];

fn classify(d: &str) -> CodeKind {
    let two: u32 = d.get(..2).and_then(|p| p.parse().ok()).unwrap_or(0);
    WALLET_SHAPES
        .iter()
        .find(|(_, len, first)| len.contains(&d.len()) && first.contains(&two))
        .map_or(CodeKind::Unknown, |(kind, _, _)| *kind)
}

/// A regular expression (the common subset of Rust's `regex` and JavaScript's `RegExp`) that
/// matches exactly the texts [`PaymentCode::parse`] accepts as a scan under `framing`: the
/// scanner's prefix and suffix (each optional, as `parse` strips them when present), then 10–32
/// digits.
pub fn code_pattern(framing: &ScannerFraming) -> String {
    framed(&format!("[0-9]{{{MIN_LEN},{MAX_LEN}}}"), framing)
}

/// As [`code_pattern`], for the codes whose wallet is known (WeChat, Alipay, UnionPay): what
/// reads as a customer's code even where a shop's own numbers are expected.
pub fn wallet_code_pattern(framing: &ScannerFraming) -> String {
    let shapes: Vec<String> = WALLET_SHAPES
        .iter()
        .map(|(_, len, first)| {
            let firsts: Vec<String> = (*first.start()..=*first.end())
                .map(|f| format!("{f:02}"))
                .collect();
            let rest_min = len.start().saturating_sub(2);
            let rest_max = len.end().saturating_sub(2);
            format!("(?:{})[0-9]{{{rest_min},{rest_max}}}", firsts.join("|"))
        })
        .collect();
    framed(&format!("(?:{})", shapes.join("|")), framing)
}

fn framed(body: &str, framing: &ScannerFraming) -> String {
    let optional = |s: &str| {
        if s.is_empty() {
            String::new()
        } else {
            format!("(?:{})?", escape_pattern(s))
        }
    };
    format!(
        "^{}{body}{}$",
        optional(&framing.prefix),
        optional(&framing.suffix)
    )
}

/// Escapes the characters that are special in both regex dialects; every other printable ASCII
/// character stands for itself in both.
fn escape_pattern(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "\\^$.|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl fmt::Debug for PaymentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PaymentCode({:?}, {})", self.kind, self.masked())
    }
}

impl fmt::Display for PaymentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::{PaymentCode, ScannerFraming, code_pattern, mask_digits, mask_for_screen};

    /// Found by the fuzz target `wedge_rules` (docs/reliability.md): a prefix holding a code and
    /// the suffix's first character made `parse` strip the code away, while the screen's pattern
    /// (both parts optional) read it as a scan.
    #[test]
    fn a_framing_that_holds_a_code_reads_as_the_screen_pattern_reads_it() {
        let framing = ScannerFraming {
            prefix: "2845492027376449#".into(),
            suffix: "#".into(),
        };
        let text = "2845492027376449#";
        assert!(
            regex::Regex::new(&code_pattern(&framing))
                .unwrap()
                .is_match(text)
        );
        let code = PaymentCode::parse(text, &framing).unwrap();
        assert_eq!(code.expose(), "2845492027376449");
        // Framed as the scanner frames it, the framing still comes off whole.
        let framed = format!("{}134520273825387649#\r\n", framing.prefix);
        let code = PaymentCode::parse(&framed, &framing).unwrap();
        assert_eq!(code.expose(), "134520273825387649");
        // And a read that is no code under any reading reports the most stripped one's error.
        let bad = PaymentCode::parse("2845492027376449#12#", &framing).unwrap_err();
        assert_eq!(bad, super::CodeError::BadLength(2));
    }

    #[test]
    fn a_code_keeps_its_first_and_last_four() {
        assert_eq!(mask_digits("134520273825387649"), "1345**********7649");
        assert_eq!(mask_for_screen("134520273825387649"), "1345 **** **** 7649");
        // Nine characters: one hidden, the screen still shows a full middle.
        assert_eq!(mask_digits("123456789"), "1234*6789");
        assert_eq!(mask_for_screen("123456789"), "1234 **** **** 6789");
    }

    #[test]
    fn eight_or_fewer_are_hidden_whole() {
        for s in ["", "1", "1234", "12345678", "HELLO"] {
            let stars = "*".repeat(s.chars().count());
            assert_eq!(mask_digits(s), stars, "{s:?}");
            assert_eq!(mask_for_screen(s), stars, "{s:?}");
        }
    }

    #[test]
    fn the_screen_form_is_the_same_from_a_clear_or_a_masked_code() {
        for clear in ["134520273825387649", "2845202738253876491234", "1234567890"] {
            let masked = mask_digits(clear);
            assert_eq!(mask_for_screen(&masked), mask_for_screen(clear), "{clear}");
            assert_eq!(
                mask_digits(&masked),
                masked,
                "masking twice changes nothing"
            );
        }
        assert_eq!(mask_for_screen(&mask_digits("12345678")), "********");
    }

    #[test]
    fn characters_are_counted_not_bytes() {
        // A mis-scan can hold anything; multi-byte characters must not split or panic.
        assert_eq!(mask_digits("付款码一二三四五六七八"), "付款码一***五六七八");
        assert_eq!(
            mask_for_screen("付款码一二三四五六七八"),
            "付款码一 **** **** 五六七八"
        );
        assert_eq!(mask_digits("扫码不完整"), "*****");
        assert_eq!(mask_digits("12\u{0}345678\r\n9"), "12\u{0}3****8\r\n9");
    }
}
