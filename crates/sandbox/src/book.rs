//! The sandbox's books: orders, charges and registered sale bills, behind one lock.
//!
//! Handlers take the lock, do their whole read-modify-write and let go before any await, so
//! two concurrent calls can never both see an order unpaid and both charge it.

use std::collections::HashMap;
use std::time::SystemTime;

use cashier_core::Fen;

use crate::ledger::{Charge, Ledger};
use crate::order::{Channel, Order};

#[derive(Debug, Default)]
pub struct Book {
    orders: Vec<Order>,
    charges: Vec<Charge>,
    /// Sale bill totals (Tour V5 POS): registered by `POST /_sandbox/bills` or by a bill's
    /// first payment.
    bills: HashMap<String, Fen>,
    seq: u64,
}

impl Book {
    /// A fresh number for autoids; never reused, not even across `reset`, so an answer from
    /// before a reset can never match an order made after it.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn add(&mut self, order: Order) -> usize {
        self.orders.push(order);
        self.orders.len() - 1
    }

    pub fn position(&self, reference: &str) -> Option<usize> {
        self.orders.iter().position(|o| o.reference == reference)
    }

    /// The order holding the refund `out_refund_no`.
    pub fn refund_position(&self, out_refund_no: &str) -> Option<usize> {
        self.orders.iter().position(|o| {
            o.refund
                .as_ref()
                .is_some_and(|r| r.out_refund_no == out_refund_no)
        })
    }

    /// The newest order of a bill on a channel: how a client that lost the pay call's answer
    /// (and so the autoid) can still find its payment.
    pub fn latest(&self, bill: &str, channel: Channel) -> Option<usize> {
        self.orders
            .iter()
            .rposition(|o| o.bill == bill && o.channel == channel)
    }

    /// The order at `idx`, with its QR expiry applied first.
    pub fn order_mut(&mut self, idx: usize, now: SystemTime) -> Option<&mut Order> {
        let order = self.orders.get_mut(idx)?;
        order.refresh(now);
        Some(order)
    }

    pub fn find_mut(&mut self, reference: &str, now: SystemTime) -> Option<&mut Order> {
        let idx = self.position(reference)?;
        self.order_mut(idx, now)
    }

    /// Records a money movement handed back by [`Order::settle`] or [`Order::on_query`].
    pub fn record(&mut self, charge: Option<Charge>) {
        if let Some(c) = charge {
            tracing::info!(reference = %c.reference, bill = %c.bill, fen = c.amount_fen, channel = %c.channel, "charged");
            self.charges.push(c);
        }
    }

    /// Indexes of one bill's orders on one channel, oldest first.
    pub fn of_bill(&self, bill: &str, channel: Channel) -> Vec<usize> {
        (0..self.orders.len())
            .filter(|&i| self.orders[i].bill == bill && self.orders[i].channel == channel)
            .collect()
    }

    pub fn bill_total(&self, bill: &str) -> Option<Fen> {
        self.bills.get(bill).copied()
    }

    pub fn register_bill(&mut self, bill: &str, total: Fen) {
        self.bills.insert(bill.to_string(), total);
    }

    /// What has been charged on a POS sale bill so far.
    pub fn pos_paid(&self, bill: &str) -> Fen {
        self.charges
            .iter()
            .filter(|c| c.bill == bill && c.channel == Channel::PosWechatBarcode.name())
            .fold(Fen::ZERO, |sum, c| sum.saturating_add(Fen(c.amount_fen)))
    }

    pub fn snapshot(&mut self, now: SystemTime) -> Ledger {
        for o in &mut self.orders {
            o.refresh(now);
        }
        Ledger {
            orders: self.orders.iter().map(Order::to_ledger).collect(),
            charges: self.charges.clone(),
        }
    }

    /// Forgets orders, charges and bills; keeps the autoid sequence (see [`Book::next_seq`]).
    pub fn reset(&mut self) {
        self.orders.clear();
        self.charges.clear();
        self.bills.clear();
    }
}
