//! Why the till refuses an action, and why its settings are wrong: closed lists, each reason
//! with its stable code and its words in both languages in one `match`, so that a Chinese
//! screen never gets an English tail from a reason the till itself gives. (Text a library or
//! a backend gave, such as an operating-system error, is quoted as it came.)

use crate::labels::{channel_label, state_label};
use crate::{AttemptState, Channel, Lang};

/// An action that does not apply now, or not to this attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAllowed {
    /// Settings can be saved only to the file the till was started with.
    NoSettingsFile,
    /// The channel's backend has no refund call (channel capabilities, `Channel::can_refund`).
    CannotRefund(Channel),
    /// A barcode payment asked of a QR channel.
    QrChannel(Channel),
    /// A QR payment asked of a barcode channel.
    BarcodeChannel(Channel),
    BarcodeNotCancellable,
    QrStillIssuing,
    /// The back office names the payment by an `autoid` that only its lost answer carried.
    NoAutoid,
    /// Only an Unknown attempt can be decided by a manager.
    NotUnknown(AttemptState),
    /// A manager's "failed" for a payment the customer may still be confirming.
    TooEarlyToResolve {
        still: InProgress,
        wait_s: i64,
    },
    /// Another process holds this till.
    OtherProcess,
    /// The till was opened for reading (receipts, exports): it has no backends to log in to.
    OpenedForReading,
    /// An earlier QR code for the bill may still be paid and could not be checked.
    EarlierQrUnchecked {
        order_no: String,
        said: String,
    },
    /// No receipt printer is set in the settings.
    NoPrinter,
    /// The till was opened without a printer driver (for reading): it neither prints nor
    /// previews.
    PrintingOff,
    /// Only a payment that was paid has a slip.
    NoSlip(AttemptState),
}

/// Why a payment may still be in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InProgress {
    /// The backend says so, with its status.
    Backend(String),
    /// It cannot be asked, and the customer may still be confirming.
    Unqueryable,
}

impl NotAllowed {
    /// The reason's stable code, its English and its Chinese words.
    pub fn words(&self) -> (&'static str, String, String) {
        use NotAllowed as N;
        match self {
            N::NoSettingsFile => (
                "no_settings_file",
                "this till has no configuration file to save to".into(),
                "这台收银机没有可保存的配置文件".into(),
            ),
            N::CannotRefund(c) => (
                "cannot_refund",
                format!(
                    "{} payments cannot be refunded from the till: refund this payment in the back office",
                    channel_label(*c, Lang::En)
                ),
                format!(
                    "{}的付款不能在收银台退款：请在后台办理退款",
                    channel_label(*c, Lang::ZhCn)
                ),
            ),
            N::QrChannel(c) => (
                "qr_channel",
                format!("{} is a QR channel", channel_label(*c, Lang::En)),
                format!("{}是扫码收款方式，不收付款码", channel_label(*c, Lang::ZhCn)),
            ),
            N::BarcodeChannel(c) => (
                "barcode_channel",
                format!("{} is a barcode channel", channel_label(*c, Lang::En)),
                format!("{}是付款码收款方式，不出二维码", channel_label(*c, Lang::ZhCn)),
            ),
            N::BarcodeNotCancellable => (
                "barcode_not_cancellable",
                "a barcode payment cannot be cancelled once sent; query it again instead".into(),
                "付款码支付发出后不能取消；请再次查询".into(),
            ),
            N::QrStillIssuing => (
                "qr_still_issuing",
                "the QR code is still being issued; cancel it again in a moment".into(),
                "二维码正在生成；请稍后再取消".into(),
            ),
            N::NoAutoid => (
                "no_autoid",
                "the back office's answer with its payment id (autoid) was lost, so it cannot be asked about this payment".into(),
                "后台带支付编号（autoid）的应答丢失，无法查询这笔付款".into(),
            ),
            N::NotUnknown(s) => (
                "not_unknown",
                format!(
                    "only an Unknown attempt can be resolved; this one is {} (wait for it, or query it again)",
                    state_label(*s, Lang::En)
                ),
                format!(
                    "只有结果未知的付款才能人工处理；这笔是“{}”（请等待或再次查询）",
                    state_label(*s, Lang::ZhCn)
                ),
            ),
            N::TooEarlyToResolve { still, wait_s } => {
                let (en, zh) = match still {
                    InProgress::Backend(status) => (
                        format!("the backend still shows this payment in progress ({status})"),
                        format!("支付后台显示这笔付款仍在进行（{status}）"),
                    ),
                    InProgress::Unqueryable => (
                        "this payment cannot be queried, and the customer may still be confirming it".into(),
                        "这笔付款无法查询，顾客可能仍在确认".into(),
                    ),
                };
                (
                    "too_early_to_resolve",
                    format!("{en}; query it again, or resolve it after {wait_s} s"),
                    format!("{zh}；请再次查询，或 {wait_s} 秒后再处理"),
                )
            }
            N::OtherProcess => (
                "other_process",
                "another cashier process holds this till; take the payment there, or close it first".into(),
                "另一个收银程序正在使用这台收银机；请在那里收款，或先关闭它".into(),
            ),
            N::OpenedForReading => (
                "opened_for_reading",
                "this till was opened for reading: it cannot log in".into(),
                "这台收银机以只读方式打开，不能登录".into(),
            ),
            N::EarlierQrUnchecked { order_no, said } => (
                "earlier_qr_unchecked",
                format!(
                    "an earlier QR code for this bill ({order_no}) may still be paid and could not be checked ({said}); try again"
                ),
                format!("这张单之前的二维码（{order_no}）可能仍会被支付，且暂时查不到（{said}）；请重试"),
            ),
            N::NoPrinter => (
                "no_printer",
                "no receipt printer is set: choose one in the settings".into(),
                "未设置小票打印机：请在设置中选择".into(),
            ),
            N::PrintingOff => (
                "printing_off",
                "this till was opened for reading: it does not print or preview slips".into(),
                "这台收银机以只读方式打开，不能打印或预览小票".into(),
            ),
            N::NoSlip(s) => (
                "no_slip",
                format!(
                    "only a paid payment has a slip; this one is {}",
                    state_label(*s, Lang::En)
                ),
                format!("只有已收款的付款才有小票；这笔是“{}”", state_label(*s, Lang::ZhCn)),
            ),
        }
    }
}

