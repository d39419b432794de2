//! A customer slip as data, and the one layout both the printer and (later) the preview get.

use unicode_width::UnicodeWidthStr;

/// The paper roll: how many columns of the printer's standard font (Font A, 12×24 dots) fit a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// 58 mm roll: 32 columns.
    Mm58,
    /// 80 mm roll: 48 columns.
    Mm80,
}

impl Paper {
    /// Columns of a line; a Hanzi takes two.
    pub fn columns(self) -> usize {
        match self {
            Paper::Mm58 => 32,
            Paper::Mm80 => 48,
        }
    }
}

/// What a slip says, already formatted by core (amounts in yuan, time in the business zone, the code
/// masked): this crate decides how it looks, never what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlipText {
    pub shop: String,
    pub till: String,
    pub operator: String,
    pub bill: String,
    pub amount_text: String,
    pub channel: String,
    pub code_masked: Option<String>,
    pub time_text: String,
    pub order_no: String,
    /// A second (or later) print of the same slip: marked at the top so it cannot pass for the first.
    pub reprint: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// One line of a printed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Text {
        text: String,
        align: Align,
        bold: bool,
        /// Double width and height.
        double: bool,
    },
    /// A label on the left and its value on the right of the same line.
    Pair {
        left: String,
        right: String,
    },
    /// A dashed line across the paper.
    Rule,
    /// A QR code of this text.
    Qr(String),
    /// Blank lines.
    Feed(u8),
    Cut,
}

impl Line {
    /// The text lines this line prints on `paper`, as a reader sees them (alignment aside): what a
    /// decoder reads back from the bytes, and what a preview draws.
    pub fn rendered(&self, paper: Paper) -> Vec<String> {
        match self {
            Line::Text { text, .. } => vec![text.clone()],
            Line::Pair { left, right } => pad_pair(left, right, paper.columns()),
            Line::Rule => vec!["-".repeat(paper.columns())],
            Line::Feed(n) => vec![String::new(); usize::from(*n)],
            Line::Qr(_) | Line::Cut => Vec::new(),
        }
    }
}

/// `left` and `right` on one line of `columns`, the gap filled with spaces, counting a Hanzi as two
/// columns as the printer does. A pair too long for one line takes two: the label, then the value
/// against the right edge — a value is never cut.
pub fn pad_pair(left: &str, right: &str, columns: usize) -> Vec<String> {
    let used = left.width() + right.width();
    if used < columns {
        return vec![format!("{left}{}{right}", " ".repeat(columns - used))];
    }
    let indent = columns.saturating_sub(right.width());
    vec![left.to_owned(), format!("{}{right}", " ".repeat(indent))]
}

fn text(text: impl Into<String>, align: Align, bold: bool, double: bool) -> Line {
    Line::Text {
        text: text.into(),
        align,
        bold,
        double,
    }
}

fn pair(left: &str, right: &str) -> Line {
    Line::Pair {
        left: left.to_owned(),
        right: right.to_owned(),
    }
}

/// The customer slip (小票), Chinese first with English beside. The paper only changes how pairs
/// are padded and rules drawn (in [`Line::rendered`]), so both widths share this one list.
pub fn layout(slip: &SlipText, _paper: Paper) -> Vec<Line> {
    let mut lines = Vec::new();
    if slip.reprint {
        lines.push(text("重印 REPRINT", Align::Center, true, true));
    }
    lines.push(text(slip.shop.clone(), Align::Center, true, true));
    lines.push(text("付款凭证 Payment slip", Align::Center, false, false));
    lines.push(Line::Rule);
    lines.push(pair("收银台 Till", &slip.till));
    lines.push(pair("收银员 Operator", &slip.operator));
    lines.push(pair("账单 Bill", &slip.bill));
    lines.push(pair("时间 Time", &slip.time_text));
    lines.push(Line::Rule);
    lines.push(pair("金额 Amount", &slip.amount_text));
    lines.push(pair("渠道 Channel", &slip.channel));
    if let Some(code) = &slip.code_masked {
        lines.push(pair("付款码 Code", code));
    }
    lines.push(pair("订单号 Order", &slip.order_no));
    lines.push(Line::Rule);
    lines.push(Line::Qr(slip.order_no.clone()));
    lines.push(text(
        "请保留小票 Please keep this slip",
        Align::Center,
        false,
        false,
    ));
    // The cutter sits a few lines above the print head: feed the last line past it.
    lines.push(Line::Feed(3));
    lines.push(Line::Cut);
    lines
}
