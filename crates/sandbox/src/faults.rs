//! Fault injection: the next `count` backend calls matching an endpoint misbehave the way
//! real networks and gateways do, so clients can be tested against every "unknown" outcome.
//!
//! Kinds that commit (`delay`, `malformed_json`, `bad_signature` on Cloud Pay,
//! `commit_then_hang`) run the real handler, so the charge is in the ledger while the
//! client gets no usable answer: exactly the case where a client must query, not pay again.
//! Shutdown cuts a `delay` still waiting (nothing is committed) and a `commit_then_hang`.

use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::App;
use crate::conn::Line;

/// How long `commit_then_hang` holds an answer back: longer than any client timeout.
const HANG: Duration = Duration::from_secs(600);
const ANSWER_LIMIT: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    Delay,
    Http500,
    Reset,
    MalformedJson,
    HtmlError,
    BadSignature,
    CommitThenHang,
    /// Refused, nothing processed, in words that repeat the full payment code of the request
    /// (real backends do echo it): the client must keep it out of its journal, logs and screen.
    EchoCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// Request path without the leading slash (`cpay/micro_pay`), a prefix ending in `*`
    /// (`api/Pos/*`), or `*` for every backend call. Matched case-insensitively, like the
    /// ASP.NET routes it stands for; a path also matches its sub-paths (`…/ByBillNum` matches
    /// `…/ByBillNum/S001`).
    pub endpoint: String,
    pub kind: FaultKind,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default)]
    pub delay_ms: u64,
}

fn one() -> u32 {
    1
}

impl Fault {
    fn matches(&self, path: &str) -> bool {
        let want = self.endpoint.trim_matches('/').to_ascii_lowercase();
        let path = path.trim_matches('/').to_ascii_lowercase();
        if want == "*" {
            return true;
        }
        if let Some(prefix) = want.strip_suffix('*') {
            return path.starts_with(prefix);
        }
        path == want || path.starts_with(&format!("{want}/"))
    }
}

/// The armed faults, in the order they were armed.
#[derive(Debug, Default)]
pub struct Armory {
    armed: Vec<Fault>,
}

impl Armory {
    pub fn arm(&mut self, mut fault: Fault) {
        fault.endpoint = fault.endpoint.trim_start_matches('/').to_string();
        if fault.count > 0 {
            self.armed.push(fault);
        }
    }

    pub fn list(&self) -> Vec<Fault> {
        self.armed.clone()
    }

    pub fn clear(&mut self) {
        self.armed.clear();
    }

    /// Fires the first armed fault matching `path`, disarming it once its count is used up.
    fn fire(&mut self, path: &str) -> Option<Fault> {
        let i = self.armed.iter().position(|f| f.matches(path))?;
        let armed = self.armed.get_mut(i)?;
        let fault = armed.clone();
        armed.count = armed.count.saturating_sub(1);
        if armed.count == 0 {
            self.armed.remove(i);
        }
        Some(fault)
    }
}

pub async fn fault_gate(State(app): State<App>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let Some(fault) = app.armory().fire(&path) else {
        return next.run(req).await;
    };
    let line = req
        .extensions()
        .get::<ConnectInfo<Line>>()
        .map(|c| c.0.clone());
    let peer = line
        .as_ref()
        .map(|l| l.peer.to_string())
        .unwrap_or_default();
    tracing::warn!(path = %path, kind = ?fault.kind, %peer, "injecting fault");
    match fault.kind {
        FaultKind::Delay => {
            let mut stop = app.stop.clone();
            let stopping = tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(fault.delay_ms)) => false,
                _ = stop.wait_for(|s| *s) => true,
            };
            if !stopping {
                return next.run(req).await;
            }
            // Shutting down: the delayed call is cut before it reaches the backend, so
            // nothing is committed and shutdown does not wait out the delay.
            if let Some(line) = line {
                line.sever();
            }
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
        FaultKind::Http500 => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            r#"{"Message":"An error has occurred."}"#,
        )
            .into_response(),
        FaultKind::Reset => {
            if let Some(line) = line {
                line.sever();
            }
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        FaultKind::MalformedJson => truncate(next.run(req).await).await,
        FaultKind::HtmlError => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
             <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n\
             </body>\r\n</html>\r\n",
        )
            .into_response(),
        FaultKind::BadSignature if path.starts_with("/cpay/") => {
            corrupt_authen_code(next.run(req).await).await
        }
        // Tour V5 has no answer signature: its "bad signature" is a refused HAWK check.
        FaultKind::BadSignature => crate::tourv5::hawk::denied(),
        FaultKind::EchoCode => echo_code(req, &path).await,
        FaultKind::CommitThenHang => {
            let _committed = next.run(req).await;
            let mut stop = app.stop.clone();
            tokio::select! {
                _ = tokio::time::sleep(HANG) => {}
                _ = stop.wait_for(|s| *s) => {}
            }
            if let Some(line) = line {
                line.sever();
            }
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    }
}

/// A refusal that repeats the request's payment code: Tour V5's envelope with `errcode` -1
/// (KouDaiLQ's `barCode`), or Cloud Pay's unsigned status 104 (`pay_content.author_code`).
async fn echo_code(req: Request, path: &str) -> Response {
    let bytes = to_bytes(req.into_body(), ANSWER_LIMIT)
        .await
        .unwrap_or_default();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if path.starts_with("/cpay/") {
        let content: Value = body
            .get("request_content")
            .and_then(Value::as_str)
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(Value::Null);
        let code = content
            .pointer("/pay_content/author_code")
            .and_then(Value::as_str)
            .unwrap_or("");
        let text = serde_json::json!({
            "status": 104,
            "description": format!("付款码 {code} 无效 auth_code {code} is invalid"),
            "log_id": 1,
            "internal_status": 0,
        })
        .to_string();
        return (
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            serde_json::json!({"response_content": text}).to_string(),
        )
            .into_response();
    }
    let code = body.get("barCode").and_then(Value::as_str).unwrap_or("");
    crate::tourv5::envelope(
        -1,
        &format!("付款码 {code} 已失效 payment code {code} is no longer valid"),
        Value::Null,
    )
}

/// The real answer cut in half: HTTP 200, JSON content type, unparseable body.
async fn truncate(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = to_bytes(body, ANSWER_LIMIT).await.unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    parts.status = StatusCode::OK;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    Response::from_parts(parts, Body::from(cut))
}

/// The real Cloud Pay answer with an authen_code that does not verify (added to unsigned
/// answers too, so the fault is always visible).
async fn corrupt_authen_code(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = to_bytes(body, ANSWER_LIMIT).await.unwrap_or_default();
    let Ok(mut answer) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let wrong = match answer
        .pointer("/authen_info/a/authen_code")
        .and_then(Value::as_str)
    {
        Some(code) => flip_first_hex(code),
        None => "0".repeat(64),
    };
    if let Some(obj) = answer.as_object_mut() {
        obj.insert(
            "authen_info".into(),
            serde_json::json!({"a": {"authen_type": 1, "authen_code": wrong}}),
        );
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(answer.to_string()))
}

fn flip_first_hex(code: &str) -> String {
    let mut chars: Vec<char> = code.chars().collect();
    if let Some(c) = chars.first_mut() {
        *c = if *c == '0' { '1' } else { '0' };
    }
    chars.into_iter().collect()
}
