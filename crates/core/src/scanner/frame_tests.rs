use super::*;

const GAP: Duration = Duration::from_millis(50);
const CODE: &[u8] = b"134567890123456789";
const CODE2: &[u8] = b"2812345678901234";

fn asm(t: Terminator) -> FrameAssembler {
    FrameAssembler::new(t, GAP, 64)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn done(b: &[u8]) -> Frame {
    Frame::Complete(b.to_vec())
}

#[test]
fn cr_ends_a_read() {
    let t0 = Instant::now();
    let mut a = asm(Terminator::Cr);
    assert_eq!(a.feed(b"134567890123456789\r", t0), vec![done(CODE)]);
    assert_eq!(a.pending_len(), 0);
    assert_eq!(a.tick(t0 + ms(10_000)), None);
}

#[test]
fn lf_ends_a_read_and_a_crlf_loses_its_cr() {
    let t0 = Instant::now();
    let mut a = asm(Terminator::Lf);
    assert_eq!(a.feed(b"134567890123456789\n", t0), vec![done(CODE)]);
    assert_eq!(a.feed(b"134567890123456789\r\n", t0), vec![done(CODE)]);
    // A CR alone is data under `Lf`; only LF ends the read.
    assert_eq!(a.feed(b"12\r34", t0), vec![]);
    assert_eq!(a.feed(b"\n", t0), vec![done(b"12\r34")]);
}

#[test]
fn crlf_ends_a_read_once() {
    let t0 = Instant::now();
    let mut a = asm(Terminator::Crlf);
    assert_eq!(
        a.feed(b"134567890123456789\r\n\r\n", t0),
        vec![done(CODE)],
        "a doubled CRLF is not an empty read"
    );
    // CR and LF in separate writes.
    assert_eq!(a.feed(b"134567890123456789\r", t0), vec![]);
    assert_eq!(a.feed(b"\n", t0 + ms(5)), vec![done(CODE)]);
    // A CR not followed by LF stays in the read, a lone LF too (the check rejects them).
    assert_eq!(a.feed(b"12\r34\n56\r\n", t0), vec![done(b"12\r34\n56")]);
    assert_eq!(a.tick(t0 + ms(10_000)), None);
}

#[test]
fn a_crlf_under_cr_leaves_nothing_behind() {
    let t0 = Instant::now();
    let mut a = asm(Terminator::Cr);
    assert_eq!(
        a.feed(b"134567890123456789\r\n2812345678901234\r\n", t0),
        vec![done(CODE), done(CODE2)]
    );
    assert_eq!(a.pending_len(), 0);
    // The LF arriving in its own write is not the start of a partial read either.
    assert_eq!(a.feed(b"134567890123456789\r", t0), vec![done(CODE)]);
    assert_eq!(a.feed(b"\n", t0 + ms(1)), vec![]);
    assert_eq!(a.tick(t0 + ms(10_000)), None);
}

#[test]
fn blank_reads_are_skipped() {
    let t0 = Instant::now();
    for t in [Terminator::Cr, Terminator::Lf, Terminator::Crlf] {
        let mut a = asm(t);
        assert_eq!(a.feed(b"\r\n\r\r\n\n\r\n", t0), vec![], "{t:?}");
        assert_eq!(a.tick(t0 + ms(10_000)), None, "{t:?}");
    }
}

#[test]
fn a_code_split_over_many_writes() {
    let t0 = Instant::now();
    for t in [Terminator::Cr, Terminator::Lf, Terminator::Crlf] {
        let mut a = asm(t);
        let mut wire = CODE.to_vec();
        wire.extend_from_slice(match t {
            Terminator::Cr => b"\r".as_slice(),
            Terminator::Lf => b"\n",
            _ => b"\r\n",
        });
        let mut frames = Vec::new();
        for (i, b) in wire.iter().enumerate() {
            // 40 ms apart: slower than the gap, well inside the partial-read pause.
            frames.extend(a.feed(&[*b], t0 + ms(40 * i as u64)));
        }
        assert_eq!(frames, vec![done(CODE)], "{t:?}");
    }
}

#[test]
fn several_codes_in_one_write_and_a_code_across_writes() {
    let t0 = Instant::now();
    let mut a = asm(Terminator::Cr);
    assert_eq!(
        a.feed(b"134567890123456789\r2812345678901234\r1345", t0),
        vec![done(CODE), done(CODE2)]
    );
    assert_eq!(a.feed(b"67890123456789\r28", t0 + ms(5)), vec![done(CODE)]);
    assert_eq!(a.feed(b"12345678901234\r", t0 + ms(9)), vec![done(CODE2)]);
}

#[test]
fn pending_bytes_become_a_partial_read_after_ten_gaps() {
    let t0 = Instant::now();
    let mut a = asm(Terminator::Cr);
    assert_eq!(a.feed(b"1345678", t0), vec![]);
    assert_eq!(a.tick(t0 + ms(499)), None);
    assert_eq!(
        a.tick(t0 + ms(500)),
        Some(Frame::Partial(b"1345678".to_vec()))
    );
    assert_eq!(a.tick(t0 + ms(5000)), None, "reported once");
    // The next scan starts clean.
    assert_eq!(
        a.feed(b"134567890123456789\r", t0 + ms(600)),
        vec![done(CODE)]
    );
}

#[test]
fn a_partial_read_is_reported_even_without_a_tick() {
    let t0 = Instant::now();
    let mut a = asm(Terminator::Crlf);
    assert_eq!(a.feed(b"1345678", t0), vec![]);
    assert_eq!(
        a.feed(b"134567890123456789\r\n", t0 + ms(800)),
        vec![Frame::Partial(b"1345678".to_vec()), done(CODE)]
    );
}

#[test]
fn no_terminator_a_pause_ends_the_read() {
    let t0 = Instant::now();
    let mut a = asm(Terminator::None);
    assert_eq!(a.feed(b"134567890", t0), vec![]);
    assert_eq!(a.feed(b"123456789", t0 + ms(30)), vec![]);
    assert_eq!(
        a.tick(t0 + ms(79)),
        None,
        "the gap counts from the last byte"
    );
    assert_eq!(a.tick(t0 + ms(80)), Some(done(CODE)));
    assert_eq!(a.tick(t0 + ms(1000)), None);
    // Without a tick in between, the pause still separates two reads.
    assert_eq!(a.feed(b"134567890123456789", t0 + ms(1000)), vec![]);
    assert_eq!(a.feed(b"2812345678901234", t0 + ms(1060)), vec![done(CODE)]);
    assert_eq!(a.tick(t0 + ms(1110)), Some(done(CODE2)));
}

#[test]
fn no_terminator_keeps_cr_lf_for_the_check_to_strip() {
    let t0 = Instant::now();
    let mut a = asm(Terminator::None);
    assert_eq!(a.feed(b"\r\n134567890123456789\r\n", t0), vec![]);
    assert_eq!(a.tick(t0 + GAP), Some(done(b"134567890123456789\r\n")));
}

#[test]
fn too_long_is_noise_until_the_run_ends() {
    let t0 = Instant::now();
    let mut a = FrameAssembler::new(Terminator::Cr, GAP, 20);
    let noise = [b'7'; 30];
    let frames = a.feed(&noise, t0);
    assert_eq!(frames, vec![Frame::TooLong(vec![b'7'; 21])]);
    // The tail of the noise and its terminator are dropped, not read as a code.
    assert_eq!(a.feed(b"777\r", t0 + ms(1)), vec![]);
    assert_eq!(
        a.feed(b"134567890123456789\r", t0 + ms(2)),
        vec![done(CODE)]
    );
    // Exactly max_len is still a read.
    let twenty = [b'1'; 20];
    let mut wire = twenty.to_vec();
    wire.push(b'\r');
    assert_eq!(a.feed(&wire, t0 + ms(3)), vec![done(&twenty)]);
}

#[test]
fn too_long_noise_without_terminator_ends_at_a_pause() {
    let t0 = Instant::now();
    for t in [Terminator::Cr, Terminator::None] {
        let mut a = FrameAssembler::new(t, GAP, 20);
        assert_eq!(a.feed(&[b'x'; 25], t0).len(), 1, "{t:?}");
        assert_eq!(a.tick(t0 + ms(10_000)), None, "{t:?}: no second report");
        let mut wire = CODE.to_vec();
        if t == Terminator::Cr {
            wire.push(b'\r');
        }
        let mut frames = a.feed(&wire, t0 + ms(10_001));
        frames.extend(a.tick(t0 + ms(20_000)));
        assert_eq!(frames, vec![done(CODE)], "{t:?}");
    }
}

#[test]
fn flush_hands_back_pending_bytes_once() {
    let t0 = Instant::now();
    let mut a = asm(Terminator::Cr);
    assert_eq!(a.flush(), None);
    a.feed(b"12345", t0);
    assert_eq!(a.flush(), Some(Frame::Partial(b"12345".to_vec())));
    assert_eq!(a.flush(), None);
    assert_eq!(a.tick(t0 + ms(10_000)), None);
    // Noise being dropped is not reported a second time.
    let mut short = FrameAssembler::new(Terminator::Cr, GAP, 10);
    assert_eq!(short.feed(&[b'9'; 12], t0).len(), 1);
    assert_eq!(short.flush(), None);
    assert_eq!(short.feed(b"1234567890\r", t0), vec![done(b"1234567890")]);
}

#[test]
fn empty_writes_change_nothing() {
    let t0 = Instant::now();
    let mut a = asm(Terminator::None);
    assert_eq!(a.feed(b"", t0), vec![]);
    assert_eq!(a.tick(t0 + ms(10_000)), None);
    a.feed(b"1234567890", t0);
    // An empty write does not restart the pause.
    assert_eq!(a.feed(b"", t0 + ms(40)), vec![]);
    assert_eq!(a.tick(t0 + GAP), Some(done(b"1234567890")));
}

#[test]
fn clock_going_nowhere_is_harmless() {
    // `tick` with an instant before the last byte (a caller's clock read early) waits, not panics.
    let t0 = Instant::now();
    let mut a = asm(Terminator::None);
    a.feed(b"1234567890", t0 + ms(100));
    assert_eq!(a.tick(t0), None);
    assert_eq!(a.tick(t0 + ms(150)), Some(done(b"1234567890")));
}
