//! Payments set up through core's own commands (the page's IPC), for tests about what a manager
//! sees afterwards: the cashier's screens have their own tests.

use std::time::Duration;

use anyhow::Context;
use serde_json::{Value, json};

use super::{App, E2eResult, Sandbox, poll};

/// Paid at once by the sandbox, reusable (its scenarios go by the last four digits).
pub const PAID_CODE: &str = "134520273825387649";
/// Refused by the sandbox: insufficient balance.
pub const DECLINED_CODE: &str = "134520273825382222";
/// Barcode payments give up quickly, so an answer lost on the network is Unknown in seconds.
pub const QUICK_GIVE_UP: &str = "[poll.wechat_barcode]\nfirst_after = 1\nevery = 1\ngive_up = 4\n\
     [poll.cloud_barcode]\nfirst_after = 1\nevery = 1\ngive_up = 4\n";

impl App {
    /// The attempt with this id, as core shows it.
    pub async fn attempt(&self, id: i64) -> E2eResult<Value> {
        self.invoke("attempt", json!({ "id": id })).await
    }

    /// Waits until attempt `id` is in `state` (`paid`, `failed`, `unknown`, …).
    pub async fn wait_for_attempt(
        &self,
        id: i64,
        state: &str,
        timeout: Duration,
    ) -> E2eResult<Value> {
        poll(&format!("attempt {id} to be {state}"), timeout, || async {
            match self.attempt(id).await {
                Ok(a) if a["state"] == state => Ok(a),
                Ok(a) => Err(a["state"].to_string()),
                Err(e) => Err(e.to_string()),
            }
        })
        .await
    }

    /// A scanned payment code (as the wedge scanner gives it); the attempt's id.
    pub async fn start_scan(&self, bill: &str, amount: &str, code: &str) -> E2eResult<i64> {
        let args = json!({ "bill": bill, "amount": amount, "code": code });
        let a = self.invoke("start_barcode", args).await?;
        a["id"].as_i64().with_context(|| format!("no id in {a}"))
    }

    /// A QR code shown (`wechat_qr`, `cloud_wechat_qr`, …): the attempt once its code is issued.
    pub async fn start_qr(&self, bill: &str, amount: &str, choice: &str) -> E2eResult<Value> {
        let args = json!({ "bill": bill, "amount": amount, "choice": choice });
        let a = self.invoke("start_qr", args).await?;
        let id = a["id"].as_i64().with_context(|| format!("no id in {a}"))?;
        poll(&format!("attempt {id}'s QR code"), super::WAIT, || async {
            match self.attempt(id).await {
                Ok(a) if a["code_url"].is_string() => Ok(a),
                Ok(a) => Err(a["state"].to_string()),
                Err(e) => Err(e.to_string()),
            }
        })
        .await
    }

    /// A payment charged whose answer is lost: the pay call's answer is garbage and every query
    /// is cut off until the till gives up following it (`QUICK_GIVE_UP`: 4 s), so it stays
    /// Unknown once the network works again. The attempt's id.
    pub async fn make_unknown(
        &self,
        sandbox: &Sandbox,
        bill: &str,
        amount: &str,
    ) -> E2eResult<i64> {
        sandbox.arm("*", "malformed_json", 1).await?;
        sandbox.arm("*", "reset", 1000).await?;
        let id = self.start_scan(bill, amount, PAID_CODE).await?;
        self.wait_for_attempt(id, "unknown", super::WAIT).await?;
        // Followed like any Unknown until the poll deadline: past it, nothing asks again alone.
        tokio::time::sleep(Duration::from_secs(8)).await;
        sandbox.clear_faults().await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        self.wait_for_attempt(id, "unknown", Duration::ZERO).await?;
        Ok(id)
    }
}
