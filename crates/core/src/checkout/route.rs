//! Which backend call serves which channel: the only place that knows.

use std::sync::{Arc, RwLock};

use crate::cloudpay::{CloudPay, Platform, RefundAuthority, RefundOutcome, TradeType};
use crate::journal::Refund;
use crate::reasons::{Backend, ConfigError, NotAllowed};
use crate::tourv5::{QrWallet, TourV5, TourV5Session};
use crate::{
    Attempt, CallError, Channel, Error, Fen, PaymentCode, PaymentOutcome, QrIssued, Refusal,
    RefusalReason,
};

/// A logged-in Tour V5 back office. The session is renewed when the back office refuses it
/// (a second login of the same operator, from another till process, replaces the first).
#[derive(Debug, Clone)]
pub struct TourV5Link {
    pub client: TourV5,
    session: Arc<RwLock<TourV5Session>>,
}

impl TourV5Link {
    pub fn new(client: TourV5, session: TourV5Session) -> TourV5Link {
        TourV5Link {
            client,
            session: Arc::new(RwLock::new(session)),
        }
    }

    pub fn session(&self) -> TourV5Session {
        self.session
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Logs in again with the refused session's key and keeps the new session.
    async fn renew(&self, refused: &TourV5Session) -> Result<TourV5Session, Error> {
        tracing::info!("Tour V5 refused the session; logging in again");
        let renewed = self.client.renew(refused).await?;
        *self.session.write().unwrap_or_else(|p| p.into_inner()) = renewed.clone();
        Ok(renewed)
    }
}

/// Runs a Tour V5 call with the current session; on a 401 (refused before any processing,
/// so repeating it is safe) logs in again with the session's key and runs it once more.
/// A macro rather than a closure-taking function so the payment futures stay `Send`.
macro_rules! with_session {
    ($link:expr, |$c:ident, $s:ident| $call:expr) => {{
        let link: &TourV5Link = $link;
        let session = link.session();
        let first = {
            let ($c, $s) = (&link.client, &session);
            $call.await
        };
        match first {
            // Refused before any processing, so repeating it is safe.
            Err(Error::Call(CallError::Refused(Refusal {
                reason: RefusalReason::Signature,
                ..
            }))) => match link.renew(&session).await {
                Ok(renewed) => {
                    let ($c, $s) = (&link.client, &renewed);
                    $call.await
                }
                Err(e) => Err(e),
            },
            other => other,
        }
    }};
}

/// The backends this till talks to; either may be absent.
#[derive(Debug, Clone, Default)]
pub struct Backends {
    pub tourv5: Option<TourV5Link>,
    pub cloudpay: Option<CloudPay>,
}

impl Backends {
    fn tourv5(&self) -> Result<&TourV5Link, Error> {
        self.tourv5
            .as_ref()
            .ok_or(Error::Config(ConfigError::NotConfigured(Backend::TourV5)))
    }

    fn cloudpay(&self) -> Result<&CloudPay, Error> {
        self.cloudpay
            .as_ref()
            .ok_or(Error::Config(ConfigError::NotConfigured(Backend::CloudPay)))
    }

    /// Fails early, before anything is journalled, when the channel has no backend.
    pub fn check(&self, channel: Channel) -> Result<(), Error> {
        if channel.is_cloud() {
            self.cloudpay().map(|_| ())
        } else {
            self.tourv5().map(|_| ())
        }
    }

    /// Whether the backend can be asked about this attempt at all. A KouDaiLQ payment is
    /// queried by the back office's `autoid`, which only its pay answer carries (seed 003 marks
    /// it required); a Tour V5 QR code, by the `autoid` issuing it returned.
    pub fn can_query(&self, a: &Attempt) -> Result<(), NotAllowed> {
        let has_reference = a.reference.as_deref().is_some_and(|r| !r.trim().is_empty());
        match a.channel {
            Channel::KoudaiBarcode | Channel::WechatQr | Channel::AlipayQr if !has_reference => {
                Err(NotAllowed::NoAutoid)
            }
            Channel::KoudaiBarcode
            | Channel::WechatQr
            | Channel::AlipayQr
            | Channel::PosWechatBarcode
            | Channel::CloudQr
            | Channel::CloudBarcode => Ok(()),
        }
    }

