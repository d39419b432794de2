//! The vocabulary of the checkout: channels, attempt states, and one attempt as journalled.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{BillNo, CodeError, CodeKind, Fen, PaymentCode};

/// `Display` and `FromStr` of an enum by its names (`as_str`, over `ALL`): what the journal,
/// the CLI and the logs write is what they read back.
macro_rules! by_name {
    ($ty:ident, $what:literal) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| {
                        format!(
                            "unknown {} {s:?}; one of: {}",
                            $what,
                            $ty::ALL.map($ty::as_str).join(", ")
                        )
                    })
            }
        }
    };
}

/// How the customer pays, and through which backend.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// Tour V5 WeChat QR (seed 000).
    WechatQr,
    /// Tour V5 Alipay QR.
    AlipayQr,
    /// Tour V5 KouDaiLQ barcode (seed 001).
    KoudaiBarcode,
    /// Tour V5 POS WeChat barcode with the encrypted code (seed 002).
    PosWechatBarcode,
    /// Cloud Pay `scan_code_pay` (seed 004).
    CloudQr,
    /// Cloud Pay `micro_pay`.
    CloudBarcode,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::WechatQr,
        Channel::AlipayQr,
        Channel::KoudaiBarcode,
        Channel::PosWechatBarcode,
        Channel::CloudQr,
        Channel::CloudBarcode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::WechatQr => "wechat-qr",
            Channel::AlipayQr => "alipay-qr",
            Channel::KoudaiBarcode => "koudai-barcode",
            Channel::PosWechatBarcode => "pos-wechat-barcode",
            Channel::CloudQr => "cloud-qr",
            Channel::CloudBarcode => "cloud-barcode",
        }
    }

    pub fn is_qr(self) -> bool {
        match self {
            Channel::WechatQr | Channel::AlipayQr | Channel::CloudQr => true,
            Channel::KoudaiBarcode | Channel::PosWechatBarcode | Channel::CloudBarcode => false,
        }
    }

    /// Whether the channel's backend takes this code: the POS endpoint is WeChat's only, Cloud
    /// Pay takes WeChat and Alipay codes, KouDaiLQ decides itself. Checked before anything
    /// is journalled or sent.
    pub fn check_code(self, code: &PaymentCode) -> Result<(), CodeError> {
        let takes = match self {
            Channel::PosWechatBarcode => "WeChat",
            Channel::CloudBarcode => "WeChat or Alipay",
            Channel::KoudaiBarcode | Channel::WechatQr | Channel::AlipayQr | Channel::CloudQr => {
                return Ok(());
            }
        };
        match (self, code.kind()) {
            (Channel::PosWechatBarcode, CodeKind::Wechat)
            | (Channel::CloudBarcode, CodeKind::Wechat | CodeKind::Alipay) => Ok(()),
            (_, got) => Err(CodeError::WrongWallet { got, takes }),
        }
    }

    /// Whether an unpaid QR order can be closed at the backend, so that nobody can pay it
    /// later. Tour V5 documents no close (docs/protocols.md §1).
    pub fn can_close(self) -> bool {
        match self {
            Channel::CloudQr => true,
            Channel::WechatQr
            | Channel::AlipayQr
            | Channel::KoudaiBarcode
            | Channel::PosWechatBarcode
            | Channel::CloudBarcode => false,
        }
    }

    /// Whether a paid payment can be refunded from the till: the one place that knows
    /// (asked by the engine, the route and the screens). Cloud Pay has a refund call; the Tour
    /// V5 back office documents none, its refunds are done there (docs/protocols.md §1).
    pub fn can_refund(self) -> bool {
        self.is_cloud()
    }

    /// `can_refund` as the till's refusal, for callers about to refund.
    pub fn check_refund(self) -> Result<(), crate::NotAllowed> {
        if self.can_refund() {
            Ok(())
        } else {
            Err(crate::NotAllowed::CannotRefund(self))
        }
    }

    pub fn is_cloud(self) -> bool {
        match self {
            Channel::CloudQr | Channel::CloudBarcode => true,
            Channel::WechatQr
            | Channel::AlipayQr
            | Channel::KoudaiBarcode
            | Channel::PosWechatBarcode => false,
        }
    }
}

by_name!(Channel, "channel");

/// Where an attempt stands. `Sending` is written *before* the payment call, so a crash at any
/// later point leaves a row that recovery will query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AttemptState {
    /// Barcode: journalled, the pay call may be on the wire.
    Sending,
    /// Barcode: the backend said "in progress" (password); polling.
    Pending,
    /// QR: journalled, asking the backend for a code URL.
    Issuing,
    /// QR: code on screen, polling.
    Shown,
    Paid,
    /// This payment went through but the bill still has a remainder.
    PartlyPaid,
    Failed,
    /// QR closed by the cashier (after a final query).
    Cancelled,
    /// QR not paid within its time on screen.
    Expired,
    /// Nobody can tell: may have been charged. Blocks the bill until resolved.
    Unknown,
    /// A QR code the till no longer shows (cancelled, expired, or a crash) that the back
    /// office cannot close: the customer can still pay it until `watch_until`, so the till
    /// keeps asking in the background. It does not block the bill; a late payment is
    /// recorded and announced.
    Abandoned,
    /// Part of the payment was refunded; the rest may be refunded later.
    PartRefunded,
    Refunded,
}

