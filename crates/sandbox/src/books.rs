//! Tills' journals held against the sandbox's ledger: the check the crash test and the soak
//! both end with. Each bill is taken as paid at most once (the tests give every payment a bill
//! of its own, and pay a bill again only once its attempt ended unpaid).
//!
//! - nothing lost: every charged bill is in a journal as collected, or visibly Unknown;
//! - nothing charged twice: one charge per bill at most;
//! - nothing falsely paid: a collected attempt has exactly one charge of its amount, and it is
//!   this attempt's (Cloud Pay's by the order number, Tour V5's by the recorded autoid);
//! - nothing left half-way: no attempt still sending, pending, issuing or shown.

use std::collections::HashMap;

use cashier_core::{Attempt, AttemptState};

use crate::ledger::{Charge, Ledger};

/// What the check found; `problems` says each one in words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Books {
    pub lost: usize,
    pub charged_twice: usize,
    pub false_paid: usize,
    pub half_way: usize,
    /// Unknown attempts whose bill was charged: money moved, the journal says "ask".
    pub unknown_charged: usize,
    /// Unknown attempts whose bill was not charged.
    pub unknown_not_charged: usize,
    pub problems: Vec<String>,
}

impl Books {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

fn half_way(state: AttemptState) -> bool {
    matches!(
        state,
        AttemptState::Sending | AttemptState::Pending | AttemptState::Issuing | AttemptState::Shown
    )
}

/// Checks `attempts` (every journal's, together) against `ledger`.
pub fn check(attempts: &[Attempt], ledger: &Ledger) -> Books {
    let mut books = Books::default();
    let mut charges: HashMap<&str, Vec<&Charge>> = HashMap::new();
    for c in &ledger.charges {
        charges.entry(c.bill.as_str()).or_default().push(c);
    }
    let mut of_bill: HashMap<&str, Vec<&Attempt>> = HashMap::new();
    for a in attempts {
        of_bill.entry(a.bill.as_str()).or_default().push(a);
        if half_way(a.state) {
            books.half_way += 1;
            books.problems.push(format!(
                "attempt {} {} (bill {}) left {}",
                a.id,
                a.order_no,
                a.bill.as_str(),
                a.state
            ));
        }
        if a.state == AttemptState::Unknown {
            if charges.contains_key(a.bill.as_str()) {
                books.unknown_charged += 1;
            } else {
                books.unknown_not_charged += 1;
            }
        }
    }
    let mut bills: Vec<&&str> = charges.keys().collect();
    bills.sort();
    for bill in bills {
        let list = &charges[*bill];
        if list.len() > 1 {
            books.charged_twice += 1;
            books.problems.push(format!(
                "bill {bill} charged {} times: {list:?}",
                list.len()
            ));
        }
        let journalled = of_bill.get(*bill).map_or(&[][..], Vec::as_slice);
        let seen = journalled
            .iter()
            .any(|a| a.state.is_collected() || a.state == AttemptState::Unknown);
        if !seen {
            books.lost += 1;
            books.problems.push(format!(
                "bill {bill} was charged but the journals have only {:?}",
                journalled
                    .iter()
                    .map(|a| (a.order_no.as_str(), a.state))
                    .collect::<Vec<_>>()
            ));
        }
    }
    for a in attempts.iter().filter(|a| a.state.is_collected()) {
        let list = charges.get(a.bill.as_str()).map_or(&[][..], Vec::as_slice);
        let Some(charge) = list
            .first()
            .filter(|c| list.len() == 1 && c.amount_fen == a.amount.0)
        else {
            books.false_paid += 1;
            books.problems.push(format!(
                "attempt {} is {} for {} fen, the ledger has {list:?}",
                a.order_no, a.state, a.amount.0
            ));
            continue;
        };
        // Cloud Pay knows a charge by our order number, Tour V5 by the autoid the journal
        // recorded as the reference; POS bills have no per-payment id, and a payment resolved
        // by hand after its answer was lost has no reference to compare.
        let want = if a.channel.is_cloud() {
            Some(a.order_no.as_str())
        } else {
            a.reference.as_deref()
        };
        if a.channel.as_str() != "pos-wechat-barcode"
            && let Some(want) = want
            && charge.reference != want
        {
            books.false_paid += 1;
            books.problems.push(format!(
                "attempt {} is paid, but the charge of bill {} is {}'s",
                a.order_no,
                a.bill.as_str(),
                charge.reference
            ));
        }
    }
    books
}
