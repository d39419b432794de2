//! Reads ESC/POS bytes back as text: for tests (the bytes a printer got say what the slip says) and
//! later the on-screen preview. Knows the commands Cashier sends and the common ones around them;
//! an unknown command is skipped by its usual length.

use crate::Encoding;

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
}

struct Reader {
    codec: &'static encoding_rs::Encoding,
    pending: Vec<u8>,
    line: String,
    out: Decoded,
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

    fn end_lines(&mut self, n: usize) {
        self.take_text();
        self.out.lines.push(std::mem::take(&mut self.line));
        for _ in 1..n {
            self.out.lines.push(String::new());
        }
    }
}

fn at(bytes: &[u8], i: usize) -> usize {
    bytes.get(i).copied().map_or(0, usize::from)
}

/// Decodes `bytes`, text in `encoding`'s code page.
pub fn decode(bytes: &[u8], encoding: Encoding) -> Decoded {
    let mut r = Reader {
        codec: encoding.codec(),
        pending: Vec::new(),
        line: String::new(),
        out: Decoded::default(),
    };
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        let len = match b {
            LF => {
                r.end_lines(1);
                1
            }
            ESC => {
                r.take_text();
                match next {
                    b'd' => {
                        r.end_lines(at(bytes, i + 2).max(1));
                        3
                    }
                    b'p' => {
                        r.out.kicks += 1;
                        5
                    }
                    b'@' | b'2' | b'<' => 2,
                    b'$' | b'\\' => 4,
                    // ESC * m nL nH data: a bit image of nL + nH·256 columns (3 bytes each in
                    // 24-dot modes).
                    b'*' => {
                        let columns = at(bytes, i + 3) + 256 * at(bytes, i + 4);
                        let per = if at(bytes, i + 2) >= 32 { 3 } else { 1 };
                        5 + columns * per
                    }
                    _ => 3,
                }
            }
            GS => {
                r.take_text();
                match next {
                    b'V' => {
                        r.out.cuts += 1;
                        // GS V 65/66/97/98 n (feed then cut) has one byte more than GS V 0/1.
                        if matches!(at(bytes, i + 2), 65 | 66 | 97 | 98) {
                            4
                        } else {
                            3
                        }
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
                            r.out
                                .qr
                                .push(String::from_utf8_lossy(&bytes[start..end]).into_owned());
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
            FS => {
                r.take_text();
                match next {
                    b'&' | b'.' => 2,
                    _ => 3,
                }
            }
            DLE => {
                r.take_text();
                match next {
                    0x14 => 5,
                    _ => 3,
                }
            }
            0x0D | 0x00 => 1,
            _ => {
                r.pending.push(b);
                1
            }
        };
        i += len;
    }
    r.take_text();
    if !r.line.is_empty() {
        r.out.lines.push(std::mem::take(&mut r.line));
    }
    r.out
}
