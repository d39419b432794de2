//! Which backend call serves which channel: the only place that knows.

use crate::backend::cloudpay::{Platform, RefundAuthority, RefundOutcome, TradeType};
use crate::backend::tourv5::QrWallet;
use crate::backend::{Backends, CloudPayBackend, RefundRequest, TourV5Backend};
use crate::journal::Refund;
use crate::managers::Approver;
use crate::reasons::{Backend, ConfigError, NotAllowed};
use crate::{Attempt, Channel, Error, Fen, PaymentCode, PaymentOutcome, QrIssued};

impl Backends {
    fn tourv5(&self) -> Result<&dyn TourV5Backend, Error> {
        self.tourv5
            .as_deref()
            .ok_or(Error::Config(ConfigError::NotConfigured(Backend::TourV5)))
    }

    fn cloudpay(&self) -> Result<&dyn CloudPayBackend, Error> {
        self.cloudpay
            .as_deref()
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
            tv.preconnect().await;
        }
    }

    pub async fn pay_barcode(
        &self,
        a: &Attempt,
        code: &PaymentCode,
    ) -> Result<PaymentOutcome, Error> {
        match a.channel {
            Channel::KoudaiBarcode => self.tourv5()?.koudai_barcode(&a.bill, a.amount, code).await,
            Channel::PosWechatBarcode => {
                self.tourv5()?
                    .pos_wechat_barcode(&a.bill, a.amount, code)
                    .await
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
                self.tourv5()?.qr_pay(wallet, &a.bill, a.amount).await
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
                self.tourv5()?.qr_query(wallet, &a.bill, reference).await
            }
            Channel::KoudaiBarcode => self.tourv5()?.koudai_query(&a.bill, reference).await,
            Channel::PosWechatBarcode => {
                // Credit this payment only with what it adds to the bill: the back office's
                // own figure from just before it was sent, else what this till collected.
                let before = a.bill_paid_before.unwrap_or(collected_before);
                let landed = Some(before.saturating_add(a.amount));
                self.tourv5()?.pos_bill_status(&a.bill, landed).await
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
                let bill = tv.pos_bill(bill).await;
                bill.ok().flatten().and_then(|b| b.paid)
            }
            _ => None,
        }
    }

    /// What remains unpaid on the bill, where the backend says (Tour V5 POS sale bills).
    pub async fn remainder(&self, a: &Attempt) -> Option<Fen> {
        match (a.channel, &self.tourv5) {
            (Channel::PosWechatBarcode, Some(tv)) => {
                let bill = tv.pos_bill(&a.bill).await.ok().flatten()?;
                Some(bill.billed?.checked_sub(bill.paid?).unwrap_or(Fen::ZERO))
            }
            _ => None,
        }
    }

    /// Who authorises a refund the `approver` approved: the approving manager's own Cloud Pay
    /// staff id, or, for a manager who has none, the till's configured one
    /// (`cloudpay.staff_id`), named after the manager. Fails, so that a caller can stop before
    /// anything is journalled, where there is neither: Tencent checks the refund permission
    /// against it (docs/protocols.md §2).
    pub(crate) fn refund_authority(&self, approver: &Approver) -> Result<RefundAuthority, Error> {
        let till_staff = self.cloudpay()?.staff_id().trim();
        let staff_id = approver
            .staff_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(till_staff);
        if staff_id.is_empty() {
            return Err(ConfigError::RefundNeedsStaffId.into());
        }
        Ok(RefundAuthority::Staff {
            staff_id: staff_id.to_string(),
            name: authorization_name(&approver.name),
        })
    }

    /// Cloud Pay refunds; Tour V5 documents none (refunds are done in its back office).
    /// `send` (who authorises it): send the refund; `None`: ask how the journalled one stands.
    pub async fn refund(
        &self,
        a: &Attempt,
        refund: &Refund,
        send: Option<&RefundAuthority>,
    ) -> Result<RefundOutcome, Error> {
        a.channel.check_refund()?;
        let cp = self.cloudpay()?;
        if let Some(authority) = send {
            cp.refund(RefundRequest {
                order_no: &a.order_no,
                refund_no: &refund.refund_no,
                platform: platform(a),
                total: a.amount,
                amount: refund.amount,
                authority,
            })
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
