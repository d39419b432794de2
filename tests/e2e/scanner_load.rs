//! The scanner under load, in the real window: wedge bursts at 4 to 8 ms a key with an Enter
//! suffix, mixed with a person's typing of bills and amounts at 70 to 150 ms a key, all through
//! the X server. Every burst must be read whole (0 lost, 0 garbled), no scanned character may stay
//! in a field, no typed key may be taken for a scan, and every payment charges the typed amount.
//! The time from a burst's Enter to the frame that shows the scan is measured and printed: a
//! benchmark, never asserted (`bench/scanner-load.sh` runs 1,000 bursts and prints the figures;
//! the e2e suite runs a short round with `CASHIER_SCAN_BURSTS` unset).
//!
//! A round is one customer, two bursts:
//! - typed bill: the first keys of the bill typed, then the customer's code scanned into the bill
//!   field too early (refused as "fill in first", the field keeps exactly the typed keys), the rest
//!   of the bill and the amount typed, the code scanned again: paid;
//! - ticket: on the paid screen the next customer's bill ticket is scanned (no field has the
//!   focus), which opens the checkout with that bill; the amount typed; the code scanned: paid.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use serde::Deserialize;
use serde_json::json;

use crate::harness::{App, AppOptions, E2eResult, EnterAfter, WAIT};

/// What the page tells of itself, in the order it happened: the scan line's changes and the
/// screen's, each stamped twice with `Date.now()` (the wall clock the harness reads too): when the
/// DOM changed, and when the next animation frame began (the frame that paints it).
const OBSERVE: &str = r#"
if (!window.__scanLoad) {
  const b = { events: [], pending: [], line: "", screen: "" };
  window.__scanLoad = b;
  const look = () => {
    const el = document.querySelector(".scan-line");
    const line = el ? el.className.replace(/\s+/g, " ").trim() + "|" + el.textContent : "";
    const app = document.querySelector(".app[data-screen]");
    const screen = app ? app.getAttribute("data-screen") : "";
    const fresh = [];
    if (line !== b.line) { b.line = line; fresh.push({ what: "line", text: line }); }
    if (screen !== b.screen) { b.screen = screen; fresh.push({ what: "screen", text: screen }); }
    if (fresh.length === 0) return;
    const dom = Date.now();
    for (const e of fresh) { e.dom = dom; b.pending.push(e); b.events.push(e); }
    requestAnimationFrame(() => {
      const shown = Date.now();
      for (const e of b.pending.splice(0)) e.shown = shown;
    });
  };
  // The keys' own times (keyup: the wedge swallows a burst's keydowns), to tell a failure's cause:
  // keys far apart when the X server stamped them, or handed to the page late.
  b.keys = [];
  window.addEventListener("keyup", (e) => {
    b.keys.push({ key: e.key, stamped: Math.round(e.timeStamp), handled: Math.round(performance.now()) });
    if (b.keys.length > 40) b.keys.shift();
  }, true);
  new MutationObserver(look).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
  look();
}
"#;

/// Everything seen since the last call (events not yet painted stay for the next one).
const DRAIN: &str = r#"
const b = window.__scanLoad;
const n = b.events.findIndex((e) => e.shown === undefined);
return b.events.splice(0, n < 0 ? b.events.length : n);
"#;

/// Paid at once in the sandbox (its scenarios go by the last four digits).
const PAID_SUFFIX: &str = "7649";

#[derive(Debug, Deserialize)]
struct PageEvent {
    what: String,
    text: String,
    /// When the DOM changed, ms since the epoch.
    dom: f64,
    /// When the first frame showing it began, ms since the epoch.
    shown: Option<f64>,
}

impl PageEvent {
    /// A change of the scan line to one of this class.
    fn is_line(&self, class: &str) -> bool {
        let classes = self.text.split('|').next().unwrap_or_default();
        self.what == "line" && classes.split(' ').any(|c| c == class)
    }
}

/// A small deterministic generator: the same run of bursts, gaps and amounts every time.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

/// A WeChat payment code (18 digits from 10–15) that the sandbox pays at once, different in its
/// shown digits for every burst so a mixed-up burst cannot pass for another.
fn customer_code(n: u64) -> String {
    format!(
        "13{:02}{:08}{:02}{PAID_SUFFIX}",
        n % 100,
        n * 7919 % 100_000_000,
        n / 100 % 100
    )
}