    pub async fn preconnect(&self, channel: Channel) {
        if channel.is_cloud() {
            if let Some(cp) = &self.cloudpay {
                cp.preconnect().await;
            }
        } else if let Some(tv) = &self.tourv5 {
            tv.client.preconnect().await;
        }
    }

    pub async fn pay_barcode(
        &self,
        a: &Attempt,
        code: &PaymentCode,
    ) -> Result<PaymentOutcome, Error> {
        match a.channel {
            Channel::KoudaiBarcode => {
                with_session!(self.tourv5()?, |c, s| c
                    .koudai_barcode(s, &a.bill, a.amount, code))
            }
            Channel::PosWechatBarcode => {
                with_session!(self.tourv5()?, |c, s| c
                    .pos_wechat_barcode(s, &a.bill, a.amount, code))
            }
            Channel::CloudBarcode => {
                self.cloudpay()?
                    .micro_pay(&a.order_no, &a.bill, a.amount, code)
                    .await
            }
            Channel::WechatQr | Channel::AlipayQr | Channel::CloudQr => {
                Err(NotAllowed::QrChannel(a.channel).into())
            }
        }
    }

    pub async fn issue_qr(
        &self,
        a: &Attempt,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<QrIssued, Error> {
        match a.channel {
            Channel::WechatQr | Channel::AlipayQr => {
                let wallet = tourv5_wallet(a.channel);
                with_session!(self.tourv5()?, |c, s| c
                    .qr_pay(s, wallet, &a.bill, a.amount))
            }
            Channel::CloudQr => {
                self.cloudpay()?
                    .scan_code_pay(&a.order_no, &a.bill, platform(a), a.amount, expires_at)
                    .await
            }
            Channel::KoudaiBarcode | Channel::PosWechatBarcode | Channel::CloudBarcode => {
                Err(NotAllowed::BarcodeChannel(a.channel).into())
            }
        }
    }

    /// One status query. `collected_before`: what the bill had collected before this attempt.
    pub async fn query(&self, a: &Attempt, collected_before: Fen) -> Result<PaymentOutcome, Error> {
        let reference = a.reference.as_deref().unwrap_or("");
        match a.channel {
            Channel::WechatQr | Channel::AlipayQr => {
                let wallet = tourv5_wallet(a.channel);
                with_session!(self.tourv5()?, |c, s| c
                    .qr_query(s, wallet, &a.bill, reference))
            }
            Channel::KoudaiBarcode => {
                with_session!(self.tourv5()?, |c, s| c.koudai_query(s, &a.bill, reference))
            }
            Channel::PosWechatBarcode => {
                // Credit this payment only with what it adds to the bill: the back office's
                // own figure from just before it was sent, else what this till collected.
                let before = a.bill_paid_before.unwrap_or(collected_before);
                let landed = Some(before.saturating_add(a.amount));
                with_session!(self.tourv5()?, |c, s| c.pos_bill_status(s, &a.bill, landed))
            }
            Channel::CloudQr => {
                self.cloudpay()?
                    .query_order(&a.order_no, platform(a), TradeType::Qr, a.amount)
                    .await
            }
            Channel::CloudBarcode => {
                self.cloudpay()?
                    .query_order(&a.order_no, platform(a), TradeType::Barcode, a.amount)
                    .await
            }
        }
    }

    /// What a POS sale bill has been paid before a new payment, where the back office says.
    /// A read only: a failure just leaves the poll to the journal's own count.
    pub async fn bill_paid_before(&self, channel: Channel, bill: &crate::BillNo) -> Option<Fen> {
        match (channel, &self.tourv5) {
            (Channel::PosWechatBarcode, Some(tv)) => {
                let row = with_session!(tv, |c, s| c.pos_bill(s, bill));
                row.ok().flatten().and_then(|row| row.paidvalue)
            }
            _ => None,
        }
    }

    /// What remains unpaid on the bill, where the backend says (Tour V5 POS sale bills).
    pub async fn remainder(&self, a: &Attempt) -> Option<Fen> {
        match (a.channel, &self.tourv5) {
            (Channel::PosWechatBarcode, Some(tv)) => {
                let row = with_session!(tv, |c, s| c.pos_bill(s, &a.bill));
                let row = row.ok().flatten()?;
                Some(
                    row.billvalue?
                        .checked_sub(row.paidvalue?)
                        .unwrap_or(Fen::ZERO),
                )
            }
            _ => None,
        }
    }

    /// Who authorises a refund `manager` asks for. Until managers have Cloud Pay staff ids of
    /// their own, it is the till's configured staff id (`cloudpay.staff_id`), named after the
    /// manager. Fails, so that a caller can stop before anything is journalled, where the till
    /// has no staff id: Tencent checks the refund permission against it (docs/protocols.md §2).
    pub fn refund_authority(&self, manager: &str) -> Result<RefundAuthority, Error> {
        let staff_id = self.cloudpay()?.config().staff_id.trim();
        if staff_id.is_empty() {
            return Err(ConfigError::RefundNeedsStaffId.into());
        }
        Ok(RefundAuthority::Staff {
            staff_id: staff_id.to_string(),
            name: authorization_name(manager),
        })
    }

    /// Cloud Pay refunds; Tour V5 documents none (refunds are done in its back office).
    /// `first`: send the refund; otherwise ask how the journalled one stands.
    pub async fn refund(
        &self,
        a: &Attempt,
        refund: &Refund,
        first: bool,
    ) -> Result<RefundOutcome, Error> {
        a.channel.check_refund()?;
        let cp = self.cloudpay()?;
        if first {
            cp.refund(
                &a.order_no,
                &refund.refund_no,
                platform(a),
                a.amount,
                refund.amount,
                &self.refund_authority(&refund.manager)?,
            )
            .await
        } else {
            cp.query_refund(&a.order_no, &refund.refund_no, platform(a))
                .await
        }
    }

    /// Closes an unpaid QR order where the backend can; `Ok(false)` where it cannot (Tour V5
    /// documents no close).
    pub async fn close_qr(&self, a: &Attempt) -> Result<bool, Error> {
        match a.channel {
            Channel::CloudQr => self
                .cloudpay()?
                .close_order(&a.order_no, platform(a), TradeType::Qr)
                .await
                .map(|()| true),
            Channel::WechatQr | Channel::AlipayQr => Ok(false),
            Channel::KoudaiBarcode | Channel::PosWechatBarcode | Channel::CloudBarcode => {
                Err(NotAllowed::BarcodeChannel(a.channel).into())
            }
        }
    }
}

/// `authorization_name` is a String(32): bytes in UTF-8.
const AUTHORIZATION_NAME_MAX: usize = 32;

/// The manager's name as `authorization_name`, cut at a character boundary to the 32 bytes
/// it may hold (the journal keeps the full name); `None` when blank.
fn authorization_name(manager: &str) -> Option<String> {
    let name = manager.trim();
    let cut = (0..=name.len().min(AUTHORIZATION_NAME_MAX))
        .rev()
        .find(|&i| name.is_char_boundary(i))
        .unwrap_or(0);
    name.get(..cut)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

fn tourv5_wallet(channel: Channel) -> QrWallet {
    match channel {
        Channel::AlipayQr => QrWallet::Alipay,
        Channel::WechatQr
        | Channel::CloudQr
        | Channel::KoudaiBarcode
        | Channel::PosWechatBarcode
        | Channel::CloudBarcode => QrWallet::Wechat,
    }
}

/// The Cloud Pay platform journalled with the attempt (WeChat unless it says Alipay).
pub fn platform(a: &Attempt) -> Platform {
    match a.wallet.as_deref() {
        Some("alipay") => Platform::Alipay,
        _ => Platform::Wechat,
    }
}

pub fn wallet_name(p: Platform) -> &'static str {
    match p {
        Platform::Wechat => "wechat",
        Platform::Alipay => "alipay",
    }
}
