//! What the customer display (客显) shows: a screen facing the customer, who sees the shop, the
//! amount, the QR code to scan, "enter your password" with the time left, then paid or not —
//! never the cashier's controls, the payment code, the backend's reasons, nor anything of a
//! manager's (refunds, Unknown decisions, older payments).
//!
//! Every word is in both languages, Chinese first: the customer's language is not the cashier's
//! (the slips do the same), so the display does not follow the cashier's language switch.
//!
//! Derived in one place, [`Till::customer_saw`], from the attempt events the till already
//! sends; it is sent as [`super::TillEvent::Customer`] whenever it changes.

use std::sync::Weak;
use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::view::{Wallet, wallet};
use super::{Inner, Till, TillEvent, read};
use crate::checkout::Progress;
use crate::labels::amount_text;
use crate::print::compose::SlipHeader;
use crate::{Attempt, AttemptId, AttemptState};

/// How long "paid", "failed" or "cancelled" stays up before the display welcomes the next
/// customer (unless the next payment comes first).
pub const OUTCOME_SHOWN: Duration = Duration::from_secs(15);

/// Pixels of the display's QR code (its intrinsic size: the page scales it to the screen).
const QR_SIZE_PX: u32 = 480;

/// Words for the customer, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Words {
    pub zh: String,
    pub en: String,
}

fn words(zh: &str, en: &str) -> Words {
    Words {
        zh: zh.into(),
        en: en.into(),
    }
}

/// Which screen the display shows; the look goes with it (never the colour alone: the words
/// say it too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CustomerScreen {
    /// No payment: the shop's welcome.
    Welcome,
    /// The amount, while a payment is being prepared or sent, or its result confirmed.
    Wait,
    /// A QR code for the customer's phone, large.
    Scan,
    /// The customer enters the password on the phone; the time left goes with it.
    Password,
    Paid,
    Failed,
    Cancelled,
}

/// The customer display's whole content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CustomerView {
    /// Grows with every change: a display that hears of two keeps the later one.
    #[ts(type = "number")]
    pub seq: u64,
    /// The shop's name, as the slips print it.
    pub shop: String,
    pub screen: CustomerScreen,
    /// The main line: 欢迎光临, 请扫码支付, 请在手机上输入密码, 支付成功, …
    pub title: Words,
    pub hint: Option<Words>,
    pub amount_text: Option<String>,
    pub qr_svg: Option<String>,
    pub wallet: Option<Wallet>,
    /// Time left before the till stops waiting for the password or the scan, when this was
    /// sent (the display counts down from it until the next view).
    #[ts(type = "number | null")]
    pub remaining_ms: Option<u64>,
}

impl CustomerView {
    fn welcome() -> CustomerView {
        CustomerView {
            seq: 0,
            shop: String::new(),
            screen: CustomerScreen::Welcome,
            title: words("欢迎光临", "Welcome"),
            hint: None,
            amount_text: None,
            qr_svg: None,
            wallet: None,
            remaining_ms: None,
        }
    }

    /// What the customer of `a` sees; `None` for what is not theirs to see (refunds).
    fn of(a: &Attempt, progress: Progress) -> Option<CustomerView> {
        use AttemptState as S;
        let (zh_wallet, en_wallet) = match wallet(a) {
            Some(Wallet::Wechat) => ("微信", "WeChat"),
            Some(Wallet::Alipay) => ("支付宝", "Alipay"),
            None => ("手机", "your phone"),
        };
        let (screen, title, hint) = match a.state {
            S::Issuing => (
                CustomerScreen::Wait,
                words("请稍候", "One moment, please"),
                Some(words("正在生成付款二维码", "Making the payment QR code")),
            ),
            S::Sending => (
                CustomerScreen::Wait,
                words("正在支付，请稍候", "Paying — one moment, please"),
                None,
            ),
            S::Shown => (
                CustomerScreen::Scan,
                words("请扫码支付", "Scan to pay"),
                Some(Words {
                    zh: format!("请用{zh_wallet}扫一扫"),
                    en: format!("Scan with {en_wallet}"),
                }),
            ),
            S::Pending => (
                CustomerScreen::Password,
                words(
                    "请在手机上输入密码",
                    "Please enter your password on your phone",
                ),
                None,
            ),
            S::Unknown => (
                CustomerScreen::Wait,
                words("正在确认支付结果", "Confirming the payment"),
                Some(words(
                    "请勿重复付款，收银员会为您确认",
                    "Please do not pay again — the cashier will confirm",
                )),
            ),
            S::PartlyPaid => (
                CustomerScreen::Wait,
                words("尚未付清", "Not fully paid"),
                Some(words(
                    "请与收银员确认余款",
                    "Please check the rest with the cashier",
                )),
            ),
            S::Paid => (
                CustomerScreen::Paid,
                words("支付成功", "Paid"),
                Some(words("谢谢惠顾", "Thank you")),
            ),
            // The backend's reason is the cashier's to read, not the queue's.
            S::Failed => (
                CustomerScreen::Failed,
                words("支付未成功", "Payment failed"),
                Some(words("请换一种方式付款", "Please pay another way")),
            ),
            S::Expired => (
                CustomerScreen::Cancelled,
                words("二维码已失效", "The QR code has expired"),
                None,
            ),
            S::Cancelled | S::Abandoned => (
                CustomerScreen::Cancelled,
                words("已取消支付", "Payment cancelled"),
                None,
            ),
            S::Refunded | S::PartRefunded => return None,
        };
        let qr_svg = match (a.state, a.code_url.as_deref()) {
            (S::Shown, Some(url)) => crate::qr::svg(url, QR_SIZE_PX).ok(),
            _ => None,
        };
        let counts_down = matches!(screen, CustomerScreen::Scan | CustomerScreen::Password);
        Some(CustomerView {
            seq: 0,
            shop: String::new(),
            screen,
            title,
            hint,
            amount_text: Some(amount_text(a.amount)),
            qr_svg,
            wallet: wallet(a),
            remaining_ms: progress.remaining_ms.filter(|_| counts_down),
        })
    }

