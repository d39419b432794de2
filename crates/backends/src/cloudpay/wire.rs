//! Tencent Cloud Pay wire shapes (seed 004, docs/protocols.md §2). `request_content` and
//! `response_content` are JSON *strings*: serialised once, signed, sent as they are.

use serde::{Deserialize, Deserializer, Serialize};

/// What is sent: the signed content string and its authen_code. `Debug` shows neither: the
/// content may hold a payment code.
#[derive(Clone, Serialize)]
pub struct Request {
    pub request_content: String,
    pub authen_info: AuthenInfo,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Request({} bytes of request_content)",
            self.request_content.len()
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthenInfo {
    pub a: AuthenA,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthenA {
    pub authen_type: u8,
    pub authen_code: String,
}

/// The answer as it arrives; `response_content` is still text.
#[derive(Debug, Clone, Deserialize)]
pub struct Answer {
    pub response_content: String,
    #[serde(default)]
    pub authen_info: Option<AuthenInfo>,
}

/// Every unset field is omitted, never sent as `null` (docs/protocols.md §2).
#[derive(Debug, Clone, Serialize)]
pub struct RequestContent {
    pub nonce_str: String,
    pub pay_mch_key: PayMchKey,
    pub order_client: OrderClient,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_content: Option<PayContent>,
    /// `query_order`, `close_order`, `query_refund_order`: the order, at the top level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trade_type: Option<u8>,
    /// `query_refund_order`: the refund, at the top level beside `out_trade_no`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_refund_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_content: Option<RefundContent>,
}

impl RequestContent {
    /// Every `String(n)` member against its limit in UTF-8 bytes (seed 004), so that an
    /// over-long value is refused here, before anything is sent, with the field named.
    pub fn check_limits(&self) -> Result<(), LimitError> {
        let client = &self.order_client;
        let key = &self.pay_mch_key;
        let mut fields: Vec<(&'static str, Option<&str>, usize)> = vec![
            ("nonce_str", Some(&self.nonce_str), 32),
            ("pay_mch_key.out_mch_id", Some(&key.out_mch_id), 32),
            ("pay_mch_key.out_sub_mch_id", Some(&key.out_sub_mch_id), 32),
            ("pay_mch_key.out_shop_id", Some(&key.out_shop_id), 32),
            (
                "pay_mch_key.authorization_staff_id",
                key.authorization
                    .as_ref()
                    .and_then(|a| a.authorization_staff_id.as_deref()),
                64,
            ),
            (
                "pay_mch_key.authorization_name",
                key.authorization
                    .as_ref()
                    .and_then(|a| a.authorization_name.as_deref()),
                32,
            ),
            ("order_client.machine_no", client.machine_no.as_deref(), 32),
            ("order_client.device_id", client.device_id.as_deref(), 64),
            ("order_client.staff_id", client.staff_id.as_deref(), 64),
            ("order_client.sdk_version", Some(&client.sdk_version), 10),
            (
                "order_client.spbill_create_ip",
                Some(&client.spbill_create_ip),
                16,
            ),
            ("out_trade_no", self.out_trade_no.as_deref(), 32),
            ("out_refund_no", self.out_refund_no.as_deref(), 32),
        ];
        if let Some(p) = &self.pay_content {
            fields.extend([
                (
                    "pay_content.out_trade_no",
                    Some(p.out_trade_no.as_str()),
                    32,
                ),
                ("pay_content.body", Some(p.body.as_str()), 128),
                ("pay_content.remark", p.remark.as_deref(), 127),
                (
                    "pay_content.wxpay_pay_content_ext.product_id",
                    p.wxpay_pay_content_ext
                        .as_ref()
                        .map(|e| e.product_id.as_str()),
                    32,
                ),
            ]);
        }
        if let Some(r) = &self.refund_content {
            fields.extend([
                (
                    "refund_content.out_trade_no",
                    Some(r.out_trade_no.as_str()),
                    32,
                ),
                (
                    "refund_content.out_refund_no",
                    Some(r.out_refund_no.as_str()),
                    32,
                ),
            ]);
        }
        for (field, value, max) in fields {
            if let Some(v) = value
                && v.len() > max
            {
                return Err(LimitError {
                    field,
                    bytes: v.len(),
                    max,
                });
            }
        }
        Ok(())
    }
}

/// A `String(n)` member longer than `n` UTF-8 bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Cloud Pay {field} is {bytes} bytes in UTF-8, over its limit String({max})")]
pub struct LimitError {
    pub field: &'static str,
    pub bytes: usize,
    pub max: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PayMchKey {
    pub pay_platform: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_pay_platform: Option<u32>,
    pub out_mch_id: String,
    pub out_sub_mch_id: String,
    pub out_shop_id: String,
    /// `refund` only: who authorises it, beside the accounts (docs/protocols.md §2).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<RefundAuthorization>,
}

/// The members a `refund`'s `pay_mch_key` adds: Tencent checks the refund permission of the
/// person they name. `authorization_staff_id` is required when `is_sub_mch_admin` is false.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RefundAuthorization {
    pub is_sub_mch_admin: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_staff_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_name: Option<String>,
}

/// The members each call needs differ (docs/protocols.md §2): paying calls send all but
/// `sub_terminal_type`, closing and refunding leave out `machine_no` (and `staff_id`),
/// queries send only `terminal_type`, `sdk_version` and `spbill_create_ip`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OrderClient {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_no: Option<String>,
    pub terminal_type: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<String>,
    pub sdk_version: String,
    pub spbill_create_ip: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_terminal_type: Option<u32>,
}

/// `Debug` masks `author_code`.
#[derive(Clone, Serialize)]
pub struct PayContent {
    pub out_trade_no: String,
    pub total_fee: u64,
    pub fee_type: String,
    /// The client's own reference; Cashier sends the bill number so both sides can match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_flow_id: Option<String>,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_expire: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// The scanned payment code (micro_pay only). Never logged: the content is only signed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wxpay_pay_content_ext: Option<WxpayPayContentExt>,
}

impl std::fmt::Debug for PayContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayContent")
            .field("out_trade_no", &self.out_trade_no)
            .field("total_fee", &self.total_fee)
            .field(
                "author_code",
                &self
                    .author_code
                    .as_deref()
                    .map(cashier_core::code::mask_digits),
            )
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct WxpayPayContentExt {
    pub product_id: String,
}

/// `refund`'s `refund_content` (docs/protocols.md §2); `query_refund_order` names its refund at
/// the top level instead.
#[derive(Debug, Clone, Serialize)]
pub struct RefundContent {
    pub out_trade_no: String,
    pub out_refund_no: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_fee: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_fee: Option<u64>,
    /// Always `CNY`.
    pub refund_fee_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_reason: Option<String>,
}

/// `response_content` once parsed. Only `status` is always there; the payload object is
/// named after the endpoint.
#[derive(Debug, Clone, Deserialize)]
pub struct ResponseContent {
    pub status: i64,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub log_id: Option<serde_json::Value>,
    #[serde(default)]
    pub internal_status: Option<i64>,
    #[serde(default)]
    pub scan_code_pay: Option<ScanPayResponse>,
    #[serde(default)]
    pub micro_pay: Option<OrderPayload>,
    #[serde(default)]
    pub query_order: Option<OrderPayload>,
    #[serde(default)]
    pub close_order: Option<serde_json::Value>,
    #[serde(default)]
    pub refund: Option<RefundPayload>,
    #[serde(default)]
    pub query_refund_order: Option<RefundPayload>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ScanPayResponse {
    pub code_url: String,
    #[serde(default)]
    pub nonce_str: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OrderPayload {
    pub order_content: Option<OrderContent>,
}

/// ASSUMPTION: the fields Cashier reads from `order_content`.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderContent {
    #[serde(default)]
    pub out_trade_no: Option<String>,
    #[serde(default)]
    pub transaction_id: Option<String>,
    #[serde(default)]
    pub total_fee: Option<u64>,
    #[serde(default)]
    pub wxpay_order_content_ext: Option<TradeStateExt>,
    #[serde(default)]
    pub alipay_order_content_ext: Option<TradeStateExt>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TradeStateExt {
    #[serde(deserialize_with = "int_or_text")]
    pub current_trade_state: i64,
}

/// `refund` answers one `refund_order_content`; `query_refund_order` a list, one entry per
/// refund of the order (docs/protocols.md §2). Either shape is read as a list.
#[derive(Debug, Clone, Deserialize)]
pub struct RefundPayload {
    #[serde(default, deserialize_with = "one_or_many")]
    pub refund_order_content: Vec<RefundOrderContent>,
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<RefundOrderContent>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<RefundOrderContent>),
        One(RefundOrderContent),
        Null(()),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::Many(all) => all,
        OneOrMany::One(one) => vec![one],
        OneOrMany::Null(()) => Vec::new(),
    })
}