/// Which backend a setting or a call belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    TourV5,
    CloudPay,
}

/// A part of the till that is started from the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Scanner,
    Sandbox,
    HttpClient,
}

/// What a setting's value must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    Ipv4,
    SubPayPlatform,
    BillType,
    UtcOffset,
    Timeouts,
    Seconds,
    PollEvery,
    AtMostADay,
    MoreThanZero,
    Lang,
    Operator,
    IanaZone,
    BarcodeChannel,
    /// A Cloud Pay order number: the merchant prefix, then letters, digits, `_` or `-`.
    OrderNo {
        prefix: String,
    },
    /// Another rule's own words (an order-number or amount rule, a URL parser's).
    Said {
        en: String,
        zh: String,
    },
}

/// Settings that are wrong or missing: a manager must fix them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    Missing {
        setting: String,
    },
    Invalid {
        setting: String,
        value: String,
        rule: Rule,
    },
    /// A file the settings name could not be read or parsed (the system's or parser's words).
    File {
        path: String,
        error: String,
    },
    /// Neither backend is configured, and no sandbox stands in for one.
    NoBackend,
    /// The channel's backend is not configured (or, Tour V5, not logged in).
    NotConfigured(Backend),
    /// Cloud Pay is configured without its authen key.
    NoAuthenKey,
    /// Tencent checks a refund's permission against `cloudpay.staff_id`.
    RefundNeedsStaffId,
    /// A request the settings make could not be built (a field too long, a URL that does
    /// not join), so it was not sent.
    Request(String),
    /// A part could not be started.
    Start {
        part: Part,
        error: String,
    },
}

impl Rule {
    fn words(&self) -> (String, String) {
        let s = |en: &str, zh: &str| (en.to_string(), zh.to_string());
        match self {
            Rule::Ipv4 => s(
                "an IPv4 address such as 192.168.0.22",
                "IPv4 地址，例如 192.168.0.22",
            ),
            Rule::SubPayPlatform => s(
                "100 (WeChat) or 200 (Alipay)",
                "100（微信）或 200（支付宝）",
            ),
            Rule::BillType => s("1 to 7", "1 到 7"),
            Rule::UtcOffset => s(
                "minutes east of UTC, -1439 to 1439",
                "相对 UTC 的分钟数，-1439 到 1439",
            ),
            Rule::Timeouts => s("0.1 to 600 seconds", "0.1 到 600 秒"),
            Rule::Seconds => s("a number of seconds", "秒数"),
            Rule::PollEvery => s("at least 0.5 seconds", "至少 0.5 秒"),
            Rule::AtMostADay => s("at most one day (86400 seconds)", "最多一天（86400 秒）"),
            Rule::MoreThanZero => s("more than zero", "大于零"),
            Rule::Lang => s("zh-CN or en", "zh-CN 或 en"),
            Rule::Operator => s("1 to 32 characters", "1 到 32 个字符"),
            Rule::IanaZone => s(
                "an IANA time zone such as Asia/Shanghai",
                "IANA 时区，例如 Asia/Shanghai",
            ),
            Rule::BarcodeChannel => s(
                "a barcode channel of a configured backend",
                "已配置后台的付款码收款方式",
            ),
            Rule::OrderNo { prefix } => (
                format!("starting with {prefix:?}, at most 32 letters, digits, _ or -"),
                format!("以 {prefix:?} 开头，最多 32 个字母、数字、_ 或 -"),
            ),
            Rule::Said { en, zh } => (en.clone(), zh.clone()),
        }
    }
}

