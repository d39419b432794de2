//! The simulated Tencent Cloud Pay (`/cpay/<name>`, docs/protocols.md §2, seed 004).
//!
//! `request_content` is verified over its exact text; every status-0 answer is signed over
//! the exact `response_content` text it carries, and failures are unsigned, as the real
//! service does, so a client that trusts an unsigned "paid" is caught.

mod fields;
mod order;
mod pay;
mod refund;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use cashier_backends::crypto::AuthenKey;
use rand::Rng;
use serde_json::{Map, Value, json};

use crate::app::App;
use crate::media;

const ENDPOINT: &str = "/cpay/{name}";
/// The one media type Cloud Pay's requests are sent as.
const JSON: &str = "application/json";
/// The routes, for the start-up check of configured paths.
pub const PATHS: &[&str] = &[ENDPOINT];

pub fn routes() -> Router<App> {
    Router::new().route(ENDPOINT, post(dispatch))
}

/// What an endpoint answers, before it is serialised and signed.
/// Endpoints return `Err` for a refusal found on the way, so `?` can end them early; both
/// sides are answered the same way.
#[derive(Debug)]
pub enum Reply {
    /// Status 0 with the payload object named after the endpoint.
    Done { name: &'static str, payload: Value },
    Failed {
        status: i64,
        internal: i64,
        description: String,
    },
}

impl Reply {
    /// Status 101: a malformed request, "failed, do not retry".
    pub fn invalid(description: impl Into<String>) -> Reply {
        Reply::Failed {
            status: 101,
            internal: 0,
            description: description.into(),
        }
    }

    /// Any failure status (3, 101…104) without an internal status.
    pub fn failed(status: i64, description: &str) -> Reply {
        Reply::Failed {
            status,
            internal: 0,
            description: description.to_string(),
        }
    }

    /// Status 104: refused by the business rules.
    pub fn refused(internal: i64, description: &str) -> Reply {
        Reply::Failed {
            status: 104,
            internal,
            description: description.to_string(),
        }
    }

    fn render(self, key: &AuthenKey) -> Response {
        let log_id: u32 = rand::thread_rng().r#gen();
        let answer = match self {
            Reply::Done { name, payload } => {
                let mut content = Map::new();
                content.insert("status".into(), json!(0));
                content.insert("description".into(), json!("操作成功。"));
                content.insert("log_id".into(), json!(log_id));
                content.insert("internal_status".into(), json!(0));
                content.insert(name.into(), payload);
                // Serialised once, in the vendor's style (seed 004 shows `\u64CD` and `\/`):
                // the signed text is the text sent, and a client that re-serialises before
                // verifying would fail here as it would at Tencent.
                let text = vendor_style(&Value::Object(content).to_string());
                let code = key.sign(&text);
                json!({
                    "response_content": text,
                    "authen_info": {"a": {"authen_type": 1, "authen_code": code}},
                })
            }
            Reply::Failed {
                status,
                internal,
                description,
            } => {
                let text = json!({
                    "status": status,
                    "description": description,
                    "log_id": log_id,
                    "internal_status": internal,
                })
                .to_string();
                json!({"response_content": vendor_style(&text)})
            }
        };
        (
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            answer.to_string(),
        )
            .into_response()
    }
}

async fn dispatch(
    State(app): State<App>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let endpoint: fn(&App, &HeaderMap, &Value) -> Result<Reply, Reply> = match name.as_str() {
        "scan_code_pay" => pay::scan_code_pay,
        "micro_pay" => pay::micro_pay,
        "query_order" => order::query_order,
        "close_order" => order::close_order,
        "refund" => refund::refund,
        "query_refund_order" => refund::query_refund_order,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let reply = match json_body(&headers).and_then(|()| open(&app.authen, &body)) {
        Ok(content) => endpoint(&app, &headers, &content).unwrap_or_else(|refusal| refusal),
        Err(reply) => reply,
    };
    if let Reply::Failed {
        status,
        description,
        ..
    } = &reply
    {
        tracing::info!(endpoint = %name, status, %description, "cloud pay refused");
    }
    reply.render(&app.authen)
}

/// Cloud Pay's requests are JSON documents (docs/protocols.md §2, seed 004): a body declared as
/// anything else, or as nothing, is refused before it is read, the way the service refuses
/// any malformed request (101, unsigned). The pages do not show that answer: docs/sandbox.md
/// lists it among the sandbox's assumptions.
fn json_body(headers: &HeaderMap) -> Result<(), Reply> {
    match media::declared(headers).as_deref() {
        Some(JSON) => Ok(()),
        _ => Err(Reply::invalid(
            "Content-Type 不是 application/json request body must be sent as application/json",
        )),
    }
}

/// Checks the envelope and the authen_code over the exact `request_content` text, then
/// parses that text.
fn open(key: &AuthenKey, body: &[u8]) -> Result<Value, Reply> {
    let envelope: Value = serde_json::from_slice(body)
        .map_err(|_| Reply::invalid("请求不是 JSON request body is not JSON"))?;
    let content = envelope
        .get("request_content")
        .and_then(Value::as_str)
        .ok_or_else(|| Reply::invalid("缺少 request_content (a JSON string)"))?;
    let authen = envelope.pointer("/authen_info/a");
    let kind = authen
        .and_then(|a| a.get("authen_type"))
        .and_then(Value::as_i64);
    let code = authen
        .and_then(|a| a.get("authen_code"))
        .and_then(Value::as_str);
    match (kind, code) {
        (Some(1), Some(code)) if uppercase_hex(code) && key.verify(content, code) => {}
        _ => return Err(Reply::invalid("authen_code verify failed")),
    }
    let parsed: Value = serde_json::from_str(content)
        .map_err(|_| Reply::invalid("request_content 不是 JSON request_content is not JSON"))?;
    if parsed.is_object() {
        Ok(parsed)
    } else {
        Err(Reply::invalid(
            "request_content 不是 JSON 对象 request_content is not an object",
        ))
    }
}

/// docs/protocols.md §2: authen_code is the *uppercase* hex of the HMAC, 64 characters; the same
/// MAC in lower case is another string and does not verify.
fn uppercase_hex(code: &str) -> bool {
    code.len() == 64 && code.bytes().all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F'))
}

/// JSON text as seed 004's sample writes it: every non-ASCII character as `\uXXXX` (UTF-16)
/// and `/` as `\/`. Both only ever occur inside strings in JSON, so this stays valid JSON
/// with the same meaning.
fn vendor_style(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 4);
    for c in json.chars() {
        match c {
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04X}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::vendor_style;

    #[test]
    fn vendor_style_keeps_the_meaning() {
        let text = serde_json::json!({"description": "操作成功。", "code_url": "weixin://wxpay/x", "e": "😀"})
            .to_string();
        let styled = vendor_style(&text);
        assert!(
            styled.contains("\\u64CD")
                && styled.contains("weixin:\\/\\/wxpay")
                && styled.is_ascii()
        );
        let a: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let b: serde_json::Value = serde_json::from_str(&styled).unwrap_or_default();
        assert_eq!(a, b);
    }
}
