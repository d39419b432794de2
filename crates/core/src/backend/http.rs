//! How long the till waits on a backend, as a deployment sets it (`[http]`); the client that
//! applies it is `cashier_backends::http`'s.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::reasons::{ConfigError, Rule};

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
            return Err(ConfigError::Invalid {
                setting: "http.connect_timeout, http.request_timeout".into(),
                value: String::new(),
                rule: Rule::Timeouts,
            }
            .into());
        }
        Ok(())
    }
}
