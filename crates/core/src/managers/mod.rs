//! Manager accounts, their PINs and the approvals they give (docs/desk.md).
//!
//! A manager is *chosen* (two people may share a PIN), then the PIN is typed. A PIN is kept
//! only as an Argon2id hash keyed with the install's secret, a file beside the journal and
//! never inside it. Wrong PINs lock the manager with a doubling wait, kept in the journal so
//! that a restart does not reset it.

pub mod account;
pub mod lock;
pub mod pin;
pub mod refusal;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use account::{DEMO_MANAGER_NAME, DEMO_MANAGER_PIN, ManagerRow, ManagerView};
pub use refusal::DeskRefusal;

/// A manager's account number in this till's journal. A newtype struct: serde writes it as
/// the bare number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
pub struct ManagerId(pub i64);

/// A chosen manager and the PIN typed for them: what every manager action carries.
/// Not `Debug`: it holds the PIN.
#[derive(Clone, Deserialize, TS)]
pub struct Approval {
    pub manager: ManagerId,
    pub pin: String,
}

/// The manager whose PIN was checked: who approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approver {
    pub id: ManagerId,
    pub name: String,
    /// Cloud Pay's `authorization_staff_id` for the refunds this manager approves.
    pub staff_id: Option<String>,
}
