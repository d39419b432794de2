//! Shipping the journal to a store of many tills, as core sees it (docs/store.md): the port
//! through which the till's store worker asks for its journal to be shipped ([`Shipper`]), and
//! what can come back ([`Shipment`], [`ShipFault`]).
//!
//! Core decides *when* the journal ships (after each write, every few seconds otherwise, backing
//! off while the store is down) and what the status bar says of the link; `cashier-store`
//! (PostgreSQL) decides *how*, and `cashier-open` wires it in. Core never sees a PostgreSQL
//! client, so nothing on the payment path can wait for one.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use crate::Lang;
use crate::journal::Journal;

/// A shipping in flight. Boxed so the port can be held as `dyn`, `Send` so it runs on any thread.
pub type Shipping<'a> = Pin<Box<dyn Future<Output = Result<Shipment, ShipFault>> + Send + 'a>>;

/// A store a till ships its journal to. Implemented by `cashier-open` with `cashier-store`.
pub trait Shipper: fmt::Debug + Send + Sync {
    /// Ships everything `journal` holds beyond what the store has, and returns once caught up:
    /// where the store's high-water mark now stands. Reads the journal, never writes it; where
    /// to resume is the store's to say, so it is safe to call at any time, again and again.
    fn ship<'a>(&'a self, journal: &'a Arc<Journal>) -> Shipping<'a>;
}

/// What a shipping did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shipment {
    /// Every seal from 1 to `head` is at the store.
    pub head: i64,
    /// The journal's last seal when the shipping ended.
    pub journal_seq: i64,
}

/// Why the journal did not reach the store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShipFault {
    /// The store cannot be reached now (down, refused, timed out, cut mid-batch): nothing is
    /// lost, the journal keeps every row, and shipping tries again soon.
    #[error("the store cannot be reached: {0}")]
    Offline(String),
    /// The store answered no: trying again at once will not help; someone must act (what, the
    /// refusal says). Shipping tries again now and then, in case they did.
    #[error("the store refused this till ({why:?}): {detail}")]
    Refused { why: StoreRefusal, detail: String },
}

impl ShipFault {
    /// Whether trying again in a few seconds can help.
    pub fn transient(&self) -> bool {
        matches!(
            self,
            ShipFault::Offline(_)
                | ShipFault::Refused {
                    why: StoreRefusal::Other,
                    ..
                }
        )
    }
}

/// Why a store refused a till, by what someone has to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StoreRefusal {
    /// The `[store]` section does not name a usable store.
    Config,
    /// The server refused the login (wrong password, unknown role).
    Login,
    /// The database refused the rows as not this role's (row-level security).
    Role,
    /// The store's schema is newer than this program: upgrade Cashier on this till.
    SchemaNewer,
    /// The store's schema is older than this program: `cashier store migrate`.
    SchemaOlder,
    /// The journal and the store disagree about a row already shipped (a conflict, a
    /// divergence): neither is changed.
    Disagree,
    /// Any other error of the store or the journal.
    Other,
}

impl StoreRefusal {
    /// Short, for the status bar: `[zh-CN, en]`.
    pub fn words(self) -> [&'static str; 2] {
        match self {
            StoreRefusal::Config => ["配置有误", "misconfigured"],
            StoreRefusal::Login => ["登录被拒", "login refused"],
            StoreRefusal::Role => ["角色被拒", "role refused"],
            StoreRefusal::SchemaNewer => ["需升级本机", "upgrade this till"],
            StoreRefusal::SchemaOlder => ["门店库需升级", "store needs migrate"],
            StoreRefusal::Disagree => ["记录不一致", "records disagree"],
            StoreRefusal::Other => ["出错", "error"],
        }
    }

    /// What to do, in the till's language.
    pub fn advice(self, lang: Lang) -> &'static str {
        lang.pick(match self {
            StoreRefusal::Config => [
                "请检查配置文件的 [store] 一节",
                "check the [store] section of the configuration",
            ],
            StoreRefusal::Login => [
                "门店数据库拒绝登录：请检查本机的角色和密码",
                "the store refused the login: check this till's role and password",
            ],
            StoreRefusal::Role => [
                "门店数据库不允许本机角色写入这些记录：请检查 cashier store add-till 的登记",
                "the store does not let this till's role write these rows: check its cashier store add-till",
            ],
            StoreRefusal::SchemaNewer => [
                "门店数据库比本机程序新：请先升级本机的 Cashier",
                "the store's schema is newer than this program: upgrade Cashier on this till",
            ],
            StoreRefusal::SchemaOlder => [
                "门店数据库版本过旧：请运行 cashier store migrate",
                "the store's schema is older than this program: run cashier store migrate",
            ],
            StoreRefusal::Disagree => [
                "本机日志与门店记录不一致：两边都未改动，请联系主管",
                "this till's journal and the store disagree: neither was changed, call a manager",
            ],
            StoreRefusal::Other => [
                "门店数据库出错：稍后自动重试",
                "the store failed: shipping tries again shortly",
            ],
        })
    }
}
