//! What a front end shows of an attempt: its state in words, the tone of the screen, what to
//! tell the customer and which actions apply. Every rule of that kind lives here, so the UI and
//! the CLI only lay it out.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::checkout::Progress;
use crate::code::mask_for_screen;
use crate::labels::{amount_text, channel_label, state_label};
use crate::{Attempt, AttemptState, Channel, Fen, Lang};

/// How the screen looks for a state; never the only signal (words and an icon go with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Waiting,
    Progress,
    Paid,
    Failed,
    Unknown,
    Partly,
    Neutral,
}

/// What the cashier (or a manager) can do next with an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Cancel,
    QueryAgain,
    TakeRemainder,
    Resolve,
    Refund,
    NextCustomer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Wallet {
    Wechat,
    Alipay,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AttemptView {
    #[ts(type = "number")]
    pub id: i64,
    pub bill: String,
    pub order_no: String,
    pub channel: Channel,
    pub channel_label: String,
    pub wallet: Option<Wallet>,
    #[ts(type = "number")]
    pub amount_fen: u64,
    pub amount_text: String,
    pub state: AttemptState,
    pub state_label: String,
    pub tone: Tone,
    /// What to tell the customer, or do now.
    pub say: Option<String>,
    /// The backend's words, or why.
    pub reason: Option<String>,
    pub code_masked: Option<String>,
    /// While a QR code is shown.
    pub code_url: Option<String>,
    pub qr_svg: Option<String>,
    #[serde(flatten)]
    pub progress: Progress,
    /// An abandoned QR code can still be paid until then.
    pub payable_until: Option<String>,
    /// `payable_until` as the screen shows it: `HH:MM` in the business time zone.
    pub payable_until_time: Option<String>,
    #[ts(type = "number | null")]
    pub remainder_fen: Option<u64>,
    pub remainder_text: Option<String>,
    /// The remainder as the amount field takes it (`12.30`), for "take the remainder".
    pub remainder_input: Option<String>,
    pub actions: Vec<Action>,
    /// Not known to have ended.
    pub live: bool,
    pub created_at: String,
    /// `created_at` as the screen shows it: `HH:MM` in the business time zone.
    pub created_time: String,
    pub updated_at: String,
}

/// Pixels of the QR code's SVG (the screen scales it; this is its intrinsic size).
const QR_SIZE_PX: u32 = 320;

impl AttemptView {
    /// The view of `a` in `lang`. `progress`: where it stands, while a flow follows it;
    /// `remainder`: what a partly paid bill still owes, where the backend said; `can_refund`:
    /// whether its backend takes refunds.
    pub fn of(
        a: &Attempt,
        progress: Option<Progress>,
        remainder: Option<Fen>,
        can_refund: bool,
        lang: Lang,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> AttemptView {
        let code_url = (a.state == AttemptState::Shown)
            .then(|| a.code_url.clone())
            .flatten();
        let progress = match progress {
            Some(p) => Progress {
                remaining_ms: p.remaining_ms.filter(|_| a.state.is_live()),
                ..p
            },
            // Not followed now: only the time since it began is known.
            None => Progress {
                elapsed_ms: u64::try_from(
                    now.signed_duration_since(a.created_at).num_milliseconds(),
                )
                .unwrap_or(0),
                ..Progress::default()
            },
        };
        AttemptView {
            id: a.id.0,
            bill: a.bill.to_string(),
            order_no: a.order_no.clone(),
            channel: a.channel,
            channel_label: channel_label(a.channel, lang).to_string(),
            wallet: wallet(a),
            amount_fen: a.amount.0,
            amount_text: amount_text(a.amount),
            state: a.state,
            state_label: state_label(a.state, lang).to_string(),
            tone: tone(a.state),
            say: say(a, remainder, lang, tz),
            // An abandoned code's journalled reason repeats `say` (in the journal's words): the
            // screen says it once, in its language.
            reason: a
                .reason
                .clone()
                .filter(|_| a.state != AttemptState::Abandoned),
            code_masked: a.code_masked.as_deref().map(mask_for_screen),
            qr_svg: code_url
                .as_deref()
                .and_then(|u| crate::qr::svg(u, QR_SIZE_PX).ok()),
            code_url,
            progress,
            payable_until: payable_until(a).map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
            payable_until_time: payable_until(a).map(|t| clock_time(t, tz)),
            remainder_fen: remainder.map(|f| f.0),
            remainder_text: remainder.map(amount_text),
            remainder_input: remainder.map(|f| f.to_string()),
            actions: actions(a, remainder.is_some(), can_refund),
            live: a.state.is_live(),
            created_at: crate::timestamp::text(a.created_at),
            created_time: clock_time(a.created_at, tz),
            updated_at: crate::timestamp::text(a.updated_at),
        }
    }
}

fn payable_until(a: &Attempt) -> Option<DateTime<Utc>> {
    a.watch_until.filter(|_| a.state.is_watched())
}

/// The time of day a screen shows: in the business time zone, whatever the machine's is.
fn clock_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%H:%M").to_string()
}

pub(super) fn wallet(a: &Attempt) -> Option<Wallet> {
    match a.channel {
        Channel::WechatQr | Channel::PosWechatBarcode => Some(Wallet::Wechat),
        Channel::AlipayQr => Some(Wallet::Alipay),
        Channel::CloudQr | Channel::CloudBarcode => match a.wallet.as_deref() {
            Some("alipay") => Some(Wallet::Alipay),
            Some("wechat") => Some(Wallet::Wechat),
            _ => None,
        },
        Channel::KoudaiBarcode => None,
    }
}

/// `1345**********7649` as `1345 **** **** 7649`: easier to read aloud.
pub fn tone(state: AttemptState) -> Tone {
    use AttemptState as S;
    match state {
        S::Issuing | S::Shown => Tone::Waiting,
        S::Sending | S::Pending => Tone::Progress,
        S::Paid => Tone::Paid,
        S::PartlyPaid => Tone::Partly,
        S::Failed | S::Cancelled | S::Expired => Tone::Failed,
        S::Unknown => Tone::Unknown,
        S::Abandoned | S::PartRefunded | S::Refunded => Tone::Neutral,
    }
}

fn actions(a: &Attempt, has_remainder: bool, can_refund: bool) -> Vec<Action> {
    use AttemptState as S;
    match a.state {
        S::Issuing | S::Shown => vec![Action::Cancel],
        S::Sending | S::Pending => vec![Action::QueryAgain],
        S::Unknown => vec![Action::QueryAgain, Action::Resolve],
        S::Paid if can_refund => vec![Action::NextCustomer, Action::Refund],
        S::PartRefunded if can_refund => vec![Action::NextCustomer, Action::Refund],
        S::PartlyPaid if has_remainder => vec![Action::TakeRemainder, Action::NextCustomer],
        S::Abandoned => vec![Action::NextCustomer, Action::QueryAgain],
        S::Paid
        | S::PartRefunded
        | S::PartlyPaid
        | S::Failed
        | S::Cancelled
        | S::Expired
        | S::Refunded => vec![Action::NextCustomer],
    }
}

fn say(a: &Attempt, remainder: Option<Fen>, lang: Lang, tz: Tz) -> Option<String> {
    use AttemptState as S;
    let zh = lang == Lang::ZhCn;
    let wallet_name = match (wallet(a), zh) {
        (Some(Wallet::Wechat), true) => "微信",
        (Some(Wallet::Alipay), true) => "支付宝",
        (None, true) => "手机",
        (Some(Wallet::Wechat), false) => "WeChat",
        (Some(Wallet::Alipay), false) => "Alipay",
        (None, false) => "their phone",
    };
    let text = match (a.state, zh) {
        (S::Sending, true) => "正在提交，请稍候".to_string(),
        (S::Sending, false) => "Sending the payment…".to_string(),
        (S::Pending, true) => "请顾客在手机上输入密码".to_string(),
        (S::Pending, false) => "Customer is entering the password".to_string(),
        (S::Issuing, true) => "正在生成二维码".to_string(),
        (S::Issuing, false) => "Making the QR code…".to_string(),
        (S::Shown, true) => format!("请顾客用{wallet_name}扫码支付"),
        (S::Shown, false) => format!("Customer to scan with {wallet_name}"),
        (S::Paid, true) => "收款成功，可以接待下一位".to_string(),
        (S::Paid, false) => "Paid — next customer".to_string(),
        (S::PartlyPaid, true) => match remainder {
            Some(left) => format!("本单尚欠 {}，请收取余款", amount_text(left)),
            None => "本单未付清，请在后台核对余款".to_string(),
        },
        (S::PartlyPaid, false) => match remainder {
            Some(left) => format!("{} still to pay on this bill", amount_text(left)),
            None => "The bill is not fully paid; check the rest in the back office".to_string(),
        },
        (S::Failed, true) => "未收到款，请顾客换一种方式付款".to_string(),
        (S::Failed, false) => "Not paid — ask the customer to pay another way".to_string(),
        (S::Cancelled | S::Expired, true) => "未收款".to_string(),
        (S::Cancelled | S::Expired, false) => "Not paid".to_string(),
        (S::Unknown, true) => {
            "顾客的钱可能已经扣了。请按“再次查询”，不要让顾客重新付款。".to_string()
        }
        (S::Unknown, false) => {
            "The customer may have been charged. Query again; do not take the payment again."
                .to_string()
        }
        (S::Abandoned, _) => {
            let until = a.watch_until.map(|t| clock_time(t, tz)).unwrap_or_default();
            if zh {
                format!("此二维码在 {until} 前仍可能被支付；若顾客付了款，收银台会提示")
            } else {
                format!(
                    "This QR code can still be paid until {until}; the till will announce a payment"
                )
            }
        }
        (S::PartRefunded | S::Refunded, true) => format!("已退款 {}", amount_text(a.refunded)),
        (S::PartRefunded | S::Refunded, false) => {
            format!("{} refunded", amount_text(a.refunded))
        }
    };
    Some(text)
}