/// What the cashier shows of a code: its first and last four digits.
fn masked_ends(code: &str) -> (&str, &str) {
    (&code[..4], &code[code.len() - 4..])
}

/// An amount as a person types it, and its fen.
fn amount(dice: &mut Dice) -> (String, u64) {
    let fen = dice.between(1, 99_999);
    match fen % 3 {
        0 => (format!("{}", fen / 100 + 1), (fen / 100 + 1) * 100),
        1 => (format!("{}.{:02}", fen / 100, fen % 100), fen),
        _ => (format!("{}.{}", fen / 100, fen % 100 / 10), fen / 10 * 10),
    }
}

fn epoch_ms(t: SystemTime) -> E2eResult<f64> {
    Ok(t.duration_since(UNIX_EPOCH)?.as_secs_f64() * 1000.0)
}

/// How a customer's round ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Round {
    Paid,
    /// A burst was spread by the X server: the checkout was cleared, the next customer starts.
    StartOver,
}

/// What a burst was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Burst {
    /// A payment code scanned into the bill field before the amount: refused on screen.
    EarlyCode,
    /// A payment code with the bill and amount in: it pays (the screen changes too).
    PaymentCode,
    /// A bill ticket on the paid screen: the next customer's checkout opens with it.
    Ticket,
}

impl Burst {
    /// What the scan line says when this kind of burst is read (the Chinese screen's words).
    fn read_as(self) -> &'static str {
        match self {
            Burst::EarlyCode | Burst::PaymentCode => "付款码",
            Burst::Ticket => "单号",
        }
    }
}

/// How long one burst took to show, from the harness sending its Enter.
struct Shown {
    kind: Burst,
    /// To the page's DOM showing the scan read.
    dom: f64,
    /// To the start of the animation frame that paints it.
    frame: f64,
}

/// The figures of a run.
#[derive(Default)]
struct Tally {
    bursts: usize,
    /// Bursts the X server spread (see [`spread`]), excluded.
    spread: usize,
    shown: Vec<Shown>,
    typed_keys: usize,
}

struct Load<'a> {
    app: &'a App,
    dice: Dice,
    tally: Tally,
    /// Events read while waiting that belong to what comes next.
    seen: Vec<PageEvent>,
    /// What the page showed up to the last burst's read line, for a failure's message.
    last_burst: String,
}

