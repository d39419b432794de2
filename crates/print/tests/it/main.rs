//! The print crate end to end: a slip laid out, encoded, sent, and decoded back.

use std::io::Read;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use cashier_print::slip::pad_pair;
use cashier_print::{
    Encoding, Line, Paper, PrintError, PrinterUrl, SlipText, decode, encode, layout, send,
};

fn slip(reprint: bool) -> SlipText {
    SlipText {
        shop: "东方旅游商店".to_owned(),
        till: "T01".to_owned(),
        operator: "王芳".to_owned(),
        bill: "B20261206-0042".to_owned(),
        amount_text: "￥128.50".to_owned(),
        channel: "微信支付 WeChat Pay".to_owned(),
        code_masked: Some("1345********1234".to_owned()),
        time_text: "2026-12-06 14:45:57".to_owned(),
        order_no: "T01202612061445570042AB".to_owned(),
        reprint,
    }
}

fn printed(lines: &[Line], paper: Paper) -> Vec<String> {
    lines
        .iter()
        .flat_map(|l| l.rendered(paper))
        .filter(|l| !l.is_empty())
        .collect()
}

fn round_trip(paper: Paper, encoding: Encoding) {
    let s = slip(false);
    let lines = layout(&s, paper);
    let bytes = encode(&lines, paper, encoding).unwrap();
    let decoded = decode(&bytes, encoding);
    let read: Vec<String> = decoded
        .lines
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(read, printed(&lines, paper));
    assert!(
        read.iter()
            .any(|l| l.contains("金额 Amount") && l.contains("￥128.50"))
    );
    assert!(read.iter().any(|l| l.contains("2026-12-06 14:45:57")));
    assert!(read.iter().any(|l| l.contains("东方旅游商店")));
    assert!(!read.iter().any(|l| l.contains("重印")));
    assert_eq!(decoded.qr, vec![s.order_no.clone()]);
    assert_eq!(decoded.cuts, 1);
    assert_eq!(decoded.kicks, 0);
    // Every line of text fits the paper (a Hanzi counts two columns).
    for line in printed(&lines, paper) {
        assert!(
            unicode_width::UnicodeWidthStr::width(line.as_str()) <= paper.columns(),
            "{line}"
        );
    }
}

#[test]
fn slip_58mm_decodes_back_to_its_text() {
    round_trip(Paper::Mm58, Encoding::Gbk);
}

#[test]
fn slip_80mm_decodes_back_to_its_text() {
    round_trip(Paper::Mm80, Encoding::Gb18030);
}

#[test]
fn chinese_text_sits_inside_hanzi_mode() {
    let lines = layout(&slip(false), Paper::Mm58);
    let bytes = encode(&lines, Paper::Mm58, Encoding::Gbk).unwrap();
    let (shop, _, _) = encoding_rs::GBK.encode("东方旅游商店");
    let mut wrapped = vec![0x1C, 0x26];
    wrapped.extend_from_slice(&shop);
    wrapped.extend_from_slice(&[0x1C, 0x2E]);
    assert!(
        bytes
            .windows(wrapped.len())
            .any(|w| w == wrapped.as_slice())
    );
}

#[test]
fn pairs_are_padded_counting_hanzi_as_two_columns() {
    assert_eq!(pad_pair("中", "1", 8), vec!["中     1".to_owned()]);
    let row = &Line::Pair {
        left: "金额 Amount".to_owned(),
        right: "￥1.00".to_owned(),
    }
    .rendered(Paper::Mm80)[0];
    // 金额 are 4 columns: 4 + 7 (" Amount") + spaces + 6 (￥ is two) = 48.
    assert_eq!(row.chars().count(), 48 - 3);
    assert_eq!(unicode_width::UnicodeWidthStr::width(row.as_str()), 48);
    // Too long for one line: label, then the value against the right edge, never cut.
    let long = pad_pair("订单号 Order", &"9".repeat(30), 32);
    assert_eq!(
        long,
        vec!["订单号 Order".to_owned(), format!("  {}", "9".repeat(30))]
    );
}

#[test]
fn a_reprint_says_so_at_the_top() {
    let lines = layout(&slip(true), Paper::Mm58);
    let bytes = encode(&lines, Paper::Mm58, Encoding::Gbk).unwrap();
    let decoded = decode(&bytes, Encoding::Gbk);
    let first = decoded.lines.iter().find(|l| !l.is_empty()).unwrap();
    assert_eq!(first, "重印 REPRINT");
}

#[test]
fn a_character_outside_the_code_page_is_an_error() {
    let mut s = slip(false);
    s.shop = "Café 🍵".to_owned();
    let err = encode(&layout(&s, Paper::Mm58), Paper::Mm58, Encoding::Gbk).unwrap_err();
    assert!(matches!(err, PrintError::Encode(_)), "{err:?}");
}

#[test]
fn file_printer_appends_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slips.bin");
    let printer = PrinterUrl::parse(&format!("file:{}", path.display())).unwrap();
    send(&printer, b"one").unwrap();
    send(&printer, b"two").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"onetwo");
}

