//! The store's day as the manager's desk reads it (docs/store.md, "The store's day"): the port
//! through which the till asks a store for one business day of every till ([`StoreReader`],
//! done by `cashier-open` with `cashier-store` as a read-only role), and what comes back, in
//! core's own types so that the till can turn it into the desk's words.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, NaiveDate, Utc};

use crate::receipts::DayTotals;
use crate::shipping::ShipFault;
use crate::{AttemptState, Channel, Fen};

/// A read in flight.
pub type Reading<'a> = Pin<Box<dyn Future<Output = Result<StoreDayRead, ShipFault>> + Send + 'a>>;

/// A store the desk reads, as a read-only role.
pub trait StoreReader: fmt::Debug + Send + Sync {
    /// The till's merchant's business `day`, every till.
    fn day(&self, day: NaiveDate) -> Reading<'_>;
}

/// How a till's shipping looks from the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TillLinkRead {
    CaughtUp,
    Behind,
    Silent,
    Never,
}

/// One till's day at the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TillDayRead {
    pub till: String,
    pub totals: DayTotals,
    pub head: i64,
    pub journal_seq: i64,
    pub seen_at: Option<DateTime<Utc>>,
    pub link: TillLinkRead,
    /// The Z that closed the day at this till, once shipped.
    pub z: Option<i64>,
    pub gap: Option<(i64, i64)>,
    pub conflicts: i64,
}

/// An attempt of the day that has not ended, at any till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAttemptRead {
    pub till: String,
    pub order_no: String,
    pub bill: String,
    pub channel: Channel,
    pub amount: Fen,
    pub state: AttemptState,
}

/// A merchant's business day across its tills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreDayRead {
    pub totals: DayTotals,
    pub tills: Vec<TillDayRead>,
    pub open: Vec<OpenAttemptRead>,
}
