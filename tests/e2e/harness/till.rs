//! A cashier's moves on the real app (log in, key a bill and an amount, read the screen) and the
//! customer's side of the embedded sandbox (pay a QR on its customer page, break the network with
//! its fault injection, read its ledger).

use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};

use super::{App, E2eResult, poll};

/// A person's typing: slower than any scanner burst, so the wedge detector leaves it alone.
pub const HAND: Duration = Duration::from_millis(90);
/// Long enough for a debug build under load; every wait ends as soon as the screen shows it.
pub const WAIT: Duration = Duration::from_secs(30);
/// The embedded sandbox's test operator's password (public, shown on its login screen).
const SANDBOX_PASSWORD: &str = "123456";

impl App {
    /// Calls a command through the page's own IPC, as the UI does; gives its answer or the
    /// `{code, message}` it was refused with as the error. A `Till` command (`settings`,
    /// `attempts`, …) goes through the shell's one `till` command as core's `Command`
    /// (`{"settings": {}}`); a plugin's (`plugin:window|close`) as it is.
    pub async fn invoke(&self, cmd: &str, args: Value) -> E2eResult<Value> {
        let (cmd, args) = if cmd.contains(':') {
            (cmd, args)
        } else {
            let mut command = serde_json::Map::new();
            command.insert(cmd.to_string(), args);
            ("till", json!({ "command": command }))
        };
        let script = r#"const [cmd, args, done] = arguments;
            window.__TAURI_INTERNALS__.invoke(cmd, args)
                .then((ok) => done({ ok }), (err) => done({ err }));"#;
        let answer = self
            .client()
            .execute_async(script, vec![json!(cmd), args])
            .await?;
        match answer.get("err") {
            Some(err) => bail!("{cmd} refused: {err}"),
            None => Ok(answer.get("ok").cloned().unwrap_or(Value::Null)),
        }
    }

    /// Which screen the app shows (`.app[data-screen]`: login, checkout, progress, qr, outcome, …).
    pub async fn screen(&self) -> E2eResult<String> {
        let app = self
            .client()
            .find(Locator::Css(".app[data-screen]"))
            .await?;
        Ok(app.attr("data-screen").await?.unwrap_or_default())
    }

    /// Waits for the screen `name`; the error names the screen shown instead.
    pub async fn wait_for_screen(&self, name: &str, timeout: Duration) -> E2eResult<()> {
        poll(&format!("the {name} screen"), timeout, || async {
            // Before the page has loaded there is no screen yet: keep waiting.
            match self.screen().await {
                Ok(now) if now == name => Ok(()),
                Ok(now) => Err(now),
                Err(e) => Err(format!("no screen yet ({e})")),
            }
        })
        .await
    }

    /// Logs in as the embedded sandbox's operator, typing the password by hand and pressing Enter.
    pub async fn log_in(&self) -> E2eResult<()> {
        self.wait_for_screen("login", WAIT).await?;
        self.by_testid("login-password", WAIT)
            .await?
            .click()
            .await?;
        self.type_by_hand(SANDBOX_PASSWORD, HAND).await?;
        self.press(Key::Enter).await?;
        // The checkout, or a payment recovered from before a crash.
        let left = poll("a screen after the login", WAIT, || async {
            match self.screen().await {
                Ok(now) if now != "login" && now != "loading" => Ok(()),
                Ok(now) => Err(now),
                Err(e) => Err(e.to_string()),
            }
        })
        .await;
        if let Err(e) = left {
            let why = self.text_of("login-error").await.unwrap_or_default();
            bail!("{e}; login error: {why}");
        }
        Ok(())
    }

    /// Keys the bill number and the amount as a cashier does (each confirmed with Enter), and waits
    /// until the checkout waits for the customer's code.
    pub async fn key_bill_and_amount(&self, bill: &str, amount: &str) -> E2eResult<()> {
        self.wait_for_screen("checkout", WAIT).await?;
        self.by_testid("bill-input", WAIT).await?.click().await?;
        self.type_by_hand(bill, HAND).await?;
        self.press(Key::Enter).await?;
        self.type_by_hand(amount, HAND).await?;
        self.press(Key::Enter).await?;
        self.wait_for_class("scan-prompt", "scan-armed", WAIT).await
    }

