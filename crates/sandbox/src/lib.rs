//! Cashier's sandbox: a real HTTP server that imitates the Tour V5 back office and Tencent
//! Cloud Pay closely enough that the app and every test can run against it.
//!
//! - Tour V5 under `/api/…` (HAWK-signed JSON, docs/protocols.md §1),
//! - Cloud Pay under `/cpay/<name>` (authen_code-signed, docs/protocols.md §2),
//! - the customer page for QR orders under `/_sandbox/pay/{reference}`,
//! - control endpoints: `/_sandbox/ledger`, `/_sandbox/reset`, `/_sandbox/faults`,
//!   `/_sandbox/bills`.
//!
//! Payment codes choose what happens by their last four digits: see [`scenario`].

mod app;
mod book;
pub mod books;
mod clock;
mod cloudpay;
mod codes;
mod conn;
mod control;
mod customer;
pub mod embed;
mod faults;
mod ledger;
mod media;
mod messages;
mod order;
pub mod scenario;
mod state_file;
mod tourv5;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cashier_backends::crypto::{AuthenKey, HawkKeyBytes, TdesProfile, md5_key};
use cashier_core::order_no::OrderScheme;
use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use faults::{Fault, FaultKind};
pub use ledger::{Charge, Ledger, LedgerOrder, RefundEntry};
pub use scenario::Scenario;

use crate::app::{App, Merchant, Paytypes, Shared};
use crate::clock::WallClock;
use crate::conn::{Line, SandboxListener};
use crate::tourv5::pos::BillStates;

/// The sandbox's settings. The credentials are public test values, printed at start-up.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub addr: SocketAddr,
    /// The Tour V5 operator (HAWK `id`).
    pub operator: String,
    pub password: String,
    /// Cloud Pay authen key: exactly 32 characters.
    pub authen_key: String,
    /// Cloud Pay `out_trade_no` and `out_refund_no` must start with this: the merchant's
    /// `cloud_cashier_id`, 10 letters and digits or 8 digits (default `sz0100sbox`, the
    /// shape of a real one); [`Sandbox::start`] refuses another shape.
    pub order_prefix: String,
    pub tdes_profile: TdesProfile,
    /// How long an unpaid QR order stays payable. An expiry beyond what the clock can hold
    /// means the order never expires; the binary bounds `--qr-ttl` to seven days.
    pub qr_ttl: Duration,
    /// How HAWK key strings become key bytes (docs/protocols.md §1 ASSUMPTION: UTF-8).
    pub hawk_key_bytes: HawkKeyBytes,
    /// Path prefixes signed with `UPPER(MD5(password))` after login, written as the client's
    /// `TourV5Config::password_key_paths` (without the leading slash; one is ignored); every
    /// other path after login needs the session key (docs/protocols.md §1 ASSUMPTION for
    /// `api/3Pay/...`). Default `["api/Pos/"]`. An empty prefix is refused.
    pub password_key_paths: Vec<String>,
    /// The POS bill status `paystate` meaning fully paid (docs/protocols.md §1 ASSUMPTION), default
    /// "3". The POS payment answer's `billpaystate` stays seed 002's "3" whatever this is.
    pub pos_bill_paid_state: String,
    /// Where the KouDaiLQ query is served (docs/protocols.md §1 ASSUMPTION), default
    /// `api/3Pay/KouDaiLQ/Query`, with or without the leading slash. [`Sandbox::start`]
    /// refuses an empty path, one with characters other than letters, digits, `-`, `.`, `_`,
    /// `~` and `/`, and one that another route of the sandbox answers.
    pub koudai_query_path: String,
    /// The back office's `paytype` codes (docs/protocols.md §1: set by the deployment), written as
    /// the app's `paytype_wechat`, `paytype_alipay`, `paytype_koudai`: a QR order must be
    /// made with its wallet's, and every query must name the one its payment was made with
    /// (a KouDaiLQ payment's is `paytype_koudai`). Defaults `WX`, `ZF`, `KD`, as the app's.
    pub paytype_wechat: String,
    pub paytype_alipay: String,
    pub paytype_koudai: String,
    /// The merchant's Cloud Pay accounts: every `pay_mch_key` must name exactly these.
    pub out_mch_id: String,
    pub out_sub_mch_id: String,
    pub out_shop_id: String,
    /// The sandbox's own clock, in seconds ahead of (or, negative, behind) the system
    /// clock: HAWK `ts` checks, `ServerTime`, autoids and Cloud Pay's `time_expire` all read
    /// it, so a test can run a back office whose clock is away from the till's. At most ten
    /// years either way.
    pub clock_offset_secs: i64,
    /// How far a HAWK `ts` may be from the sandbox's clock, for every request, login too:
    /// 60 s, HAWK's usual window. A LENIENT switch (`--hawk-skew-secs`): HAWK servers make
    /// the window a setting, so a back office may allow more; 1 s to a day.
    pub hawk_skew_secs: u64,
    /// Where the book (orders, charges, refunds, registered bills, used single-use codes) is
    /// kept, so a sandbox started again on the same file remembers them (`--state`); `None`:
    /// in memory only. Sessions are not kept: after a restart clients log in again.
    pub state: Option<std::path::PathBuf>,
}