impl AttemptState {
    pub const ALL: [AttemptState; 13] = [
        AttemptState::Sending,
        AttemptState::Pending,
        AttemptState::Issuing,
        AttemptState::Shown,
        AttemptState::Paid,
        AttemptState::PartlyPaid,
        AttemptState::Failed,
        AttemptState::Cancelled,
        AttemptState::Expired,
        AttemptState::Unknown,
        AttemptState::Abandoned,
        AttemptState::PartRefunded,
        AttemptState::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttemptState::Sending => "sending",
            AttemptState::Pending => "pending",
            AttemptState::Issuing => "issuing",
            AttemptState::Shown => "shown",
            AttemptState::Paid => "paid",
            AttemptState::PartlyPaid => "partly_paid",
            AttemptState::Failed => "failed",
            AttemptState::Cancelled => "cancelled",
            AttemptState::Expired => "expired",
            AttemptState::Unknown => "unknown",
            AttemptState::Abandoned => "abandoned",
            AttemptState::PartRefunded => "part_refunded",
            AttemptState::Refunded => "refunded",
        }
    }

    /// Not known to have ended: the bill cannot be charged again, recovery must query it.
    pub fn is_live(self) -> bool {
        match self {
            AttemptState::Sending
            | AttemptState::Pending
            | AttemptState::Issuing
            | AttemptState::Shown
            | AttemptState::Unknown => true,
            AttemptState::Paid
            | AttemptState::PartlyPaid
            | AttemptState::Failed
            | AttemptState::Cancelled
            | AttemptState::Expired
            | AttemptState::Abandoned
            | AttemptState::PartRefunded
            | AttemptState::Refunded => false,
        }
    }

    /// Money was received for this attempt (some of it may have been refunded since).
    pub fn is_collected(self) -> bool {
        matches!(
            self,
            AttemptState::Paid | AttemptState::PartlyPaid | AttemptState::PartRefunded
        )
    }

    /// Paid at some point: paid, partly paid, or refunded (in part or whole) since. Such an
    /// attempt has a customer's slip; moving into paid again owes no second one.
    pub fn was_paid(self) -> bool {
        matches!(
            self,
            AttemptState::Paid
                | AttemptState::PartlyPaid
                | AttemptState::PartRefunded
                | AttemptState::Refunded
        )
    }

    /// Ended as far as the till is concerned, but still watched in the background because the
    /// customer could yet pay it.
    pub fn is_watched(self) -> bool {
        self == AttemptState::Abandoned
    }
}

by_name!(AttemptState, "attempt state");

/// What a manager may decide an Unknown attempt to be, having checked by other means (the
/// back office, the customer's phone): the only two ends a hand may write. The desktop app,
/// the CLI and the journal all take this type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ManagerDecision {
    Paid,
    Failed,
}

impl ManagerDecision {
    pub const ALL: [ManagerDecision; 2] = [ManagerDecision::Paid, ManagerDecision::Failed];

    /// The state the attempt is journalled in.
    pub fn state(self) -> AttemptState {
        match self {
            ManagerDecision::Paid => AttemptState::Paid,
            ManagerDecision::Failed => AttemptState::Failed,
        }
    }
}

impl FromStr for ManagerDecision {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ManagerDecision::ALL
            .into_iter()
            .find(|d| d.state().as_str() == s)
            .ok_or_else(|| format!("{s:?}: paid or failed"))
    }
}

/// The journal's id of an attempt. A newtype struct: serde writes it as the bare number.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
pub struct AttemptId(pub i64);

impl fmt::Display for AttemptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One payment attempt as the journal holds it. Codes are masked; there is no clear code here.
/// Serialised as its [`AttemptRow`](crate::journal::AttemptRow), which holds the JSON shape
/// for both.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Attempt {
    pub id: AttemptId,
    pub bill: BillNo,
    pub amount: Fen,
    pub channel: Channel,
    /// Unique per merchant and till; reused by every retry and query of this attempt.
    pub order_no: String,
    /// The backend's handle: Tour V5 `autoid`, Cloud Pay transaction id.
    pub reference: Option<String>,
    /// Cloud Pay platform for this attempt: "wechat" / "alipay".
    pub wallet: Option<String>,
    pub code_masked: Option<String>,
    pub code_url: Option<String>,
    pub operator: String,
    pub till: String,
    pub state: AttemptState,
    /// The latest human-readable reason (backend's words, or ours).
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Business day in the configured zone, fixed when the attempt is created.
    pub business_day: NaiveDate,
    /// POS sale bills: what the back office said the bill had been paid before this attempt,
    /// so that the bill-status poll credits this payment only with what it added.
    pub bill_paid_before: Option<Fen>,
    /// Abandoned QR codes: until when the customer can still pay it.
    pub watch_until: Option<DateTime<Utc>>,
    /// Refunded so far (all parts that ended refunded).
    pub refunded: Fen,
}

impl Serialize for Attempt {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_row().serialize(s)
    }
}

/// Where one refund part stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundState {
    /// Journalled; the refund call may be on the wire.
    Requested,
    /// The backend accepted it and is carrying it out.
    Refunding,
    Refunded,
    Failed,
    /// No usable answer: continue it (same refund number) before anything else.
    Unknown,
}

impl RefundState {
    pub const ALL: [RefundState; 5] = [
        RefundState::Requested,
        RefundState::Refunding,
        RefundState::Refunded,
        RefundState::Failed,
        RefundState::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RefundState::Requested => "requested",
            RefundState::Refunding => "refunding",
            RefundState::Refunded => "refunded",
            RefundState::Failed => "failed",
            RefundState::Unknown => "unknown",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, RefundState::Refunded | RefundState::Failed)
    }
}
