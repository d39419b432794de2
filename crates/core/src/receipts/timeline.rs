//! An attempt's detail for the desk: its whole timeline (every transition and query with the
//! backend's answer, codes masked) and its refund parts (docs/desk.md).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use ts_rs::TS;

use super::page::clock_seconds;
use crate::code::redact_codes;
use crate::journal::{Journal, RefundState};
use crate::labels::{amount_text, refund_state_label, state_label};
use crate::till::{AttemptView, Tone};
use crate::{Attempt, AttemptId, AttemptState, Error, Fen, Lang, NotAllowed};

/// One line of an attempt's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TimelineLine {
    /// `YYYY-MM-DD` in the business zone: a line may be days after the attempt began.
    pub day: String,
    /// `HH:MM:SS` in the business zone.
    pub time: String,
    /// None on the first line, written when the attempt was journalled.
    pub from: Option<String>,
    pub to: String,
    pub tone: Tone,
    /// The backend's answer (or the till's summary of it), payment codes masked.
    pub answer: String,
    pub reason: Option<String>,
    pub actor: Option<String>,
    pub note: Option<String>,
}

/// One part of a refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RefundLine {
    pub part: u32,
    pub refund_no: String,
    pub amount: String,
    pub state: String,
    /// Ended (refunded or failed): it will not change again.
    pub ended: bool,
    pub reason: Option<String>,
    pub manager: String,
    pub note: String,
    pub day: String,
    pub time: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AttemptDetail {
    pub attempt: AttemptView,
    pub lines: Vec<TimelineLine>,
    pub refunds: Vec<RefundLine>,
    /// A refund can be started now: a paid payment of a backend with a refund call, money
    /// left to refund, no part still open.
    pub can_refund: bool,
    /// What is left to refund, yuan.
    pub refund_left: String,
    /// Where its refunds are made when not from the till (Tour V5: the back office).
    pub refund_where: Option<String>,
    /// It has a customer's slip to print again and preview: it was paid at some point.
    pub has_slip: bool,
}

fn day_in(t: DateTime<Utc>, tz: Tz) -> String {
    crate::timestamp::day_text(t.with_timezone(&tz).date_naive())
}

/// The detail of attempt `id`; `view` makes the attempt's screen view (the till's).
pub fn detail(
    journal: &Journal,
    id: AttemptId,
    tz: Tz,
    lang: Lang,
    view: impl FnOnce(&Attempt) -> Result<AttemptView, Error>,
) -> Result<AttemptDetail, Error> {
    let a = journal
        .get(id)?
        .ok_or_else(|| Error::NotFound(format!("no attempt {id}")))?;
    let lines = journal
        .transitions(id)?
        .into_iter()
        .map(|t| TimelineLine {
            day: day_in(t.at, tz),
            time: clock_seconds(t.at, tz),
            from: t.from_state.map(|s| state_label(s, lang).to_string()),
            to: state_label(t.to_state, lang).to_string(),
            tone: crate::till::view::tone(t.to_state),
            answer: redact_codes(&t.raw_status),
            reason: t.reason.as_deref().map(redact_codes),
            actor: t.actor,
            note: t.note.as_deref().map(redact_codes),
        })
        .collect();
    let parts = journal.refunds(id)?;
    let open = parts.iter().any(|r| !r.state.is_final());
    let refunds = parts
        .into_iter()
        .map(|r| RefundLine {
            part: r.part,
            refund_no: r.refund_no,
            amount: amount_text(r.amount),
            state: refund_state_label(r.state, lang).to_string(),
            ended: r.state.is_final(),
            reason: r.reason.as_deref().map(redact_codes),
            manager: r.manager,
            note: r.note,
            day: day_in(r.created_at, tz),
            time: clock_seconds(r.created_at, tz),
        })
        .collect();
    let left = a.amount.checked_sub(a.refunded).unwrap_or(Fen::ZERO);
    let paid = matches!(a.state, AttemptState::Paid | AttemptState::PartRefunded);
    // The channel's own refusal, so the desk says what the refund button would say.
    let refund_where = a.channel.check_refund().err().map(|e: NotAllowed| {
        let (_, en, zh) = e.words();
        lang.pick([zh, en])
    });
    Ok(AttemptDetail {
        attempt: view(&a)?,
        lines,
        refunds,
        can_refund: paid && refund_where.is_none() && left.0 > 0 && !open,
        refund_left: amount_text(if paid { left } else { Fen::ZERO }),
        refund_where: refund_where.filter(|_| paid),
        has_slip: a.state.was_paid(),
    })
}

/// Whether a refund part is in the state a manager must look into by hand.
pub fn refund_needs_hand(state: RefundState) -> bool {
    state == RefundState::Unknown
}
