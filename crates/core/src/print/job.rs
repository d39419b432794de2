//! A job of the print queue as the journal keeps it: what it prints and where it is.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a print job prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PrintKind {
    /// The customer's slip of a paid payment.
    Slip,
    /// The slip of a refund part.
    RefundSlip,
    XReport,
    ZReport,
}

/// Where a print job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PrintJobState {
    /// Owed: waits for the printer.
    Waiting,
    /// Being sent now.
    Printing,
    Printed,
    /// It can never print (a character the printer's code page lacks): said, not retried.
    Unprintable,
}

impl PrintKind {
    pub const ALL: [PrintKind; 4] = [
        PrintKind::Slip,
        PrintKind::RefundSlip,
        PrintKind::XReport,
        PrintKind::ZReport,
    ];

    /// The name the journal stores (serde's).
    pub fn as_str(self) -> &'static str {
        match self {
            PrintKind::Slip => "slip",
            PrintKind::RefundSlip => "refund_slip",
            PrintKind::XReport => "x_report",
            PrintKind::ZReport => "z_report",
        }
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        lang.pick(match self {
            PrintKind::Slip => ["小票", "Slip"],
            PrintKind::RefundSlip => ["退款小票", "Refund slip"],
            PrintKind::XReport => ["X 报表", "X report"],
            PrintKind::ZReport => ["Z 报表", "Z report"],
        })
    }
}

impl PrintJobState {
    pub const ALL: [PrintJobState; 4] = [
        PrintJobState::Waiting,
        PrintJobState::Printing,
        PrintJobState::Printed,
        PrintJobState::Unprintable,
    ];

    /// The name the journal stores (serde's).
    pub fn as_str(self) -> &'static str {
        match self {
            PrintJobState::Waiting => "waiting",
            PrintJobState::Printing => "printing",
            PrintJobState::Printed => "printed",
            PrintJobState::Unprintable => "unprintable",
        }
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        lang.pick(match self {
            PrintJobState::Waiting => ["待打印", "Waiting"],
            PrintJobState::Printing => ["正在打印", "Printing"],
            PrintJobState::Printed => ["已打印", "Printed"],
            PrintJobState::Unprintable => ["无法打印", "Cannot print"],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_serdes() {
        for k in PrintKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for s in PrintJobState::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}
