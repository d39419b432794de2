//! Printer names as the configuration, the settings screen and the CLI write them (core's
//! `PrinterUrl`, the one form this crate opens).

use cashier_core::print::PrinterUrl;

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
        assert!(
            err.en().contains("is not a printer") && err.en().contains("tcp://HOST:PORT"),
            "{url}: {}",
            err.en()
        );
        assert!(err.zh().contains("不是打印机地址"), "{}", err.zh());
    }
}
