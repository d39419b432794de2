//! What the cashier types or scans, checked and turned into a payment: bill number, amount,
//! payment code, and the channel the code goes to. Nothing here touches the journal or the
//! network, so a typo is refused before anything is written or sent.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::backend::cloudpay::Platform;
use crate::config::Config;
use crate::error::ErrorBody;
use crate::labels::amount_text;
use crate::{BillNo, Channel, CodeKind, Error, Fen, Lang, PaymentCode};

/// An input checked as it is typed: valid (with its normalised value and how it reads) or
/// the reason it is not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct InputCheck {
    pub ok: bool,
    /// Bill: the normalised number. Amount: fen as decimal digits.
    pub value: Option<String>,
    /// How it reads: `¥12.30`.
    pub text: Option<String>,
    pub error: Option<ErrorBody>,
    /// Bill: the text reads as a customer's payment code (a WeChat, Alipay or UnionPay code
    /// by its length and first digits). A scan in the bill field that reads so is the
    /// customer's code, not the bill's barcode: it must never become the bill number, which
    /// is journalled in clear. Still a valid bill when typed: a shop's own numbers may look so.
    pub payment_code: bool,
}

impl InputCheck {
    fn of<T>(r: Result<T, Error>, lang: Lang, show: impl Fn(&T) -> (String, String)) -> Self {
        match r {
            Ok(v) => {
                let (value, text) = show(&v);
                InputCheck {
                    ok: true,
                    value: Some(value),
                    text: Some(text),
                    error: None,
                    payment_code: false,
                }
            }
            Err(e) => InputCheck {
                ok: false,
                value: None,
                text: None,
                error: Some(e.body(lang)),
                payment_code: false,
            },
        }
    }
}

/// The four QR codes a cashier can show, one key each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum QrChoice {
    WechatQr,
    AlipayQr,
    CloudWechatQr,
    CloudAlipayQr,
}

impl QrChoice {
    pub const ALL: [QrChoice; 4] = [
        QrChoice::WechatQr,
        QrChoice::AlipayQr,
        QrChoice::CloudWechatQr,
        QrChoice::CloudAlipayQr,
    ];

    pub fn channel(self) -> Channel {
        match self {
            QrChoice::WechatQr => Channel::WechatQr,
            QrChoice::AlipayQr => Channel::AlipayQr,
            QrChoice::CloudWechatQr | QrChoice::CloudAlipayQr => Channel::CloudQr,
        }
    }

    pub fn wallet(self) -> Platform {
        match self {
            QrChoice::AlipayQr | QrChoice::CloudAlipayQr => Platform::Alipay,
            QrChoice::WechatQr | QrChoice::CloudWechatQr => Platform::Wechat,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            QrChoice::WechatQr => "F1",
            QrChoice::AlipayQr => "F2",
            QrChoice::CloudWechatQr => "F3",
            QrChoice::CloudAlipayQr => "F4",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        lang.pick(match self {
            QrChoice::WechatQr => ["微信收款码", "WeChat QR"],
            QrChoice::AlipayQr => ["支付宝收款码", "Alipay QR"],
            QrChoice::CloudWechatQr => ["云支付 · 微信", "Cloud Pay · WeChat"],
            QrChoice::CloudAlipayQr => ["云支付 · 支付宝", "Cloud Pay · Alipay"],
        })
    }
}

pub fn check_bill(cfg: &Config, raw: &str, lang: Lang) -> InputCheck {
    let check = InputCheck::of(BillNo::parse(raw).map_err(Error::from), lang, |b| {
        (b.to_string(), b.to_string())
    });
    let payment_code = code(cfg, raw).is_ok_and(|c| c.kind() != CodeKind::Unknown);
    InputCheck {
        payment_code,
        ..check
    }
}

pub fn check_amount(cfg: &Config, raw: &str, lang: Lang) -> InputCheck {
    InputCheck::of(amount(cfg, raw), lang, |f| {
        (f.0.to_string(), amount_text(*f))
    })
}

pub fn bill(raw: &str) -> Result<BillNo, Error> {
    Ok(BillNo::parse(raw)?)
}

pub fn amount(cfg: &Config, raw: &str) -> Result<Fen, Error> {
    Ok(Fen::parse_yuan(raw, cfg.max_fen()?)?)
}

/// A scanned (or typed) payment code, with the scanner's framing stripped.
pub fn code(cfg: &Config, raw: &str) -> Result<PaymentCode, Error> {
    Ok(PaymentCode::parse(raw, &cfg.scanner.framing)?)
}

/// The barcode channel a code goes to: the configured route for its wallet, which must be a
/// configured backend that takes such codes.
pub fn route(cfg: &Config, code: &PaymentCode) -> Result<Channel, Error> {
    let channel = cfg.routing.channel_for(code.kind(), cfg);
    let Some(channel) = channel else {
        return Err(Error::input(
            crate::error::Field::Code,
            format!(
                "no payment method here takes {} payment codes",
                code.kind().name_en()
            ),
            format!("本收银台不收{}付款码", code.kind().name_zh()),
        ));
    };
    channel.check_code(code)?;
    Ok(channel)
}

/// What the code's wallet is called on screen.
pub fn wallet_label(kind: CodeKind, lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => kind.name_zh(),
        Lang::En => kind.name_en(),
    }
}
