//! HAWK checking as the back office does it (docs/protocols.md §1): which key signs which path,
//! the 60-second window for `ts` (login included), replayed nonces, and the ASP.NET 401 with
//! HAWK's `WWW-Authenticate` challenge; a stale `ts` gets the server's time and its `tsm`.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use cashier_backends::crypto::hawk_sig::HawkTarget;
use cashier_backends::crypto::{HawkHeader, HawkKeyDecode};
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;

use crate::app::App;
use crate::media;

pub const LOGIN_PATH: &str = "/api/UnPos/User/Login/ByPwd";
/// A nonce is remembered past the window twice over (a `ts` at the window's far edge when
/// first seen stays acceptable until it is the window behind), plus a minute's margin.
const NONCE_MARGIN: Duration = Duration::from_secs(60);
/// Forgetting old nonces walks the whole memory, so it is done at most this often rather
/// than on every request; a nonce kept a few seconds too long is harmless.
const PRUNE_EVERY: Duration = Duration::from_secs(10);
/// `ts` is unix seconds: 12 digits reach the year 33658, beyond any real clock.
const MAX_TS_DIGITS: usize = 12;
pub const BODY_LIMIT: usize = 64 * 1024;

/// The operator a request was verified for, handed to the handler as an extension.
#[derive(Debug, Clone)]
pub struct Operator(pub String);

/// Session keys issued by login and the nonces already seen.
#[derive(Debug, Default)]
pub struct Sessions {
    keys: HashMap<String, String>,
    /// (id, nonce) → when it may be forgotten.
    seen: HashMap<(String, String), SystemTime>,
    last_prune: Option<SystemTime>,
}

impl Sessions {
    /// A new login replaces the operator's session key: requests signed with the old one fail.
    pub fn replace(&mut self, operator: &str, key: String) {
        self.keys.insert(operator.to_string(), key);
    }

    fn key(&self, operator: &str) -> Option<String> {
        self.keys.get(operator).cloned()
    }

    /// True the first time an (id, nonce) pair is seen; it is then remembered for `memory`.
    fn first_use(&mut self, id: &str, nonce: &str, now: SystemTime, memory: Duration) -> bool {
        let due = self
            .last_prune
            .is_none_or(|at| now.duration_since(at).map_or(true, |d| d >= PRUNE_EVERY));
        if due {
            self.seen.retain(|_, forget_at| *forget_at > now);
            self.last_prune = Some(now);
        }
        let key = (id.to_string(), nonce.to_string());
        if self
            .seen
            .get(&key)
            .is_some_and(|forget_at| *forget_at > now)
        {
            return false;
        }
        // `now` plus a couple of days always fits; were it not to, refusing is the safe side.
        let Some(forget_at) = now.checked_add(memory) else {
            return false;
        };
        self.seen.insert(key, forget_at);
        true
    }
}

/// Why a request is refused, in the words HAWK servers put in `error="…"` (hueniverse).
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// No HAWK header at all: the bare challenge.
    Missing(&'static str),
    /// A header that does not authenticate the request.
    Bad {
        error: &'static str,
        why: &'static str,
    },
    /// The MAC verified but `ts` is outside the window: the server's time, with its `tsm`
    /// MACed under the key the request was signed with, so the client can trust it.
    Stale { server_ts: u64, tsm: String },
}

fn bad(error: &'static str, why: &'static str) -> Refusal {
    Refusal::Bad { error, why }
}

impl Refusal {
    fn challenge(&self) -> String {
        match self {
            Refusal::Missing(_) => "Hawk".into(),
            Refusal::Bad { error, .. } => format!("Hawk error=\"{error}\""),
            Refusal::Stale { server_ts, tsm } => {
                format!("Hawk ts=\"{server_ts}\", tsm=\"{tsm}\", error=\"Stale timestamp\"")
            }
        }
    }

    fn why(&self) -> &'static str {
        match self {
            Refusal::Missing(why) | Refusal::Bad { why, .. } => why,
            Refusal::Stale { .. } => "ts outside the window",
        }
    }
}

