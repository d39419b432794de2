//! `cashier-soak till --config FILE --generation N --seed S`: one till as its own process,
//! opened the app's way (`cashier_open::open` on the configuration file the driver wrote),
//! logged in, paying bills in a loop until SIGTERM. Each event the driver needs is one JSON
//! line on stdout (see [`emit`]). A till started again after a SIGKILL recovers what its
//! journal holds at login, exactly as the app does on its next start.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cashier_core::checkout::{BarcodePayment, QrPayment};
use cashier_core::till::{StoreLinkState, Till, TillEvent, TillEvents, input};
use cashier_core::{AttemptId, AttemptState};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::plan::{self, QrCustomer, What};

/// The sandbox's public test login.
const OPERATOR: &str = "cashier";
const PASSWORD: &str = "123456";

struct Args {
    config: PathBuf,
    generation: u32,
    seed: u64,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut config = None;
    let (mut generation, mut seed) = (0, 1);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--config" => config = Some(PathBuf::from(value)),
            "--generation" => generation = value.parse().map_err(|_| "--generation N")?,
            "--seed" => seed = value.parse().map_err(|_| "--seed N")?,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(Args {
        config: config.ok_or("--config FILE is required")?,
        generation,
        seed,
    })
}

/// One event for the driver: a JSON object on one line of stdout, with the time (UTC).
pub fn emit(event: &str, mut fields: Value) {
    if let Some(obj) = fields.as_object_mut() {
        obj.insert("ev".into(), json!(event));
        obj.insert("t".into(), json!(chrono::Utc::now().to_rfc3339()));
    }
    println!("{fields}");
}

pub fn main(args: &[String]) -> ExitCode {
    let args = match parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("cashier-soak till: {e}");
            return ExitCode::from(2);
        }
    };
    cashier_open::log_to_stderr();
    let rt = match crate::runtime("cashier-soak till") {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            emit("error", json!({"error": e}));
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let file = cashier_open::ConfigFile::at(Some(args.config.clone()));
    let cfg = file.load().map_err(|e| e.to_string())?;
    let opened = cashier_open::open(cfg, args.config.clone())
        .await
        .map_err(|e| e.to_string())?;
    let till = opened.till;
    let stop = Arc::new(AtomicBool::new(false));
    listen_for_sigterm(stop.clone());
    // The sandbox may be away (restarting): a cashier tries again until it is back.
    let mut tries = 0u32;
    loop {
        match till.login(OPERATOR, SecretString::from(PASSWORD)).await {
            Ok(_) => break,
            Err(e) if !stop.load(Ordering::SeqCst) && tries < 120 => {
                tries += 1;
                emit("login_failed", json!({"error": e.to_string()}));
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => return Err(format!("login: {e}")),
        }
    }
    let found = till.recovery().map_err(|e| e.to_string())?;
    let recovered = till.wait_recovered().await.map_err(|e| e.to_string())?;
    emit(
        "ready",
        json!({
            "generation": args.generation,
            "recovered": found.checked.len(),
            "recovered_to": recovered.checked.iter().map(|r| r.to.as_str()).collect::<Vec<_>>(),
        }),
    );
    let mut rng = StdRng::seed_from_u64(args.seed ^ (u64::from(args.generation) << 32));
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let till_id = till.config().till;
    let mut n = 0u32;
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        // Unique per till, run of the process and payment: each bill is paid at most once.
        let bill = format!("S{till_id}-{}-{n}", args.generation);
        pay_one(&till, &http, &mut rng, &bill).await;
        tokio::time::sleep(Duration::from_millis(rng.gen_range(0..300))).await;
    }
    finish(&till).await;
    Ok(())
}

fn listen_for_sigterm(stop: Arc<AtomicBool>) {
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            term.recv().await;
            stop.store(true, Ordering::SeqCst);
        }
    });
}

