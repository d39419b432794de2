//! What can go wrong between a document and the printer, in both languages.

/// A document that could not be encoded or reach its printer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    /// A character the printer's code page cannot print, or a command the ESC/POS crate refused.
    #[error("cannot encode the document: {0}")]
    Encode(String),
    /// The printer could not be reached or written to (off, unplugged, refused, timed out).
    #[error("printer {printer} unreachable: {detail}")]
    Unreachable { printer: String, detail: String },
}

impl PrintError {
    /// The error in English and in Chinese, for the status bar and the CLI.
    pub fn words(&self) -> (String, String) {
        match self {
            PrintError::Encode(detail) => (
                format!("The document cannot be encoded for the printer: {detail}"),
                format!("无法编码为打印机指令：{detail}"),
            ),
            PrintError::Unreachable { printer, detail } => (
                format!("The printer {printer} cannot be reached: {detail}"),
                format!("无法连接打印机 {printer}：{detail}"),
            ),
        }
    }
}
