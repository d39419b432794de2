//! The Tour V5 back office as core knows it: what a deployment sets for it (lines marked
//! ASSUMPTION in docs/protocols.md are fields here, not constants, so a deployment changes them
//! without a rebuild), and the wallets and bill figures the checkout asks it about.

use serde::{Deserialize, Serialize};

use super::crypto::{HawkKeyBytes, TdesProfile};
use crate::Fen;

/// Deployment settings. Lines marked ASSUMPTION in docs/protocols.md are fields here, not
/// constants.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TourV5Config {
    pub base_url: String,
    /// `billtype` / `BusinessType`: 1 scenic tickets … 7 stored-value top-up.
    pub billtype: u8,
    /// 2-character payment-method codes, set by the deployment.
    pub paytype_wechat: String,
    pub paytype_alipay: String,
    pub paytype_koudai: String,
    /// ASSUMPTION: KouDaiLQ's poll endpoint takes the Alipay query body.
    pub koudai_query_path: String,
    pub tdes_profile: TdesProfile,
    /// Product description sent with QR orders.
    pub body: String,
    pub clientip: Option<String>,
    /// The back office's clock zone, to read `ServerTime` (minutes east of UTC).
    pub server_utc_offset_minutes: i32,
    /// ASSUMPTION (docs/protocols.md §1): HAWK key bytes are the UTF-8 of the key string.
    pub hawk_key_bytes: HawkKeyBytes,
    /// Paths signed with `UPPER(MD5(password))`; every other path after login is signed with
    /// the session key from `HawkRealKey` (ASSUMPTION for `api/3Pay/...`).
    pub password_key_paths: Vec<String>,
    /// ASSUMPTION (docs/protocols.md §1): the POS bill status `paystate` that means fully paid.
    pub pos_bill_paid_state: String,
    /// ASSUMPTION: how long a QR code stays payable after it is issued (WeChat and Alipay
    /// codes live about two hours). The back office documents no close, so a bill whose
    /// expired code is younger than this is asked about it before it is charged again.
    pub qr_payable_secs: u64,
}

impl Default for TourV5Config {
    fn default() -> Self {
        TourV5Config {
            base_url: String::new(),
            billtype: 1,
            paytype_wechat: "WX".into(),
            paytype_alipay: "ZF".into(),
            paytype_koudai: "KD".into(),
            koudai_query_path: "api/3Pay/KouDaiLQ/Query".into(),
            tdes_profile: TdesProfile::default(),
            body: "Cashier".into(),
            clientip: None,
            server_utc_offset_minutes: 8 * 60,
            hawk_key_bytes: HawkKeyBytes::default(),
            password_key_paths: vec!["api/Pos/".into()],
            pos_bill_paid_state: "3".into(),
            qr_payable_secs: 2 * 60 * 60,
        }
    }
}

/// Which wallet a Tour V5 QR order is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QrWallet {
    Wechat,
    Alipay,
}

/// What the back office says of a POS sale bill: its total and what has been paid on it,
/// each where it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PosBill {
    pub billed: Option<Fen>,
    pub paid: Option<Fen>,
}
