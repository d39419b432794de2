//! What can go wrong between a slip and the paper, in both languages.

/// A slip that could not be encoded or reach its printer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    /// The printer's name is not one of the forms Cashier knows.
    #[error("not a printer: {given:?} ({why})")]
    BadUrl { given: String, why: String },
    /// A character the printer's code page cannot print, or a command the ESC/POS crate refused.
    #[error("cannot encode the slip: {0}")]
    Encode(String),
    /// The printer could not be reached or written to (off, unplugged, refused, timed out).
    #[error("printer {printer} unreachable: {detail}")]
    Unreachable { printer: String, detail: String },
}

impl PrintError {
    /// The error in English and in Chinese, for the status bar and the CLI.
    pub fn words(&self) -> (String, String) {
        match self {
            PrintError::BadUrl { given, why } => (
                format!(
                    "{given:?} is not a printer ({why}). Use serial:/dev/ttyUSB0 (or serial:COM3, \
                     optionally ?baud=9600), usb:/dev/usb/lp0, tcp://HOST:PORT or file:PATH."
                ),
                format!(
                    "{given:?} 不是打印机地址（{why}）。请用 serial:/dev/ttyUSB0（或 serial:COM3，\
                     可加 ?baud=9600）、usb:/dev/usb/lp0、tcp://主机:端口 或 file:路径。"
                ),
            ),
            PrintError::Encode(detail) => (
                format!("The slip cannot be encoded for the printer: {detail}"),
                format!("小票无法编码为打印机指令：{detail}"),
            ),
            PrintError::Unreachable { printer, detail } => (
                format!("The printer {printer} cannot be reached: {detail}"),
                format!("无法连接打印机 {printer}：{detail}"),
            ),
        }
    }
}
