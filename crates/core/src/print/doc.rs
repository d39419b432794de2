//! A printed document as lines (a customer slip, a refund slip, an X or Z report, a test page),
//! and the one rule for how wide those lines are on each paper.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use unicode_width::UnicodeWidthStr;

/// The paper roll: how many columns of the printer's standard font (Font A, 12×24 dots) fit a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub enum Paper {
    /// 58 mm roll: 32 columns.
    #[serde(rename = "58mm")]
    Mm58,
    /// 80 mm roll: 48 columns.
    #[default]
    #[serde(rename = "80mm")]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    Left,
    Center,
    Right,
}

/// One line of a printed document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocLine {
    Text {
        text: String,
        align: Align,
        bold: bool,
        /// Double width and height: a line of it holds half the columns.
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

impl DocLine {
    /// The text lines this line prints on `paper`, as a reader sees them (alignment aside): what a
    /// decoder reads back from the bytes.
    pub fn rendered(&self, paper: Paper) -> Vec<String> {
        match self {
            DocLine::Text { text, .. } => vec![text.clone()],
            DocLine::Pair { left, right } => pad_pair(left, right, paper.columns()),
            DocLine::Rule => vec!["-".repeat(paper.columns())],
            DocLine::Feed(n) => vec![String::new(); usize::from(*n)],
            DocLine::Qr(_) | DocLine::Cut => Vec::new(),
        }
    }

    pub fn text(text: impl Into<String>, align: Align, bold: bool, double: bool) -> DocLine {
        DocLine::Text {
            text: text.into(),
            align,
            bold,
            double,
        }
    }

    pub fn pair(left: impl Into<String>, right: impl Into<String>) -> DocLine {
        DocLine::Pair {
            left: left.into(),
            right: right.into(),
        }
    }
}

/// A whole printed document, ending with its cut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doc {
    pub lines: Vec<DocLine>,
}

/// `left` and `right` on one line of `columns`, the gap filled with spaces, counting a Hanzi as two
/// columns as the printer does. A pair too long for one line takes two: the label, then the value
/// against the right edge — a value is never cut.
pub fn pad_pair(left: &str, right: &str, columns: usize) -> Vec<String> {
    let used = left.width().saturating_add(right.width());
    if used < columns {
        return vec![format!("{left}{}{right}", " ".repeat(columns - used))];
    }
    let indent = columns.saturating_sub(right.width());
    vec![left.to_owned(), format!("{}{right}", " ".repeat(indent))]
}

/// A document as the printer would print it, read back from its bytes: what the preview shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Preview {
    /// Columns of the paper (a Hanzi takes two): the preview's width.
    pub columns: u16,
    pub lines: Vec<PreviewLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PreviewLine {
    Text {
        text: String,
        align: Align,
        bold: bool,
        double: bool,
    },
    /// A QR code: its payload, and the code drawn as SVG (filled in by core, from the payload the
    /// bytes carry).
    Qr {
        payload: String,
        svg: String,
    },
    Cut,
}
