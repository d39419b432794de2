//! `cashier-bridge`: a development tool, not part of the product. It opens the real `Till` on
//! the embedded sandbox through the front ends' opener (`cashier_open::open`), exactly as the
//! desktop app does, in a fresh temporary data directory,
//! and serves core's commands and events on loopback, so the web UI runs against core's own
//! behaviour outside the Tauri shell: `npm run dev` (vite proxies to it), the UI's unit tests
//! (vitest's global set-up starts it) and the screenshot script.
//!
//! - `POST /till` with a `Command`'s JSON: `{"ok": reply}`, or `{"err": ErrorBody}` when the
//!   till refuses (as the Tauri shell's command rejects).
//! - `GET /events`: the till's events (`TillEvent`), server-sent as `till` events.
//! - `GET /_bridge/customer`: what the customer display shows now (`CustomerView`).
//! - `POST /_bridge/reset`: a new till in a new directory (each test starts afresh); the
//!   events streams of the old one end. Answers, like `GET /_bridge`, `{"sandbox": url}`: the
//!   embedded sandbox's address, for its customer page and fault injection.
//!
//! The first line on stdout is `cashier-bridge listening on http://127.0.0.1:PORT`;
//! `CASHIER_BRIDGE_PORT` picks the port (default: any free one). With `--exit-with-stdin` it
//! ends when its standard input closes, so a test run or dev server that dies (even by
//! SIGKILL) leaves no bridge behind.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use axum::{Router, serve};
use cashier_core::Error;
use cashier_core::config::Config;
use cashier_core::till::{Command, Till};
use cashier_sandbox::Sandbox;
use futures_util::Stream;
use serde_json::json;
use tokio::sync::{RwLock, watch};

/// One till and what it stands on; replaced whole by a reset.
struct Opened {
    till: Till,
    sandbox: Option<Sandbox>,
    /// Holds the journal and the saved settings; removed when the till is replaced.
    _dir: tempfile::TempDir,
}

#[derive(Clone)]
struct Bridge {
    current: Arc<RwLock<Opened>>,
    /// Bumped on every reset, so the old till's event streams end.
    generation: watch::Sender<u64>,
}

/// Opens a till as the front ends do, on a configuration file that does not exist yet (the
/// embedded sandbox, the defaults) and a journal in a new temporary directory.
async fn open() -> Result<Opened, Error> {
    let dir = tempfile::tempdir()
        .map_err(|e| Error::Internal(format!("a temporary data directory: {e}")))?;
    let path = dir.path().join("cashier.toml");
    let mut cfg = Config::load(&path, false)?;
    cfg.db_path = Some(dir.path().join("journal.sqlite"));
    let opened = cashier_open::open(cfg, path).await?;
    Ok(Opened {
        till: opened.till,
        sandbox: opened.sandbox,
        _dir: dir,
    })
}

impl Bridge {
    async fn till(&self) -> Till {
        self.current.read().await.till.clone()
    }

    async fn sandbox_url(&self) -> Option<String> {
        self.current.read().await.sandbox.as_ref().map(Sandbox::url)
    }
}

async fn run(State(b): State<Bridge>, command: Result<Json<Command>, JsonRejection>) -> Response {
    let till = b.till().await;
    let answer = match command {
        Ok(Json(command)) => till.run(command).await,
        Err(e) => Err(Error::Internal(format!("not a command: {}", e.body_text()))),
    };
    // A refusal is an answer, not an HTTP failure (a browser would log it as one).
    match answer {
        Ok(reply) => Json(json!({ "ok": reply })).into_response(),
        Err(e) => Json(json!({ "err": e.body(till.lang()) })).into_response(),
    }
}

async fn events(State(b): State<Bridge>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let events = b.till().await.subscribe();
    let mut reset = b.generation.subscribe();
    reset.mark_unchanged();
    let stream = futures_util::stream::unfold((events, reset), |(mut events, mut reset)| async {
        let e = tokio::select! {
            e = events.recv() => e?,
            _ = reset.changed() => return None,
        };
        let event = Event::default()
            .event("till")
            .json_data(&e)
            .unwrap_or_else(|err| Event::default().event("error").data(err.to_string()));
        Some((Ok(event), (events, reset)))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn about(State(b): State<Bridge>) -> Response {
    Json(json!({ "sandbox": b.sandbox_url().await })).into_response()
}

/// What the customer display shows now (the desktop shell sends it to the display's window when
/// it opens; through the bridge the page asks).
async fn customer(State(b): State<Bridge>) -> Response {
    Json(b.till().await.customer_view()).into_response()
}

async fn reset(State(b): State<Bridge>) -> Response {
    let fresh = match open().await {
        Ok(o) => o,
        Err(e) => {
            let body = e.body(cashier_core::Lang::En);
            return (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
        }
    };
    let old = std::mem::replace(&mut *b.current.write().await, fresh);
    b.generation.send_modify(|g| *g = g.wrapping_add(1));
    if let Some(sandbox) = old.sandbox {
        sandbox.shutdown().await;
    }
    about(State(b)).await
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    cashier_open::log_to_stderr();
    match start().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cashier-bridge: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn start() -> Result<(), String> {
    let port: u16 = match std::env::var("CASHIER_BRIDGE_PORT") {
        Ok(p) => p
            .parse()
            .map_err(|e| format!("CASHIER_BRIDGE_PORT={p:?}: {e}"))?,
        Err(_) => 0,
    };
    let opened = open()
        .await
        .map_err(|e| e.body(cashier_core::Lang::En).message)?;
    let bridge = Bridge {
        current: Arc::new(RwLock::new(opened)),
        generation: watch::Sender::new(0),
    };
    let app = Router::new()
        .route("/till", post(run))
        .route("/events", get(events))
        .route("/_bridge", get(about))
        .route("/_bridge/reset", post(reset))
        .route("/_bridge/customer", get(customer))
        .with_state(bridge);
    if std::env::args().any(|a| a == "--exit-with-stdin") {
        std::thread::spawn(|| {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            std::process::exit(0);
        });
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("listening on 127.0.0.1:{port}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("cashier-bridge listening on http://{addr}");
    tracing::warn!("{}", cashier_open::NOTICE);
    serve(listener, app).await.map_err(|e| e.to_string())
}