    fn is_outcome(&self) -> bool {
        matches!(
            self.screen,
            CustomerScreen::Paid | CustomerScreen::Failed | CustomerScreen::Cancelled
        )
    }
}

/// What the display shows now, and whose payment it follows.
pub(super) struct Board {
    shown: CustomerView,
    /// The newest attempt shown; older ones no longer concern the customer at the till.
    following: Option<AttemptId>,
    /// When the cashier logged in: attempts from before (recovered, watched) are not this
    /// queue's. `None`: nobody is logged in, nothing is followed.
    since: Option<DateTime<Utc>>,
}

impl Default for Board {
    fn default() -> Board {
        Board {
            shown: CustomerView::welcome(),
            following: None,
            since: None,
        }
    }
}

impl Till {
    /// What the customer display shows now (the shell sends it to a display that has just
    /// opened; later changes come as events).
    pub fn customer_view(&self) -> CustomerView {
        let mut view = self.board().shown.clone();
        view.shop = self.shop_name();
        view
    }

    fn board(&self) -> std::sync::MutexGuard<'_, Board> {
        self.inner
            .customer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    fn shop_name(&self) -> String {
        let merchant = read(&self.inner.session)
            .as_ref()
            .and_then(|s| s.merchant.clone());
        let cfg = read(&self.inner.cfg);
        SlipHeader::shop_name(&cfg.shop, merchant.as_deref(), &cfg.till)
    }

    /// A new session: the display welcomes the next customer, under the shop's name the login
    /// may have brought, and follows payments started from now on.
    pub(super) fn customer_logged_in(&self) {
        // Journal times keep milliseconds: an attempt begun in the login's millisecond counts.
        let now = self.inner.clock.now();
        let since = now
            .duration_trunc(TimeDelta::milliseconds(1))
            .unwrap_or(now);
        let mut board = self.board();
        board.since = Some(since);
        board.following = None;
        self.customer_show(board, CustomerView::welcome());
    }

    /// The shop's name may have changed (the settings): the display says it again.
    pub(super) fn customer_refresh(&self) {
        let board = self.board();
        let shown = board.shown.clone();
        self.customer_show(board, shown);
    }

    /// The one place the display follows the payments: an attempt changed (`progress` as its
    /// event gave it). It shows the newest attempt begun since the login; an older one, a
    /// paid-late code, a refund or anything before the login leaves it as it is.
    pub(super) fn customer_saw(&self, a: &Attempt, progress: Progress) {
        if progress.late {
            return;
        }
        let mut board = self.board();
        let Some(since) = board.since else { return };
        if a.created_at < since || board.following.is_some_and(|f| a.id.0 < f.0) {
            return;
        }
        let Some(view) = CustomerView::of(a, progress) else {
            return;
        };
        board.following = Some(a.id);
        self.customer_show(board, view);
    }

    /// Shows `view` as the next one and sends it; an outcome gives way to the welcome after
    /// [`OUTCOME_SHOWN`] unless something else is shown by then.
    fn customer_show(&self, mut board: std::sync::MutexGuard<'_, Board>, mut view: CustomerView) {
        view.seq = board.shown.seq + 1;
        board.shown = view;
        let seq = board.shown.seq;
        let outcome = board.shown.is_outcome();
        drop(board);
        let _ = self.inner.events.send(TillEvent::Customer {
            customer: self.customer_view(),
        });
        if outcome && let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let inner = std::sync::Arc::downgrade(&self.inner);
            runtime.spawn(welcome_later(inner, seq));
        }
    }
}

/// The welcome, after an outcome that is still shown (`seq`) once [`OUTCOME_SHOWN`] has passed.
async fn welcome_later(inner: Weak<Inner>, seq: u64) {
    tokio::time::sleep(OUTCOME_SHOWN).await;
    let Some(inner) = inner.upgrade() else { return };
    let till = Till { inner };
    let board = till.board();
    if board.shown.seq == seq {
        till.customer_show(board, CustomerView::welcome());
    }
}
