//! Reads ESC/POS bytes back: what a printer would print from them, line by line with each line's
//! look (alignment, bold, double size), the QR codes where they are stored and the cuts. One walk
//! serves the on-screen preview ([`Decoded::printed`]) and the tests' plainer views (text lines,
//! QR payloads, cuts, drawer kicks). Knows the commands Cashier sends and the common ones around
//! them; an unknown command is skipped by its usual length, and no input makes it panic.

use cashier_core::print::{Align, CodePage, PreviewLine};

use crate::escpos::codec;

const LF: u8 = 0x0A;
const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const FS: u8 = 0x1C;
const DLE: u8 = 0x10;

/// What a run of printer bytes prints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    /// Each printed line's text (a feed of n lines gives n − 1 empty lines after the line it ends).
    pub lines: Vec<String>,
    /// The payload of each QR code stored (`GS ( k` function 80).
    pub qr: Vec<String>,
    /// `GS V` paper cuts.
    pub cuts: u32,
    /// `ESC p` cash-drawer kicks.
    pub kicks: u32,
    /// Everything in the order it prints: the text lines with their look, each QR code where its
    /// data is stored, each cut. `lines`, `qr` and `cuts` are this, seen plainer.
    pub printed: Vec<PreviewLine>,
}

/// The print mode in force: the printer keeps it across lines until changed or reset (`ESC @`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Look {
    align: Align,
    bold: bool,
    /// `GS !` or `ESC !` larger than 1×1: the Latin (ASCII) characters' size.
    large: bool,
    /// `FS !` double width or height: the Hanzi's size.
    large_hanzi: bool,
}

impl Default for Look {
    fn default() -> Self {
        Look {
            align: Align::Left,
            bold: false,
            large: false,
            large_hanzi: false,
        }
    }
}

struct Reader {
    codec: &'static encoding_rs::Encoding,
    pending: Vec<u8>,
    line: String,
    /// The look of the line being printed, taken at its first character: alignment applies from
    /// the start of a line, and the commands resetting the look after a line may come before
    /// the byte that ends it.
    line_look: Option<Look>,
    look: Look,
    printed: Vec<PreviewLine>,
    kicks: u32,
}

impl Reader {
    /// Text bytes are decoded in the code page whether in Hanzi mode or not: ASCII is the same in
    /// both, and a printer left outside Hanzi mode would print garbage the test should see.
    fn take_text(&mut self) {
        if !self.pending.is_empty() {
            let (text, _) = self.codec.decode_without_bom_handling(&self.pending);
            self.line.push_str(&text);
            self.pending.clear();
        }
    }

    fn push_text(&mut self, b: u8) {
        if self.line_look.is_none() {
            self.line_look = Some(self.look);
        }
        self.pending.push(b);
    }

    fn end_lines(&mut self, n: usize) {
        self.take_text();
        let look = self.line_look.take().unwrap_or(self.look);
        self.printed.push(PreviewLine::Text {
            text: std::mem::take(&mut self.line),
            align: look.align,
            bold: look.bold,
            double: look.large || look.large_hanzi,
        });
        for _ in 1..n {
            self.printed.push(PreviewLine::Text {
                text: String::new(),
                align: self.look.align,
                bold: false,
                double: false,
            });
        }
    }

    /// `ESC` commands: returns the command's length.
    fn esc(&mut self, bytes: &[u8], i: usize) -> usize {
        let n = at(bytes, i + 2);
        match bytes.get(i + 1).copied().unwrap_or(0) {
            b'd' => {
                self.end_lines(n.max(1));
                3
            }
            b'p' => {
                self.kicks += 1;
                5
            }
            b'@' => {
                self.look = Look::default();
                2
            }
            b'a' => {
                // n is 0, 1, 2 or their ASCII digits 48, 49, 50.
                self.look.align = match n % 48 {
                    1 => Align::Center,
                    2 => Align::Right,
                    _ => Align::Left,
                };
                3
            }
            b'E' => {
                self.look.bold = n & 1 == 1;
                3
            }
            // ESC ! n: bit 3 emphasized, bits 4 and 5 double height and width.
            b'!' => {
                self.look.bold = n & 0x08 != 0;
                self.look.large = n & 0x30 != 0;
                3
            }
            b'2' | b'<' => 2,
            b'$' | b'\\' => 4,
            // ESC * m nL nH data: a bit image of nL + nH·256 columns (3 bytes each in 24-dot
            // modes).
            b'*' => {
                let columns = at(bytes, i + 3) + 256 * at(bytes, i + 4);
                let per = if n >= 32 { 3 } else { 1 };
                5 + columns * per
            }
            _ => 3,
        }
    }

