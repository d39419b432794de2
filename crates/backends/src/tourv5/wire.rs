//! Tour V5 wire shapes, field names exactly as in the seeds (case matters: `billnum` here,
//! `billNum` there). Pure data: no I/O, no policy.

use serde::{Deserialize, Deserializer, Serialize};

use cashier_core::money::{Fen, wire_yuan};

/// `{errcode, errmsg, tag}`, the envelope of every answer (docs/protocols.md §1).
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope<T> {
    pub errcode: i64,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub errmsg: String,
    #[serde(default = "none")]
    pub tag: Option<T>,
}

fn none<T>() -> Option<T> {
    None
}

/// Seed 000 `WeChatScanCodeParm`; the Alipay `ScanCode` takes the same body (docs/protocols.md §1).
#[derive(Debug, Clone, Serialize)]
pub struct ScanCodeParm {
    pub billnum: String,
    pub billtype: String,
    pub body: String,
    pub paytype: String,
    #[serde(with = "wire_yuan")]
    pub paymentvalue: Fen,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clientip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cardno: Option<String>,
}

/// Seed 000 answer tag `PayScanCodeResult`.
#[derive(Debug, Clone, Deserialize)]
pub struct PayScanCodeResult {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub billnum: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub autoid: Option<String>,
    #[serde(default)]
    pub codeurl: Option<String>,
}

/// Seed 003 `AliPayQueryParm`; also the WeChat and (ASSUMPTION) KouDaiLQ query bodies.
#[derive(Debug, Clone, Serialize)]
pub struct QueryParm {
    pub billnum: String,
    pub autoid: String,
    pub billtype: String,
    pub paytype: String,
}

/// Seeds 001/003 answer tag `PayStatusResult`.
#[derive(Debug, Clone, Deserialize)]
pub struct PayStatusResult {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub billnum: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub autoid: Option<String>,
    #[serde(default)]
    pub billstatus: Option<String>,
    #[serde(default)]
    pub paystatus: Option<String>,
    #[serde(default)]
    pub paystatusdesc: Option<String>,
}

/// Seed 001 `KouDaiLQBarCodeParm`. `Debug` masks the code.
#[derive(Clone, Serialize)]
pub struct KouDaiLqBarCodeParm {
    #[serde(rename = "BusinessType")]
    pub business_type: u8,
    #[serde(rename = "operatorNo")]
    pub operator_no: String,
    #[serde(rename = "billNum")]
    pub bill_num: String,
    #[serde(with = "wire_yuan")]
    pub summary: Fen,
    #[serde(rename = "cardNo", skip_serializing_if = "Option::is_none")]
    pub card_no: Option<String>,
    /// The clear payment code: this struct is never logged.
    #[serde(rename = "barCode")]
    pub bar_code: String,
}

impl std::fmt::Debug for KouDaiLqBarCodeParm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KouDaiLqBarCodeParm")
            .field("bill_num", &self.bill_num)
            .field("summary", &self.summary)
            .field("bar_code", &cashier_core::code::mask_digits(&self.bar_code))
            .finish_non_exhaustive()
    }
}

/// Seed 002 `PosSellPayWithWechatBarcodeParm`.
#[derive(Debug, Clone, Serialize)]
pub struct PosSellPayWithWechatBarcodeParm {
    pub billnum: String,
    /// TripleDES ciphertext of the scanned code, Base64.
    pub wechatbarcode: String,
    #[serde(with = "wire_yuan")]
    pub paymentvalue: Fen,
}

/// Seed 002 answer tag `PosSellPaymentResult` (`autoid` is an integer there).
#[derive(Debug, Clone, Deserialize)]
pub struct PosSellPaymentResult {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub billnum: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub autoid: Option<String>,
    #[serde(default)]
    pub billpaystate: Option<String>,
}

/// `GET api/Pos/MiniProgram/Busi/Sell/MainRow/Query/ByBillNum/{billnum}` answer tag.
/// ASSUMPTION (docs/protocols.md §1): `paystate == "3"` means fully paid; ASSUMPTION: `billvalue`
/// and `paidvalue` (yuan) are the bill's total and what has been paid on it, when present.
#[derive(Debug, Clone, Deserialize)]
pub struct PosSellMainRow {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub billnum: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub paystate: Option<String>,
    #[serde(default, deserialize_with = "opt_yuan")]
    pub billvalue: Option<Fen>,
    #[serde(default, deserialize_with = "opt_yuan")]
    pub paidvalue: Option<Fen>,
}

fn opt_yuan<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Fen>, D::Error> {
    let v: Option<rust_decimal::Decimal> =
        rust_decimal::serde::arbitrary_precision_option::deserialize(d)?;
    v.map(Fen::from_wire_yuan)
        .transpose()
        .map_err(serde::de::Error::custom)
}

/// `api/UnPos/User/Login/ByPwd` answer tag (docs/protocols.md §1).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoginResult {
    #[serde(default)]
    pub merchant_name: Option<String>,
    #[serde(default)]
    pub user_alias: Option<String>,
    #[serde(default)]
    pub server_time: Option<String>,
    pub hawk_real_key: String,
}

/// The login body is a bare JSON string with the client's time.
pub const LOGIN_TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// The back office's samples disagree on whether ids are strings or numbers (seed 001
/// `"autoid": "…"`, seed 002 `"autoid": 2`), so both are read as text.
fn opt_string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected text or number, got {other}"
        ))),
    }
}
