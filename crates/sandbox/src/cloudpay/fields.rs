//! Field lookups in `request_content`, by name, independent of the client's structs. The
//! first broken field is answered as status 101 with its path, as Cloud Pay reports one
//! parameter error at a time.
//!
//! The rules (docs/protocols.md §2, seed 004): `String(n)` counts UTF-8 bytes; `null` is never a
//! value (unset fields are omitted); a field the call does not document is refused; every
//! `pay_mch_key` names this merchant and a `sub_pay_platform` of its wallets; `order_client`
//! carries the members each kind of call needs, `spbill_create_ip` an IPv4 address; order and
//! refund numbers start with the merchant's order prefix and hold no character outside the
//! set below.

use std::net::Ipv4Addr;

use cashier_core::Fen;
use serde_json::{Map, Value};

use super::Reply;
use crate::app::Merchant;
use crate::order::Wallet;

/// One JSON object of the request and where it sits (`pay_content.`), for error messages.
pub struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    /// The whole `request_content`, refused if any value in it, however deep, is `null`.
    pub fn root(v: &'a Value) -> Result<Obj<'a>, Reply> {
        let map = v
            .as_object()
            .ok_or_else(|| Reply::invalid("request_content is not an object"))?;
        if let Some(path) = first_null(v, "") {
            return Err(Reply::invalid(format!(
                "参数错误 invalid parameter {path}: null (omit a field that is not set)"
            )));
        }
        Ok(Obj {
            map,
            path: String::new(),
        })
    }

    fn name(&self, field: &str) -> String {
        format!("{}{field}", self.path)
    }

    fn get(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field)
    }

    pub fn missing(&self, field: &str) -> Reply {
        Reply::invalid(format!("缺少参数 missing parameter {}", self.name(field)))
    }

    pub fn bad(&self, field: &str, why: &str) -> Reply {
        Reply::invalid(format!(
            "参数错误 invalid parameter {}: {why}",
            self.name(field)
        ))
    }

    /// Refuses the first member not in `known`: a field this call does not document.
    pub fn only(&self, known: &[&str]) -> Result<(), Reply> {
        match self.map.keys().find(|k| !known.contains(&k.as_str())) {
            Some(unknown) => Err(Reply::invalid(format!(
                "参数错误 unknown parameter {}",
                self.name(unknown)
            ))),
            None => Ok(()),
        }
    }

    pub fn opt_obj(&self, field: &str) -> Result<Option<Obj<'a>>, Reply> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Obj {
                map,
                path: format!("{}.", self.name(field)),
            })),
            Some(_) => Err(self.bad(field, "must be an object")),
        }
    }

    pub fn obj(&self, field: &str) -> Result<Obj<'a>, Reply> {
        self.opt_obj(field)?.ok_or_else(|| self.missing(field))
    }

    /// A string of at most `max` UTF-8 bytes (`String(n)`), or of any length for `None`
    /// (a plain `String`).
    pub fn opt_text(&self, field: &str, max: Option<usize>) -> Result<Option<&'a str>, Reply> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(s)) if max.is_some_and(|max| s.len() > max) => Err(self.bad(
                field,
                &format!(
                    "longer than String({}): {} bytes in UTF-8",
                    max.unwrap_or_default(),
                    s.len()
                ),
            )),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(self.bad(field, "must be a string")),
        }
    }

    /// A required, non-empty string (see [`Obj::opt_text`]).
    pub fn text(&self, field: &str, max: Option<usize>) -> Result<&'a str, Reply> {
        self.opt_text(field, max)?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| self.missing(field))
    }

    pub fn opt_int(&self, field: &str) -> Result<Option<i64>, Reply> {
        match self.get(field) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.bad(field, "must be an integer")),
        }
    }

    pub fn int(&self, field: &str) -> Result<i64, Reply> {
        self.opt_int(field)?.ok_or_else(|| self.missing(field))
    }

    /// A required JSON `true` or `false` (`0`, `1` or `"false"` are not booleans).
    pub fn bool(&self, field: &str) -> Result<bool, Reply> {
        match self.get(field) {
            None => Err(self.missing(field)),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(self.bad(field, "must be true or false")),
        }
    }

    /// A fen amount (`Number(32)`): a JSON integer above zero that fits 32 bits.
    pub fn fen(&self, field: &str) -> Result<Fen, Reply> {
        match self.get(field) {
            None => Err(self.missing(field)),
            Some(v) => v
                .as_u64()
                .filter(|&f| f > 0 && f <= u64::from(i32::MAX.unsigned_abs()))
                .map(Fen)
                .ok_or_else(|| self.bad(field, "must be a whole number of fen, 1 to 2^31-1")),
        }
    }

    /// An order or refund number: `String(32)` starting with the merchant's order prefix, of
    /// [`order_number_char`]s only.
    pub fn number(&self, field: &str, prefix: &str) -> Result<&'a str, Reply> {
        let no = self.text(field, Some(32))?;
        if !no.starts_with(prefix) {
            return Err(self.bad(
                field,
                &format!("must start with the order prefix {prefix:?}"),
            ));
        }
        if !no.chars().all(order_number_char) {
            return Err(self.bad(field, "only letters, digits, _ and -"));
        }
        Ok(no)
    }

    /// An IPv4 address in dotted decimal (`192.168.0.22`).
    fn ipv4(&self, field: &str) -> Result<(), Reply> {
        match self.opt_text(field, None)? {
            Some(ip) if ip.parse::<Ipv4Addr>().is_err() => {
                Err(self.bad(field, "not an IPv4 address"))
            }
            _ => Ok(()),
        }
    }
}

