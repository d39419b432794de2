//! One payment order as the simulated backends keep it, and its state machine.
//!
//! Every change of state that moves money goes through [`Order::settle`], which hands back the
//! [`Charge`] to record: that is how the ledger proves whether a client paid twice.

use std::time::SystemTime;

use cashier_core::Fen;
use cashier_core::code::mask_digits;
use tokio::time::Instant;

use crate::clock::Now;
use crate::ledger::{Charge, LedgerOrder};
use crate::scenario::Scenario;

/// The channel vocabulary is the till's own: the sandbox speaks the same six channels.
pub use cashier_core::Channel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Wallet {
    Wechat,
    Alipay,
}

impl Wallet {
    pub fn name(self) -> &'static str {
        match self {
            Wallet::Wechat => "WeChat",
            Wallet::Alipay => "Alipay",
        }
    }

    /// As `pay_mch_key.pay_platform` names it: `1 (WeChat)`.
    pub fn pay_platform_name(self) -> &'static str {
        match self {
            Wallet::Wechat => "1 (WeChat)",
            Wallet::Alipay => "2 (Alipay)",
        }
    }
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
    /// A password order (`100N`) is paid at this time: the customer has typed it by then.
    pub settles_at: Option<Instant>,
    pub wallet: Wallet,
    /// Tour V5 orders: the `billtype` / `BusinessType` and the `paytype` they were made
    /// with, which every query must name again (seed 003).
    pub billtype: Option<u8>,
    pub paytype: Option<String>,
    pub transaction_id: String,
    /// Cloud Pay refunds accepted so far, finished or not: what can still be refunded.
    pub refund_claimed: Fen,
    /// Cloud Pay refunds finished; the order is `Refunded` once they reach its amount.
    pub refunded: Fen,
}

impl Order {
    /// An unpaid order as a QR pay call leaves it; barcode orders come from
    /// [`Order::barcode`].
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
            settles_at: None,
            wallet: match channel {
                Channel::AlipayQr => Wallet::Alipay,
                _ => Wallet::Wechat,
            },
            billtype: None,
            paytype: None,
            transaction_id: String::new(),
            refund_claimed: Fen::ZERO,
            refunded: Fen::ZERO,
        }
    }

    /// A barcode payment as `scenario` (its code's, or `CodeUsed` for a single-use code used
    /// before: see `Book::barcode`) leaves it after the pay call, with the charge the pay call
    /// itself makes (`Paid`, `SingleUse` and the charged ones whose answer goes wrong). The one
    /// place a scenario becomes a state, for every barcode channel of both backends.
    pub fn barcode(
        channel: Channel,
        reference: String,
        bill: String,
        amount: Fen,
        code: &str,
        scenario: Scenario,
        now: &Now,
    ) -> (Order, Option<Charge>) {
        let mut o = Order::new(channel, reference, bill, amount);
        o.masked_code = Some(mask_digits(code));
        o.scenario = Some(scenario);
        let charge = match scenario {
            Scenario::Paid
            | Scenario::SingleUse
            | Scenario::ChargedBusy
            | Scenario::ChargedWait => o.settle(),
            Scenario::Password(_) | Scenario::Forever => {
                o.state = OrderState::UserPaying;
                // An unrepresentable time (never with N ≤ 9) leaves the customer typing forever.
                o.settles_at = scenario
                    .password_delay()
                    .and_then(|d| now.tick.checked_add(d));
                None
            }
            Scenario::Declined | Scenario::NewOrderNumber | Scenario::CodeUsed => {
                o.state = OrderState::Declined;
                None
            }
            Scenario::CodeExpired => {
                o.state = OrderState::Expired;
                None
            }
        };
        (o, charge)
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
            channel: self.channel.as_str().to_string(),
        })
    }

    /// Plays out what the customer did since the last look: a password order whose time has
    /// come is paid (the charge is handed back to be recorded), an unpaid QR order whose time
    /// is up closes. Called before every look at an order, so that what a client or the
    /// ledger sees never depends on how often anybody asked.
    pub fn refresh(&mut self, now: &Now) -> Option<Charge> {
        if self.state == OrderState::UserPaying && self.settles_at.is_some_and(|t| now.tick >= t) {
            return self.settle();
        }
        if self.state.is_open() && self.expires_at.is_some_and(|t| now.wall >= t) {
            self.state = OrderState::Expired;
        }
        None
    }

    /// One status query: only counted, since queries report the state and never change it.
    pub fn count_query(&mut self) {
        self.queries = self.queries.saturating_add(1);
    }

    pub fn to_ledger(&self) -> LedgerOrder {
        LedgerOrder {
            backend: if self.channel.is_cloud() {
                "cloudpay"
            } else {
                "tourv5"
            }
            .to_string(),
            channel: self.channel.as_str().to_string(),
            reference: self.reference.clone(),
            bill: self.bill.clone(),
            amount_fen: self.amount.0,
            state: self.state.name().to_string(),
            masked_code: self.masked_code.clone(),
            queries: self.queries,
        }
    }
}
