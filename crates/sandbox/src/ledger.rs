//! The sandbox's record of orders and money movements, as tests and `GET /_sandbox/ledger`
//! see it. Payment codes appear masked only.

use cashier_core::Fen;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub orders: Vec<LedgerOrder>,
    pub charges: Vec<Charge>,
    /// Cloud Pay refunds, oldest first. Defaulted so a ledger saved before refunds were
    /// listed still reads.
    #[serde(default)]
    pub refunds: Vec<RefundEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerOrder {
    /// `tourv5` or `cloudpay`.
    pub backend: String,
    /// `wechat-qr`, `alipay-qr`, `koudai-barcode`, `pos-wechat-barcode`, `cloud-qr`,
    /// `cloud-barcode`.
    pub channel: String,
    /// Tour V5 `autoid` or Cloud Pay `out_trade_no`.
    pub reference: String,
    pub bill: String,
    pub amount_fen: u64,
    /// `notpay`, `userpaying`, `paid`, `declined`, `expired`, `closed` or `refunded`.
    pub state: String,
    pub masked_code: Option<String>,
    pub queries: u32,
}

/// One money movement from a customer. A payment call the real backend would charge again
/// is a second `Charge`, so counting charges proves or disproves a double charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    pub reference: String,
    pub bill: String,
    pub amount_fen: u64,
    pub channel: String,
}

/// One refund to a customer (Cloud Pay; Tour V5 refunds happen in its back office).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundEntry {
    pub out_refund_no: String,
    /// The refunded order's `out_trade_no`.
    pub reference: String,
    pub bill: String,
    pub refund_fen: u64,
    /// `refunding` (accepted) or `refunded` (done; the money is back with the customer).
    pub state: String,
    /// The `authorization_staff_id` the refund was asked under; `None` when the
    /// sub-merchant's administrator asked (and in a ledger saved before it was kept).
    #[serde(default)]
    pub authorized_by: Option<String>,
}

impl Ledger {
    pub fn total_charged(&self) -> Fen {
        self.charges
            .iter()
            .fold(Fen::ZERO, |sum, c| sum.saturating_add(Fen(c.amount_fen)))
    }

    /// What customers paid and kept: every charge minus the refunds that are done.
    pub fn net_charged(&self) -> Fen {
        let refunded = self
            .refunds
            .iter()
            .filter(|r| r.state == "refunded")
            .fold(0u64, |sum, r| sum.saturating_add(r.refund_fen));
        Fen(self.total_charged().0.saturating_sub(refunded))
    }

    pub fn charges_for_bill(&self, bill: &str) -> Vec<&Charge> {
        self.charges.iter().filter(|c| c.bill == bill).collect()
    }

    pub fn order(&self, reference: &str) -> Option<&LedgerOrder> {
        self.orders.iter().find(|o| o.reference == reference)
    }
}