async fn pay_one(till: &Till, http: &reqwest::Client, rng: &mut StdRng, bill: &str) {
    let p = plan::next(rng);
    let cfg = till.config();
    let base = json!({"bill": bill, "channel": p.channel.as_str(), "what": p.what.name(), "amount_fen": p.amount_fen});
    let (Ok(bill_no), Ok(amount)) = (input::bill(bill), input::amount(&cfg, &p.amount_text()))
    else {
        emit(
            "refused",
            json!({"bill": bill, "error": "bill or amount refused by input"}),
        );
        return;
    };
    let mut events = till.subscribe();
    emit("start", base.clone());
    let started = match &p.what {
        What::Qr(_) => {
            till.pay_qr(QrPayment {
                bill: bill_no,
                amount,
                channel: p.channel,
                wallet: p.wallet,
            })
            .await
        }
        What::Barcode { code, .. } => match input::code(&cfg, code) {
            Ok(code) => {
                till.pay_barcode(BarcodePayment {
                    bill: bill_no,
                    amount,
                    channel: p.channel,
                    code,
                })
                .await
            }
            Err(e) => Err(e),
        },
    };
    let a = match started {
        Ok(a) => a,
        Err(e) => {
            // Refused before anything was sent (not logged in while the sandbox restarts…).
            emit("refused", json!({"bill": bill, "error": e.to_string()}));
            tokio::time::sleep(Duration::from_millis(500)).await;
            return;
        }
    };
    let id = AttemptId(a.id);
    if let What::Qr(customer) = p.what
        && let Some(url) = shown(&mut events, id).await
    {
        act(till, http, rng, id, customer, &url).await;
    }
    match till.wait(id).await {
        Ok(end) => {
            let mut fields = base;
            fields["id"] = json!(end.id);
            fields["order_no"] = json!(end.order_no);
            fields["state"] = json!(end.state.as_str());
            fields["reason"] = json!(end.reason);
            emit("end", fields);
        }
        Err(e) => emit("wait_failed", json!({"bill": bill, "error": e.to_string()})),
    }
}

/// Waits until the QR code of `id` is on screen and returns its URL; `None` when the flow ended
/// first (or took longer than a code is ever issued in).
async fn shown(events: &mut TillEvents, id: AttemptId) -> Option<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let e = tokio::time::timeout_at(deadline, events.recv())
            .await
            .ok()??;
        let TillEvent::Attempt { attempt } = e else {
            continue;
        };
        if attempt.id != id.0 {
            continue;
        }
        if attempt.state == AttemptState::Shown
            && let Some(url) = attempt.code_url
        {
            return Some(url);
        }
        if !attempt.live {
            return None;
        }
    }
}

/// The customer (or the cashier) does what the plan says with the code on screen.
async fn act(
    till: &Till,
    http: &reqwest::Client,
    rng: &mut StdRng,
    id: AttemptId,
    customer: QrCustomer,
    url: &str,
) {
    let pause = Duration::from_millis(rng.gen_range(200..2500));
    let outcome = match customer {
        QrCustomer::Pays => {
            tokio::time::sleep(pause).await;
            customer_page(http, url).await
        }
        QrCustomer::Declines => {
            tokio::time::sleep(pause).await;
            customer_page(http, &format!("{url}/decline")).await
        }
        QrCustomer::LeavesIt => return,
        QrCustomer::Cancelled => {
            tokio::time::sleep(pause).await;
            till.cancel(id).await.map(|_| ()).map_err(|e| e.to_string())
        }
    };
    if let Err(e) = outcome {
        // The sandbox may be restarting: the customer's tap did not arrive, the code runs out.
        emit(
            "customer_failed",
            json!({"id": id.0, "what": customer.name(), "error": e}),
        );
    }
}

async fn customer_page(http: &reqwest::Client, url: &str) -> Result<(), String> {
    let answer = http
        .post(url)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if answer.status().is_success() {
        Ok(())
    } else {
        Err(format!("customer page answered {}", answer.status()))
    }
}

/// A clean stop: Unknown attempts asked about once more (the cashier's "query again"), then
/// the store given time to take what waits, so the books can be held against it.
async fn finish(till: &Till) {
    let live = till.journal().live().unwrap_or_default();
    let unknown: Vec<_> = live
        .iter()
        .filter(|a| a.state == AttemptState::Unknown)
        .collect();
    let mut settled = 0;
    for a in &unknown {
        if let Ok(v) = till.query_again(a.id).await
            && v.state != AttemptState::Unknown
        {
            settled += 1;
        }
    }
    // An attempt asked about again may be followed further (a customer still typing): its
    // flow runs out before the till closes, as the app waits for a payment in progress.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while tokio::time::Instant::now() < deadline
        && till
            .journal()
            .live()
            .unwrap_or_default()
            .iter()
            .any(|a| a.state != AttemptState::Unknown)
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let synced = match till.status().store {
        Some(_) => Some(store_caught_up(till).await),
        None => None,
    };
    emit(
        "stopped",
        json!({"unknown_asked_again": unknown.len(), "settled_by_asking": settled, "store_synced": synced}),
    );
}

/// Waits (90 s at most) until the store holds every seal: the link says synced with nothing
/// waiting, twice a second apart with no seal written in between.
async fn store_caught_up(till: &Till) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    let mut seen: Option<i64> = None;
    while tokio::time::Instant::now() < deadline {
        let last = till.journal().last_seal_seq().ok();
        let synced = till
            .status()
            .store
            .is_some_and(|s| s.state == StoreLinkState::Synced && s.waiting == Some(0));
        if synced && last.is_some() && seen == last {
            return true;
        }
        seen = if synced { last } else { None };
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    false
}
