//! QR payments (seed 000) and the payment queries (seed 003): WeChat and Alipay QR orders,
//! and the KouDaiLQ query that polls barcode payments waiting for a password.

use std::net::Ipv4Addr;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::json;

use super::model::{self, Model, Need};
use super::{Answer, Rejection, failed, new_autoid, ok, pay_status};
use crate::app::App;
use crate::messages::NOT_FOUND;
use crate::order::{Channel, Order};

const CLIENTIP_NOT_IPV4: &str = "客户端IP无效 clientip is not an IPv4 address";

pub async fn wechat_scan_code(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Answer {
    scan_code(&app, &headers, &body, Channel::WechatQr)
}

pub async fn alipay_scan_code(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Answer {
    scan_code(&app, &headers, &body, Channel::AlipayQr)
}

pub async fn wechat_query(State(app): State<App>, body: Bytes) -> Answer {
    query(&app, &body, Channel::WechatQr)
}

pub async fn alipay_query(State(app): State<App>, body: Bytes) -> Answer {
    query(&app, &body, Channel::AlipayQr)
}

pub async fn koudai_query(State(app): State<App>, body: Bytes) -> Answer {
    query(&app, &body, Channel::KoudaiBarcode)
}

/// `billtype` / `BusinessType` (seeds 000, 001): 1..7 as its number.
pub fn business_type(kind: &str) -> Result<u8, Rejection> {
    match kind.parse::<u8>() {
        Ok(n @ 1..=7) if kind.len() == 1 => Ok(n),
        _ => Err(failed("订单类型无效 billtype must be 1 to 7").into()),
    }
}

/// A payment's `billtype`: 1..7, and 7 (a stored-value card top-up) needs `cardno`.
pub fn check_business_type(kind: &str, card: Option<&str>) -> Result<u8, Rejection> {
    match business_type(kind)? {
        7 if card.is_none() => {
            Err(failed("储值卡充值需要卡号 cardno is required for a card top-up").into())
        }
        n => Ok(n),
    }
}

/// The deployment's `paytype` of a channel's wallet (docs/protocols.md §1: set by the deployment).
fn paytype_of(app: &App, channel: Channel) -> &str {
    match channel {
        Channel::AlipayQr => &app.paytypes.alipay,
        Channel::KoudaiBarcode => &app.paytypes.koudai,
        _ => &app.paytypes.wechat,
    }
}

fn scan_code(app: &App, headers: &HeaderMap, body: &[u8], channel: Channel) -> Answer {
    let v = model::parse(body)?;
    let mut m = Model::new(&v);
    let billnum = m.text("billnum", Need::Required, Some(20));
    let billtype = m.text("billtype", Need::Required, Some(1));
    m.text("body", Need::Required, None);
    let paytype = m.text("paytype", Need::Required, Some(2));
    let amount = m.yuan("paymentvalue");
    m.opt_text("detail", None);
    let clientip = m.opt_text("clientip", None);
    let cardno = m.opt_text("cardno", Some(20));
    m.finish()?;
    let billtype = check_business_type(billtype, cardno)?;
    // The back office books the payment under this method: one it does not have for this
    // wallet is refused before any order is made.
    let wanted = paytype_of(app, channel);
    if paytype != wanted {
        return Ok(failed(&format!(
            "付款方式无效 paytype {paytype:?} is not this back office's {} method \
             (the sandbox's is {wanted:?})",
            channel.as_str()
        )));
    }
    // Seed 000 gives `clientip` no validation attribute, so binding takes any text; the back
    // office passes it on as the paying machine's IPv4 address (its own default when absent,
    // 202.96.128.68, is one), so anything else is the action's refusal, before any order.
    if clientip.is_some_and(|ip| ip.parse::<Ipv4Addr>().is_err()) {
        return Ok(failed(CLIENTIP_NOT_IPV4));
    }

    let now = app.now();
    let mut book = app.book();
    let autoid = new_autoid(book.next_seq(), &now);
    let mut order = Order::new(channel, autoid.clone(), billnum.to_string(), amount);
    order.billtype = Some(billtype);
    order.paytype = Some(paytype.to_string());
    // A TTL beyond what the clock can hold (only through the library's config) never expires.
    order.expires_at = now.wall.checked_add(app.qr_ttl);
    book.add(order, None);
    drop(book);
    tracing::info!(channel = channel.as_str(), %autoid, bill = billnum, fen = amount.0, "QR order created");
    Ok(ok(json!({
        "billnum": billnum,
        "autoid": autoid,
        "codeurl": app.pay_url(headers, &autoid),
    })))
}

/// Seed 003: every field is Required, `autoid` too, so a client that lost it cannot ask
/// about "the bill's latest payment". The order must be this path's provider's, of this
/// bill, and be asked for with the `billtype` and `paytype` it was made with.
fn query(app: &App, body: &[u8], channel: Channel) -> Answer {
    let v = model::parse(body)?;
    let mut m = Model::new(&v);
    let billnum = m.text("billnum", Need::Required, Some(20));
    let autoid = m.text("autoid", Need::Required, Some(36));
    let billtype = m.text("billtype", Need::Required, Some(1));
    let paytype = m.text("paytype", Need::Required, Some(2));
    m.finish()?;
    let billtype = business_type(billtype)?;

    let now = app.now();
    let mut book = app.book();
    let Some(order) = book.position(autoid).and_then(|i| book.order_mut(i, &now)) else {
        return Ok(failed(NOT_FOUND));
    };
    // Each query path reaches only its own provider's orders, as on the real back office.
    if order.channel != channel || order.bill != billnum {
        return Ok(failed(NOT_FOUND));
    }
    if order.billtype != Some(billtype) {
        return Ok(failed(&format!(
            "订单类型不符 billtype {billtype} is not this payment's ({})",
            order.billtype.unwrap_or_default()
        )));
    }
    if order.paytype.as_deref() != Some(paytype) {
        return Ok(failed(&format!(
            "付款方式不符 paytype {paytype:?} is not this payment's ({:?})",
            order.paytype.as_deref().unwrap_or_default()
        )));
    }
    order.count_query();
    Ok(ok(pay_status(order)))
}
