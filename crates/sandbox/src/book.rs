//! The sandbox's books: orders, charges, refunds and registered sale bills, behind one lock.
//!
//! Handlers take the lock, do their whole read-modify-write and let go before any await, so
//! two concurrent calls can never both see an order unpaid and both charge it. Orders are
//! indexed by reference and by bill, so lookups stay quick however long a benchmark runs.

use std::collections::{BTreeSet, HashMap, HashSet};

use cashier_core::Fen;

use crate::clock::Now;
use crate::ledger::{Charge, Ledger, RefundEntry};
use crate::order::{Channel, Order, OrderState};
use crate::scenario::Scenario;

mod saved;
pub use saved::Line;

/// A Cloud Pay refund of one order; Tour V5 has no refund endpoint (docs/protocols.md §1).
#[derive(Debug, Clone)]
pub struct Refund {
    /// What the request asked for, kept as it was accepted.
    pub asked: RefundAsked,
    /// Cloud Pay's own number for the refund (`refund_id`).
    pub refund_id: String,
    /// Index of the refunded order in the book.
    pub order: usize,
    pub done: bool,
}

/// What a refund request asks for, once its fields passed.
#[derive(Debug, Clone)]
pub struct RefundAsked {
    pub out_refund_no: String,
    pub fee: Fen,
    pub reason: Option<String>,
    /// `authorization_staff_id`; `None` when the sub-merchant's administrator refunded.
    pub authorized_by: Option<String>,
}

#[derive(Debug, Default)]
pub struct Book {
    orders: Vec<Order>,
    /// The first order with each reference (Tour V5 autoid, Cloud Pay out_trade_no).
    by_reference: HashMap<String, usize>,
    /// Every order of each bill, oldest first.
    by_bill: HashMap<String, Vec<usize>>,
    charges: Vec<Charge>,
    /// What has been charged on each POS sale bill so far, kept as charges are recorded.
    pos_paid: HashMap<String, Fen>,
    refunds: Vec<Refund>,
    by_refund_no: HashMap<String, usize>,
    /// Sale bill totals (Tour V5 POS): registered by `POST /_sandbox/bills` or by a bill's
    /// first payment.
    bills: HashMap<String, Fen>,
    /// Single-use payment codes (`8xxx`) charged so far, as SHA-256 hex of the code: never
    /// shown, and a state file (`--state`) holds no payment code in clear.
    used_codes: HashSet<String>,
    seq: u64,
    /// What changed since the state file was last written (see `state.rs`).
    dirty: Dirty,
}

/// What the next line of the state file must carry.
#[derive(Debug, Default)]
pub(crate) struct Dirty {
    pub orders: BTreeSet<usize>,
    pub refunds: BTreeSet<usize>,
    /// Charges before this index are in the file already.
    pub charges_saved: usize,
    pub bills: BTreeSet<String>,
    pub used_codes: Vec<String>,
    pub seq_saved: u64,
    /// Everything was replaced (`reset`): the next line is a whole snapshot.
    pub all: bool,
}

impl Book {
    /// A fresh number for autoids; never reused, not even across `reset`, so an answer from
    /// before a reset can never match an order made after it.
    pub fn next_seq(&mut self) -> u64 {
        self.seq = self.seq.saturating_add(1);
        self.seq
    }

    /// Adds an order with the charge its pay call made, if any.
    pub fn add(&mut self, order: Order, charge: Option<Charge>) -> usize {
        let idx = self.orders.len();
        self.dirty.orders.insert(idx);
        self.by_reference
            .entry(order.reference.clone())
            .or_insert(idx);
        self.by_bill
            .entry(order.bill.clone())
            .or_default()
            .push(idx);
        self.orders.push(order);
        self.record(charge);
        idx
    }

    /// A barcode pay call's order (see [`Order::barcode`]) as the code's scenario leaves it,
    /// except that a single-use code (`8xxx`) charged before in this sandbox, on any channel,
    /// is refused as already used; one charged now is remembered. Call it under the same
    /// lock as the [`Book::add`] that records the order.
    pub fn barcode(
        &mut self,
        channel: Channel,
        reference: String,
        bill: String,
        amount: Fen,
        code: &str,
        now: &Now,
    ) -> (Order, Option<Charge>) {
        let hashed = code_hash(code);
        let scenario = match Scenario::of_code(code) {
            Scenario::SingleUse if self.used_codes.contains(&hashed) => Scenario::CodeUsed,
            s => s,
        };
        let (order, charge) = Order::barcode(channel, reference, bill, amount, code, scenario, now);
        if scenario == Scenario::SingleUse && charge.is_some() {
            self.dirty.used_codes.push(hashed.clone());
            self.used_codes.insert(hashed);
        }
        (order, charge)
    }

    pub fn position(&self, reference: &str) -> Option<usize> {
        self.by_reference.get(reference).copied()
    }

    /// Indexes of one bill's orders on one channel, oldest first.
    pub fn of_bill(&self, bill: &str, channel: Channel) -> Vec<usize> {
        self.by_bill.get(bill).map_or_else(Vec::new, |all| {
            all.iter()
                .copied()
                .filter(|&i| self.orders.get(i).is_some_and(|o| o.channel == channel))
                .collect()
        })
    }

