//! One payment order as the simulated backends keep it, and its state machine.
//!
//! Every change of state that moves money goes through [`Order::settle`], which hands back the
//! [`Charge`] to record: that is how the ledger proves whether a client paid twice.

use std::time::SystemTime;

use cashier_core::Fen;

use crate::ledger::{Charge, LedgerOrder};
use crate::scenario::Scenario;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    TourV5,
    CloudPay,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    WechatQr,
    AlipayQr,
    KoudaiBarcode,
    PosWechatBarcode,
    CloudQr,
    CloudBarcode,
}

impl Channel {
    pub fn name(self) -> &'static str {
        match self {
            Channel::WechatQr => "wechat-qr",
            Channel::AlipayQr => "alipay-qr",
            Channel::KoudaiBarcode => "koudai-barcode",
            Channel::PosWechatBarcode => "pos-wechat-barcode",
            Channel::CloudQr => "cloud-qr",
            Channel::CloudBarcode => "cloud-barcode",
        }
    }

    pub fn backend(self) -> Backend {
        match self {
            Channel::CloudQr | Channel::CloudBarcode => Backend::CloudPay,
            _ => Backend::TourV5,
        }
    }

    /// QR orders are paid by the customer page; barcode orders by their code's scenario.
    pub fn is_qr(self) -> bool {
        matches!(
            self,
            Channel::WechatQr | Channel::AlipayQr | Channel::CloudQr
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderState {
    NotPay,
    UserPaying,
    Paid,
    Declined,
    Expired,
    Closed,
    Refunded,
}

impl OrderState {
    pub fn name(self) -> &'static str {
        match self {
            OrderState::NotPay => "notpay",
            OrderState::UserPaying => "userpaying",
            OrderState::Paid => "paid",
            OrderState::Declined => "declined",
            OrderState::Expired => "expired",
            OrderState::Closed => "closed",
            OrderState::Refunded => "refunded",
        }
    }

    /// Still waiting for the customer: the only states that can still become paid.
    pub fn is_open(self) -> bool {
        matches!(self, OrderState::NotPay | OrderState::UserPaying)
    }
}

/// Cloud Pay's wallet (`pay_mch_key.pay_platform`); Tour V5 orders know theirs by channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wallet {
    Wechat,
    Alipay,
}

/// A Cloud Pay refund; Tour V5 has no refund endpoint (PROTOCOLS §1).
#[derive(Debug, Clone)]
pub struct Refund {
    pub out_refund_no: String,
    pub fee: Fen,
    pub done: bool,
}

#[derive(Debug, Clone)]
pub struct Order {
    pub channel: Channel,
    pub reference: String,
    pub bill: String,
    pub amount: Fen,
    pub state: OrderState,
    pub masked_code: Option<String>,
    pub queries: u32,
    /// `None` for QR orders, which the customer page settles.
    pub scenario: Option<Scenario>,
    /// Unpaid QR orders close at this time.
    pub expires_at: Option<SystemTime>,
    pub wallet: Wallet,
    pub transaction_id: String,
    pub refund: Option<Refund>,
}

impl Order {
    /// An order as the pay call leaves it; a barcode order paid at once still needs
    /// [`Order::settle`] so that its charge is recorded.
    pub fn new(channel: Channel, reference: String, bill: String, amount: Fen) -> Order {
        Order {
            channel,
            reference,
            bill,
            amount,
            state: OrderState::NotPay,
            masked_code: None,
            queries: 0,
            scenario: None,
            expires_at: None,
            wallet: match channel {
                Channel::AlipayQr => Wallet::Alipay,
                _ => Wallet::Wechat,
            },
            transaction_id: String::new(),
            refund: None,
        }
    }

    /// Marks the order paid and returns the money movement, or `None` if it cannot be paid
    /// (already paid, closed, declined…), so a second settle never charges twice.
    pub fn settle(&mut self) -> Option<Charge> {
        if !self.state.is_open() {
            return None;
        }
        self.state = OrderState::Paid;
        Some(Charge {
            reference: self.reference.clone(),
            bill: self.bill.clone(),
            amount_fen: self.amount.0,
            channel: self.channel.name().to_string(),
        })
    }

    /// Closes an unpaid QR order whose time is up; called before every look at an order.
    pub fn refresh(&mut self, now: SystemTime) {
        if self.state.is_open() && self.expires_at.is_some_and(|t| now >= t) {
            self.state = OrderState::Expired;
        }
    }

    /// One status query: counts it and, in the password scenario, charges on the N-th.
    pub fn on_query(&mut self, now: SystemTime) -> Option<Charge> {
        self.refresh(now);
        self.queries = self.queries.saturating_add(1);
        match self.scenario {
            Some(Scenario::Password(n))
                if self.state == OrderState::UserPaying && self.queries >= n =>
            {
                self.settle()
            }
            _ => None,
        }
    }

    pub fn to_ledger(&self) -> LedgerOrder {
        LedgerOrder {
            backend: match self.channel.backend() {
                Backend::TourV5 => "tourv5",
                Backend::CloudPay => "cloudpay",
            }
            .to_string(),
            channel: self.channel.name().to_string(),
            reference: self.reference.clone(),
            bill: self.bill.clone(),
            amount_fen: self.amount.0,
            state: self.state.name().to_string(),
            masked_code: self.masked_code.clone(),
            queries: self.queries,
        }
    }
}
