//! Every fault the driver caused, with its time window in UTC: what explains an Unknown.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Window {
    /// `reset`, `http500`, `malformed_json`, `delay`, `commit_then_hang`, `sandbox_restart`,
    /// `till_kill`, `store_cut`.
    pub kind: String,
    pub detail: String,
    /// The till slot (`01`…) a till kill hit; `None`: every till.
    pub till: Option<String>,
    pub start: DateTime<Utc>,
    /// `None` while it lasts.
    pub end: Option<DateTime<Utc>>,
}

impl Window {
    /// Whether this fault can explain an Unknown of `till` that was in flight from `from` to
    /// `to`: a fault of the backends or of that till's own process whose window meets it. The
    /// store going away explains none: no payment waits for the store.
    pub fn explains(&self, till: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        if self.kind == "store_cut" {
            return false;
        }
        if self.till.as_deref().is_some_and(|t| t != till) {
            return false;
        }
        // Two seconds either way: the till's clock reads and the driver's are not one instant.
        let slack = Duration::seconds(2);
        let end = self.end.unwrap_or_else(Utc::now);
        self.start - slack <= to && from <= end + slack
    }
}
