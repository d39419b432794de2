//! A document's lines as ESC/POS bytes, through the `escpos` crate.
//!
//! The crate builds the commands (init, justify, bold, size, feed, QR through `GS ( k`, cut) and
//! encodes text with the printer's code page; what it lacks for Chinese — entering and leaving
//! Hanzi mode (`FS &` / `FS .`) and the Hanzi double size (`FS !`) — goes through its `custom`.

use std::sync::{Arc, Mutex};

use escpos::driver::Driver;
use escpos::errors::PrinterError;
use escpos::printer::Printer;
use escpos::utils::Encoder;
use escpos::utils::{JustifyMode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};

use cashier_core::print::{Align, CodePage, Doc, DocLine, Paper};

use crate::PrintError;

/// Enter Hanzi (Kanji) mode: the bytes that follow are double-byte characters of the code page.
pub const FS_HANZI_ON: &[u8] = &[0x1C, 0x26];
/// Leave Hanzi mode.
pub const FS_HANZI_OFF: &[u8] = &[0x1C, 0x2E];
/// Hanzi print mode: double width (bit 2) and double height (bit 3); `ESC !`/`GS !` leave Hanzi as is
/// on many printers.
const FS_HANZI_DOUBLE: &[u8] = &[0x1C, 0x21, 0x0C];
const FS_HANZI_SINGLE: &[u8] = &[0x1C, 0x21, 0x00];

/// The `encoding_rs` codec of the printer's code page.
pub fn codec(code_page: CodePage) -> &'static encoding_rs::Encoding {
    match code_page {
        CodePage::Gbk => encoding_rs::GBK,
        CodePage::Gb18030 => encoding_rs::GB18030,
    }
}

/// Keeps the bytes the printer would get: the `escpos` crate writes through a driver, and encoding
/// is kept apart from sending so a job can be stored, retried and decoded.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Driver for Capture {
    fn name(&self) -> String {
        "capture".to_owned()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        let mut bytes = self
            .0
            .lock()
            .map_err(|_| PrinterError::Io("capture buffer poisoned".to_owned()))?;
        bytes.extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

fn encode_error(e: PrinterError) -> PrintError {
    PrintError::Encode(e.to_string())
}

/// The bytes that print `doc` on `paper`, text in `code_page`. Fails on a character the code page
/// cannot print (rather than printing `&#...;` on the customer's slip), naming it.
pub fn encode(doc: &Doc, paper: Paper, code_page: CodePage) -> Result<Vec<u8>, PrintError> {
    let codec = codec(code_page);
    for line in &doc.lines {
        for text in texts(line) {
            unprintable(text, codec)?;
        }
    }
    let capture = Capture::default();
    let mut printer = Printer::new(capture.clone(), Protocol::new(Encoder::new(codec)), None);
    printer.init().map_err(encode_error)?;
    for line in &doc.lines {
        write_line(&mut printer, line, paper).map_err(encode_error)?;
    }
    printer.print().map_err(encode_error)?;
    let bytes = capture
        .0
        .lock()
        .map_err(|_| PrintError::Encode("capture buffer poisoned".to_owned()))?
        .clone();
    Ok(bytes)
}

/// The texts a line prints (a QR code's payload is bytes, not text of the code page).
fn texts(line: &DocLine) -> Vec<&str> {
    match line {
        DocLine::Text { text, .. } => vec![text],
        DocLine::Pair { left, right } => vec![left, right],
        DocLine::Rule | DocLine::Qr(_) | DocLine::Feed(_) | DocLine::Cut => Vec::new(),
    }
}

/// The first character of `text` that `codec` cannot encode, as an error a person can act on
/// (the `escpos` crate only says "invalid GBK").
fn unprintable(text: &str, codec: &'static encoding_rs::Encoding) -> Result<(), PrintError> {
    let (_, _, had_errors) = codec.encode(text);
    if !had_errors {
        return Ok(());
    }
    let mut buf = [0u8; 4];
    let bad = text
        .chars()
        .find(|c| codec.encode(c.encode_utf8(&mut buf)).2)
        .unwrap_or(char::REPLACEMENT_CHARACTER);
    Err(PrintError::Encode(format!(
        "{bad:?} (U+{:04X}) is not in the printer's code page {} (in {text:?})",
        u32::from(bad),
        codec.name()
    )))
}

type Step = escpos::errors::Result<()>;

fn write_line(printer: &mut Printer<Capture>, line: &DocLine, paper: Paper) -> Step {
    match line {
        DocLine::Text {
            text,
            align,
            bold,
            double,
        } => {
            printer.justify(justify(*align))?.bold(*bold)?;
            if *double {
                printer.size(2, 2)?.custom(FS_HANZI_DOUBLE)?;
            }
            write_text(printer, text)?;
            if *double {
                printer.reset_size()?.custom(FS_HANZI_SINGLE)?;
            }
            printer.bold(false)?.justify(JustifyMode::LEFT)?;
        }
        DocLine::Pair { .. } | DocLine::Rule => {
            for text in line.rendered(paper) {
                write_text(printer, &text)?;
            }
        }
        DocLine::Qr(data) => {
            // Size 6 dots a module: an order number of ~30 characters stays within 58 mm.
            let size = match paper {
                Paper::Mm58 => 5,
                Paper::Mm80 => 6,
            };
            printer
                .justify(JustifyMode::CENTER)?
                .qrcode_option(
                    data,
                    QRCodeOption::new(QRCodeModel::Model2, size, QRCodeCorrectionLevel::M),
                )?
                .justify(JustifyMode::LEFT)?;
        }
        DocLine::Feed(n) => {
            printer.feeds(*n)?;
        }
        DocLine::Cut => {
            printer.cut()?;
        }
    }
    Ok(())
}

/// One text line: ASCII as is, anything else inside Hanzi mode, so the printer reads the code
/// page's double bytes as characters rather than as two Latin ones.
fn write_text(printer: &mut Printer<Capture>, text: &str) -> Step {
    if text.is_ascii() {
        printer.write(text)?;
    } else {
        printer
            .custom(FS_HANZI_ON)?
            .write(text)?
            .custom(FS_HANZI_OFF)?;
    }
    printer.feed()?;
    Ok(())
}

fn justify(align: Align) -> JustifyMode {
    match align {
        Align::Left => JustifyMode::LEFT,
        Align::Center => JustifyMode::CENTER,
        Align::Right => JustifyMode::RIGHT,
    }
}