/// ASP.NET Web API's answer to a refused `[Authorize]`, with HAWK's challenge.
fn unauthorized(challenge: &str) -> Response {
    let mut r = (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        r#"{"Message":"Authorization has been denied for this request."}"#,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(challenge) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

/// The answer to a request whose signature does not verify (also the Tour V5 side of the
/// `bad_signature` fault).
pub fn denied() -> Response {
    unauthorized(&bad("Bad mac", "").challenge())
}

/// `tsm` = Base64(HMAC-SHA256(key, "hawk.1.ts\n{ts}\n")) (docs/protocols.md §1, the HAWK spec).
pub fn timestamp_mac(key: &[u8], ts: u64) -> String {
    // HMAC takes a key of any length; an empty tsm (never reached) would simply not verify.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(format!("hawk.1.ts\n{ts}\n").as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

pub async fn require_hawk(State(app): State<App>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    match verify(&app, &parts, &bytes) {
        Ok(op) => {
            parts.extensions.insert(op);
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(refusal) => {
            tracing::info!(path = %parts.uri.path(), why = refusal.why(), "HAWK refused");
            unauthorized(&refusal.challenge())
        }
    }
}

fn verify(app: &App, parts: &Parts, body: &[u8]) -> Result<Operator, Refusal> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(Refusal::Missing("no Authorization header"))?;
    // The `hawk` crate panics on a `ts` too large for a time (it adds it to the epoch
    // unchecked), so every `ts` is checked here before it ever parses the header.
    let attributes = value
        .trim()
        .strip_prefix("Hawk ")
        .ok_or(Refusal::Missing("not a Hawk header"))?;
    if !ts_is_sane(attributes) {
        return Err(bad("Invalid timestamp", "ts is not 1 to 12 digits"));
    }
    let hawk =
        HawkHeader::parse(value).map_err(|_| bad("Bad header format", "malformed Hawk header"))?;
    let id = hawk.id();
    if id != app.operator {
        return Err(bad("Unknown credentials", "unknown id"));
    }
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let login = parts.uri.path() == LOGIN_PATH;
    let key = if login || password_signed(&app.password_key_paths, parts.uri.path()) {
        app.password_key.expose_secret().to_string()
    } else {
        app.sessions()
            .key(id)
            .ok_or(bad("Unknown credentials", "no session: log in first"))?
    };
    let host_header = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .ok_or(bad("Invalid Host header", "no Host header"))?;
    let (host, port) =
        split_host(host_header).ok_or(bad("Invalid Host header", "bad Host header"))?;
    // The content type as the Hawk spec hashes it: the media type without parameters, so a
    // client hashing `application/json` may send it with `; charset=utf-8`.
    let content_type = media::declared(&parts.headers).unwrap_or_default();
    let target = HawkTarget {
        method: parts.method.as_str(),
        host,
        port,
        path,
    };
    let key = app
        .hawk_key_bytes
        .of(&key)
        .map_err(|_| bad("Unknown credentials", "key does not decode"))?;
    // The MAC and payload hash first, whatever the `ts`: only a request signed with the
    // right key learns the server's time. The window is then checked against the sandbox's
    // own clock (which may be set away from the system's), for login as for any other call:
    // a till with a wrong clock learns the server's time from the 401, not from a login the
    // back office let through.
    hawk.verify(&key, target, &content_type, body, Duration::MAX)
        .map_err(|_| bad("Bad mac", "signature does not verify"))?;
    let now = app.now();
    let ts = hawk.ts().ok_or(bad("Missing attributes", "no ts"))?;
    let skew = match ts.duration_since(now.wall) {
        Ok(ahead) => ahead,
        Err(behind) => behind.duration(),
    };
    if skew > app.hawk_skew {
        let server_ts = now.unix_secs();
        return Err(Refusal::Stale {
            server_ts,
            tsm: timestamp_mac(&key, server_ts),
        });
    }
    let memory = app.hawk_skew.saturating_mul(2).saturating_add(NONCE_MARGIN);
    if !app.sessions().first_use(id, hawk.nonce(), now.wall, memory) {
        return Err(bad("Invalid nonce", "replayed nonce"));
    }
    Ok(Operator(id.to_string()))
}

/// Whether `path` (as requested, with its leading slash) is signed with `UPPER(MD5(password))`:
/// it starts with one of the configured prefixes (`api/Pos/` by default, ASSUMPTION,
/// docs/protocols.md §1), which are written without the leading slash, as the client matches them.
fn password_signed(prefixes: &[String], path: &str) -> bool {
    let path = path.strip_prefix('/').unwrap_or(path);
    prefixes.iter().any(|p| path.starts_with(p.as_str()))
}

/// Whether every `ts` attribute is 1 to 12 ASCII digits, reading the attributes exactly as the
/// `hawk` crate's parser walks them (`name="value"` separated by commas and spaces), so that
/// no `ts` it would reach goes unchecked. A header this walk cannot read is refused too.
fn ts_is_sane(attributes: &str) -> bool {
    let mut rest = attributes;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        if rest.is_empty() {
            return true;
        }
        let Some((name, after)) = rest.split_once('=') else {
            return false;
        };
        let Some((value, after)) = after
            .trim_start()
            .strip_prefix('"')
            .and_then(|v| v.split_once('"'))
        else {
            return false;
        };
        let digits =
            (1..=MAX_TS_DIGITS).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit());
        if name.trim() == "ts" && !digits {
            return false;
        }
        rest = after;
    }
}

/// `host[:port]` as HAWK normalises it; IPv6 hosts keep their brackets, as URLs print them.
fn split_host(value: &str) -> Option<(&str, u16)> {
    let (host, port) = match value.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && (!h.contains(':') || h.ends_with(']')) => {
            (h, p.parse().ok()?)
        }
        _ => (value, 80),
    };
    (!host.is_empty()).then_some((host, port))
}

