//! Field lookups in `request_content`, by name, independent of the client's structs. The
//! first broken field is answered as status 101 with its path, as Cloud Pay reports one
//! parameter error at a time.

use cashier_core::Fen;
use serde_json::{Map, Value};

use super::Reply;
use crate::order::Wallet;

/// One JSON object of the request and where it sits (`pay_content.`), for error messages.
pub struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    pub fn root(v: &'a Value) -> Result<Obj<'a>, Reply> {
        let map = v
            .as_object()
            .ok_or_else(|| Reply::invalid("request_content is not an object"))?;
        Ok(Obj {
            map,
            path: String::new(),
        })
    }

    fn name(&self, field: &str) -> String {
        format!("{}{field}", self.path)
    }

    fn get(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|v| !v.is_null())
    }

    fn missing(&self, field: &str) -> Reply {
        Reply::invalid(format!("缺少参数 missing parameter {}", self.name(field)))
    }

    fn bad(&self, field: &str, why: &str) -> Reply {
        Reply::invalid(format!(
            "参数错误 invalid parameter {}: {why}",
            self.name(field)
        ))
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

    pub fn opt_text(&self, field: &str, max: usize) -> Result<Option<&'a str>, Reply> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(s)) if s.chars().count() > max => {
                Err(self.bad(field, &format!("longer than {max} characters")))
            }
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(self.bad(field, "must be a string")),
        }
    }

    /// A required, non-empty string of at most `max` characters.
    pub fn text(&self, field: &str, max: usize) -> Result<&'a str, Reply> {
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

    /// A fen amount: a JSON integer above zero.
    pub fn fen(&self, field: &str) -> Result<Fen, Reply> {
        match self.get(field) {
            None => Err(self.missing(field)),
            Some(v) => v
                .as_u64()
                .filter(|&f| f > 0)
                .map(Fen)
                .ok_or_else(|| self.bad(field, "must be a whole number of fen above zero")),
        }
    }
}

/// The parts every request carries: `nonce_str`, `pay_mch_key`, `order_client`. Returns the
/// wallet named by `pay_mch_key.pay_platform`.
pub fn common(content: &Obj<'_>) -> Result<Wallet, Reply> {
    content.text("nonce_str", 32)?;
    let key = content.obj("pay_mch_key")?;
    let wallet = match key.int("pay_platform")? {
        1 => Wallet::Wechat,
        2 => Wallet::Alipay,
        _ => return Err(key.bad("pay_platform", "1 (WeChat) or 2 (Alipay)")),
    };
    key.opt_int("sub_pay_platform")?;
    for field in ["out_mch_id", "out_sub_mch_id", "out_shop_id"] {
        key.text(field, 32)?;
    }
    let client = content.obj("order_client")?;
    client.text("machine_no", 32)?;
    client.int("terminal_type")?;
    client.text("device_id", 64)?;
    client.text("staff_id", 64)?;
    client.text("sdk_version", 10)?;
    client.text("spbill_create_ip", 16)?;
    client.opt_int("sub_terminal_type")?;
    Ok(wallet)
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

pub fn pay_content<'a>(content: &Obj<'a>, order_prefix: &str) -> Result<PayContent<'a>, Reply> {
    let pay = content.obj("pay_content")?;
    let out_trade_no = pay.text("out_trade_no", 32)?;
    if !out_trade_no.starts_with(order_prefix) {
        return Err(pay.bad(
            "out_trade_no",
            &format!("must start with the order prefix {order_prefix:?}"),
        ));
    }
    let total_fee = pay.fen("total_fee")?;
    if pay.text("fee_type", 8)? != "CNY" {
        return Err(pay.bad("fee_type", "only CNY"));
    }
    pay.text("body", 128)?;
    pay.opt_text("detail", 8192)?;
    pay.opt_text("remark", 127)?;
    let client_flow_id = pay
        .opt_text("client_flow_id", 64)?
        .filter(|s| !s.is_empty());
    let time_expire = pay.opt_int("time_expire")?;
    let product_id = match pay.opt_obj("wxpay_pay_content_ext")? {
        Some(ext) => ext.opt_text("product_id", 32)?,
        None => None,
    };
    let author_code = pay.opt_text("author_code", 128)?;
    Ok(PayContent {
        out_trade_no,
        total_fee,
        time_expire,
        product_id,
        author_code,
        client_flow_id,
    })
}
