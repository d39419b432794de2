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
/// Nonces are remembered a little longer than a request can be accepted with skew.
const NONCE_MEMORY: Duration = Duration::from_secs(2 * 300 + 60);
pub const BODY_LIMIT: usize = 64 * 1024;

/// The operator a request was verified for, handed to the handler as an extension.
#[derive(Debug, Clone)]
pub struct Operator(pub String);

/// Session keys issued by login and the nonces already seen.
#[derive(Debug, Default)]
pub struct Sessions {
    keys: HashMap<String, String>,
    seen: HashMap<(String, String), SystemTime>,
}

impl Sessions {
    /// A new login replaces the operator's session key: requests signed with the old one fail.
    pub fn replace(&mut self, operator: &str, key: String) {
        self.keys.insert(operator.to_string(), key);
    }

    fn key(&self, operator: &str) -> Option<String> {
        self.keys.get(operator).cloned()
    }

    /// True the first time an (id, nonce) pair is seen.
    fn first_use(&mut self, id: &str, nonce: &str, now: SystemTime) -> bool {
        self.seen.retain(|_, at| {
            now.duration_since(*at)
                .map_or(true, |age| age < NONCE_MEMORY)
        });
        self.seen
            .insert((id.to_string(), nonce.to_string()), now)
            .is_none()
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
    let hawk = HawkHeader::parse(value).map_err(|_| "malformed Hawk header")?;
    let id = hawk.id();
    if id != app.operator {
        return Err("unknown id");
    }
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let login = parts.uri.path() == LOGIN_PATH;
    let key = if login || parts.uri.path().starts_with("/api/Pos/") {
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
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let target = HawkTarget {
        method: parts.method.as_str(),
        host,
        port,
        path,
    };
    // ASSUMPTION (brief): login takes any ts, so a client with a wrong clock can log in and
    // learn ServerTime; every other call must be within five minutes.
    let skew = if login { Duration::MAX } else { MAX_SKEW };
    let key = app
        .hawk_key_bytes
        .of(&key)
        .map_err(|_| "key does not decode")?;
    hawk.verify(&key, target, content_type, body, skew)
        .map_err(|_| "signature does not verify")?;
    if !app
        .sessions()
        .first_use(id, hawk.nonce(), SystemTime::now())
    {
        return Err("replayed nonce");
    }
    Ok(Operator(id.to_string()))
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
    use super::split_host;

    #[test]
    fn host_header_forms() {
        assert_eq!(split_host("127.0.0.1:8686"), Some(("127.0.0.1", 8686)));
        assert_eq!(split_host("example.com"), Some(("example.com", 80)));
        assert_eq!(split_host("[::1]:9000"), Some(("[::1]", 9000)));
        assert_eq!(split_host("[::1]"), Some(("[::1]", 80)));
        assert_eq!(split_host("host:notaport"), None);
    }
}
