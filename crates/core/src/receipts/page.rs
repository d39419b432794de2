//! The receipts screen's reads: one page of a range's attempts as table rows, and the range's
//! totals, hourly series and filter choices (docs/desk.md, "The day's receipts"). The screen
//! gets words and yuan text ready-made; it never adds anything up.

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Counted, DayTotals, Outcome};
use crate::error::Field;
use crate::journal::{AttemptRow, Journal, PageFilter, PageOrder};
use crate::labels::{amount_text, channel_label, outcome_label, state_label};
use crate::till::Tone;
use crate::{AttemptState, Channel, Error, Lang};

/// The most rows one page holds, whatever the screen asks for.
pub const MAX_LIMIT: u32 = 200;
/// The longest range of business days one read covers: a quarter.
pub const MAX_DAYS: i64 = 92;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    #[default]
    Time,
    Amount,
    Bill,
    Channel,
    Outcome,
    Operator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct ReceiptsSort {
    pub by: SortBy,
    pub desc: bool,
}

/// What the receipts screen asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct ReceiptsQuery {
    /// First business day, `YYYY-MM-DD`; null: the same as `to`.
    pub from: Option<String>,
    /// Last business day, `YYYY-MM-DD`; null: today.
    pub to: Option<String>,
    pub channel: Option<Channel>,
    pub outcome: Option<Outcome>,
    pub operator: Option<String>,
    /// Bill or order number (or part of one), or a payment code's last four digits.
    pub search: Option<String>,
    pub sort: ReceiptsSort,
    pub offset: u32,
    /// At most [`MAX_LIMIT`]; 0 is refused.
    pub limit: u32,
}

/// One row of the receipts table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReceiptRow {
    #[ts(type = "number")]
    pub id: i64,
    pub day: String,
    /// `HH:MM:SS` in the business time zone.
    pub time: String,
    pub bill: String,
    pub amount: String,
    pub channel: Channel,
    pub channel_label: String,
    pub outcome: Outcome,
    pub outcome_label: String,
    pub state_label: String,
    pub tone: Tone,
    pub operator: String,
    pub code_masked: Option<String>,
    pub order_no: String,
    /// What was refunded of it, when anything was.
    pub refunded: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReceiptsPage {
    /// Attempts the filters select in all, over every page.
    #[ts(type = "number")]
    pub total: u64,
    pub offset: u32,
    pub rows: Vec<ReceiptRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ChannelTotal {
    pub channel: Channel,
    pub label: String,
    #[ts(type = "number")]
    pub count: u64,
    pub amount: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OutcomeTotal {
    pub outcome: Outcome,
    pub label: String,
    #[ts(type = "number")]
    pub count: u64,
    pub amount: String,
}

/// One hour of the business day (summed over the range's days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HourBar {
    pub hour: u8,
    /// Attempts begun in that hour.
    #[ts(type = "number")]
    pub count: u64,
    /// Collected (kept) of them, yuan.
    pub collected: String,
    /// The same in fen, for the chart's scale.
    #[ts(type = "number")]
    pub collected_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ChannelChoice {
    pub channel: Channel,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OutcomeChoice {
    pub outcome: Outcome,
    pub label: String,
}

/// The range's totals under the same filters as its pages, and the filters' choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReceiptsSummary {
    pub from: String,
    pub to: String,
    /// Collected money per channel (as [`DayTotals::by_channel`]).
    pub by_channel: Vec<ChannelTotal>,
    /// Every attempt by how it ended.
    pub by_outcome: Vec<OutcomeTotal>,
    pub collected: String,
    #[ts(type = "number")]
    pub collected_fen: u64,
    pub refunded: String,
    #[ts(type = "number")]
    pub count: u64,
    /// Hours 0 to 23 in the business time zone.
    pub hourly: Vec<HourBar>,
    /// Everyone who took a payment in the range (whatever the other filters).
    pub operators: Vec<String>,
    pub channels: Vec<ChannelChoice>,
    pub outcomes: Vec<OutcomeChoice>,
}

/// The journal's filter for `q`, today being `today`; refuses what no page can answer.
pub fn filter(q: &ReceiptsQuery, today: NaiveDate) -> Result<PageFilter, Error> {
    let to = day(q.to.as_deref())?.unwrap_or(today);
    let from = day(q.from.as_deref())?.unwrap_or(to);
    if from > to {
        return Err(Error::input(
            Field::Filter,
            format!("the range starts ({from}) after it ends ({to})"),
            format!("开始日期（{from}）晚于结束日期（{to}）"),
        ));
    }
    let days = (to - from).num_days() + 1;
    if days > MAX_DAYS {
        return Err(Error::input(
            Field::Filter,
            format!("{days} days: at most {MAX_DAYS} days at a time"),
            format!("{days} 天：一次最多 {MAX_DAYS} 天"),
        ));
    }
    let text = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Ok(PageFilter {
        from,
        to,
        channel: q.channel,
        states: q.outcome.map(Outcome::states).unwrap_or_default(),
        operator: text(&q.operator),
        search: text(&q.search),
    })
}

fn day(text: Option<&str>) -> Result<Option<NaiveDate>, Error> {
    match text.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(None),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                Error::input(
                    Field::Filter,
                    format!("day {d:?}: YYYY-MM-DD"),
                    format!("日期 {d:?} 应为 YYYY-MM-DD"),
                )
            }),
    }
}

