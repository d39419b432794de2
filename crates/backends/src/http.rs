//! One shared HTTP client for every backend: rustls, connect and request timeouts, and the one
//! classification of what a call came to (`CallError`): never sent, refused by the backend, or
//! no trustworthy answer. The clients add only their vendors' own refusal codes.

use std::time::Duration;

use reqwest::{Client, Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use cashier_core::reasons::{ConfigError, Part};
use cashier_core::{Error, RefusalReason};

pub use cashier_core::backend::http::HttpPolicy;

#[derive(Debug, Clone)]
pub struct Http {
    client: Client,
}

/// A complete HTTP answer, body read.
#[derive(Debug, Clone)]
pub struct RawAnswer {
    pub status: StatusCode,
    pub body: Vec<u8>,
    /// `WWW-Authenticate`, where a 401 carries one (HAWK's stale-timestamp answer).
    pub www_authenticate: Option<String>,
}

impl Http {
    pub fn new(policy: HttpPolicy) -> Result<Http, Error> {
        let client = Client::builder()
            .use_rustls_tls()
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.request_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| ConfigError::Start {
                part: Part::HttpClient,
                error: e.to_string(),
            })?;
        Ok(Http { client })
    }

    /// Opens (and pools) a connection to `base` so the first payment call does not pay for
    /// the TCP and TLS handshakes. Called when a payment screen opens; failures are ignored
    /// because the real call will report them.
    pub async fn preconnect(&self, base: &Url) {
        let _ = self.client.head(base.clone()).send().await;
    }

    pub async fn send(
        &self,
        method: Method,
        url: Url,
        headers: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Result<RawAnswer, Error> {
        let mut req = self.client.request(method, url);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        let resp = req.send().await.map_err(classify)?;
        let status = resp.status();
        let www_authenticate = resp
            .headers()
            .get(reqwest::header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = resp.bytes().await.map_err(classify)?.to_vec();
        Ok(RawAnswer {
            status,
            body,
            www_authenticate,
        })
    }
}

/// A connect failure means nothing left this machine; anything later may have reached the
/// backend, so it must be treated as "maybe charged" by payment calls.
fn classify(e: reqwest::Error) -> Error {
    if e.is_connect() || e.is_builder() {
        Error::not_sent(e.to_string())
    } else if e.is_timeout() {
        Error::no_answer(format!("timed out: {e}"))
    } else {
        Error::no_answer(e.to_string())
    }
}

/// How much of a refusal's body is kept as the backend's words.
const REFUSAL_TEXT: usize = 300;

impl RawAnswer {
    /// What the status says, for both backends, before a vendor reads the body: 200 reads
    /// on; a 4xx is a refusal before any processing (both vendors' frameworks check the
    /// signature and the model first), so nothing moved; anything else — a 5xx, a redirect,
    /// a gateway's page — is no trustworthy answer, and the money may have moved.
    pub fn status_ok(&self) -> Result<&Self, Error> {
        match self.status {
            StatusCode::OK => Ok(self),
            StatusCode::UNAUTHORIZED => Err(self.refusal(RefusalReason::Signature)),
            s if s.is_client_error() => Err(self.refusal(RefusalReason::Request)),
            s => Err(Error::no_answer(format!("HTTP {s}"))),
        }
    }

    fn refusal(&self, reason: RefusalReason) -> Error {
        let said: String = String::from_utf8_lossy(&self.body)
            .chars()
            .take(REFUSAL_TEXT)
            .collect();
        Error::refused(reason, self.status.as_u16().to_string(), said)
    }

    /// The body as JSON; a body that does not read is no trustworthy answer.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        read_json(&self.body, "answer")
    }
}

/// JSON that came from a backend (`what` names it in the reason); a text that does not read
/// is no trustworthy answer.
pub fn read_json<T: DeserializeOwned>(text: &[u8], what: &str) -> Result<T, Error> {
    serde_json::from_slice(text).map_err(|e| Error::no_answer(format!("malformed {what}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cashier_core::{CallFate, RefusalReason};

    fn answer(status: u16) -> RawAnswer {
        RawAnswer {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT),
            body: b"{\"Message\":\"no\"}".to_vec(),
            www_authenticate: None,
        }
    }

    /// The one status rule both clients share: 4xx refused (nothing moved), anything else
    /// but 200 no trustworthy answer.
    #[test]
    fn statuses_are_classified_once_for_both_backends() {
        assert!(answer(200).status_ok().is_ok());
        for (status, reason) in [
            (401, RefusalReason::Signature),
            (400, RefusalReason::Request),
            (404, RefusalReason::Request),
            (415, RefusalReason::Request),
        ] {
            let e = answer(status).status_ok().err();
            let r = e.as_ref().and_then(Error::refusal);
            assert_eq!(
                r.map(|r| (r.reason, r.vendor_code.as_str())),
                Some((reason, status.to_string().as_str()))
            );
            assert_eq!(e.map(|e| e.fate()), Some(CallFate::Refused));
        }
        for status in [201, 302, 500, 502, 503, 504] {
            let e = answer(status).status_ok().err();
            assert_eq!(
                e.map(|e| e.fate()),
                Some(CallFate::MayHaveMoved),
                "{status}"
            );
        }
        let bad: Result<serde_json::Value, _> = RawAnswer {
            body: b"<html>".to_vec(),
            ..answer(200)
        }
        .json();
        assert_eq!(bad.err().map(|e| e.fate()), Some(CallFate::MayHaveMoved));
    }
}