/// What an order or refund number may hold: ASCII letters, digits, `_` and `-`. The pages
/// say only "String(32), the prefix first", and the prefix is letters and digits; the sandbox
/// takes the set Cashier's client checks its numbers against (ASSUMPTION, docs/sandbox.md), so a
/// number with a space, a dot, `|`, `*` or Chinese is refused before any order is made.
fn order_number_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-')
}

/// The path of the first `null` in `v` (`pay_content.remark`), if any.
fn first_null(v: &Value, path: &str) -> Option<String> {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        Value::Null => Some(if path.is_empty() {
            "request_content".into()
        } else {
            path.to_string()
        }),
        Value::Object(map) => map.iter().find_map(|(k, v)| first_null(v, &join(k))),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| first_null(v, &format!("{path}[{i}]"))),
        _ => None,
    }
}

/// What a call does, which decides the `order_client` members it needs (docs/protocols.md §2, from
/// the vendor's pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `micro_pay`, `scan_code_pay`.
    Pay,
    /// `close_order`.
    Act,
    /// `refund`: `order_client` as `Act`, and `pay_mch_key` says who authorises it.
    Refund,
    /// `query_order`, `query_refund_order`.
    Query,
}

impl Call {
    fn pay_mch_key_members(self) -> &'static [&'static str] {
        match self {
            Call::Refund => REFUND_PAY_MCH_KEY,
            Call::Pay | Call::Act | Call::Query => PAY_MCH_KEY,
        }
    }

    fn order_client_members(self) -> &'static [&'static str] {
        match self {
            Call::Pay => &[
                "machine_no",
                "terminal_type",
                "device_id",
                "sdk_version",
                "spbill_create_ip",
            ],
            Call::Act | Call::Refund => &[
                "terminal_type",
                "device_id",
                "sdk_version",
                "spbill_create_ip",
            ],
            Call::Query => &["terminal_type", "sdk_version", "spbill_create_ip"],
        }
    }
}