    /// The order at `idx`, brought up to date first (see [`Order::refresh`]); a payment the
    /// customer finished meanwhile is recorded now.
    pub fn order_mut(&mut self, idx: usize, now: &Now) -> Option<&mut Order> {
        // Whoever asks for it may change it (a query counts, a close closes): saved as it ends up.
        if idx < self.orders.len() {
            self.dirty.orders.insert(idx);
        }
        let charge = self.orders.get_mut(idx)?.refresh(now);
        self.record(charge);
        self.orders.get_mut(idx)
    }

    pub fn find_mut(&mut self, reference: &str, now: &Now) -> Option<&mut Order> {
        let idx = self.position(reference)?;
        self.order_mut(idx, now)
    }

    /// Brings every order of a bill up to date, so its paid amount is current.
    pub fn refresh_bill(&mut self, bill: &str, now: &Now) {
        let all = self.by_bill.get(bill).cloned().unwrap_or_default();
        for idx in all {
            self.order_mut(idx, now);
        }
    }

    /// Records a money movement handed back by [`Order::settle`] or [`Order::refresh`].
    pub fn record(&mut self, charge: Option<Charge>) {
        let Some(c) = charge else { return };
        tracing::info!(reference = %c.reference, bill = %c.bill, fen = c.amount_fen, channel = %c.channel, "charged");
        if c.channel == Channel::PosWechatBarcode.as_str() {
            let paid = self.pos_paid.entry(c.bill.clone()).or_insert(Fen::ZERO);
            *paid = paid.saturating_add(Fen(c.amount_fen));
        }
        self.charges.push(c);
    }

    pub fn bill_total(&self, bill: &str) -> Option<Fen> {
        self.bills.get(bill).copied()
    }

    pub fn register_bill(&mut self, bill: &str, total: Fen) {
        self.dirty.bills.insert(bill.to_string());
        self.bills.insert(bill.to_string(), total);
    }

    /// What has been charged on a POS sale bill so far (call [`Book::refresh_bill`] first).
    pub fn pos_paid(&self, bill: &str) -> Fen {
        self.pos_paid.get(bill).copied().unwrap_or(Fen::ZERO)
    }

    pub fn refund(&self, out_refund_no: &str) -> Option<&Refund> {
        let r = *self.by_refund_no.get(out_refund_no)?;
        self.refunds.get(r)
    }

    /// Every refund of the order at `idx`, oldest first.
    pub fn refunds_of(&self, idx: usize) -> impl Iterator<Item = &Refund> {
        self.refunds.iter().filter(move |r| r.order == idx)
    }

    /// Accepts a refund of the order at `idx`; the caller has checked that the order is paid
    /// and the fee fits what is left to refund.
    pub fn add_refund(&mut self, idx: usize, asked: RefundAsked) -> Option<Refund> {
        let refund_id = format!("{:028}", self.next_seq());
        let order = self.orders.get_mut(idx)?;
        order.refund_claimed = order.refund_claimed.saturating_add(asked.fee);
        self.dirty.orders.insert(idx);
        self.dirty.refunds.insert(self.refunds.len());
        self.by_refund_no
            .insert(asked.out_refund_no.clone(), self.refunds.len());
        let refund = Refund {
            asked,
            refund_id,
            order: idx,
            done: false,
        };
        self.refunds.push(refund.clone());
        Some(refund)
    }

    /// Finishes the refund `out_refund_no` (again is harmless); the order becomes refunded
    /// only once its finished refunds reach its whole amount, a partial refund leaves it paid.
    pub fn complete_refund(&mut self, out_refund_no: &str) -> Option<Refund> {
        let r = *self.by_refund_no.get(out_refund_no)?;
        let refund = self.refunds.get_mut(r)?;
        if !refund.done {
            refund.done = true;
            self.dirty.refunds.insert(r);
            self.dirty.orders.insert(refund.order);
            if let Some(o) = self.orders.get_mut(refund.order) {
                o.refunded = o.refunded.saturating_add(refund.asked.fee);
                if o.refunded >= o.amount {
                    o.state = OrderState::Refunded;
                }
            }
        }
        Some(refund.clone())
    }

    pub fn order(&self, idx: usize) -> Option<&Order> {
        self.orders.get(idx)
    }

    pub fn snapshot(&mut self, now: &Now) -> Ledger {
        for idx in 0..self.orders.len() {
            self.order_mut(idx, now);
        }
        let refunds = self
            .refunds
            .iter()
            .filter_map(|r| {
                let o = self.orders.get(r.order)?;
                Some(RefundEntry {
                    out_refund_no: r.asked.out_refund_no.clone(),
                    reference: o.reference.clone(),
                    bill: o.bill.clone(),
                    refund_fen: r.asked.fee.0,
                    state: if r.done { "refunded" } else { "refunding" }.to_string(),
                    authorized_by: r.asked.authorized_by.clone(),
                })
            })
            .collect();
        Ledger {
            orders: self.orders.iter().map(Order::to_ledger).collect(),
            charges: self.charges.clone(),
            refunds,
        }
    }

    /// Forgets orders, charges, refunds, bills and used single-use codes; keeps the autoid
    /// sequence (see [`Book::next_seq`]).
    pub fn reset(&mut self) {
        let seq = self.seq;
        *self = Book {
            seq,
            ..Book::default()
        };
        self.dirty.all = true;
    }
}

/// How the book keeps a single-use code: its SHA-256, in hex.
fn code_hash(code: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(code.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
