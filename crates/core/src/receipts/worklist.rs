//! The worklist: what a manager must look into, of any business day (docs/desk.md): every
//! Unknown attempt, every payment pending too long, every abandoned QR code still watched, and
//! every refund part left without a final answer, oldest first, each with its age and the
//! backend's last answer (codes masked).
//!
//! WeChat's refund state 5 (转入代发: the money could not go back to the customer's account
//! and is paid out by hand) is journalled as a refund part in `unknown` with that reason
//! (`cashier_backends::cloudpay::map::refund`), so the refunds listed are the `unknown` parts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::code::redact_codes;
use crate::journal::Journal;
use crate::till::AttemptView;
use crate::{Attempt, AttemptState, Error, Lang};

/// How long a payment may wait for its customer before it is on the worklist: a password on
/// the phone or a QR code on screen ends within minutes.
pub const LONG_PENDING_S: i64 = 10 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WorkKind {
    /// Not known whether it took money.
    Unknown,
    /// Still waiting (sending, the customer's password, a QR code) after `LONG_PENDING_S`.
    LongPending,
    /// An abandoned QR code the customer may still pay.
    Abandoned,
    /// A refund part without a final answer (WeChat's manual payout among them).
    RefundManual,
}

impl WorkKind {
    /// How the worklist names it.
    pub fn label(self, lang: Lang) -> &'static str {
        lang.pick(match self {
            WorkKind::Unknown => ["结果未知", "Result unknown"],
            WorkKind::LongPending => ["等待过久", "Pending too long"],
            WorkKind::Abandoned => ["已放弃的二维码", "Abandoned QR code"],
            WorkKind::RefundManual => ["退款需人工处理", "Refund needs manual handling"],
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct WorkItem {
    pub attempt: AttemptView,
    pub kind: WorkKind,
    /// The kind in the till's language.
    pub kind_label: String,
    /// `2 h 05 min` / `2小时05分`.
    pub age: String,
    #[ts(type = "number")]
    pub age_s: i64,
    /// The backend's last answer, codes masked.
    pub last_answer: String,
}

/// An age as a manager reads it.
pub fn age_text(seconds: i64, lang: Lang) -> String {
    let m = seconds.max(0) / 60;
    let (d, h, m) = (m / 1440, m / 60 % 24, m % 60);
    match lang {
        Lang::En if d > 0 => format!("{d} d {h:02} h"),
        Lang::En if h > 0 => format!("{h} h {m:02} min"),
        Lang::En => format!("{m} min"),
        Lang::ZhCn if d > 0 => format!("{d}天{h:02}小时"),
        Lang::ZhCn if h > 0 => format!("{h}小时{m:02}分"),
        Lang::ZhCn => format!("{m}分钟"),
    }
}

/// What kind of work an attempt not known to have ended is, if any, at `now`.
pub fn kind_of(a: &Attempt, now: DateTime<Utc>) -> Option<WorkKind> {
    use AttemptState as S;
    match a.state {
        S::Unknown => Some(WorkKind::Unknown),
        S::Abandoned => Some(WorkKind::Abandoned),
        S::Sending | S::Pending | S::Issuing | S::Shown
            if (now - a.created_at).num_seconds() > LONG_PENDING_S =>
        {
            Some(WorkKind::LongPending)
        }
        _ => None,
    }
}

/// The worklist at `now`, oldest first; `view` makes an attempt's screen view (the till's).
pub fn items(
    journal: &Journal,
    now: DateTime<Utc>,
    lang: Lang,
    mut view: impl FnMut(&Attempt) -> Result<AttemptView, Error>,
) -> Result<Vec<WorkItem>, Error> {
    // (since, item): an attempt's age runs from its start, a refund's from its request.
    let mut found: Vec<(DateTime<Utc>, WorkItem)> = Vec::new();
    let mut open = journal.live()?;
    open.extend(journal.watched()?);
    for a in open {
        let Some(kind) = kind_of(&a, now) else {
            continue;
        };
        let answer = journal.last_answer(a.id)?.unwrap_or_default();
        found.push((
            a.created_at,
            item(&a, kind, a.created_at, &answer, now, lang, &mut view)?,
        ));
    }
    for id in journal.unknown_refunds()? {
        let Some(a) = journal.get(id)? else { continue };
        for r in journal.refunds(id)? {
            if !super::timeline::refund_needs_hand(r.state) {
                continue;
            }
            let answer = r.reason.clone().unwrap_or_default();
            let kind = WorkKind::RefundManual;
            found.push((
                r.created_at,
                item(&a, kind, r.created_at, &answer, now, lang, &mut view)?,
            ));
        }
    }
    found.sort_by_key(|(since, w)| (*since, w.attempt.id));
    Ok(found.into_iter().map(|(_, w)| w).collect())
}

fn item(
    a: &Attempt,
    kind: WorkKind,
    since: DateTime<Utc>,
    answer: &str,
    now: DateTime<Utc>,
    lang: Lang,
    view: &mut impl FnMut(&Attempt) -> Result<AttemptView, Error>,
) -> Result<WorkItem, Error> {
    let age_s = (now - since).num_seconds().max(0);
    Ok(WorkItem {
        attempt: view(a)?,
        kind,
        kind_label: kind.label(lang).to_string(),
        age: age_text(age_s, lang),
        age_s,
        last_answer: redact_codes(answer),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_in_both_languages() {
        assert_eq!(age_text(2 * 3600 + 5 * 60 + 59, Lang::En), "2 h 05 min");
        assert_eq!(age_text(2 * 3600 + 5 * 60, Lang::ZhCn), "2小时05分");
        assert_eq!(age_text(11 * 60, Lang::En), "11 min");
        assert_eq!(age_text(11 * 60, Lang::ZhCn), "11分钟");
        assert_eq!(age_text(26 * 3600, Lang::En), "1 d 02 h");
        assert_eq!(age_text(26 * 3600, Lang::ZhCn), "1天02小时");
        assert_eq!(age_text(-5, Lang::En), "0 min");
    }
}
