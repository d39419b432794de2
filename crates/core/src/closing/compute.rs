//! The one computation behind the X and the Z, and the rules a Z is refused by.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;

use super::{
    ChannelLine, ClosingReport, Correction, CorrectionKind, OpenItem, OperatorLine, OutcomeLine,
    ReportBody, ReportKind,
};
use crate::journal::z::{self, LastZ};
use crate::managers::DeskRefusal;
use crate::receipts::DayTotals;
use crate::{AttemptState, Error, Fen, timestamp};

/// What to compute.
#[derive(Debug, Clone)]
pub(crate) struct ClosingInput<'a> {
    pub kind: ReportKind,
    pub day: NaiveDate,
    pub now: DateTime<Utc>,
    /// Today in the business zone.
    pub today: NaiveDate,
    pub till: &'a str,
    pub approved_by: Option<&'a str>,
}

/// Computes the report of `input.day` on `conn` (a Z: inside the transaction that stores
/// it). A Z is refused by the rules of docs/desk.md; an X only by a day not begun and by a
/// journal that does not verify. The returned hash is empty: the Z's is taken when stored.
pub(crate) fn compute(conn: &Connection, input: &ClosingInput<'_>) -> Result<ClosingReport, Error> {
    let day = timestamp::day_text(input.day);
    if input.day > input.today {
        return Err(DeskRefusal::DayNotStarted { day }.into());
    }
    let last = z::last_z(conn)?;
    if input.kind == ReportKind::Z {
        refuse_out_of_order(conn, &day, last.as_ref())?;
    }
    // Before anything is summed: what may be forged is neither summed nor closed.
    if let Some(b) = z::verify_since(conn, last.as_ref())? {
        return Err(DeskRefusal::Tampered {
            what: b.what,
            seq: b.seq,
        }
        .into());
    }
    if input.kind == ReportKind::Z {
        let busy: Vec<String> = z::live_up_to(conn, &day)?
            .into_iter()
            .filter(|(_, s)| *s != AttemptState::Unknown)
            .map(|(order_no, _)| order_no)
            .collect();
        if !busy.is_empty() {
            return Err(DeskRefusal::PaymentsInProgress { orders: busy }.into());
        }
    }
    let (last_seq, last_seal) = z::last_seal(conn)?;
    let first_seq = last.as_ref().map_or(1, |z| z.anchor.last_seq + 1);
    let mut totals = DayTotals::default();
    let mut operators: BTreeMap<String, OperatorLine> = BTreeMap::new();
    let mut open_items = Vec::new();
    z::each_of_day(conn, &day, |a| {
        totals.add(a);
        let line = operators
            .entry(a.operator.to_string())
            .or_insert_with(|| OperatorLine {
                operator: a.operator.to_string(),
                count: 0,
                collected: Fen::ZERO,
            });
        line.count += 1;
        if a.state.is_collected() {
            let kept = a.amount.checked_sub(a.refunded).unwrap_or(Fen::ZERO);
            line.collected = line.collected.saturating_add(kept);
        }
        if matches!(a.state, AttemptState::Unknown | AttemptState::Abandoned) {
            open_items.push(OpenItem {
                order_no: a.order_no.to_string(),
                amount: a.amount,
                state: a.state,
            });
        }
    })?;
    let corrections = match &last {
        Some(prev) => corrections(conn, prev, first_seq, last_seq)?,
        None => Vec::new(),
    };
    let sum = |kind: CorrectionKind| {
        corrections
            .iter()
            .filter(|c| c.kind == kind)
            .fold(Fen::ZERO, |s, c| s.saturating_add(c.amount))
    };
    let (added, taken) = (sum(CorrectionKind::Paid), sum(CorrectionKind::Refunded));
    let prev_total = last.as_ref().map_or(Fen::ZERO, |z| z.grand_total);
    // Refunds never exceed what was paid, so the grand total cannot fall below zero; were
    // it to, it stops at zero rather than wrap.
    let grand_total = prev_total
        .saturating_add(totals.collected)
        .saturating_add(added)
        .checked_sub(taken)
        .unwrap_or(Fen::ZERO);
    let count = totals.count();
    let body = ReportBody {
        kind: input.kind,
        number: last.as_ref().map_or(1, |z| z.number + 1),
        day,
        at: timestamp::text(input.now),
        till: input.till.to_string(),
        approved_by: input.approved_by.map(str::to_string),
        first_seq,
        last_seq: last_seq.max(first_seq - 1),
        last_seal: if last_seq >= first_seq {
            last_seal
        } else {
            // No seal since the previous Z: the range is empty and ends where it ended.
            last.as_ref()
                .map_or(last_seal, |z| z.anchor.last_seal.clone())
        },
        channels: totals
            .by_channel
            .iter()
            .map(|(c, t)| ChannelLine {
                channel: *c,
                count: t.count,
                amount: t.amount,
            })
            .collect(),
        outcomes: totals
            .by_outcome
            .iter()
            .map(|(o, t)| OutcomeLine {
                outcome: *o,
                count: t.count,
                amount: t.amount,
            })
            .collect(),
        count,
        refunded: totals.refunded,
        operators: operators.into_values().collect(),
        open_items,
        corrections,
        corrections_added: added,
        corrections_taken: taken,
        net: totals.collected,
        grand_total,
        prev_hash: last.as_ref().map_or_else(
            || crate::journal::GENESIS_HASH.to_string(),
            |z| z.hash.clone(),
        ),
    };
    Ok(ClosingReport {
        body,
        hash: String::new(),
    })
}

/// A day closed already, a later day closed, an earlier day left open.
fn refuse_out_of_order(conn: &Connection, day: &str, last: Option<&LastZ>) -> Result<(), Error> {
    if let Some(number) = z::z_of_day(conn, day)? {
        return Err(DeskRefusal::DayClosed {
            day: day.to_string(),
            number,
        }
        .into());
    }
    let Some(last) = last else {
        // Before the first Z the till had no closings: the first needs none before it.
        return Ok(());
    };
    let last_day = timestamp::day_text(last.day);
    if last_day.as_str() > day {
        return Err(DeskRefusal::LaterDayClosed {
            day: last_day,
            number: last.number,
        }
        .into());
    }
    if let Some(open) = z::first_day_between(conn, &last_day, day)? {
        return Err(DeskRefusal::EarlierDayOpen { day: open }.into());
    }
    Ok(())
}

/// Payments of days up to the previous Z's (closed days) that became paid or were refunded
/// in this report's seals. Days before the first Z count as closed by it.
fn corrections(
    conn: &Connection,
    prev: &LastZ,
    first: i64,
    last: i64,
) -> Result<Vec<Correction>, Error> {
    let closed = timestamp::day_text(prev.day);
    Ok(z::money_changes(conn, first, last)?
        .into_iter()
        .filter(|c| c.day <= closed)
        .map(|c| Correction {
            order_no: c.order_no,
            day: c.day,
            kind: if c.paid {
                CorrectionKind::Paid
            } else {
                CorrectionKind::Refunded
            },
            amount: c.amount,
            seq: c.seq,
        })
        .collect())
}
