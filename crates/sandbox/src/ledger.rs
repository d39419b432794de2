//! The sandbox's record of orders and money movements, as tests and `GET /_sandbox/ledger`
//! see it. Payment codes appear masked only.

use cashier_core::Fen;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub orders: Vec<LedgerOrder>,
    pub charges: Vec<Charge>,
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

impl Ledger {
    pub fn total_charged(&self) -> Fen {
        self.charges
            .iter()
            .fold(Fen::ZERO, |sum, c| sum.saturating_add(Fen(c.amount_fen)))
    }

    pub fn charges_for_bill(&self, bill: &str) -> Vec<&Charge> {
        self.charges.iter().filter(|c| c.bill == bill).collect()
    }

    pub fn order(&self, reference: &str) -> Option<&LedgerOrder> {
        self.orders.iter().find(|o| o.reference == reference)
    }
}