    /// Waits until the element with this `data-testid` carries `class`.
    pub async fn wait_for_class(&self, id: &str, class: &str, timeout: Duration) -> E2eResult<()> {
        poll(
            &format!("[data-testid={id}] to be .{class}"),
            timeout,
            || async {
                let element = self
                    .by_testid(id, timeout)
                    .await
                    .map_err(|e| e.to_string())?;
                let classes = element.attr("class").await.map_err(|e| e.to_string())?;
                let classes = classes.unwrap_or_default();
                if classes.split_whitespace().any(|c| c == class) {
                    Ok(())
                } else {
                    Err(format!("{classes:?}"))
                }
            },
        )
        .await
    }

    /// The value of the input with this `data-testid` (what the cashier sees in it).
    pub async fn value_of(&self, id: &str) -> E2eResult<String> {
        let field = self.by_testid(id, WAIT).await?;
        Ok(field.prop("value").await?.unwrap_or_default())
    }

    /// Waits until the input with this `data-testid` holds exactly `expected`.
    pub async fn wait_for_value(&self, id: &str, expected: &str) -> E2eResult<()> {
        poll(&format!("{id} to hold {expected:?}"), WAIT, || async {
            match self.value_of(id).await {
                Ok(now) if now == expected => Ok(()),
                Ok(now) => Err(format!("{now:?}")),
                Err(e) => Err(e.to_string()),
            }
        })
        .await
    }

    /// The text of the element with this `data-testid`.
    pub async fn text_of(&self, id: &str) -> E2eResult<String> {
        Ok(self.by_testid(id, WAIT).await?.text().await?)
    }

    /// The embedded sandbox's address, as the app's settings give it (the Tour V5 URL is the
    /// sandbox's while no backend is configured).
    pub async fn sandbox(&self) -> E2eResult<Sandbox> {
        let settings = self.invoke("settings", json!({})).await?;
        if settings["sandbox"] != Value::Bool(true) {
            bail!("the app does not run on the embedded sandbox: {settings}");
        }
        let url = settings["tourv5_url"]
            .as_str()
            .context("no Tour V5 URL in the settings")?;
        Sandbox::at(url)
    }

    /// The attempts still being followed (`attempts` with `live_only`), newest first.
    pub async fn live_attempts(&self) -> E2eResult<Vec<Value>> {
        let filter = json!({ "filter": { "live_only": true, "day": null, "search": null } });
        let live = self.invoke("attempts", filter).await?;
        live.as_array()
            .cloned()
            .ok_or_else(|| anyhow!("attempts gave no list: {live}"))
    }
}

/// The embedded sandbox's own endpoints: what the customer's phone and a broken network do.
pub struct Sandbox {
    base: String,
    http: reqwest::Client,
}

impl Sandbox {
    /// The sandbox at `url` (one the test runs itself, which outlives the app's crashes).
    pub fn at(url: &str) -> E2eResult<Sandbox> {
        Ok(Sandbox {
            base: url.trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()?,
        })
    }

    /// The customer presses 确认支付 on the page the QR code opens.
    pub async fn pay_on_customer_page(&self, code_url: &str) -> E2eResult<()> {
        let answer = self.http.post(code_url).send().await?;
        if !answer.status().is_success() {
            bail!("the customer page refused to pay: {}", answer.status());
        }
        Ok(())
    }

    /// Arms a fault: the next `count` calls to `endpoint` misbehave as `kind` says.
    pub async fn arm(&self, endpoint: &str, kind: &str, count: u32) -> E2eResult<()> {
        let fault = json!({ "endpoint": endpoint, "kind": kind, "count": count });
        let answer = self
            .http
            .post(format!("{}/_sandbox/faults", self.base))
            .json(&fault)
            .send()
            .await?;
        if !answer.status().is_success() {
            bail!("arming {fault} refused: {}", answer.text().await?);
        }
        Ok(())
    }

    /// The network works again.
    pub async fn clear_faults(&self) -> E2eResult<()> {
        self.http
            .delete(format!("{}/_sandbox/faults", self.base))
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// The backend's whole ledger: `orders`, `charges`, `refunds`.
    pub async fn ledger(&self) -> E2eResult<Value> {
        Ok(self
            .http
            .get(format!("{}/_sandbox/ledger", self.base))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// The amounts charged for `bill`, in fen, as the backend's ledger has them.
    pub async fn charges_of(&self, bill: &str) -> E2eResult<Vec<u64>> {
        let ledger = self.ledger().await?;
        let charges = ledger["charges"]
            .as_array()
            .with_context(|| format!("no charges in the ledger: {ledger}"))?;
        Ok(charges
            .iter()
            .filter(|c| c["bill"] == bill)
            .filter_map(|c| c["amount_fen"].as_u64())
            .collect())
    }
}