/// The order of states when sorting by outcome: by outcome, then as `AttemptState::ALL`.
pub fn state_rank() -> Vec<AttemptState> {
    let mut states = AttemptState::ALL.to_vec();
    states.sort_by_key(|s| Outcome::of(*s));
    states
}

/// The journal's order for a sort.
pub fn order(by: SortBy) -> PageOrder {
    match by {
        SortBy::Time => PageOrder::Time,
        SortBy::Amount => PageOrder::Amount,
        SortBy::Bill => PageOrder::Bill,
        SortBy::Channel => PageOrder::Channel,
        SortBy::Outcome => PageOrder::State,
        SortBy::Operator => PageOrder::Operator,
    }
}

/// One page of the query's attempts.
pub fn page(
    journal: &Journal,
    q: &ReceiptsQuery,
    today: NaiveDate,
    tz: Tz,
    lang: Lang,
) -> Result<ReceiptsPage, Error> {
    let f = filter(q, today)?;
    if q.limit == 0 {
        return Err(Error::input(
            Field::Filter,
            "a page of 0 rows",
            "每页行数不能为 0",
        ));
    }
    let limit = q.limit.min(MAX_LIMIT);
    let mut rows = Vec::with_capacity(usize::try_from(limit).unwrap_or(0));
    let total = journal.page(
        &f,
        order(q.sort.by),
        q.sort.desc,
        &state_rank(),
        Some((q.offset, limit)),
        |a| {
            rows.push(row(&a, tz, lang));
            Ok::<(), Error>(())
        },
    )?;
    Ok(ReceiptsPage {
        total,
        offset: q.offset,
        rows,
    })
}

/// A time of day in the business zone, to the second.
pub fn clock_seconds(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%H:%M:%S").to_string()
}

pub fn row(a: &AttemptRow<'_>, tz: Tz, lang: Lang) -> ReceiptRow {
    let outcome = Outcome::of(a.state);
    ReceiptRow {
        id: a.id.0,
        day: crate::timestamp::day_text(a.business_day),
        time: clock_seconds(a.created_at, tz),
        bill: a.bill.to_string(),
        amount: amount_text(a.amount),
        channel: a.channel,
        channel_label: channel_label(a.channel, lang).to_string(),
        outcome,
        outcome_label: outcome_label(outcome, lang).to_string(),
        state_label: state_label(a.state, lang).to_string(),
        tone: crate::till::view::tone(a.state),
        operator: a.operator.to_string(),
        code_masked: a.code_masked.map(crate::code::mask_for_screen),
        order_no: a.order_no.to_string(),
        refunded: (a.refunded.0 > 0).then(|| amount_text(a.refunded)),
    }
}

/// The query's totals (its paging aside), hourly series and the filters' choices.
pub fn summary(
    journal: &Journal,
    q: &ReceiptsQuery,
    today: NaiveDate,
    tz: Tz,
    lang: Lang,
) -> Result<ReceiptsSummary, Error> {
    let f = filter(q, today)?;
    let mut totals = DayTotals::default();
    let mut hours = [(0u64, 0u64); 24];
    for g in journal.page_groups(&f)? {
        let counted = Counted {
            channel: g.channel,
            state: g.state,
            count: g.count,
            amount: g.amount,
            refunded: g.refunded,
            kept: g.kept,
        };
        totals.add_counted(&counted);
        let hour = usize::try_from(g.quarter.with_timezone(&tz).hour()).unwrap_or(0) % 24;
        hours[hour].0 = hours[hour].0.saturating_add(g.count);
        if g.state.is_collected() {
            hours[hour].1 = hours[hour].1.saturating_add(g.kept.0);
        }
    }
    Ok(ReceiptsSummary {
        from: crate::timestamp::day_text(f.from),
        to: crate::timestamp::day_text(f.to),
        by_channel: totals
            .by_channel
            .iter()
            .map(|(c, t)| ChannelTotal {
                channel: *c,
                label: channel_label(*c, lang).to_string(),
                count: t.count,
                amount: amount_text(t.amount),
            })
            .collect(),
        by_outcome: totals
            .by_outcome
            .iter()
            .map(|(o, t)| OutcomeTotal {
                outcome: *o,
                label: outcome_label(*o, lang).to_string(),
                count: t.count,
                amount: amount_text(t.amount),
            })
            .collect(),
        collected: amount_text(totals.collected),
        collected_fen: totals.collected.0,
        refunded: amount_text(totals.refunded),
        count: totals.count(),
        hourly: (0u8..24)
            .zip(hours)
            .map(|(hour, (count, fen))| HourBar {
                hour,
                count,
                collected: amount_text(crate::Fen(fen)),
                collected_fen: i64::try_from(fen).unwrap_or(i64::MAX),
            })
            .collect(),
        operators: journal.operators(f.from, f.to)?,
        channels: Channel::ALL
            .into_iter()
            .map(|channel| ChannelChoice {
                channel,
                label: channel_label(channel, lang).to_string(),
            })
            .collect(),
        outcomes: Outcome::ALL
            .into_iter()
            .map(|outcome| OutcomeChoice {
                outcome,
                label: outcome_label(outcome, lang).to_string(),
            })
            .collect(),
    })
}
