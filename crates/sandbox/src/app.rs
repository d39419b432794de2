//! The state every handler shares, and the router that ties the simulated backends, the
//! customer page and the sandbox's control endpoints together.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap;
use axum::http::header::HOST;
use axum::middleware;
use cashier_backends::crypto::{AuthenKey, HawkKeyBytes, TdesProfile};
use secrecy::SecretString;
use tokio::sync::watch;

use crate::book::Book;
use crate::clock::{Now, WallClock};
use crate::faults::Armory;
use crate::tourv5::hawk::Sessions;
use crate::tourv5::pos::BillStates;
use crate::{cloudpay, control, customer, faults, tourv5};

pub struct Shared {
    pub addr: SocketAddr,
    pub operator: String,
    /// `UPPER(MD5(password))`: the pre-login HAWK key, the key of the paths under
    /// `password_key_paths`, and the TripleDES key string of `wechatbarcode` (docs/protocols.md
    /// §1).
    pub password_key: SecretString,
    /// Path prefixes signed with `password_key`, without the leading slash (`api/Pos/`).
    pub password_key_paths: Vec<String>,
    /// The POS bill status `paystate` values, the paid one configured.
    pub pos_bill_states: BillStates,
    /// The KouDaiLQ query's route, with its leading slash (checked at start-up).
    pub koudai_query_path: String,
    /// The payment-method codes the back office knows (`paytype`, a deployment setting).
    pub paytypes: Paytypes,
    /// How far a HAWK `ts` may be from the sandbox's clock (60 s unless relaxed).
    pub hawk_skew: Duration,
    pub authen: AuthenKey,
    pub order_prefix: String,
    /// The merchant's Cloud Pay accounts, which every `pay_mch_key` must name.
    pub merchant: Merchant,
    pub clock: WallClock,
    pub tdes: TdesProfile,
    pub qr_ttl: Duration,
    pub hawk_key_bytes: HawkKeyBytes,
    pub book: Mutex<Book>,
    /// The state file (`--state`), when the book is kept on disk.
    pub state: Option<Mutex<crate::state_file::StateFile>>,
    pub armory: Mutex<Armory>,
    pub sessions: Mutex<Sessions>,
    /// Turns true on shutdown, so held-back answers (`delay`, `commit_then_hang`) let go.
    pub stop: watch::Receiver<bool>,
}

#[derive(Clone)]
pub struct App(pub Arc<Shared>);

impl Deref for App {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// Tour V5 `paytype` codes per wallet (docs/protocols.md §1: set by the deployment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paytypes {
    pub wechat: String,
    pub alipay: String,
    pub koudai: String,
}

/// The merchant's Cloud Pay account ids (`pay_mch_key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    pub out_mch_id: String,
    pub out_sub_mch_id: String,
    pub out_shop_id: String,
}

/// A panicking handler must not take the whole sandbox down with it, so a poisoned lock is
/// used as it is (every write under these locks is a single consistent step).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub fn book(&self) -> MutexGuard<'_, Book> {
        lock(&self.book)
    }

    pub fn armory(&self) -> MutexGuard<'_, Armory> {
        lock(&self.armory)
    }

    /// The sandbox's clocks, read once for a request (see [`WallClock`]).
    pub fn now(&self) -> Now {
        self.clock.now()
    }

    /// Writes what changed in the book to the state file, if there is one. Holds the file's
    /// lock while taking the change from the book, so changes reach the file in the order they
    /// were made. A failed write is logged: the sandbox goes on, in memory.
    pub fn persist(&self) {
        let Some(state) = &self.state else { return };
        let mut file = lock(state);
        let line = {
            let whole = file.wants_snapshot();
            self.book().take_line(&self.now(), whole)
        };
        if let Some(line) = line
            && let Err(e) = file.write(line)
        {
            tracing::error!(error = %e, "cannot write the sandbox's state file");
        }
    }

    pub fn sessions(&self) -> MutexGuard<'_, Sessions> {
        lock(&self.sessions)
    }

    /// The `Host` the client used, so that customer-page URLs work from wherever the client
    /// reached the sandbox (a phone on the LAN as well as localhost).
    pub fn public_host(&self, headers: &HeaderMap) -> String {
        headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| !h.is_empty())
            .map_or_else(|| self.addr.to_string(), str::to_string)
    }

    pub fn pay_url(&self, headers: &HeaderMap, reference: &str) -> String {
        format!(
            "http://{}/_sandbox/pay/{reference}",
            self.public_host(headers)
        )
    }
}

/// Every route at a fixed path (axum patterns), which a configured path must not take.
pub fn fixed_routes() -> Vec<&'static str> {
    [
        tourv5::PATHS,
        cloudpay::PATHS,
        control::PATHS,
        customer::PATHS,
    ]
    .concat()
}

pub fn router(app: App) -> Router {
    // Faults apply to backend calls only, never to the sandbox's own endpoints. The book is
    // saved inside the fault gate, before an answer is held back or cut: what was committed is
    // on disk even when its answer never leaves.
    let saved = || middleware::from_fn_with_state(app.clone(), persist_gate);
    let backends = Router::new()
        .merge(tourv5::routes(app.clone()))
        .merge(cloudpay::routes())
        .route_layer(saved())
        .route_layer(middleware::from_fn_with_state(
            app.clone(),
            faults::fault_gate,
        ));
    Router::new()
        .merge(backends)
        .merge(control::routes().route_layer(saved()))
        .merge(customer::routes().route_layer(saved()))
        .with_state(app)
}

/// Saves what the request changed in the book before its answer goes out.
async fn persist_gate(
    axum::extract::State(app): axum::extract::State<App>,
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let answer = next.run(req).await;
    app.persist();
    answer
}