/// One refund of the order (the vendor's `RefundOrderContent`, docs/protocols.md §2). Its state
/// is only inside its wallet's object; the entry itself has none. The members Cashier does not
/// read (times, `is_transforming`, the wallets' accounts) are left unparsed.
#[derive(Debug, Clone, Deserialize)]
pub struct RefundOrderContent {
    #[serde(default)]
    pub out_refund_no: Option<String>,
    #[serde(default)]
    pub refund_id: Option<String>,
    #[serde(default)]
    pub out_trade_no: Option<String>,
    #[serde(default)]
    pub total_fee: Option<u64>,
    #[serde(default)]
    pub refund_fee: Option<u64>,
    #[serde(default)]
    pub wxpay_refund_order_content_ext: Option<WxpayRefundOrderContentExt>,
    #[serde(default)]
    pub alipay_refund_order_content_ext: Option<AlipayRefundOrderContentExt>,
}

/// WeChat's side of a refund: `state` is a WxpayRefundOrderState number.
#[derive(Debug, Clone, Deserialize)]
pub struct WxpayRefundOrderContentExt {
    #[serde(deserialize_with = "int_or_text")]
    pub state: i64,
    #[serde(default)]
    pub cash_refund_fee: Option<u64>,
}

/// Alipay's side of a refund: `refund_status` is an AlipayRefundOrderState number.
#[derive(Debug, Clone, Deserialize)]
pub struct AlipayRefundOrderContentExt {
    #[serde(deserialize_with = "int_or_text")]
    pub refund_status: i64,
}

fn int_or_text<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n
            .to_string()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("not an integer: {n}"))),
        serde_json::Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("not an integer: {s}"))),
        other => Err(serde::de::Error::custom(format!("not an integer: {other}"))),
    }
}
