//! One shared HTTP client for every backend: rustls, connect and request timeouts, and a
//! classification of failures into "never sent" and "may have been sent".

use std::time::Duration;

use reqwest::{Client, Method, StatusCode, Url};

use crate::Error;

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
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
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
        Error::Unreachable(e.to_string())
    } else if e.is_timeout() {
        Error::NoAnswer(format!("timed out: {e}"))
    } else {
        Error::NoAnswer(e.to_string())
    }
}
