//! The book as the state file (`--state`) holds it: a whole snapshot, then one delta per change
//! (the orders, refunds and bills changed, the charges added). Times the sandbox plays out on
//! tokio's clock (a customer typing a password) are saved as wall-clock instants, so a
//! restarted sandbox settles them when they were due; Tour V5 sessions are not saved: a
//! restarted back office makes its clients log in again, as a real one does.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cashier_core::Fen;
use serde::{Deserialize, Serialize};

use super::{Book, Dirty, Refund, RefundAsked};
use crate::clock::Now;
use crate::ledger::Charge;
use crate::order::{Channel, Order, OrderState, Wallet};
use crate::scenario::Scenario;

/// One line of the state file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Line {
    Snapshot(Saved),
    Delta(Saved),
}

/// A snapshot (every order, charge, refund, bill and used code), or a delta (those changed or
/// added since the line before, each order and refund with its index in the book).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Saved {
    seq: u64,
    orders: Vec<(usize, SavedOrder)>,
    /// A delta's charges are the ones recorded after the line before.
    charges: Vec<Charge>,
    refunds: Vec<(usize, SavedRefund)>,
    bills: Vec<(String, u64)>,
    used_codes: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct SavedOrder {
    channel: Channel,
    reference: String,
    bill: String,
    amount_fen: u64,
    state: OrderState,
    masked_code: Option<String>,
    queries: u32,
    scenario: Option<Scenario>,
    /// Unix milliseconds.
    expires_at_ms: Option<u64>,
    /// Unix milliseconds when the customer will have typed the password.
    settles_at_ms: Option<u64>,
    wallet: Wallet,
    billtype: Option<u8>,
    paytype: Option<String>,
    transaction_id: String,
    refund_claimed_fen: u64,
    refunded_fen: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct SavedRefund {
    out_refund_no: String,
    fee_fen: u64,
    reason: Option<String>,
    authorized_by: Option<String>,
    refund_id: String,
    order: usize,
    done: bool,
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn from_unix_ms(ms: u64) -> SystemTime {
    UNIX_EPOCH
        .checked_add(Duration::from_millis(ms))
        .unwrap_or(UNIX_EPOCH)
}

impl SavedOrder {
    fn of(o: &Order, now: &Now) -> SavedOrder {
        SavedOrder {
            channel: o.channel,
            reference: o.reference.clone(),
            bill: o.bill.clone(),
            amount_fen: o.amount.0,
            state: o.state,
            masked_code: o.masked_code.clone(),
            queries: o.queries,
            scenario: o.scenario,
            expires_at_ms: o.expires_at.map(unix_ms),
            settles_at_ms: o.settles_at.map(|t| {
                let left = t.saturating_duration_since(now.tick);
                unix_ms(now.wall.checked_add(left).unwrap_or(now.wall))
            }),
            wallet: o.wallet,
            billtype: o.billtype,
            paytype: o.paytype.clone(),
            transaction_id: o.transaction_id.clone(),
            refund_claimed_fen: o.refund_claimed.0,
            refunded_fen: o.refunded.0,
        }
    }

    fn order(self, now: &Now) -> Order {
        let settles_at = self.settles_at_ms.map(|ms| {
            let left = from_unix_ms(ms)
                .duration_since(now.wall)
                .unwrap_or(Duration::ZERO);
            now.tick.checked_add(left).unwrap_or(now.tick)
        });
        Order {
            channel: self.channel,
            reference: self.reference,
            bill: self.bill,
            amount: Fen(self.amount_fen),
            state: self.state,
            masked_code: self.masked_code,
            queries: self.queries,
            scenario: self.scenario,
            expires_at: self.expires_at_ms.map(from_unix_ms),
            settles_at,
            wallet: self.wallet,
            billtype: self.billtype,
            paytype: self.paytype,
            transaction_id: self.transaction_id,
            refund_claimed: Fen(self.refund_claimed_fen),
            refunded: Fen(self.refunded_fen),
        }
    }
}

impl SavedRefund {
    fn of(r: &Refund) -> SavedRefund {
        SavedRefund {
            out_refund_no: r.asked.out_refund_no.clone(),
            fee_fen: r.asked.fee.0,
            reason: r.asked.reason.clone(),
            authorized_by: r.asked.authorized_by.clone(),
            refund_id: r.refund_id.clone(),
            order: r.order,
            done: r.done,
        }
    }

    fn refund(self) -> Refund {
        Refund {
            asked: RefundAsked {
                out_refund_no: self.out_refund_no,
                fee: Fen(self.fee_fen),
                reason: self.reason,
                authorized_by: self.authorized_by,
            },
            refund_id: self.refund_id,
            order: self.order,
            done: self.done,
        }
    }
}

impl Book {
    /// The next line of the state file: the whole book when `whole` (or after a reset), else
    /// what changed since the last line; `None` when nothing did. Marks it all saved.
    pub fn take_line(&mut self, now: &Now, whole: bool) -> Option<Line> {
        let dirty = std::mem::take(&mut self.dirty);
        let whole = whole || dirty.all;
        let nothing = dirty.orders.is_empty()
            && dirty.refunds.is_empty()
            && dirty.bills.is_empty()
            && dirty.used_codes.is_empty()
            && dirty.charges_saved == self.charges.len()
            && dirty.seq_saved == self.seq;
        self.dirty = Dirty {
            charges_saved: self.charges.len(),
            seq_saved: self.seq,
            ..Dirty::default()
        };
        if whole {
            return Some(Line::Snapshot(Saved {
                seq: self.seq,
                orders: self
                    .orders
                    .iter()
                    .map(|o| SavedOrder::of(o, now))
                    .enumerate()
                    .collect(),
                charges: self.charges.clone(),
                refunds: self
                    .refunds
                    .iter()
                    .map(SavedRefund::of)
                    .enumerate()
                    .collect(),
                bills: self.bills.iter().map(|(b, f)| (b.clone(), f.0)).collect(),
                used_codes: self.used_codes.iter().cloned().collect(),
            }));
        }
        if nothing {
            return None;
        }
        let orders = dirty
            .orders
            .iter()
            .filter_map(|&i| Some((i, SavedOrder::of(self.orders.get(i)?, now))))
            .collect();
        let refunds = dirty
            .refunds
            .iter()
            .filter_map(|&i| Some((i, SavedRefund::of(self.refunds.get(i)?))))
            .collect();
        let bills = dirty
            .bills
            .iter()
            .filter_map(|b| Some((b.clone(), self.bills.get(b)?.0)))
            .collect();
        Some(Line::Delta(Saved {
            seq: self.seq,
            orders,
            charges: self
                .charges
                .get(dirty.charges_saved..)
                .unwrap_or(&[])
                .to_vec(),
            refunds,
            bills,
            used_codes: dirty.used_codes,
        }))
    }

    /// Applies one line read back from the state file: a snapshot replaces the book, a delta
    /// changes it. An order or refund index past the end must be the next one.
    pub fn apply(&mut self, line: Line, now: &Now) -> Result<(), String> {
        let saved = match line {
            Line::Snapshot(saved) => {
                *self = Book::default();
                saved
            }
            Line::Delta(saved) => saved,
        };
        self.seq = self.seq.max(saved.seq);
        for (i, o) in saved.orders {
            let order = o.order(now);
            if i < self.orders.len() {
                self.orders[i] = order;
            } else if i == self.orders.len() {
                self.by_reference
                    .entry(order.reference.clone())
                    .or_insert(i);
                self.by_bill.entry(order.bill.clone()).or_default().push(i);
                self.orders.push(order);
            } else {
                return Err(format!(
                    "order {i} saved before order {}",
                    self.orders.len()
                ));
            }
        }
        for c in saved.charges {
            if c.channel == Channel::PosWechatBarcode.as_str() {
                let paid = self.pos_paid.entry(c.bill.clone()).or_insert(Fen::ZERO);
                *paid = paid.saturating_add(Fen(c.amount_fen));
            }
            self.charges.push(c);
        }
        for (i, r) in saved.refunds {
            let refund = r.refund();
            if i < self.refunds.len() {
                self.refunds[i] = refund;
            } else if i == self.refunds.len() {
                self.by_refund_no
                    .insert(refund.asked.out_refund_no.clone(), i);
                self.refunds.push(refund);
            } else {
                return Err(format!(
                    "refund {i} saved before refund {}",
                    self.refunds.len()
                ));
            }
        }
        for (b, fen) in saved.bills {
            self.bills.insert(b, Fen(fen));
        }
        self.used_codes.extend(saved.used_codes);
        self.dirty = Dirty {
            charges_saved: self.charges.len(),
            seq_saved: self.seq,
            ..Dirty::default()
        };
        Ok(())
    }
}