/// HAWK's usual window for `ts` (hueniverse's `timestampSkewSec` default).
pub const HAWK_SKEW_SECS: u64 = 60;
const MAX_HAWK_SKEW_SECS: u64 = 24 * 3600;

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            operator: "cashier".into(),
            password: "123456".into(),
            authen_key: "sandbox-authen-key-0123456789abc".into(),
            order_prefix: "sz0100sbox".into(),
            tdes_profile: TdesProfile::default(),
            qr_ttl: Duration::from_secs(5 * 60),
            hawk_key_bytes: HawkKeyBytes::default(),
            password_key_paths: vec!["api/Pos/".into()],
            pos_bill_paid_state: "3".into(),
            koudai_query_path: "api/3Pay/KouDaiLQ/Query".into(),
            paytype_wechat: "WX".into(),
            paytype_alipay: "ZF".into(),
            paytype_koudai: "KD".into(),
            out_mch_id: "sandbox-mch".into(),
            out_sub_mch_id: "sandbox-sub-mch".into(),
            out_shop_id: "sandbox-shop".into(),
            clock_offset_secs: 0,
            hawk_skew_secs: HAWK_SKEW_SECS,
            state: None,
        }
    }
}

/// A running sandbox.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    server: JoinHandle<()>,
}

impl Sandbox {
    /// Binds `cfg.addr` (port 0 picks a free port) and starts serving in the background.
    /// Settings that cannot work (see [`SandboxConfig`]) are refused with
    /// [`io::ErrorKind::InvalidInput`] before anything is bound.
    pub async fn start(cfg: SandboxConfig) -> io::Result<Sandbox> {
        let invalid = |e: String| io::Error::new(io::ErrorKind::InvalidInput, e);
        let authen = AuthenKey::new(SecretString::from(cfg.authen_key.clone()))
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let password_key_paths =
            tourv5::password_key_prefixes(&cfg.password_key_paths).map_err(invalid)?;
        let pos_bill_states = BillStates::new(&cfg.pos_bill_paid_state).map_err(invalid)?;
        let koudai_query_path =
            tourv5::koudai_query_route(&cfg.koudai_query_path, &app::fixed_routes())
                .map_err(invalid)?;
        let paytypes = Paytypes {
            wechat: paytype(&cfg.paytype_wechat, "paytype_wechat").map_err(invalid)?,
            alipay: paytype(&cfg.paytype_alipay, "paytype_alipay").map_err(invalid)?,
            koudai: paytype(&cfg.paytype_koudai, "paytype_koudai").map_err(invalid)?,
        };
        let merchant = Merchant {
            out_mch_id: merchant_id(&cfg.out_mch_id, "out_mch_id").map_err(invalid)?,
            out_sub_mch_id: merchant_id(&cfg.out_sub_mch_id, "out_sub_mch_id").map_err(invalid)?,
            out_shop_id: merchant_id(&cfg.out_shop_id, "out_shop_id").map_err(invalid)?,
        };
        // The prefix is the merchant's cloud_cashier_id from Tencent (docs/protocols.md §2): a
        // sandbox with another shape would let a till's numbering pass that real ones break.
        OrderScheme::cloud_pay(&cfg.order_prefix, "1").map_err(|e| invalid(e.to_string()))?;
        let clock = WallClock::new(cfg.clock_offset_secs).map_err(invalid)?;
        if !(1..=MAX_HAWK_SKEW_SECS).contains(&cfg.hawk_skew_secs) {
            return Err(invalid(format!(
                "the HAWK window {} s must be 1 s to a day ({MAX_HAWK_SKEW_SECS} s)",
                cfg.hawk_skew_secs
            )));
        }
        let (state, book) = match &cfg.state {
            Some(path) => {
                let (file, book) = state_file::StateFile::open(path, &clock.now())?;
                (Some(Mutex::new(file)), book)
            }
            None => (None, book::Book::default()),
        };
        let listener = TcpListener::bind(cfg.addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stop_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            addr,
            password_key: md5_key(&SecretString::from(cfg.password)),
            operator: cfg.operator,
            paytypes,
            hawk_skew: Duration::from_secs(cfg.hawk_skew_secs),
            authen,
            order_prefix: cfg.order_prefix,
            merchant,
            clock,
            tdes: cfg.tdes_profile,
            qr_ttl: cfg.qr_ttl,
            hawk_key_bytes: cfg.hawk_key_bytes,
            password_key_paths,
            pos_bill_states,
            koudai_query_path,
            book: Mutex::new(book),
            state,
            armory: Mutex::default(),
            sessions: Mutex::default(),
            stop: stop_rx.clone(),
        });
        let router = app::router(App(shared.clone()));
        let mut stopping = stop_rx;
        let server = tokio::spawn(async move {
            let served = axum::serve(
                SandboxListener(listener),
                router.into_make_service_with_connect_info::<Line>(),
            )
            .with_graceful_shutdown(async move {
                let _ = stopping.wait_for(|s| *s).await;
            })
            .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        Ok(Sandbox {
            addr,
            shared,
            stop,
            server,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/`, with the trailing slash clients join paths onto.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// A snapshot of orders, charges and refunds, the same as `GET /_sandbox/ledger`;
    /// password payments the customer has finished by now are in it.
    pub fn ledger(&self) -> Ledger {
        let ledger = self.shared.book().snapshot(&self.shared.now());
        self.shared.persist();
        ledger
    }

    /// Stops accepting, lets answers in flight finish (ones held back by a `delay` or
    /// `commit_then_hang` fault are cut) and waits a few seconds at most.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let mut server = self.server;
        if tokio::time::timeout(Duration::from_secs(5), &mut server)
            .await
            .is_err()
        {
            server.abort();
        }
    }
}

/// A `paytype`: 1 or 2 characters (seed 000: Max length 2), as .NET counts them.
fn paytype(value: &str, name: &str) -> Result<String, String> {
    match value.encode_utf16().count() {
        1 | 2 if !value.trim().is_empty() => Ok(value.to_string()),
        _ => Err(format!("{name} {value:?} must be 1 or 2 characters")),
    }
}

/// A Cloud Pay account id: `String(32)`, counted in UTF-8 bytes (docs/protocols.md §2).
fn merchant_id(value: &str, name: &str) -> Result<String, String> {
    if value.trim().is_empty() || value.len() > 32 {
        return Err(format!("{name} {value:?} must be 1 to 32 bytes"));
    }
    Ok(value.to_string())
}
