//! The serial scanner's frame splitter (`FrameAssembler`). The same bytes at the same times give
//! the same reads however the port cuts them into writes, and whether or not the reader polled
//! `tick` during the pauses; every read is within the size limit, never empty, never starts
//! with a line end, and holds no terminator.
#![no_main]

use std::time::{Duration, Instant};

use cashier_core::scanner::{Frame, FrameAssembler, Terminator};
use cashier_fuzz::Cursor;
use libfuzzer_sys::fuzz_target;

struct Input<'a> {
    terminator: u8,
    /// Inter-character timeout, ms (1–256).
    gap_ms: u8,
    /// Longest read (1–64).
    max_len: u8,
    writes: Vec<Write<'a>>,
}

struct Write<'a> {
    /// Milliseconds since the previous write.
    after_ms: u16,
    /// Where the port cuts this write in two (as a fraction of its length, of 256).
    cut: u8,
    /// When a polling reader ticks during the pause before it (as a fraction of it, of 256).
    tick_at: u8,
    bytes: &'a [u8],
}

/// Input: terminator, gap and size bytes, then writes: pause (2 bytes, little-endian), cut,
/// tick, length, and that many bytes.
fn input(data: &[u8]) -> Input<'_> {
    let mut c = Cursor::new(data);
    let (terminator, gap_ms, max_len) = (c.u8(), c.u8(), c.u8());
    let mut writes = Vec::new();
    while !c.is_empty() {
        let (after_ms, cut, tick_at) = (c.u16(), c.u8(), c.u8());
        let n = usize::from(c.u8());
        writes.push(Write {
            after_ms,
            cut,
            tick_at,
            bytes: c.bytes(n),
        });
    }
    Input {
        terminator,
        gap_ms,
        max_len,
        writes,
    }
}

const TERMINATORS: [Terminator; 4] = [
    Terminator::Cr,
    Terminator::Lf,
    Terminator::Crlf,
    Terminator::None,
];

fn check(frames: &[Frame], terminator: Terminator, max_len: usize) {
    for f in frames {
        match f {
            Frame::Complete(b) | Frame::Partial(b) => {
                assert!(!b.is_empty() && b.len() <= max_len, "{f:?}");
                assert!(b[0] != b'\r' && b[0] != b'\n', "{f:?}");
                match terminator {
                    Terminator::Cr => assert!(!b.contains(&b'\r'), "{f:?}"),
                    Terminator::Lf => assert!(!b.contains(&b'\n'), "{f:?}"),
                    Terminator::Crlf => assert!(!b.windows(2).any(|w| w == b"\r\n"), "{f:?}"),
                    Terminator::None => {}
                }
            }
            Frame::TooLong(b) => assert_eq!(b.len(), max_len + 1, "{f:?}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let input = input(data);
    let terminator = TERMINATORS[usize::from(input.terminator % 4)];
    let gap = Duration::from_millis(u64::from(input.gap_ms) + 1);
    let max_len = usize::from(input.max_len % 64) + 1;
    let new = || FrameAssembler::new(terminator, gap, max_len);
    // Whole writes; the same cut in two; byte by byte with a poll during every pause.
    let (mut whole, mut cut, mut bytewise) = (new(), new(), new());
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    let t0 = Instant::now();
    let mut t = t0;
    for w in &input.writes {
        let pause = Duration::from_millis(u64::from(w.after_ms));
        c.extend(bytewise.tick(t + pause.mul_f64(f64::from(w.tick_at) / 256.0)));
        t += pause;
        a.extend(whole.feed(w.bytes, t));
        let at = w.bytes.len() * usize::from(w.cut) / 256;
        b.extend(cut.feed(&w.bytes[..at], t));
        b.extend(cut.feed(&w.bytes[at..], t));
        for byte in w.bytes {
            c.extend(bytewise.feed(std::slice::from_ref(byte), t));
        }
    }
    // The line goes quiet, then the port goes away.
    let end = t + gap * 11;
    for (asm, out) in [
        (&mut whole, &mut a),
        (&mut cut, &mut b),
        (&mut bytewise, &mut c),
    ] {
        out.extend(asm.tick(end));
        out.extend(asm.flush());
        assert_eq!(asm.pending_len(), 0);
    }
    check(&a, terminator, max_len);
    assert_eq!(a, b, "cut writes");
    assert_eq!(a, c, "byte by byte, polled");
});
