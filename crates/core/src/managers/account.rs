//! A manager's account as the journal keeps it and as the desk shows it (never the hash).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use ts_rs::TS;

use super::ManagerId;
use super::lock::PinCount;

/// The embedded sandbox's demo manager, named on the login screen (the journal keeps the
/// Chinese name; names are unique, so it is found by its `demo` mark, never by name).
pub const DEMO_MANAGER_NAME: &str = "演示主管";
/// Its PIN, public like the sandbox's cashier password.
pub const DEMO_MANAGER_PIN: &str = "123456";

/// One row of the `managers` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagerRow {
    pub id: ManagerId,
    pub name: String,
    pub pin_hash: String,
    pub staff_id: Option<String>,
    pub demo: bool,
    pub active: bool,
    pub count: PinCount,
}

/// A manager in the list an approver is chosen from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ManagerView {
    pub id: ManagerId,
    pub name: String,
    pub active: bool,
    pub demo: bool,
    pub staff_id: Option<String>,
    /// HH:MM in the business zone, while locked after wrong PINs.
    pub locked_until_time: Option<String>,
}

impl ManagerRow {
    pub fn view(&self, now: DateTime<Utc>, tz: Tz) -> ManagerView {
        ManagerView {
            id: self.id,
            name: self.name.clone(),
            active: self.active,
            demo: self.demo,
            staff_id: self.staff_id.clone(),
            locked_until_time: self
                .count
                .locked_until
                .filter(|_| self.count.locked(now))
                .map(|u| hh_mm(u, tz)),
        }
    }
}

/// A time as HH:MM in the business zone.
pub fn hh_mm(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%H:%M").to_string()
}
