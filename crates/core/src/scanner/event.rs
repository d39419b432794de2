//! What the scanner reader reports to the checkout: codes, rejected reads, and the port's state.

use serde::{Serialize, Serializer};

use super::frame::Frame;
use crate::code::{CodeKind, PaymentCode, ScannerFraming, mask_digits};

/// In process, `Code` carries the real [`PaymentCode`] for the checkout to pay with. Serialized
/// (for the UI, logs, the journal) it is `{"event":"code","masked":"1345**********6789",
/// "kind":"wechat"}`: the clear digits never leave through serde.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanEvent {
    Code {
        code: PaymentCode,
    },
    /// A read that is not a payment code. `reason` is English for the log; `masked` is the read
    /// masked like a code (first 4 and last 4 characters at most), control bytes shown as `�`.
    Rejected {
        reason: String,
        masked: String,
    },
    Connected {
        port: String,
    },
    Disconnected {
        port: String,
        reason: String,
    },
    /// Sent before each wait; the open is tried again after `delay_ms`.
    Reconnecting {
        port: String,
        attempt: u32,
        delay_ms: u64,
    },
}

/// The serialized shape of [`ScanEvent`]; `Code` swapped for its masked view.
#[derive(Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum MaskedEvent<'a> {
    Code {
        masked: String,
        kind: CodeKind,
    },
    Rejected {
        reason: &'a str,
        masked: &'a str,
    },
    Connected {
        port: &'a str,
    },
    Disconnected {
        port: &'a str,
        reason: &'a str,
    },
    Reconnecting {
        port: &'a str,
        attempt: u32,
        delay_ms: u64,
    },
}

impl Serialize for ScanEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let masked = match self {
            Self::Code { code } => MaskedEvent::Code {
                masked: code.masked(),
                kind: code.kind(),
            },
            Self::Rejected { reason, masked } => MaskedEvent::Rejected { reason, masked },
            Self::Connected { port } => MaskedEvent::Connected { port },
            Self::Disconnected { port, reason } => MaskedEvent::Disconnected { port, reason },
            Self::Reconnecting {
                port,
                attempt,
                delay_ms,
            } => MaskedEvent::Reconnecting {
                port,
                attempt: *attempt,
                delay_ms: *delay_ms,
            },
        };
        masked.serialize(serializer)
    }
}

impl ScanEvent {
    /// Checks a read: a payment code, or a rejection whose reason and `masked` hold no clear code.
    pub fn from_frame(frame: Frame, framing: &ScannerFraming) -> ScanEvent {
        match frame {
            Frame::Complete(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                match PaymentCode::parse(&text, framing) {
                    Ok(code) => ScanEvent::Code { code },
                    // CodeError's text names a count or one non-digit character, never the digits.
                    Err(e) => rejected(e.to_string(), &bytes),
                }
            }
            Frame::Partial(bytes) => rejected(
                format!(
                    "partial read: {} bytes and no terminator (a cut-off scan, or the scanner's \
                     terminator setting is wrong)",
                    printable(&bytes).chars().count()
                ),
                &bytes,
            ),
            Frame::TooLong(bytes) => rejected(
                format!(
                    "noise: more than {} bytes without a terminator",
                    bytes.len().saturating_sub(1)
                ),
                &bytes,
            ),
        }
    }
}

fn rejected(reason: String, bytes: &[u8]) -> ScanEvent {
    ScanEvent::Rejected {
        reason,
        masked: mask_digits(&printable(bytes)),
    }
}

