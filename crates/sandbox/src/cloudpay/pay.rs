//! `scan_code_pay` (QR) and `micro_pay` (barcode).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use cashier_core::code::mask_digits;
use rand::Rng;
use serde_json::{Value, json};

use super::fields::{Obj, PayContent, common, pay_content};
use super::order::order_content;
use super::{Reply, order};
use crate::app::App;
use crate::order::{Channel, Order, OrderState, Wallet};
use crate::scenario::Scenario;

const DUPLICATE: &str = "订单号重复 duplicate order number";
/// Cloud Pay's internal status for a reused `out_trade_no` (PROTOCOLS §2).
pub const INTERNAL_DUPLICATE: i64 = 407;

/// A transaction id in the wallet's style; only shown, never relied on.
fn transaction_id(wallet: Wallet) -> String {
    let digits: u64 = rand::thread_rng().gen_range(10u64.pow(17)..10u64.pow(18));
    match wallet {
        Wallet::Wechat => format!("4200000{digits}"),
        Wallet::Alipay => format!("2025{digits}"),
    }
}

fn new_order(channel: Channel, wallet: Wallet, pay: &PayContent<'_>) -> Order {
    let bill = pay.client_flow_id.unwrap_or(pay.out_trade_no);
    let mut o = Order::new(
        channel,
        pay.out_trade_no.to_string(),
        bill.to_string(),
        pay.total_fee,
    );
    o.wallet = wallet;
    o.transaction_id = transaction_id(wallet);
    o
}

pub fn scan_code_pay(app: &App, headers: &HeaderMap, content: &Value) -> Result<Reply, Reply> {
    let root = Obj::root(content)?;
    let wallet = common(&root)?;
    let pay = pay_content(&root, &app.order_prefix)?;
    if wallet == Wallet::Wechat && pay.product_id.is_none_or(str::is_empty) {
        return Err(Reply::invalid(
            "缺少参数 missing parameter pay_content.wxpay_pay_content_ext.product_id (WeChat QR)",
        ));
    }
    let now = SystemTime::now();
    let expires_at = match pay.time_expire {
        Some(t) => UNIX_EPOCH + Duration::from_secs(u64::try_from(t).unwrap_or(0)),
        None => now + app.qr_ttl,
    };
    let mut book = app.book();
    if let Some(existing) = book.find_mut(pay.out_trade_no, now) {
        // The same QR order asked for again gets the same code (idempotent); a barcode
        // order's number cannot be reused for a QR order.
        if existing.channel != Channel::CloudQr {
            return Err(Reply::refused(INTERNAL_DUPLICATE, DUPLICATE));
        }
    } else {
        let mut o = new_order(Channel::CloudQr, wallet, &pay);
        o.expires_at = Some(expires_at);
        book.add(o);
        tracing::info!(
            out_trade_no = pay.out_trade_no,
            fen = pay.total_fee.0,
            ?wallet,
            "cloud QR order created"
        );
    }
    let nonce: String = rand::thread_rng()
        .sample_iter(rand::distributions::Alphanumeric)
        .take(32)
        .map(char::from)
        .collect();
    Ok(Reply::Done {
        name: "scan_code_pay",
        payload: json!({"code_url": app.pay_url(headers, pay.out_trade_no), "nonce_str": nonce}),
    })
}

pub fn micro_pay(app: &App, _headers: &HeaderMap, content: &Value) -> Result<Reply, Reply> {
    let root = Obj::root(content)?;
    let wallet = common(&root)?;
    let pay = pay_content(&root, &app.order_prefix)?;
    let code = pay
        .author_code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Reply::invalid("缺少参数 missing parameter pay_content.author_code"))?;
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Reply::invalid(
            "参数错误 invalid parameter pay_content.author_code",
        ));
    }
    let mut book = app.book();
    // A repeated order number is refused and never charged again (PROTOCOLS §2, 407).
    if book.position(pay.out_trade_no).is_some() {
        return Err(Reply::refused(INTERNAL_DUPLICATE, DUPLICATE));
    }
    let scenario = Scenario::of_code(code);
    let mut o = new_order(Channel::CloudBarcode, wallet, &pay);
    o.masked_code = Some(mask_digits(code));
    o.scenario = Some(scenario);
    tracing::info!(out_trade_no = pay.out_trade_no, fen = pay.total_fee.0, code = %mask_digits(code), ?scenario, "cloud micro_pay");
    let (charge, refusal) = match scenario {
        Scenario::Paid => (o.settle(), None),
        Scenario::Password(_) | Scenario::Forever => {
            o.state = OrderState::UserPaying;
            (None, None)
        }
        Scenario::Declined => {
            o.state = OrderState::Declined;
            (None, Some(order::DECLINED))
        }
        Scenario::CodeExpired => {
            o.state = OrderState::Expired;
            (None, Some(order::CODE_EXPIRED))
        }
    };
    let content = order_content(&o);
    book.add(o);
    book.record(charge);
    match refusal {
        Some(why) => Err(Reply::refused(0, why)),
        None => Ok(Reply::Done {
            name: "micro_pay",
            payload: json!({"order_content": content}),
        }),
    }
}