impl ConfigError {
    /// A setting whose value breaks a rule given in another rule's own words.
    pub fn said(setting: impl Into<String>, en: impl Into<String>, zh: impl Into<String>) -> Self {
        ConfigError::Invalid {
            setting: setting.into(),
            value: String::new(),
            rule: Rule::Said {
                en: en.into(),
                zh: zh.into(),
            },
        }
    }

    /// The reason's stable code, its English and its Chinese words.
    pub fn words(&self) -> (&'static str, String, String) {
        use ConfigError as C;
        let backend = |b: &Backend| match b {
            Backend::TourV5 => ("the Tour V5 back office", "Tour V5 后台"),
            Backend::CloudPay => ("Cloud Pay", "云支付"),
        };
        match self {
            C::Missing { setting } => (
                "setting_missing",
                format!("{setting} is not set"),
                format!("设置 {setting} 未填写"),
            ),
            C::Invalid {
                setting,
                value,
                rule,
            } => {
                let (en, zh) = rule.words();
                let shown = if value.is_empty() {
                    String::new()
                } else {
                    format!(" {value:?}")
                };
                (
                    "setting_invalid",
                    format!("{setting}{shown}: must be {en}"),
                    format!("设置 {setting}{shown} 不对：应为{zh}"),
                )
            }
            C::File { path, error } => (
                "settings_file",
                format!("{path}: {error}"),
                format!("无法读取文件 {path}：{error}"),
            ),
            C::NoBackend => (
                "no_backend",
                "no backend is configured (and no sandbox stands in for one)".into(),
                "没有配置任何支付后台（也没有沙盒代替）".into(),
            ),
            C::NotConfigured(b) => {
                let (en, zh) = backend(b);
                (
                    "backend_not_configured",
                    format!("{en} is not configured or not logged in"),
                    format!("{zh}未配置或未登录"),
                )
            }
            C::NoAuthenKey => (
                "no_authen_key",
                "Cloud Pay is configured but has no authen key: set CASHIER_CLOUDPAY_AUTHEN_KEY or cloudpay_authen_key_file".into(),
                "已配置云支付但没有 authen key：请设置 CASHIER_CLOUDPAY_AUTHEN_KEY 或 cloudpay_authen_key_file".into(),
            ),
            C::RefundNeedsStaffId => (
                "refund_needs_staff_id",
                "Cloud Pay staff_id is not set: Tencent checks a refund's permission against it".into(),
                "未设置云支付 staff_id：腾讯按它核对退款权限".into(),
            ),
            C::Request(e) => (
                "request_not_built",
                format!("a request cannot be built from the settings: {e}"),
                format!("按当前设置无法生成请求：{e}"),
            ),
            C::Start { part, error } => {
                let (en, zh) = match part {
                    Part::Scanner => ("the scanner", "扫码枪"),
                    Part::Sandbox => ("the sandbox", "沙盒"),
                    Part::HttpClient => ("the HTTP client", "HTTP 客户端"),
                };
                (
                    "cannot_start",
                    format!("{en} cannot start: {error}"),
                    format!("{zh}无法启动：{error}"),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The till's own reasons read in Chinese without an English sentence in them.
    #[test]
    fn chinese_words_carry_no_english_sentence() {
        let reasons = [
            NotAllowed::NoSettingsFile.words(),
            NotAllowed::CannotRefund(Channel::PosWechatBarcode).words(),
            NotAllowed::BarcodeNotCancellable.words(),
            NotAllowed::NotUnknown(AttemptState::Pending).words(),
            NotAllowed::OtherProcess.words(),
            NotAllowed::NoPrinter.words(),
            NotAllowed::PrintingOff.words(),
            NotAllowed::NoSlip(AttemptState::Failed).words(),
            ConfigError::NotConfigured(Backend::CloudPay).words(),
            ConfigError::Invalid {
                setting: "tourv5.clientip".into(),
                value: "::1".into(),
                rule: Rule::Ipv4,
            }
            .words(),
        ];
        for (code, en, zh) in reasons {
            assert!(!code.is_empty() && !en.is_empty());
            assert!(
                !zh.contains(" the ") && !zh.contains("cannot") && !zh.contains("must"),
                "{code}: {zh}"
            );
        }
    }
}