impl Load<'_> {
    async fn drain(&mut self) -> E2eResult<Vec<PageEvent>> {
        let raw = self.app.client().execute(DRAIN, vec![]).await?;
        let mut events: Vec<PageEvent> = serde_json::from_value(raw)?;
        let mut all = std::mem::take(&mut self.seen);
        all.append(&mut events);
        Ok(all)
    }

    /// Nothing a person typed since the last look was held as a scanner's burst. (Every scan
    /// shows "reading" first, since the detector calls a run a burst only after it has held keys;
    /// the read line itself may show again after the scan that made it, floating over the next
    /// screen.)
    async fn typing_stayed_typing(&mut self, case: &str) -> E2eResult<()> {
        for e in self.drain().await? {
            if e.is_line("scan-line-reading") {
                bail!("{case}: typed keys taken for a scan: {e:?}");
            }
        }
        Ok(())
    }

    /// A person types `text` at a gap between 70 and 150 ms, then Enter or not.
    async fn type_by_person(&mut self, text: &str, enter: bool) -> E2eResult<()> {
        let keys = self.app.x_keyboard().await?;
        let gap = Duration::from_millis(self.dice.between(70, 150));
        let enter = enter.then(|| {
            if self.dice.next().is_multiple_of(2) {
                EnterAfter::AtOnce
            } else {
                EnterAfter::Interval
            }
        });
        keys.type_text(text, gap, enter).await?;
        self.tally.typed_keys += text.len() + usize::from(enter.is_some());
        Ok(())
    }

    /// A scanner's burst of `code` at 4–8 ms a key; waits for the frame that shows it read and
    /// records how long that took. The events after it stay for the caller's checks.
    async fn burst(&mut self, code: &str, kind: Burst, case: &str) -> E2eResult<Delivered> {
        self.typing_stayed_typing(case).await?;
        let keys = self.app.x_keyboard().await?;
        let gap = Duration::from_millis(self.dice.between(4, 8));
        self.tally.bursts += 1;
        // One burst is broken on purpose, as a stalled machine breaks one: it must charge
        // nothing and leave nothing behind (and the round starting over is exercised).
        let pause = (self.tally.bursts == BROKEN_ON_PURPOSE)
            .then_some((code.len() / 2, Duration::from_millis(150)));
        let sent = epoch_ms(keys.timed_scan(code, gap, pause).await?)?;
        let deadline = Instant::now() + WAIT;
        let mut events = Vec::new();
        loop {
            events.append(&mut self.drain().await?);
            let read = events.iter().position(|e| e.is_line("scan-line-read"));
            // A part of a broken burst may read as something else (a payment code's tail is a
            // bill ticket's shape): that is not this burst read.
            if let Some(other) = read.filter(|&r| !events[r].text.contains(kind.read_as())) {
                let keys = self.keys().await?;
                if let Some(widest) = spread(&keys, code.chars().count() + 1) {
                    return self.spread_burst(case, widest);
                }
                bail!(
                    "{case}: read as something else: {:?}; the page showed {events:?}; its last \
                     keys (keyup: stamped, handled): {keys}",
                    events[other]
                );
            }
            if let Some(read) = read {
                if let Some(error) = events[..read].iter().find(|e| e.is_line("scan-line-error")) {
                    bail!("{case}: an error before the scan was read: {error:?}");
                }
                let frame = events[read]
                    .shown
                    .context("a painted event without its frame")?;
                let dom = events[read].dom - sent;
                self.tally.shown.push(Shown {
                    kind,
                    dom,
                    frame: frame - sent,
                });
                self.last_burst = format!("{events:?}");
                self.seen = events.split_off(read + 1);
                return Ok(Delivered::Read);
            }
            if let Some(error) = events.iter().find(|e| e.is_line("scan-line-error")) {
                let keys = self.keys().await?;
                if let Some(widest) = spread(&keys, code.chars().count() + 1) {
                    return self.spread_burst(case, widest);
                }
                bail!(
                    "{case}: the burst was not read: {error:?}; the page showed {events:?}; \
                     its last keys (keyup: stamped, handled, ms on the page's clock): {keys}"
                );
            }
            if Instant::now() > deadline {
                bail!("{case}: the scan never showed as read; the page showed {events:?}");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The page's last key releases, with their times.
    async fn keys(&self) -> E2eResult<serde_json::Value> {
        let script = "return window.__scanLoad.keys;";
        Ok(self.app.client().execute(script, vec![]).await?)
    }

    /// A burst the X server spread (see [`spread`]): counted apart, the customer starts over.
    fn spread_burst(&mut self, case: &str, widest: f64) -> E2eResult<Delivered> {
        println!(
            "{case}: the X server stamped the burst's keys up to {widest:.0} ms apart (the test's \
             keyboard, not a scanner): excluded, the customer starts over"
        );
        self.tally.spread += 1;
        Ok(Delivered::Spread)
    }

    /// Waits until the scan line says the scan was refused (the bill and amount not in yet).
    async fn refused(&mut self, case: &str) -> E2eResult<()> {
        let deadline = Instant::now() + WAIT;
        loop {
            let events = self.drain().await?;
            if events.iter().any(|e| e.is_line("scan-line-error")) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("{case}: the early scan was never refused; the page showed {events:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The paid band, the charge of exactly `fen` for `bill`, and the code's shown ends.
    async fn paid(&mut self, bill: &str, fen: u64, code: &str, case: &str) -> E2eResult<()> {
        if let Err(e) = self.app.by_testid("paid-band", WAIT).await {
            let shot = self.app.screenshot_named("scanner-load-failure").await?;
            let screen = self.app.screen().await?;
            let filter = json!({ "filter": { "live_only": false, "day": null, "search": bill } });
            let attempts = self.app.invoke("attempts", filter).await?;
            let keys = self.keys().await?;
            let events = self.drain().await?;
            bail!(
                "{case}: not paid ({e}); the {screen} screen shows ({}), the attempts for {bill}: \
                 {attempts}; the page showed up to the scan {}, and since {events:?}; its last keys (keyup: \
                 stamped, handled): {keys}",
                shot.display(),
                self.last_burst
            );
        }
        let charged = self.app.sandbox().await?.charges_of(bill).await?;
        if charged != [fen] {
            bail!("{case}: charged {charged:?} for {bill}, typed {fen} fen");
        }
        let view = self
            .app
            .invoke(
                "attempts",
                json!({ "filter": { "live_only": false, "day": null, "search": bill } }),
            )
            .await?;
        let shown = view[0]["code_masked"]
            .as_str()
            .unwrap_or_default()
            .replace(' ', "");
        let (first, last) = masked_ends(code);
        if !(shown.starts_with(first) && shown.ends_with(last)) {
            bail!("{case}: paid with {shown}, scanned {first}…{last}");
        }
        Ok(())
    }

    /// Typed bill, an early scan into the bill field, then paid.
    async fn typed_bill(&mut self, round: u64) -> E2eResult<Round> {
        let bill = format!("A{round}");
        let case = format!("round {round} (typed bill {bill})");
        let (head, tail) = bill.split_at(2);
        self.app.wait_for_screen("checkout", WAIT).await?;
        self.type_by_person(head, false).await?;
        self.app
            .wait_for_value("bill-input", head)
            .await
            .context(case.clone())?;

        let early = customer_code(round * 2);
        if self
            .burst(&early, Burst::EarlyCode, &format!("{case}, early scan"))
            .await?
            == Delivered::Spread
        {
            return self.start_over(&bill).await;
        }
        self.refused(&case).await?;
        self.app
            .wait_for_value("bill-input", head)
            .await
            .context(format!("{case}: scanned digits in the bill field"))?;

        self.type_by_person(tail, true).await?;
        self.app
            .wait_for_value("bill-input", &bill)
            .await
            .context(case.clone())?;
        self.amount_and_pay(&bill, round, &case).await
    }

    /// With the bill in: a person types an amount and Enter, the customer's code is scanned, and
    /// the payment is paid with exactly that amount.
    async fn amount_and_pay(&mut self, bill: &str, round: u64, case: &str) -> E2eResult<Round> {
        let (typed, fen) = amount(&mut self.dice);
        self.type_by_person(&typed, true).await?;
        self.app
            .wait_for_value("amount-input", &typed)
            .await
            .context(case.to_string())?;
        self.app
            .wait_for_class("scan-prompt", "scan-armed", WAIT)
            .await
            .context(case.to_string())?;
        let code = customer_code(round * 2 + 1);
        if self
            .burst(&code, Burst::PaymentCode, &format!("{case}, payment"))
            .await?
            == Delivered::Spread
        {
            return self.start_over(bill).await;
        }
        self.paid(bill, fen, &code, case).await?;
        Ok(Round::Paid)
    }

    /// After a spread burst: nothing was charged for `bill` (a burst's part is never a payment
    /// code, or it would be garbled), and the checkout is cleared for the next customer.
    async fn start_over(&mut self, bill: &str) -> E2eResult<Round> {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let charged = self.app.sandbox().await?.charges_of(bill).await?;
        if !charged.is_empty() {
            bail!("{bill}: a spread burst charged {charged:?}");
        }
        self.app.wait_for_screen("checkout", WAIT).await?;
        let keys = self.app.x_keyboard().await?;
        for field in ["amount-input", "bill-input"] {
            self.app.by_testid(field, WAIT).await?.click().await?;
            keys.press_keys(&["ctrl+a", "BackSpace"]).await?;
            self.app.wait_for_value(field, "").await?;
        }
        keys.press_keys(&["Escape"]).await?;
        self.drain().await?;
        Ok(Round::StartOver)
    }

    /// On the paid screen, the next customer's ticket scanned, then paid.
    async fn ticket(&mut self, round: u64) -> E2eResult<Round> {
        let bill = format!("TK{round:05}");
        let case = format!("round {round} (ticket {bill})");
        if self
            .burst(&bill, Burst::Ticket, &format!("{case}, ticket"))
            .await?
            == Delivered::Spread
        {
            // The paid screen's keys went nowhere, or opened a checkout: either way, start over.
            self.app.x_keyboard().await?.enter().await?;
            return self.start_over(&bill).await;
        }
        self.app
            .wait_for_screen("checkout", WAIT)
            .await
            .context(case.clone())?;
        self.app
            .wait_for_value("bill-input", &bill)
            .await
            .context(case.clone())?;
        self.amount_and_pay(&bill, round, &case).await
    }
}

/// How far apart the X server itself stamped a burst's keys, when further than a scanner types
/// them. XTEST's keys are stamped when the server gets round to them, so a server busy drawing
/// (Xvfb draws in software, on the machine's CPU) spreads a burst; past the wedge's 60 ms between
/// two keys it is typing by definition. `xdotool` sends them at most 8 ms apart, so a gap of
/// `SPREAD_MS` between two key releases means the server stalled. A real keyboard's or scanner's
/// keys are stamped as they arrive, by the server's input thread (X.Org since 1.19), whatever its
/// drawing is doing: a spread burst is the test machine's, not the app's.
fn spread(keys: &serde_json::Value, burst: usize) -> Option<f64> {
    let stamps: Vec<f64> = keys
        .as_array()
        .map(|keys| keys.iter().filter_map(|k| k["stamped"].as_f64()).collect())
        .unwrap_or_default();
    let burst = &stamps[stamps.len().saturating_sub(burst)..];
    let widest = burst.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max);
    (widest > SPREAD_MS).then_some(widest)
}

/// See [`spread`].
const SPREAD_MS: f64 = 30.0;

/// The burst (counted from 1) sent with a 150 ms pause in its middle: the first customer's code.
const BROKEN_ON_PURPOSE: usize = 2;

/// What became of a burst.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Delivered {
    /// Read whole, shown as read.
    Read,
    /// The X server spread its keys (see [`spread`]): not a burst any more.
    Spread,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(at).copied().unwrap_or(f64::NAN)
}

fn summary(name: &str, mut values: Vec<f64>) -> String {
    values.sort_by(f64::total_cmp);
    format!(
        "{name}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (n = {})",
        percentile(&values, 0.5),
        percentile(&values, 0.99),
        values.last().copied().unwrap_or(f64::NAN),
        values.len()
    )
}

#[tokio::test]
async fn scanner_bursts_mixed_with_typing_are_all_read_and_nothing_leaks() -> E2eResult<()> {
    let Some(app) = App::launch("scanner-load", AppOptions::default()).await? else {
        return Ok(());
    };
    let wanted: usize = match std::env::var("CASHIER_SCAN_BURSTS") {
        Ok(n) => n
            .parse()
            .context("CASHIER_SCAN_BURSTS: a number of bursts")?,
        Err(_) => 12,
    };
    app.log_in().await?;
    app.client().execute(OBSERVE, vec![]).await?;
    app.by_testid("bill-input", WAIT).await?.click().await?;
    let mut load = Load {
        app: &app,
        dice: Dice(0x5eed_cafe),
        tally: Tally::default(),
        seen: Vec::new(),
        last_burst: String::new(),
    };
    let started = Instant::now();
    let mut round = 0;
    let mut on_paid = false;
    while load.tally.bursts < wanted {
        round += 1;
        let ended = if on_paid && load.dice.next().is_multiple_of(2) {
            load.ticket(round).await?
        } else {
            if on_paid {
                // The next customer, by Enter, as the cashier goes on.
                app.x_keyboard().await?.enter().await?;
                load.tally.typed_keys += 1;
            }
            load.typed_bill(round).await?
        };
        on_paid = ended == Round::Paid;
    }
    let tally = load.tally;
    println!(
        "scanner under load: {} bursts in {} rounds with {} typed keys, {:.0} s: {} read whole, \
         {} spread by the X server past a scanner's pace (excluded); 0 lost, 0 garbled, 0 leaked, \
         0 typed keys taken as a scan",
        tally.bursts,
        round,
        tally.typed_keys,
        started.elapsed().as_secs_f64(),
        tally.shown.len(),
        tally.spread,
    );
    for kind in [
        None,
        Some(Burst::EarlyCode),
        Some(Burst::PaymentCode),
        Some(Burst::Ticket),
    ] {
        let picked = || {
            tally
                .shown
                .iter()
                .filter(|s| kind.is_none_or(|k| s.kind == k))
        };
        let name = kind.map_or("all bursts".to_string(), |k| format!("{k:?}"));
        let dom = picked().map(|s| s.dom).collect();
        let frame = picked().map(|s| s.frame).collect();
        println!("{name}: {}", summary("Enter sent → scan in the page", dom));
        println!(
            "{name}: {}",
            summary("Enter sent → the frame that paints it", frame)
        );
    }
    app.finish().await
}
