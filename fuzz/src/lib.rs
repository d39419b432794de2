//! What the fuzz targets share: a reader of their inputs. Inputs are laid out by hand rather
//! than through `arbitrary`, so that the corpora's seeds (fuzz/seeds.py) are plain files:
//! a few option bytes, then text fields separated by U+001F (the ASCII unit separator).

/// Reads an input front to back; past its end every read is zero or empty.
pub struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Cursor(data)
    }

    pub fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    pub fn u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = self.u8();
        }
        u64::from_le_bytes(b)
    }

    /// `n` bytes, or what is left.
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.0)
    }
}

/// Text fields separated by U+001F; missing fields are empty.
pub fn fields<const N: usize>(text: &str) -> [&str; N] {
    let mut parts = text.splitn(N, '\u{1f}');
    std::array::from_fn(|_| parts.next().unwrap_or(""))
}
