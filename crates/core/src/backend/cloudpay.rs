//! Cloud Pay as core knows it: what a deployment sets for it, the platform and trade type the
//! checkout names in its calls, and how a refund stands and who authorises it.

use serde::{Deserialize, Serialize};

use crate::{CodeError, CodeKind, Error, PaymentCode};

/// PayPlatform: 1 WeChat, 2 Alipay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Wechat = 1,
    Alipay = 2,
}

impl Platform {
    pub fn for_code(code: &PaymentCode) -> Result<Platform, Error> {
        match code.kind() {
            CodeKind::Wechat => Ok(Platform::Wechat),
            CodeKind::Alipay => Ok(Platform::Alipay),
            got @ (CodeKind::UnionPay | CodeKind::Unknown) => Err(CodeError::WrongWallet {
                got,
                takes: "WeChat or Alipay",
            }
            .into()),
        }
    }
}

/// TradeType: 1 barcode, 2 QR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TradeType {
    Barcode = 1,
    Qr = 2,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CloudPayConfig {
    /// Primary host first, then the fail-over hosts.
    pub hosts: Vec<String>,
    pub out_mch_id: String,
    pub out_sub_mch_id: String,
    pub out_shop_id: String,
    pub sub_pay_platform: Option<u32>,
    /// Every `out_trade_no` must start with this (the merchant's Cloud Pay order prefix).
    pub order_prefix: String,
    pub machine_no: String,
    pub device_id: String,
    pub staff_id: String,
    /// 1 Windows, 4 Linux.
    pub terminal_type: u32,
    pub sdk_version: String,
    pub spbill_create_ip: String,
    pub body: String,
    /// WeChat QR orders need `wxpay_pay_content_ext.product_id`.
    pub product_id: String,
    /// ASSUMPTION (docs/protocols.md §2): `time_expire` is absolute unix seconds. A deployment
    /// whose account reads it otherwise turns it off and relies on the till's own close.
    pub send_time_expire: bool,
}

impl Default for CloudPayConfig {
    fn default() -> Self {
        CloudPayConfig {
            hosts: [
                "https://pay.qcloud.com/",
                "https://sz.pay.qcloud.com/",
                "https://sh.pay.qcloud.com/",
                "https://tj.pay.qcloud.com/",
            ]
            .map(String::from)
            .to_vec(),
            out_mch_id: String::new(),
            out_sub_mch_id: String::new(),
            out_shop_id: String::new(),
            sub_pay_platform: None,
            order_prefix: String::new(),
            machine_no: "cashier-01".into(),
            device_id: "cashier-01".into(),
            staff_id: "cashier".into(),
            terminal_type: if cfg!(windows) { 1 } else { 4 },
            sdk_version: "1.0".into(),
            spbill_create_ip: "127.0.0.1".into(),
            body: "Cashier".into(),
            product_id: "cashier".into(),
            send_time_expire: true,
        }
    }
}

/// How a refund stands, as the backend says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RefundOutcome {
    Refunding,
    Refunded { refund_fee: Option<u64> },
    Failed { reason: String },
    Unknown { reason: String },
}

/// Who authorises a refund (docs/protocols.md §2): the sub-merchant's administrator, or a
/// staff member whose refund permission Tencent checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundAuthority {
    SubMchAdmin,
    Staff {
        staff_id: String,
        name: Option<String>,
    },
}
