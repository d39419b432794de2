//! HAWK checking as the back office does it (PROTOCOLS §1): which key signs which path,
//! clock skew, replayed nonces, and the ASP.NET 401 answer.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cashier_core::crypto::HawkHeader;
use cashier_core::crypto::hawk_sig::HawkTarget;
use secrecy::ExposeSecret;

use crate::app::App;

pub const LOGIN_PATH: &str = "/api/UnPos/User/Login/ByPwd";
const MAX_SKEW: Duration = Duration::from_secs(300);
/// How far off a login's `ts` may be (see [`verify`]).
const LOGIN_SKEW: Duration = Duration::from_secs(24 * 3600);
/// A nonce is remembered as long as a request carrying it could still be accepted: its `ts`
/// may be up to the skew ahead of the clock when first seen and is accepted until it is the
/// skew behind, so twice the skew, plus a minute's margin.
const NONCE_MEMORY: Duration = Duration::from_secs(2 * 300 + 60);
const LOGIN_NONCE_MEMORY: Duration = Duration::from_secs(2 * 24 * 3600 + 60);
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
        // `now` plus two days always fits; were it not to, refusing is the safe side.
        let Some(forget_at) = now.checked_add(memory) else {
            return false;
        };
        self.seen.insert(key, forget_at);
        true
    }
}

/// ASP.NET Web API's answer to a refused `[Authorize]`.
pub fn denied() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        r#"{"Message":"Authorization has been denied for this request."}"#,
    )
        .into_response()
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
        Err(why) => {
            tracing::info!(path = %parts.uri.path(), why, "HAWK refused");
            denied()
        }
    }
}

fn verify(app: &App, parts: &Parts, body: &[u8]) -> Result<Operator, &'static str> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or("no Authorization header")?;
    // The `hawk` crate panics on a `ts` too large for a time (it adds it to the epoch
    // unchecked), so every `ts` is checked here before it ever parses the header.
    let attributes = value
        .trim()
        .strip_prefix("Hawk ")
        .ok_or("not a Hawk header")?;
    if !ts_is_sane(attributes) {
        return Err("ts is not 1 to 12 digits");
    }
    let hawk = HawkHeader::parse(value).map_err(|_| "malformed Hawk header")?;
    let id = hawk.id();
    if id != app.operator {
        return Err("unknown id");
    }
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let login = parts.uri.path() == LOGIN_PATH;
    let key = if login || password_signed(&app.password_key_paths, parts.uri.path()) {
        app.password_key.expose_secret().to_string()
    } else {
        app.sessions().key(id).ok_or("no session: log in first")?
    };
    let host_header = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .ok_or("no Host header")?;
    let (host, port) = split_host(host_header).ok_or("bad Host header")?;
    let content_type = hawk_content_type(
        parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    );
    let target = HawkTarget {
        method: parts.method.as_str(),
        host,
        port,
        path,
    };
    // ASSUMPTION (not in the seeds): login takes a ts up to a day off, so that a till with a
    // wrong clock can still log in and correct itself from ServerTime (PROTOCOLS §1), while a
    // captured login cannot be replayed forever; every other call must be within five
    // minutes. Login nonces are remembered accordingly longer.
    let (skew, memory) = if login {
        (LOGIN_SKEW, LOGIN_NONCE_MEMORY)
    } else {
        (MAX_SKEW, NONCE_MEMORY)
    };
    let key = app
        .hawk_key_bytes
        .of(&key)
        .map_err(|_| "key does not decode")?;
    hawk.verify(&key, target, &content_type, body, skew)
        .map_err(|_| "signature does not verify")?;
    if !app
        .sessions()
        .first_use(id, hawk.nonce(), SystemTime::now(), memory)
    {
        return Err("replayed nonce");
    }
    Ok(Operator(id.to_string()))
}

/// Whether `path` (as requested, with its leading slash) is signed with `UPPER(MD5(password))`:
/// it starts with one of the configured prefixes (`api/Pos/` by default, ASSUMPTION,
/// PROTOCOLS §1), which are written without the leading slash, as the client matches them.
fn password_signed(prefixes: &[String], path: &str) -> bool {
    let path = path.strip_prefix('/').unwrap_or(path);
    prefixes.iter().any(|p| path.starts_with(p.as_str()))
}

/// The content type as the Hawk spec hashes it: lowercase, without parameters such as
/// `; charset=utf-8`, trimmed. A client hashing `application/json` may send it with a charset.
fn hawk_content_type(raw: &str) -> String {
    raw.split_once(';')
        .map_or(raw, |(kind, _)| kind)
        .trim()
        .to_ascii_lowercase()
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
    use super::{hawk_content_type, password_signed, split_host, ts_is_sane};

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
    fn content_type_is_normalised() {
        assert_eq!(
            hawk_content_type(" Application/JSON ; charset=utf-8"),
            "application/json"
        );
        assert_eq!(hawk_content_type("text/json"), "text/json");
        assert_eq!(hawk_content_type(""), "");
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