    /// `GS` commands: returns the command's length.
    fn gs(&mut self, bytes: &[u8], i: usize) -> usize {
        match bytes.get(i + 1).copied().unwrap_or(0) {
            b'V' => {
                self.printed.push(PreviewLine::Cut);
                // GS V 65/66/97/98 n (feed then cut) has one byte more than GS V 0/1.
                if matches!(at(bytes, i + 2), 65 | 66 | 97 | 98) {
                    4
                } else {
                    3
                }
            }
            // GS ! n: width − 1 in the high nibble, height − 1 in the low one.
            b'!' => {
                self.look.large = at(bytes, i + 2) != 0;
                3
            }
            b'(' => {
                let size = at(bytes, i + 3) + 256 * at(bytes, i + 4);
                // GS ( k pL pH cn=49 fn=80 m=48 data: store the QR code's data.
                if bytes.get(i + 2) == Some(&b'k')
                    && bytes.get(i + 5) == Some(&49)
                    && bytes.get(i + 6) == Some(&80)
                    && size >= 3
                {
                    let start = (i + 8).min(bytes.len());
                    let end = (i + 5 + size).min(bytes.len());
                    self.printed.push(PreviewLine::Qr {
                        payload: String::from_utf8_lossy(&bytes[start..end]).into_owned(),
                        svg: String::new(),
                    });
                }
                5 + size
            }
            // GS v 0 m xL xH yL yH data: a raster image of x bytes by y dots.
            b'v' => {
                let x = at(bytes, i + 4) + 256 * at(bytes, i + 5);
                let y = at(bytes, i + 6) + 256 * at(bytes, i + 7);
                8 + x * y
            }
            // GS k m data NUL (the crate's form): up to and including the NUL.
            b'k' => {
                let end = bytes[i..].iter().skip(3).position(|&c| c == 0);
                end.map_or(bytes.len() - i, |p| 3 + p + 1)
            }
            _ => 3,
        }
    }

    /// `FS` commands: returns the command's length.
    fn fs(&mut self, bytes: &[u8], i: usize) -> usize {
        match bytes.get(i + 1).copied().unwrap_or(0) {
            b'&' | b'.' => 2,
            // FS ! n: Hanzi print mode, bit 2 double width, bit 3 double height.
            b'!' => {
                self.look.large_hanzi = at(bytes, i + 2) & 0x0C != 0;
                3
            }
            _ => 3,
        }
    }
}

fn at(bytes: &[u8], i: usize) -> usize {
    bytes.get(i).copied().map_or(0, usize::from)
}

/// Decodes `bytes`, text in `code_page`.
pub fn decode(bytes: &[u8], code_page: CodePage) -> Decoded {
    let mut r = Reader {
        codec: codec(code_page),
        pending: Vec::new(),
        line: String::new(),
        line_look: None,
        look: Look::default(),
        printed: Vec::new(),
        kicks: 0,
    };
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let len = match b {
            LF => {
                r.end_lines(1);
                1
            }
            ESC => {
                r.take_text();
                r.esc(bytes, i)
            }
            GS => {
                r.take_text();
                r.gs(bytes, i)
            }
            FS => {
                r.take_text();
                r.fs(bytes, i)
            }
            DLE => {
                r.take_text();
                match bytes.get(i + 1) {
                    Some(0x14) => 5,
                    _ => 3,
                }
            }
            0x0D | 0x00 => 1,
            _ => {
                r.push_text(b);
                1
            }
        };
        i = i.saturating_add(len);
    }
    r.take_text();
    if !r.line.is_empty() {
        r.end_lines(1);
    }
    plain(r.printed, r.kicks)
}

/// The plainer views of what prints, for tests.
fn plain(printed: Vec<PreviewLine>, kicks: u32) -> Decoded {
    let mut out = Decoded {
        kicks,
        ..Decoded::default()
    };
    for line in &printed {
        match line {
            PreviewLine::Text { text, .. } => out.lines.push(text.clone()),
            PreviewLine::Qr { payload, .. } => out.qr.push(payload.clone()),
            PreviewLine::Cut => out.cuts += 1,
        }
    }
    out.printed = printed;
    out
}