const PAY_MCH_KEY: &[&str] = &[
    "pay_platform",
    "sub_pay_platform",
    "out_mch_id",
    "out_sub_mch_id",
    "out_shop_id",
];
/// `refund`'s `pay_mch_key`: the accounts and who authorises the refund (docs/protocols.md §2).
const REFUND_PAY_MCH_KEY: &[&str] = &[
    "pay_platform",
    "sub_pay_platform",
    "out_mch_id",
    "out_sub_mch_id",
    "out_shop_id",
    "is_sub_mch_admin",
    "authorization_staff_id",
    "authorization_name",
];
/// Every member of the `OrderClient` structure (seed 004); which are required depends on
/// the call.
const ORDER_CLIENT: &[&str] = &[
    "device_id",
    "staff_id",
    "terminal_type",
    "sdk_version",
    "spbill_create_ip",
    "machine_no",
    "sub_terminal_type",
];
/// Seed 004's `sub_pay_platform` (enum SubPayPlatform) for the wallets of pay_platform 1 and 2.
const SUB_PAY_PLATFORMS: &[i64] = &[100, 200];
/// Seed 004's `terminal_type`: 1 Windows, 2 Android, 3 iOS, 4 Linux, 100 other.
const TERMINAL_TYPES: &[i64] = &[1, 2, 3, 4, 100];

/// The parts every request carries: `nonce_str`, `pay_mch_key` (this merchant's accounts),
/// `order_client` (the members `call` needs). `fields` lists the top-level members of this
/// call besides those three. Returns the wallet named by `pay_mch_key.pay_platform`.
pub fn common(
    content: &Obj<'_>,
    merchant: &Merchant,
    call: Call,
    fields: &[&str],
) -> Result<Wallet, Reply> {
    let known: Vec<&str> = ["nonce_str", "pay_mch_key", "order_client"]
        .into_iter()
        .chain(fields.iter().copied())
        .collect();
    content.only(&known)?;
    content.text("nonce_str", Some(32))?;

    let key = content.obj("pay_mch_key")?;
    key.only(call.pay_mch_key_members())?;
    let wallet = match key.int("pay_platform")? {
        1 => Wallet::Wechat,
        2 => Wallet::Alipay,
        _ => return Err(key.bad("pay_platform", "1 (WeChat) or 2 (Alipay)")),
    };
    // Enum SubPayPlatform (seed 004 names it): 100 WeChat, 200 Alipay; its other values
    // (401, 402) are bookkeeping entries of pay_platform 4, which these calls do not take.
    if key
        .opt_int("sub_pay_platform")?
        .is_some_and(|sub| !SUB_PAY_PLATFORMS.contains(&sub))
    {
        return Err(key.bad("sub_pay_platform", "100 (WeChat) or 200 (Alipay)"));
    }
    for (field, ours) in [
        ("out_mch_id", &merchant.out_mch_id),
        ("out_sub_mch_id", &merchant.out_sub_mch_id),
        ("out_shop_id", &merchant.out_shop_id),
    ] {
        if key.text(field, Some(32))? != ours {
            return Err(key.bad(field, "not an account of this merchant"));
        }
    }

    let client = content.obj("order_client")?;
    client.only(ORDER_CLIENT)?;
    let needed = call.order_client_members();
    for (field, max) in [
        ("machine_no", 32),
        ("device_id", 64),
        ("staff_id", 64),
        ("sdk_version", 10),
        ("spbill_create_ip", 16),
    ] {
        if needed.contains(&field) {
            client.text(field, Some(max))?;
        } else {
            client.opt_text(field, Some(max))?;
        }
    }
    // "The IP of the machine calling the API" as `String(16)`, sized for a dotted IPv4
    // address (at most 15 characters; the seed's sample is 192.168.0.22).
    client.ipv4("spbill_create_ip")?;
    match client.opt_int("terminal_type")? {
        Some(t) if TERMINAL_TYPES.contains(&t) => {}
        Some(_) => {
            return Err(client.bad(
                "terminal_type",
                "1 Windows, 2 Android, 3 iOS, 4 Linux or 100 other",
            ));
        }
        None => return Err(client.missing("terminal_type")),
    }
    client.opt_int("sub_terminal_type")?;
    Ok(wallet)
}

/// Who authorised a refund, as its `pay_mch_key` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorization {
    SubMchAdmin,
    /// `authorization_staff_id`: the staff member whose refund permission Tencent checks.
    Staff(String),
}

