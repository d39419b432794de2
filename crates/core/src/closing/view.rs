//! An X or Z as screens and the CLI show it: amounts as yuan text, times in the business
//! zone, labels in the till's language. Structured fields only; the screen lays them out.

use chrono_tz::Tz;
use serde::Serialize;
use ts_rs::TS;

use super::{ClosingReport, CorrectionKind, ReportKind};
use crate::labels::{amount_text, channel_label, outcome_label, state_label};
use crate::till::ReportRow;
use crate::{Fen, Lang, timestamp};

/// What a reprint of a Z is marked with, in both languages at once: a copy must never pass
/// for the original, whatever language the till reads.
pub const COPY_WORDS: &str = "副本 / DUPLICATE";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OperatorView {
    pub operator: String,
    #[ts(type = "number")]
    pub count: u64,
    pub collected_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OpenItemView {
    pub order_no: String,
    pub amount_text: String,
    pub state_label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CorrectionView {
    pub order_no: String,
    /// The payment's own business day.
    pub day: String,
    pub kind: CorrectionKind,
    /// "paid" or "refunded" in the till's language.
    pub what: String,
    /// Signed: `+¥12.30` added, `−¥12.30` taken off.
    pub amount_text: String,
    #[ts(type = "number")]
    pub seq: i64,
}

/// An X or a Z, ready to show or print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ClosingView {
    pub kind: ReportKind,
    #[ts(type = "number")]
    pub number: u64,
    pub day: String,
    /// When the Z closed the day or the X was taken, HH:MM in the business zone.
    pub at_text: String,
    pub till: String,
    pub approved_by: Option<String>,
    #[ts(type = "number")]
    pub first_seq: i64,
    #[ts(type = "number")]
    pub last_seq: i64,
    pub last_seal: String,
    /// Collected per channel.
    pub channels: Vec<ReportRow>,
    /// Every attempt of the day by how it ended.
    pub outcomes: Vec<ReportRow>,
    #[ts(type = "number")]
    pub count: u64,
    pub refunded_text: String,
    pub operators: Vec<OperatorView>,
    pub open_items: Vec<OpenItemView>,
    pub corrections: Vec<CorrectionView>,
    /// The corrections together, signed.
    pub corrections_text: String,
    pub net_text: String,
    pub grand_total_text: String,
    pub prev_hash: String,
    pub hash: String,
    /// A reprint of a stored Z.
    pub copy: bool,
    /// "副本 / DUPLICATE" on a reprint.
    pub copy_words: Option<String>,
}

/// One Z in the list of Zs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ZSummary {
    #[ts(type = "number")]
    pub number: u64,
    pub day: String,
    /// `YYYY-MM-DD HH:MM` in the business zone.
    pub closed_at_text: String,
    pub approved_by: Option<String>,
    pub net_text: String,
    pub grand_total_text: String,
}

/// A journal timestamp in the business zone, as `format`; the text as stored when it does
/// not read back.
fn local(at: &str, tz: Tz, format: &str) -> String {
    timestamp::parse(at)
        .map(|t| t.with_timezone(&tz).format(format).to_string())
        .unwrap_or_else(|_| at.to_string())
}

fn signed(added: Fen, taken: Fen) -> String {
    match added.checked_sub(taken) {
        Some(up) => format!("+{}", amount_text(up)),
        None => format!(
            "−{}",
            amount_text(taken.checked_sub(added).unwrap_or(Fen::ZERO))
        ),
    }
}

impl ClosingReport {
    /// The report as a screen shows it; `copy`: a reprint of a stored Z.
    pub fn view(&self, lang: Lang, tz: Tz, copy: bool) -> ClosingView {
        let b = &self.body;
        ClosingView {
            kind: b.kind,
            number: b.number,
            day: b.day.clone(),
            at_text: local(&b.at, tz, "%H:%M"),
            till: b.till.clone(),
            approved_by: b.approved_by.clone(),
            first_seq: b.first_seq,
            last_seq: b.last_seq,
            last_seal: b.last_seal.clone(),
            channels: b
                .channels
                .iter()
                .map(|c| ReportRow {
                    label: channel_label(c.channel, lang).to_string(),
                    count: c.count,
                    amount_text: amount_text(c.amount),
                })
                .collect(),
            outcomes: b
                .outcomes
                .iter()
                .map(|o| ReportRow {
                    label: outcome_label(o.outcome, lang).to_string(),
                    count: o.count,
                    amount_text: amount_text(o.amount),
                })
                .collect(),
            count: b.count,
            refunded_text: amount_text(b.refunded),
            operators: b
                .operators
                .iter()
                .map(|o| OperatorView {
                    operator: o.operator.clone(),
                    count: o.count,
                    collected_text: amount_text(o.collected),
                })
                .collect(),
            open_items: b
                .open_items
                .iter()
                .map(|o| OpenItemView {
                    order_no: o.order_no.clone(),
                    amount_text: amount_text(o.amount),
                    state_label: state_label(o.state, lang).to_string(),
                })
                .collect(),
            corrections: b
                .corrections
                .iter()
                .map(|c| {
                    let (what, amount_text) = match c.kind {
                        CorrectionKind::Paid => (
                            lang.pick(["日结后收款", "paid after its Z"]),
                            signed(c.amount, Fen::ZERO),
                        ),
                        CorrectionKind::Refunded => (
                            lang.pick(["日结后退款", "refunded after its Z"]),
                            signed(Fen::ZERO, c.amount),
                        ),
                    };
                    CorrectionView {
                        order_no: c.order_no.clone(),
                        day: c.day.clone(),
                        kind: c.kind,
                        what: what.to_string(),
                        amount_text,
                        seq: c.seq,
                    }
                })
                .collect(),
            corrections_text: signed(b.corrections_added, b.corrections_taken),
            net_text: amount_text(b.net),
            grand_total_text: amount_text(b.grand_total),
            prev_hash: b.prev_hash.clone(),
            hash: self.hash.clone(),
            copy,
            copy_words: copy.then(|| COPY_WORDS.to_string()),
        }
    }

    /// The report as a line of the list of Zs.
    pub fn summary(&self, tz: Tz) -> ZSummary {
        let b = &self.body;
        ZSummary {
            number: b.number,
            day: b.day.clone(),
            closed_at_text: local(&b.at, tz, "%Y-%m-%d %H:%M"),
            approved_by: b.approved_by.clone(),
            net_text: amount_text(b.net),
            grand_total_text: amount_text(b.grand_total),
        }
    }
}
