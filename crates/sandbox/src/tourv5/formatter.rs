//! The body's media type, as ASP.NET Web API reads it: a `[FromBody]` parameter is read by
//! the formatter its `Content-Type` names, and a body no formatter reads is refused with 415
//! Unsupported Media Type before the action runs (so nothing is processed or charged).
//!
//! The vendor pages (seeds 000–003) list JSON as `application/json` and `text/json`, which
//! Web API's JSON formatter both reads. They also list XML, form-urlencoded and BSON, which the
//! sandbox does not speak (docs/sandbox.md lists that as a deviation): Cashier sends JSON only,
//! so a body in any of them is a client bug the sandbox should show, not bind.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::hawk::BODY_LIMIT;
use crate::media;

/// The media types Web API's JSON formatter reads (seeds 000–003, "Request Formats").
const JSON_MEDIA_TYPES: &[&str] = &["application/json", "text/json"];
/// What Web API takes a body without `Content-Type` to be.
const NO_MEDIA_TYPE: &str = "application/octet-stream";

/// Runs inside the HAWK check (a request that does not authenticate gets its 401 first, as
/// Web API authenticates before it binds), and only for POSTs: every POST action of the back
/// office binds its body, no GET does.
pub async fn require_json(req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    // The HAWK check before this one already read the body within the same limit.
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let declared = media::declared(&parts.headers);
    // Web API binds the parameter's default for an empty body whatever its type: the
    // action's own checks then refuse it, as they do here.
    if bytes.is_empty() || declared.as_deref().is_some_and(is_json) {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    }
    let media = declared.unwrap_or_else(|| NO_MEDIA_TYPE.to_string());
    tracing::info!(path = %parts.uri.path(), %media, "Tour V5 body is not JSON: 415");
    unsupported(&media)
}

fn is_json(media: &str) -> bool {
    JSON_MEDIA_TYPES.contains(&media)
}

/// Web API's 415, as a remote client sees it (the exception's details are shown only to
/// local callers).
fn unsupported(media: &str) -> Response {
    let message =
        format!("The request entity's media type '{media}' is not supported for this resource.");
    (
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        json!({ "Message": message }).to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::is_json;
    use crate::media::media_type;

    #[test]
    fn json_media_types_with_or_without_parameters() {
        for ok in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            " text/json ;charset=utf-16",
        ] {
            assert!(is_json(&media_type(ok)), "{ok}");
        }
        for bad in [
            "",
            "text/plain",
            "application/xml",
            "text/xml",
            "application/x-www-form-urlencoded",
            "application/bson",
            "application/problem+json",
            "application/jsonx",
            "json",
        ] {
            assert!(!is_json(&media_type(bad)), "{bad}");
        }
    }
}