/// `refund`'s `pay_mch_key.is_sub_mch_admin` (required) and, when it is false,
/// `authorization_staff_id` (required, String(64)); `authorization_name` is optional,
/// String(32). Refused like any other bad parameter: status 101, the field named.
pub fn refund_authorization(content: &Obj<'_>) -> Result<Authorization, Reply> {
    let key = content.obj("pay_mch_key")?;
    let admin = key.bool("is_sub_mch_admin")?;
    let staff = key.opt_text("authorization_staff_id", Some(64))?;
    key.opt_text("authorization_name", Some(32))?;
    match (admin, staff) {
        (true, _) => Ok(Authorization::SubMchAdmin),
        (false, Some(id)) if !id.is_empty() => Ok(Authorization::Staff(id.to_string())),
        (false, _) => Err(key.missing("authorization_staff_id")),
    }
}

/// `pay_content` of `scan_code_pay` and `micro_pay`.
pub struct PayContent<'a> {
    pub out_trade_no: &'a str,
    pub total_fee: Fen,
    pub time_expire: Option<i64>,
    pub product_id: Option<&'a str>,
    pub author_code: Option<&'a str>,
    /// `client_flow_id` (客户端流水号), the client's own serial: the ledger's `bill` when
    /// given, else the order number, since Cloud Pay has no bill of its own.
    pub client_flow_id: Option<&'a str>,
}

const PAY_CONTENT: &[&str] = &[
    "out_trade_no",
    "time_expire",
    "total_fee",
    "fee_type",
    "client_flow_id",
    "body",
    "detail",
    "remark",
    "wxpay_pay_content_ext",
];
const WXPAY_EXT: &[&str] = &["attach", "goods_tag", "product_id", "limit_pay"];

/// `pay_content`; `author_code` is a member on `micro_pay` only (`barcode`).
pub fn pay_content<'a>(
    content: &Obj<'a>,
    order_prefix: &str,
    wallet: Wallet,
    barcode: bool,
) -> Result<PayContent<'a>, Reply> {
    let pay = content.obj("pay_content")?;
    let mut known = PAY_CONTENT.to_vec();
    if barcode {
        known.push("author_code");
    }
    pay.only(&known)?;
    let out_trade_no = pay.number("out_trade_no", order_prefix)?;
    let total_fee = pay.fen("total_fee")?;
    if pay.text("fee_type", None)? != "CNY" {
        return Err(pay.bad("fee_type", "only CNY"));
    }
    pay.text("body", Some(128))?;
    pay.opt_text("detail", None)?;
    pay.opt_text("remark", Some(127))?;
    let client_flow_id = pay
        .opt_text("client_flow_id", None)?
        .filter(|s| !s.is_empty());
    let time_expire = pay.opt_int("time_expire")?;
    let product_id = match pay.opt_obj("wxpay_pay_content_ext")? {
        // Seed 004: "只有微信支付时才使用", WeChat only.
        Some(_) if wallet != Wallet::Wechat => {
            return Err(pay.bad("wxpay_pay_content_ext", "for WeChat (pay_platform 1) only"));
        }
        Some(ext) => {
            ext.only(WXPAY_EXT)?;
            ext.opt_text("attach", Some(127))?;
            ext.opt_text("goods_tag", Some(32))?;
            if ext
                .opt_text("limit_pay", Some(32))?
                .is_some_and(|l| l != "no_credit")
            {
                return Err(ext.bad("limit_pay", "only no_credit"));
            }
            ext.opt_text("product_id", Some(32))?
        }
        None => None,
    };
    let author_code = pay.opt_text("author_code", Some(128))?;
    Ok(PayContent {
        out_trade_no,
        total_fee,
        time_expire,
        product_id,
        author_code,
        client_flow_id,
    })
}

#[cfg(test)]
mod tests {
    use super::first_null;
    use serde_json::json;

    #[test]
    fn nulls_are_found_at_any_depth() {
        assert_eq!(
            first_null(&json!({"a": 1, "b": {"c": [1, {"d": "x"}]}}), ""),
            None
        );
        assert_eq!(
            first_null(&json!({"pay_content": {"remark": null}}), "").as_deref(),
            Some("pay_content.remark")
        );
        assert_eq!(
            first_null(&json!({"a": [0, null]}), "").as_deref(),
            Some("a[1]")
        );
        assert_eq!(
            first_null(&json!(null), "").as_deref(),
            Some("request_content")
        );
    }
}
