//! The store's day as the manager's desk reads it (docs/store.md, "The store's day"): the port
//! through which the till asks a store for one business day of every till ([`StoreReader`],
//! done by `cashier-open` with `cashier-store` as a read-only role), and what comes back, in
//! core's own types so that the till can turn it into the desk's words.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::receipts::DayTotals;
use crate::shipping::ShipFault;
use crate::{AttemptState, Channel, Fen};

/// A read in flight.
pub type Reading<'a> = Pin<Box<dyn Future<Output = Result<StoreDay, ShipFault>> + Send + 'a>>;

/// A store the desk reads, as a read-only role.
pub trait StoreReader: fmt::Debug + Send + Sync {
    /// The till's merchant's business `day`, every till.
    fn day(&self, day: NaiveDate) -> Reading<'_>;
}

/// How a till's link to the store looks from the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TillLink {
    /// Everything its journal held when it last came is here.
    CaughtUp,
    /// It said its journal had more than the store holds.
    Behind,
    /// Not heard from for longer than the report's limit (its rows may be waiting).
    Silent,
    /// Registered, never shipped.
    Never,
}

impl TillLink {
    /// The link in words, Chinese and English: the desk's and the CLI's.
    pub fn words(self) -> [&'static str; 2] {
        match self {
            TillLink::CaughtUp => ["已同步", "synced"],
            TillLink::Behind => ["落后", "behind"],
            TillLink::Silent => ["无音讯", "silent"],
            TillLink::Never => ["从未上传", "never shipped"],
        }
    }
}

/// One till's day at the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TillDay {
    pub till: String,
    pub totals: DayTotals,
    /// The store's high-water mark for the till, and how far its journal went.
    pub head: i64,
    pub journal_seq: i64,
    pub seen_at: Option<DateTime<Utc>>,
    pub link: TillLink,
    /// The number of the Z that closed the day at this till, once it is here.
    pub z: Option<i64>,
    /// A hole: seals after the high-water mark are here but this range is not.
    pub gap: Option<(i64, i64)>,
    /// Seals that came again with other content.
    pub conflicts: i64,
}

/// An attempt that has not ended, at any till: acted on at its own till.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenAttempt {
    pub till: String,
    pub order_no: String,
    pub bill: String,
    pub channel: Channel,
    pub amount: Fen,
    pub state: AttemptState,
    pub created_at: String,
}

/// A merchant's business day across its tills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreDay {
    pub merchant: String,
    pub day: NaiveDate,
    /// All tills together.
    pub totals: DayTotals,
    pub tills: Vec<TillDay>,
    /// Unknown, abandoned and still-running attempts of the day, every till's.
    pub open: Vec<OpenAttempt>,
}
