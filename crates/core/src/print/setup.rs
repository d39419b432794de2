//! The printer's settings: the `[printer]` section of the configuration, and the checked setup a
//! [`super::Printer`] is handed.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Paper, PrinterUrl, PrinterUrlError};

/// The printer's code page for Chinese: a printer setting, because printers differ (most Chinese
/// thermal printers take GBK in Hanzi mode, some want GB18030).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CodePage {
    #[default]
    Gbk,
    Gb18030,
}

/// `[printer]` in the configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrinterConfig {
    /// The receipt printer as a [`PrinterUrl`]; empty: no printer (slips are previewed on screen).
    pub url: String,
    pub paper: Paper,
    pub code_page: CodePage,
    /// Print the customer's slip after each paid payment (and a refund slip after each refund).
    pub slips: bool,
}

impl Default for PrinterConfig {
    fn default() -> Self {
        PrinterConfig {
            url: String::new(),
            paper: Paper::default(),
            code_page: CodePage::default(),
            slips: true,
        }
    }
}

impl PrinterConfig {
    /// The printer set up, `None` when there is none; an error when the URL is not a printer's.
    pub fn setup(&self) -> Result<Option<PrinterSetup>, PrinterUrlError> {
        if self.url.trim().is_empty() {
            return Ok(None);
        }
        Ok(Some(PrinterSetup {
            url: PrinterUrl::parse(&self.url)?,
            paper: self.paper,
            code_page: self.code_page,
        }))
    }

    /// Whether a slip is owed after each paid payment: slips on and a printer set.
    pub fn owes_slips(&self) -> bool {
        self.slips && !self.url.trim().is_empty()
    }
}

/// A printer ready to be asked: where it is, its paper and its code page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterSetup {
    pub url: PrinterUrl,
    pub paper: Paper,
    pub code_page: CodePage,
}
