//! `scan_code_pay` (QR) and `micro_pay` (barcode).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use cashier_core::CodeKind;
use cashier_core::code::mask_digits;
use rand::Rng;
use serde_json::{Value, json};

use super::Reply;
use super::fields::{Call, Obj, PayContent, common, pay_content};
use super::order::order_content;
use crate::app::App;
use crate::codes;
use crate::order::{Channel, Order, Wallet};
use crate::scenario::Scenario;

const DUPLICATE: &str = "订单号重复 duplicate order number";
/// How far ahead `time_expire` may lie, in seconds (see [`expiry`]).
const MAX_TIME_EXPIRE_AHEAD: i64 = 24 * 3600;
/// Cloud Pay's internal status for a reused `out_trade_no` (docs/protocols.md §2).
pub const INTERNAL_DUPLICATE: i64 = 407;

/// A transaction id in the wallet's style; only shown, never relied on.
fn transaction_id(wallet: Wallet) -> String {
    let digits: u64 = rand::thread_rng().gen_range(10u64.pow(17)..10u64.pow(18));
    match wallet {
        Wallet::Wechat => format!("4200000{digits}"),
        Wallet::Alipay => format!("2025{digits}"),
    }
}

/// The bill a Cloud Pay order is booked under: `client_flow_id`, else the order number.
fn bill_of<'a>(pay: &PayContent<'a>) -> &'a str {
    pay.client_flow_id.unwrap_or(pay.out_trade_no)
}

/// Cloud Pay's side of an order: its wallet and a transaction id to show.
fn cloud_fields(o: &mut Order, wallet: Wallet) {
    o.wallet = wallet;
    o.transaction_id = transaction_id(wallet);
}

/// `time_expire` (absolute unix seconds, docs/protocols.md §2 ASSUMPTION) must lie ahead, and not
/// more than a day: a QR code is shown for minutes, so anything else is a client's clock or
/// unit mistake worth failing loudly.
fn expiry(
    time_expire: Option<i64>,
    ttl: Duration,
    now: SystemTime,
) -> Result<Option<SystemTime>, Reply> {
    let Some(t) = time_expire else {
        // A TTL beyond what the clock can hold (only through the library's config) never expires.
        return Ok(now.checked_add(ttl));
    };
    let now_secs = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    if t < now_secs {
        return Err(Reply::invalid(
            "参数错误 invalid parameter pay_content.time_expire: in the past",
        ));
    }
    if t.saturating_sub(now_secs) > MAX_TIME_EXPIRE_AHEAD {
        return Err(Reply::invalid(
            "参数错误 invalid parameter pay_content.time_expire: more than 24 hours ahead",
        ));
    }
    // In range, so neither conversion can fail; failing closed keeps it that way.
    let ahead = u64::try_from(t.saturating_sub(now_secs)).unwrap_or(0);
    Ok(now.checked_add(Duration::from_secs(ahead)))
}

