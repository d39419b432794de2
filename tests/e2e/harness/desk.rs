//! A manager's moves on the real app: the PIN pad (click the manager, click the digits), the desk
//! and its tabs, and the report tables it shows, read back as figures.

use anyhow::{Context, bail};
use fantoccini::Locator;
use serde_json::{Value, json};

use super::{App, E2eResult, HAND, WAIT, poll};

/// The embedded sandbox's demo manager's PIN (public, named on its login screen).
pub const DEMO_PIN: &str = "123456";

/// One line of a report table on screen (`ReportLines`): label, count, amount in fen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ShownLine {
    pub label: String,
    pub count: u64,
    pub fen: u64,
}

/// The fen of an amount as core writes it (`¥1,234.50`, `12.30`): its digits, two decimals.
pub fn fen_of(text: &str) -> E2eResult<u64> {
    if !text.contains('.') {
        bail!("{text:?} is not an amount with decimals");
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .with_context(|| format!("{text:?} is not an amount"))
}

impl App {
    /// Clicks the element with this `data-testid`, waiting for it to appear.
    pub async fn click(&self, id: &str) -> E2eResult<()> {
        self.by_testid(id, WAIT).await?.click().await?;
        Ok(())
    }

    /// Waits until no element carries this `data-testid` (a dialog closed).
    pub async fn wait_gone(&self, id: &str) -> E2eResult<()> {
        let css = format!("[data-testid=\"{id}\"]");
        poll(&format!("{css} to go"), WAIT, || async {
            match self.client().find_all(Locator::Css(&css)).await {
                Ok(found) if found.is_empty() => Ok(()),
                Ok(found) => Err(format!("{} still shown", found.len())),
                Err(e) => Err(e.to_string()),
            }
        })
        .await
    }

    /// The PIN pad on screen: clicks `manager` (None: the one the pad chose, being the only one
    /// who can approve), clicks the PIN's digits and OK.
    pub async fn type_pin(&self, manager: Option<i64>, pin: &str) -> E2eResult<()> {
        self.by_testid("pin-pad", WAIT).await?;
        if let Some(id) = manager {
            self.click(&format!("pin-manager-{id}")).await?;
        }
        for digit in pin.chars() {
            self.click(&format!("pin-key-{digit}")).await?;
        }
        self.click("pin-ok").await
    }

    /// A PIN accepted: typed, and the pad closed.
    pub async fn approve(&self, pin: &str) -> E2eResult<()> {
        self.type_pin(None, pin).await?;
        self.wait_gone("pin-pad").await
    }

    /// Opens the desk from the status bar under `pin`, on the receipts tab.
    pub async fn open_desk(&self, pin: &str) -> E2eResult<()> {
        self.click("desk-button").await?;
        self.type_pin(None, pin).await?;
        self.by_testid("desk", WAIT).await?;
        self.by_testid("receipts", WAIT).await?;
        Ok(())
    }

    /// One of the desk's tabs: receipts, worklist, close, audit, managers, store.
    pub async fn desk_tab(&self, tab: &str) -> E2eResult<()> {
        self.click(&format!("desk-tab-{tab}")).await?;
        let body = match tab {
            "close" => "dayclose",
            "store" => "store-day",
            other => other,
        };
        self.by_testid(body, WAIT).await?;
        Ok(())
    }

    /// The lines of the report table with this `data-testid`, as shown.
    pub async fn shown_lines(&self, id: &str) -> E2eResult<Vec<ShownLine>> {
        let script = r#"const [id] = arguments;
            return Array.from(document.querySelectorAll(`[data-testid="${id}"] tr`))
                .map((tr) => Array.from(tr.children).map((c) => c.textContent.trim()));"#;
        let rows = self.client().execute(script, vec![json!(id)]).await?;
        let rows: Vec<Vec<String>> = serde_json::from_value(rows)?;
        rows.iter()
            .map(|cells| match cells.as_slice() {
                [label, count, amount] => Ok(ShownLine {
                    label: label.clone(),
                    count: count
                        .chars()
                        .filter(char::is_ascii_digit)
                        .collect::<String>()
                        .parse()?,
                    fen: fen_of(amount)?,
                }),
                other => bail!("a report line of {} cells: {other:?}", other.len()),
            })
            .collect()
    }

    /// The managers to choose from, as core lists them.
    pub async fn managers(&self) -> E2eResult<Vec<Value>> {
        let list = self.invoke("managers", json!({})).await?;
        list.as_array()
            .cloned()
            .with_context(|| format!("managers gave no list: {list}"))
    }
}

impl App {
    /// The first element matching `css`, waiting for it to appear.
    pub async fn by_css(&self, css: &str) -> E2eResult<fantoccini::elements::Element> {
        poll(&format!("element {css}"), WAIT, || async {
            self.client()
                .find(Locator::Css(css))
                .await
                .map_err(|e| e.to_string())
        })
        .await
    }

    /// The first start on real back offices asks for the first manager before anything else:
    /// typed in the window (name, PIN twice, Cloud Pay staff id), then the login shows.
    pub async fn first_manager(&self, name: &str, pin: &str, staff_id: &str) -> E2eResult<()> {
        self.wait_for_screen("first", WAIT).await?;
        for (field, text) in [
            ("first-name", name),
            ("first-pin", pin),
            ("first-pin2", pin),
            ("first-staff", staff_id),
        ] {
            self.click(field).await?;
            self.type_by_hand(text, HAND).await?;
        }
        self.click("first-submit").await?;
        self.wait_for_screen("login", WAIT).await
    }

    /// The embedded sandbox's demo manager's approval, for a command that asks for one.
    pub async fn demo_approval(&self) -> E2eResult<Value> {
        let demo = self
            .managers()
            .await?
            .into_iter()
            .find(|m| m["demo"] == true)
            .context("no demo manager on the sandbox")?;
        Ok(json!({ "manager": demo["id"], "pin": DEMO_PIN }))
    }
}