#[test]
fn tcp_printer_receives_exactly_the_bytes() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let reader = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut got = Vec::new();
        stream.read_to_end(&mut got).unwrap();
        got
    });
    let bytes = encode(
        &layout(&slip(false), Paper::Mm80),
        Paper::Mm80,
        Encoding::Gbk,
    )
    .unwrap();
    let printer = PrinterUrl::parse(&format!("tcp://127.0.0.1:{port}")).unwrap();
    send(&printer, &bytes).unwrap();
    assert_eq!(reader.join().unwrap(), bytes);
    assert_eq!(decode(&bytes, Encoding::Gbk).qr, vec![slip(false).order_no]);
}

#[test]
fn a_refusing_tcp_printer_is_an_error_not_a_hang() {
    // Bind then drop: the port is closed, so the connection is refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let printer = PrinterUrl::parse(&format!("tcp://127.0.0.1:{port}")).unwrap();
    let started = Instant::now();
    let err = send(&printer, b"x").unwrap_err();
    assert!(matches!(err, PrintError::Unreachable { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let (en, zh) = err.words();
    assert!(en.contains("cannot be reached") && zh.contains("无法连接打印机"));
}

#[test]
fn a_missing_usb_device_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let printer = PrinterUrl::parse(&format!("usb:{}", dir.path().join("lp9").display())).unwrap();
    assert!(matches!(
        send(&printer, b"x"),
        Err(PrintError::Unreachable { .. })
    ));
}

#[test]
fn printer_urls_parse() {
    assert_eq!(
        PrinterUrl::parse("serial:/dev/ttyUSB0").unwrap(),
        PrinterUrl::Serial {
            port: "/dev/ttyUSB0".to_owned(),
            baud: 9600
        }
    );
    assert_eq!(
        PrinterUrl::parse("serial:COM3?baud=115200").unwrap(),
        PrinterUrl::Serial {
            port: "COM3".to_owned(),
            baud: 115200
        }
    );
    assert_eq!(
        PrinterUrl::parse("usb:/dev/usb/lp0").unwrap(),
        PrinterUrl::Usb("/dev/usb/lp0".into())
    );
    assert_eq!(
        PrinterUrl::parse("tcp://192.168.1.50:9100").unwrap(),
        PrinterUrl::Tcp {
            host: "192.168.1.50".to_owned(),
            port: 9100
        }
    );
    assert_eq!(
        PrinterUrl::parse("file:/tmp/x").unwrap(),
        PrinterUrl::File("/tmp/x".into())
    );
    for url in [
        "serial:/dev/ttyUSB0?baud=115200",
        "tcp://192.168.1.50:9100",
        "usb:/dev/usb/lp0",
    ] {
        assert_eq!(PrinterUrl::parse(url).unwrap().to_string(), url);
    }
}

#[test]
fn bad_printer_urls_are_clear_errors() {
    for url in [
        "lpt:1",
        "tcp://nohost",
        "serial:",
        "serial:COM3?baud=fast",
        "tcp://:9100",
        "usb:",
        "file:",
        "",
    ] {
        let err = PrinterUrl::parse(url).unwrap_err();
        assert!(matches!(err, PrintError::BadUrl { .. }), "{url}: {err:?}");
        let (en, zh) = err.words();
        assert!(
            en.contains("is not a printer") && en.contains("tcp://HOST:PORT"),
            "{en}"
        );
        assert!(zh.contains("不是打印机地址"), "{zh}");
    }
}

#[test]
fn decoder_counts_kicks_and_cuts() {
    let bytes = [
        0x1B, b'@', b'h', b'i', 0x0A, 0x1B, b'p', 0, 25, 250, 0x1D, b'V', 65, 3, 0x1D, b'V', 0,
    ];
    let d = decode(&bytes, Encoding::Gbk);
    assert_eq!(d.lines, vec!["hi".to_owned()]);
    assert_eq!((d.kicks, d.cuts), (1, 2));
}

/// A serial printer on a pseudo-terminal: the slip's bytes arrive whole on the other end and
/// decode back to the slip.
#[cfg(unix)]
#[test]
fn serial_printer_on_a_pty_receives_the_slip() {
    use serialport::{SerialPort, TTYPort};
    let (mut master, slave) = TTYPort::pair().unwrap();
    master.set_timeout(Duration::from_secs(2)).unwrap();
    let name = slave.name().unwrap();
    let bytes = encode(
        &layout(&slip(false), Paper::Mm58),
        Paper::Mm58,
        Encoding::Gbk,
    )
    .unwrap();
    let printer = PrinterUrl::parse(&format!("serial:{name}?baud=19200")).unwrap();
    send(&printer, &bytes).unwrap();
    let mut got = vec![0; bytes.len()];
    master.read_exact(&mut got).unwrap();
    assert_eq!(got, bytes);
    let decoded = decode(&got, Encoding::Gbk);
    assert_eq!(decoded.qr, vec![slip(false).order_no]);
    assert!(decoded.lines.iter().any(|l| l.contains("金额 Amount")));
    drop(slave);
}
