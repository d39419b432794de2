//! Media types as both backends compare them: the type without parameters, ignoring case.

use axum::http::{HeaderMap, header};

/// The media type without parameters (`; charset=utf-8`), trimmed and lowercase: ASP.NET
/// compares media types ignoring case, and HAWK hashes the content type in this form.
pub fn media_type(raw: &str) -> String {
    raw.split_once(';')
        .map_or(raw, |(kind, _)| kind)
        .trim()
        .to_ascii_lowercase()
}

/// The request's declared media type; `None` without a `Content-Type`, and also for a header
/// that is not text, which names no type a server could read.
pub fn declared(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(media_type)
}

#[cfg(test)]
mod tests {
    use super::media_type;

    #[test]
    fn media_types_lose_parameters_and_case() {
        assert_eq!(
            media_type(" Application/JSON ; charset=utf-8"),
            "application/json"
        );
        assert_eq!(media_type("text/json"), "text/json");
        assert_eq!(media_type("application/json;"), "application/json");
        assert_eq!(media_type(""), "");
    }
}
