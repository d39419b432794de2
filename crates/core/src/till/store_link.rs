//! The till's side of its store link (docs/store.md): what the store worker last learnt of the
//! store, its task, and the link on the status bar in the till's language.

use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::task::JoinHandle;
use ts_rs::TS;

use super::{Till, TillEvent, read};
use crate::Lang;
use crate::shipping::{ShipFault, Shipment, StoreRefusal};

/// Where the link to the store stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StoreLinkState {
    /// Not tried yet since the till opened.
    Checking,
    /// The last shipping reached the store and left nothing behind.
    Synced,
    /// The store cannot be reached: rows wait in the journal.
    Offline,
    /// The store answered no (login, role, schema, a disagreement): rows wait in the journal.
    Refused,
}

/// The store link as the status bar shows it. Absent from [`super::TillStatus`] when the
/// configuration has no `[store]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StoreView {
    pub state: StoreLinkState,
    /// Journal rows (seals) not at the store yet; `None` while the store's mark is unknown (not
    /// reached since the till opened).
    #[ts(type = "number | null")]
    pub waiting: Option<u64>,
    /// Since when it has not been shipping (`HH:MM`, business zone), while it is not.
    pub since: Option<String>,
    /// Why the store refused, while it does.
    pub refusal: Option<StoreRefusal>,
    /// The status bar's words: `门店 已同步`, `门店 离线 自 14:05 · 12 条待传`.
    pub label: String,
    /// Shown in the colour of a fault (offline, refused).
    pub fault: bool,
    /// What went wrong and what to do, in the till's language (the URL's password masked), for
    /// a tooltip.
    pub message: Option<String>,
}

/// What the worker last learnt of the store.
#[derive(Debug, Clone, Default)]
pub(super) struct Known {
    /// The store's high-water mark after the last shipping that reached it.
    pub head: Option<i64>,
    /// Why the last shipping failed; `None` once one succeeds.
    pub fault: Option<ShipFault>,
    /// When shipping stopped working (the first fault since the last success).
    pub since: Option<DateTime<Utc>>,
    pub tried: bool,
}

/// The till's side of its store: what is known of it, the worker, the view last announced.
#[derive(Default)]
pub(super) struct StoreLink {
    known: Mutex<Known>,
    announced: Mutex<Option<StoreView>>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for StoreLink {
    fn drop(&mut self) {
        if let Some(worker) = lock(&self.worker).take() {
            worker.abort();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl StoreLink {
    pub(super) fn keep_worker(&self, worker: JoinHandle<()>) {
        *lock(&self.worker) = Some(worker);
    }

    pub(super) fn known(&self) -> Known {
        lock(&self.known).clone()
    }

    pub(super) fn note(&self, now: DateTime<Utc>, result: &Result<Shipment, ShipFault>) {
        let mut known = lock(&self.known);
        known.tried = true;
        match result {
            Ok(shipment) => {
                known.head = Some(shipment.head);
                known.fault = None;
                known.since = None;
            }
            Err(fault) => {
                if known.fault.is_none() {
                    known.since = Some(now);
                }
                known.fault = Some(fault.clone());
            }
        }
    }
}

impl Till {
    /// Whether this till ships its journal: a `[store]` section and a shipper to do it.
    pub(super) fn ships(&self) -> bool {
        self.inner.options.shipper.is_some() && read(&self.inner.cfg).store.is_some()
    }

    /// The store link for the status bar; `None` when this till ships nowhere.
    pub fn store_status(&self) -> Option<StoreView> {
        if !self.ships() {
            return None;
        }
        let known = self.inner.store.known();
        let lang = self.lang();
        let since = known.since.map(|t| {
            t.with_timezone(&self.business_tz())
                .format("%H:%M")
                .to_string()
        });
        let waiting = |head: Option<i64>| {
            let last = self.inner.journal.last_seal_seq().unwrap_or_else(|e| {
                tracing::warn!("reading how far the journal goes: {e}");
                0
            });
            head.map(|h| u64::try_from(last.saturating_sub(h)).unwrap_or(0))
        };
        let (state, waiting, refusal, message) = match &known.fault {
            None if !known.tried => (StoreLinkState::Checking, None, None, None),
            // Healthy: the worker ships after every write, so what waits is on its way.
            None => (StoreLinkState::Synced, Some(0), None, None),
            Some(ShipFault::Offline(detail)) => (
                StoreLinkState::Offline,
                waiting(known.head),
                None,
                Some(lang.pick([
                    format!("无法连接门店数据库（{detail}）：收款不受影响，恢复后自动补传"),
                    format!(
                        "the store cannot be reached ({detail}): payments go on, what waits ships when it is back"
                    ),
                ])),
            ),
            Some(ShipFault::Refused { why, detail }) => (
                StoreLinkState::Refused,
                waiting(known.head),
                Some(*why),
                Some(lang.pick([
                    format!("{}（{detail}）", why.advice(lang)),
                    format!("{} ({detail})", why.advice(lang)),
                ])),
            ),
        };
        let queue = match (waiting, lang) {
            (None | Some(0), _) => String::new(),
            (Some(n), Lang::ZhCn) => format!(" · {n} 条待传"),
            (Some(n), Lang::En) => format!(" · {n} rows waiting"),
        };
        let words = match (state, lang) {
            (StoreLinkState::Checking, _) => lang.pick(["连接中", "connecting"]).to_string(),
            (StoreLinkState::Synced, _) => lang.pick(["已同步", "synced"]).to_string(),
            (StoreLinkState::Offline, Lang::ZhCn) => match &since {
                Some(t) => format!("离线 自 {t}"),
                None => "离线".into(),
            },
            (StoreLinkState::Offline, Lang::En) => match &since {
                Some(t) => format!("offline since {t}"),
                None => "offline".into(),
            },
            (StoreLinkState::Refused, _) => {
                let why = refusal.map_or("", |r| lang.pick(r.words()));
                lang.pick([format!("拒绝：{why}"), format!("refused: {why}")])
            }
        };
        let label = lang.pick([
            format!("门店 {words}{queue}"),
            format!("Store {words}{queue}"),
        ]);
        let fault = matches!(state, StoreLinkState::Offline | StoreLinkState::Refused);
        Some(StoreView {
            state,
            waiting,
            since: since.filter(|_| fault),
            refusal,
            label,
            fault,
            message,
        })
    }

    /// Keeps what a shipping said, for the status bar.
    pub(super) fn note_shipped(&self, result: &Result<Shipment, ShipFault>) {
        self.inner.store.note(self.inner.clock.now(), result);
    }

    /// Sends the status to the screens when the store link's view changed since last sent.
    pub(super) fn announce_store(&self) {
        let view = self.store_status();
        let mut announced = lock(&self.inner.store.announced);
        if *announced == view {
            return;
        }
        announced.clone_from(&view);
        drop(announced);
        let _ = self.inner.events.send(TillEvent::Status {
            status: self.status(),
        });
    }
}
