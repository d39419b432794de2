//! HAWK headers from outside: the back office's `WWW-Authenticate` after a stale timestamp
//! (`HawkCredentials::server_time`, which moves the till's clock) and a request's
//! `Authorization` (`HawkHeader::parse`, the sandbox's side). Only the key's holder moves the
//! clock: a header we did not sign never verifies, one the server signed does, and a one-byte
//! change to its `ts` or `tsm` does not. A header we sign parses and verifies; a changed MAC
//! does not.
#![no_main]

use std::time::{Duration, SystemTime};

use cashier_backends::crypto::hawk_sig::HawkTarget;
use cashier_backends::crypto::{HawkCredentials, HawkHeader, HawkKeyBytes};
use cashier_fuzz::{Cursor, fields};
use libfuzzer_sys::fuzz_target;
use secrecy::SecretString;

const KEY: &str = "E10ADC3949BA59ABBE56E057F20F883E";

enum Input<'a> {
    /// A `WWW-Authenticate` value as it arrives.
    WwwAuthenticate { hex_key: bool, header: &'a str },
    /// An `Authorization` value as it arrives.
    Authorization(&'a str),
    /// The server's stale-timestamp answer for `ts`, one byte of it changed at `at`.
    Stale {
        hex_key: bool,
        ts: u64,
        at: u16,
        to: u8,
    },
    /// A request we sign, then check as the sandbox does.
    Signed {
        path: &'a str,
        body: &'a [u8],
        ts: u32,
        at: u16,
    },
}

/// Input: a mode byte (its bit 2: the key is read as hex), then the header's text (modes 0, 1);
/// or the time (8 bytes), where to change a byte (2) and to what (1) (mode 2); or the time (4),
/// where to change the MAC (2), then path U+001F body (mode 3).
fn input(data: &[u8]) -> Input<'_> {
    let mut c = Cursor::new(data);
    let mode = c.u8();
    let hex_key = mode & 4 != 0;
    match mode % 4 {
        0 => Input::WwwAuthenticate {
            hex_key,
            header: text(c.rest()),
        },
        1 => Input::Authorization(text(c.rest())),
        2 => Input::Stale {
            hex_key,
            ts: c.u64(),
            at: c.u16(),
            to: c.u8(),
        },
        _ => {
            let ts = u32::from_le_bytes([c.u8(), c.u8(), c.u8(), c.u8()]);
            let at = c.u16();
            let [path, body] = fields(text(c.rest()));
            Input::Signed {
                path,
                body: body.as_bytes(),
                ts,
                at,
            }
        }
    }
}

/// The longest UTF-8 prefix: a header that is not text never reaches these parsers.
fn text(b: &[u8]) -> &str {
    match std::str::from_utf8(b) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&b[..e.valid_up_to()]).unwrap_or(""),
    }
}

fn creds(hex_key: bool) -> HawkCredentials {
    let bytes = if hex_key {
        HawkKeyBytes::Hex
    } else {
        HawkKeyBytes::Utf8
    };
    HawkCredentials::new("cashier", SecretString::from(KEY)).with_key_bytes(bytes)
}

/// The byte range of attribute `name`'s quoted value in `header`.
fn value_range(header: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let start = header.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = header[start..].find('"')?;
    Some(start..start + len)
}

fuzz_target!(|data: &[u8]| match input(data) {
    Input::WwwAuthenticate { hex_key, header } => {
        // Without the key nobody makes a tsm that verifies: a fuzzer never should.
        assert_eq!(creds(hex_key).server_time(header), None, "{header:?}");
    }
    Input::Authorization(header) => {
        if let Ok(h) = HawkHeader::parse(header) {
            let _ = (h.id(), h.nonce(), h.ts());
            let target = HawkTarget {
                method: "POST",
                host: "127.0.0.1",
                port: 80,
                path: "/",
            };
            let verified = h.verify(
                KEY.as_bytes(),
                target,
                "application/json",
                b"",
                Duration::MAX,
            );
            assert!(verified.is_err(), "{header:?} verified without the key");
        }
    }
    Input::Stale {
        hex_key,
        ts,
        at,
        to,
    } => {
        let ts = ts % 1_000_000_000_000;
        let creds = creds(hex_key);
        let server = SystemTime::UNIX_EPOCH + Duration::from_secs(ts);
        let header = creds
            .stale_timestamp_header(server)
            .expect("any time after 1970");
        assert_eq!(creds.server_time(&header), Some(server), "{header}");
        let ts_at = value_range(&header, "ts").expect("ts");
        let tsm_at = value_range(&header, "tsm").expect("tsm");
        let signed: Vec<usize> = ts_at.chain(tsm_at).collect();
        let i = signed[usize::from(at) % signed.len()];
        let mut changed = header.clone().into_bytes();
        if changed[i] != to {
            changed[i] = to;
            let changed = String::from_utf8_lossy(&changed);
            assert_eq!(creds.server_time(&changed), None, "{changed:?}");
        }
    }
    Input::Signed { path, body, ts, at } => {
        let path = format!("/{}", path.trim_start_matches('/'));
        let target = HawkTarget {
            method: "POST",
            host: "127.0.0.1",
            port: 8080,
            path: &path,
        };
        let when = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::from(ts));
        let Ok(header) = creds(false).sign(target, "application/json", body, when, "n0nce") else {
            return;
        };
        let parsed = HawkHeader::parse(&header).expect("what we sign parses");
        assert_eq!(
            (parsed.id(), parsed.nonce(), parsed.ts()),
            ("cashier", "n0nce", Some(when))
        );
        let verify = |h: &HawkHeader| {
            h.verify(
                KEY.as_bytes(),
                target,
                "application/json",
                body,
                Duration::MAX,
            )
            .is_ok()
        };
        assert!(verify(&parsed), "{header}");
        let mac = value_range(&header, "mac").expect("mac");
        let i = mac.start + usize::from(at) % mac.len();
        let mut changed = header.clone().into_bytes();
        changed[i] = if changed[i] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8_lossy(&changed);
        if let Ok(h) = HawkHeader::parse(&changed) {
            assert!(!verify(&h), "{changed}");
        }
    }
});