/// The read as text without its CR/LF, control bytes replaced so the UI and log stay one line.
fn printable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim_matches(|c| c == '\r' || c == '\n')
        .chars()
        .map(|c| {
            if c.is_control() {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLEAR: &str = "134567890123456789";

    fn check(bytes: &[u8]) -> ScanEvent {
        ScanEvent::from_frame(Frame::Complete(bytes.to_vec()), &ScannerFraming::default())
    }

    #[test]
    fn a_code_serializes_masked_only() {
        let ev = check(CLEAR.as_bytes());
        let ScanEvent::Code { code } = &ev else {
            panic!("{ev:?}")
        };
        assert_eq!(code.expose(), CLEAR, "the checkout gets the real code");
        let json = serde_json::to_string(&ev).unwrap();
        assert_eq!(
            json,
            r#"{"event":"code","masked":"1345**********6789","kind":"wechat"}"#
        );
        assert!(!format!("{ev:?}").contains(CLEAR));
    }

    #[test]
    fn other_events_serialize_with_their_tag() {
        let cases = [
            (
                ScanEvent::Rejected {
                    reason: "r".into(),
                    masked: "****".into(),
                },
                r#"{"event":"rejected","reason":"r","masked":"****"}"#,
            ),
            (
                ScanEvent::Connected {
                    port: "COM3".into(),
                },
                r#"{"event":"connected","port":"COM3"}"#,
            ),
            (
                ScanEvent::Disconnected {
                    port: "COM3".into(),
                    reason: "gone".into(),
                },
                r#"{"event":"disconnected","port":"COM3","reason":"gone"}"#,
            ),
            (
                ScanEvent::Reconnecting {
                    port: "COM3".into(),
                    attempt: 2,
                    delay_ms: 400,
                },
                r#"{"event":"reconnecting","port":"COM3","attempt":2,"delay_ms":400}"#,
            ),
        ];
        for (ev, want) in cases {
            assert_eq!(serde_json::to_string(&ev).unwrap(), want);
        }
    }

    #[test]
    fn framing_is_stripped() {
        let framing = ScannerFraming {
            prefix: "]Q".into(),
            suffix: "#".into(),
        };
        let ev =
            ScanEvent::from_frame(Frame::Complete(b"]Q134567890123456789#".to_vec()), &framing);
        let ScanEvent::Code { code } = ev else {
            panic!("{ev:?}")
        };
        assert_eq!(code.expose(), CLEAR);
    }

    #[test]
    fn rejections_say_why_and_hide_the_digits() {
        let cases: [(&[u8], &str, &str); 5] = [
            (b"12345", "has 5", "*****"),
            (
                b"1345678901234\x1b[A6789",
                "'\\u{1b}'",
                "1345************6789",
            ),
            (b"ABCDEFGHIJKL", "'A'", "ABCD****IJKL"),
            (
                b"1234567890123456789012345678901234",
                "has 34",
                "1234**************************1234",
            ),
            (
                b"\xff\xfe1234567890",
                "'\u{fffd}'",
                "\u{fffd}\u{fffd}12****7890",
            ),
        ];
        for (raw, why, masked) in cases {
            let ev = check(raw);
            let ScanEvent::Rejected { reason, masked: m } = &ev else {
                panic!("{ev:?}")
            };
            assert!(reason.contains(why), "{reason}");
            assert_eq!(m, masked);
            assert!(!reason.contains("12345"), "{reason}");
        }
        let ScanEvent::Rejected { masked, .. } = check(b"12\x02345678901\x03") else {
            panic!()
        };
        assert!(!masked.chars().any(char::is_control), "{masked:?}");
    }

    #[test]
    fn partial_and_too_long_reads() {
        let framing = ScannerFraming::default();
        let ev = ScanEvent::from_frame(Frame::Partial(b"1345678901\r".to_vec()), &framing);
        assert_eq!(
            ev,
            ScanEvent::Rejected {
                reason: "partial read: 10 bytes and no terminator (a cut-off scan, or the \
                         scanner's terminator setting is wrong)"
                    .into(),
                masked: "1345**8901".into()
            }
        );
        let ev = ScanEvent::from_frame(Frame::TooLong(vec![b'5'; 65]), &framing);
        let ScanEvent::Rejected { reason, masked } = ev else {
            panic!()
        };
        assert_eq!(reason, "noise: more than 64 bytes without a terminator");
        assert_eq!(masked.matches('5').count(), 8);
    }
}
