//! One shared HTTP client for every backend: rustls, connect and request timeouts, and a
//! classification of failures into "never sent" and "may have been sent".

use std::time::Duration;

use reqwest::{Client, Method, StatusCode, Url};
use serde::{Deserialize, Serialize};

use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpPolicy {
    #[serde(with = "crate::config::secs")]
    pub connect_timeout: Duration,
    #[serde(with = "crate::config::secs")]
    pub request_timeout: Duration,
}

impl Default for HttpPolicy {
    fn default() -> Self {
        // Cloud Pay asks callers to wait several seconds on status 103; a payment call that
        // takes longer than 15 s is treated as Unknown and followed by queries.
        HttpPolicy {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(15),
        }
    }
}

impl HttpPolicy {
    pub fn validate(&self) -> Result<(), Error> {
        let ok = |d: Duration| d >= Duration::from_millis(100) && d <= Duration::from_secs(600);
        if !ok(self.connect_timeout) || !ok(self.request_timeout) {
            return Err(Error::Config(
                "http.connect_timeout and http.request_timeout: 0.1 to 600 seconds".into(),
            ));
        }
        Ok(())
    }
}

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