pub fn scan_code_pay(app: &App, headers: &HeaderMap, content: &Value) -> Result<Reply, Reply> {
    let root = Obj::root(content)?;
    let wallet = common(&root, &app.merchant, Call::Pay, &["pay_content"])?;
    let pay = pay_content(&root, &app.order_prefix, wallet, false)?;
    if wallet == Wallet::Wechat && pay.product_id.is_none_or(str::is_empty) {
        return Err(Reply::invalid(
            "缺少参数 missing parameter pay_content.wxpay_pay_content_ext.product_id (WeChat QR)",
        ));
    }
    let now = app.now();
    let expires_at = expiry(pay.time_expire, app.qr_ttl, now.wall)?;
    let bill = bill_of(&pay);
    let mut book = app.book();
    if let Some(existing) = book.find_mut(pay.out_trade_no, &now) {
        // The same QR order asked for again while it is open gets the same code (a client
        // retrying after a lost answer); anything else reusing the number is refused.
        check_reuse(existing, wallet, &pay, bill)?;
    } else {
        let mut o = Order::new(
            Channel::CloudQr,
            pay.out_trade_no.to_string(),
            bill.to_string(),
            pay.total_fee,
        );
        cloud_fields(&mut o, wallet);
        o.expires_at = expires_at;
        book.add(o, None);
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

/// Whether `scan_code_pay` may answer again for an existing order: only the same open QR
/// order (amount, wallet and bill alike). A changed request under an old number, or a
/// number whose order is over, is a duplicate (104 / 407), never a second order.
fn check_reuse(o: &Order, wallet: Wallet, pay: &PayContent<'_>, bill: &str) -> Result<(), Reply> {
    let why = if o.channel != Channel::CloudQr {
        DUPLICATE
    } else if o.amount != pay.total_fee || o.wallet != wallet || o.bill != bill {
        "订单号重复且订单内容不同 duplicate order number with another amount, pay_platform or client_flow_id"
    } else if !o.state.is_open() {
        "订单号重复且订单已结束 duplicate order number of an order already paid, closed or expired"
    } else {
        return Ok(());
    };
    Err(Reply::refused(INTERNAL_DUPLICATE, why))
}

/// The payment code is 10–32 digits and belongs to the wallet `pay_platform` names
/// (docs/protocols.md §4: WeChat 18 digits from 10–15, Alipay 16–24 from 25–30); Cloud Pay takes
/// no other wallet's codes.
fn check_wallet(code: &str, wallet: Wallet) -> Result<(), Reply> {
    let kind = codes::kind(code).ok_or_else(|| {
        Reply::invalid("参数错误 invalid parameter pay_content.author_code: 10 to 32 digits")
    })?;
    let of_code = match kind {
        CodeKind::Wechat => Wallet::Wechat,
        CodeKind::Alipay => Wallet::Alipay,
        CodeKind::UnionPay | CodeKind::Unknown => {
            return Err(Reply::invalid(
                "参数错误 invalid parameter pay_content.author_code: not a WeChat or Alipay payment code",
            ));
        }
    };
    if of_code != wallet {
        return Err(Reply::invalid(format!(
            "参数错误 invalid parameter pay_mch_key.pay_platform: {} does not match the payment code, a {} code",
            wallet.pay_platform_name(),
            of_code.name(),
        )));
    }
    Ok(())
}

pub fn micro_pay(app: &App, _headers: &HeaderMap, content: &Value) -> Result<Reply, Reply> {
    let root = Obj::root(content)?;
    let wallet = common(&root, &app.merchant, Call::Pay, &["pay_content"])?;
    let pay = pay_content(&root, &app.order_prefix, wallet, true)?;
    let code = pay
        .author_code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Reply::invalid("缺少参数 missing parameter pay_content.author_code"))?;
    check_wallet(code, wallet)?;
    let now = app.now();
    let mut book = app.book();
    // A repeated order number is refused and never charged again (docs/protocols.md §2, 407),
    // before its code is looked at: the same order sent again is a duplicate, not a used code.
    if book.position(pay.out_trade_no).is_some() {
        return Err(Reply::refused(INTERNAL_DUPLICATE, DUPLICATE));
    }
    let (mut o, charge) = book.barcode(
        Channel::CloudBarcode,
        pay.out_trade_no.to_string(),
        bill_of(&pay).to_string(),
        pay.total_fee,
        code,
        &now,
    );
    cloud_fields(&mut o, wallet);
    let failure = o.scenario.and_then(Scenario::cloud_failure);
    tracing::info!(out_trade_no = pay.out_trade_no, fen = pay.total_fee.0, code = %mask_digits(code), scenario = ?o.scenario, "cloud micro_pay");
    let content = order_content(&o);
    book.add(o, charge);
    match failure {
        // Unsigned, whether or not the pay call charged (statuses 3 and 103 do).
        Some(f) => Err(Reply::failed(f.code, f.message)),
        None => Ok(Reply::Done {
            name: "micro_pay",
            payload: json!({"order_content": content}),
        }),
    }
}
