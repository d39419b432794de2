//! The store's day on the manager's desk: every till of the merchant, read from the store as a
//! read-only role, in the desk's words (amounts, channels, states, each till's link).

use serde::Serialize;
use ts_rs::TS;

use super::{ReportRow, Till};
use crate::labels::{amount_text, channel_label, outcome_label, state_label};
use crate::managers::account::hh_mm;
use crate::receipts::DayTotals;
use crate::store_day::{StoreDay, TillLink};
use crate::{Error, Lang};

/// One till's day as the store holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StoreTillView {
    pub till: String,
    #[ts(type = "number")]
    pub count: u64,
    pub collected_text: String,
    /// `已同步` / `落后` / `无音讯` / `从未上传`, with the last time it was heard of.
    pub link_label: String,
    /// Behind, silent, never shipped, a hole or a conflict: to look at.
    pub fault: bool,
    /// `Z 3`, once the Z that closed the day is at the store; `None`: not closed (or not here).
    pub closed: Option<String>,
    /// A hole in its sequence or rows that disagree, in words.
    pub note: Option<String>,
}

/// An attempt of the day not ended, at its till: acted on there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StoreOpenView {
    pub till: String,
    pub order_no: String,
    pub bill: String,
    pub channel_label: String,
    pub amount_text: String,
    pub state_label: String,
}

/// The merchant's business day across its tills, from the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StoreDayView {
    pub day: String,
    pub collected_text: String,
    #[ts(type = "number")]
    pub count: u64,
    /// Per channel, then per outcome: the single till's report's rows.
    pub rows: Vec<ReportRow>,
    pub tills: Vec<StoreTillView>,
    pub open: Vec<StoreOpenView>,
}

impl Till {
    /// The store's business `day` (`YYYY-MM-DD`; null: today), every till of this merchant;
    /// needs the desk open and a reader for the store (`CASHIER_STORE_READER_URL`).
    pub async fn store_day(&self, day: Option<String>) -> Result<StoreDayView, Error> {
        self.desk_manager()?;
        let day = self.day(day.as_deref())?;
        let reader = self.inner.options.store_reader.clone().ok_or(Error::Store(
            crate::shipping::ShipFault::Refused {
                why: crate::shipping::StoreRefusal::Config,
                detail: "no reader for the store: set [store] and CASHIER_STORE_READER_URL".into(),
            },
        ))?;
        let read = reader.day(day).await.map_err(Error::Store)?;
        Ok(self.store_day_view(day, &read))
    }

    fn store_day_view(&self, day: chrono::NaiveDate, read: &StoreDay) -> StoreDayView {
        let lang = self.lang();
        let tz = self.business_tz();
        let tills = read
            .tills
            .iter()
            .map(|t| {
                let word = lang.pick(t.link.words());
                let link_label = match t.seen_at {
                    Some(at) => format!("{word} · {}", hh_mm(at, tz)),
                    None => word.to_string(),
                };
                let mut notes = Vec::new();
                if let Some((from, to)) = t.gap {
                    notes.push(lang.pick([
                        format!("缺第 {from}–{to} 条"),
                        format!("rows {from}–{to} missing"),
                    ]));
                }
                if t.conflicts > 0 {
                    notes.push(lang.pick([
                        format!("{} 条记录与本机不一致", t.conflicts),
                        format!("{} rows disagree with the till", t.conflicts),
                    ]));
                }
                StoreTillView {
                    till: t.till.clone(),
                    count: t.totals.count(),
                    collected_text: amount_text(t.totals.collected),
                    link_label,
                    fault: t.link != TillLink::CaughtUp || !notes.is_empty(),
                    closed: t.z.map(|n| format!("Z {n}")),
                    note: (!notes.is_empty()).then(|| notes.join(" · ")),
                }
            })
            .collect();
        let open = read
            .open
            .iter()
            .map(|a| StoreOpenView {
                till: a.till.clone(),
                order_no: a.order_no.clone(),
                bill: a.bill.clone(),
                channel_label: channel_label(a.channel, lang).to_string(),
                amount_text: amount_text(a.amount),
                state_label: state_label(a.state, lang).to_string(),
            })
            .collect();
        StoreDayView {
            day: crate::timestamp::day_text(day),
            collected_text: amount_text(read.totals.collected),
            count: read.totals.count(),
            rows: rows(&read.totals, lang),
            tills,
            open,
        }
    }
}

fn rows(totals: &DayTotals, lang: Lang) -> Vec<ReportRow> {
    let mut rows: Vec<ReportRow> = totals
        .by_channel
        .iter()
        .map(|(c, t)| ReportRow {
            label: channel_label(*c, lang).to_string(),
            count: t.count,
            amount_text: amount_text(t.amount),
        })
        .collect();
    rows.extend(totals.by_outcome.iter().map(|(o, t)| ReportRow {
        label: outcome_label(*o, lang).to_string(),
        count: t.count,
        amount_text: amount_text(t.amount),
    }));
    rows
}