#[cfg(test)]
mod tests {
    use super::{password_signed, split_host, timestamp_mac, ts_is_sane};

    /// Vectors from Python's `hmac` (an implementation we did not write).
    #[test]
    fn tsm_is_the_hawk_timestamp_mac() {
        assert_eq!(
            timestamp_mac(b"E10ADC3949BA59ABBE56E057F20F883E", 1353832234),
            "0KWz9mLIxgL1ipXRLpHDJ+0B4DTeF5jEufTN1iCiNpI="
        );
        assert_eq!(
            timestamp_mac(b"werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn", 1353832234),
            "2mw1eh/qXzl0wJZ/E6XvBhRMEJN7L3j8AyMA8eItEb0="
        );
    }

    #[test]
    fn password_signed_paths_follow_the_prefixes() {
        let default = vec!["api/Pos/".to_string()];
        assert!(password_signed(
            &default,
            "/api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode"
        ));
        assert!(!password_signed(&default, "/api/3Pay/KouDaiLQ/BarCode"));
        assert!(!password_signed(&default, "/api/UnPos/3Pay/Wechat/Query"));
        let both = vec!["api/Pos/".to_string(), "api/3Pay/".to_string()];
        assert!(password_signed(&both, "/api/3Pay/KouDaiLQ/BarCode"));
        assert!(!password_signed(&both, "/api/UnPos/3Pay/Wechat/Query"));
        assert!(!password_signed(&[], "/api/Pos/x"));
    }

    #[test]
    fn ts_must_be_a_few_digits() {
        let ok = r#"id="cashier", ts="1353832234", nonce="j4h3g2", mac="6R4r""#;
        assert!(ts_is_sane(ok));
        assert!(ts_is_sane(r#", id  =  "x", ts="1" ,, mac="m""#));
        for bad in [
            r#"id="x", ts="18446744073709551615", mac="m""#,
            r#"id="x", ts="1234567890123", mac="m""#,
            r#"id="x", ts="", mac="m""#,
            r#"id="x", ts="-1", mac="m""#,
            r#"id="x", ts = "12a", mac="m""#,
            r#"id="x", ts="1", ts="99999999999999999999""#,
            r#"id="x", ts="1"#,
            r#"id"#,
        ] {
            assert!(!ts_is_sane(bad), "{bad}");
        }
    }

    #[test]
    fn host_header_forms() {
        assert_eq!(split_host("127.0.0.1:8686"), Some(("127.0.0.1", 8686)));
        assert_eq!(split_host("example.com"), Some(("example.com", 80)));
        assert_eq!(split_host("[::1]:9000"), Some(("[::1]", 9000)));
        assert_eq!(split_host("[::1]"), Some(("[::1]", 80)));
        assert_eq!(split_host("host:notaport"), None);
    }
}
