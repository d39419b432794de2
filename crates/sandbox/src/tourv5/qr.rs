//! QR payments (seed 000) and the payment queries (seed 003): WeChat and Alipay QR orders,
//! and the KouDaiLQ query that polls barcode payments waiting for a password.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::json;

use super::model::{self, Model, Need};
use super::{Answer, Rejection, failed, new_autoid, ok, pay_status};
use crate::app::App;
use crate::clock::Now;
use crate::messages::NOT_FOUND;
use crate::order::{Channel, Order};

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

/// `billtype` (seed 000): 1..7; 7 is a stored-value card top-up and needs `cardno`.
pub fn check_business_type(kind: &str, card: Option<&str>) -> Result<(), Rejection> {
    match kind {
        "7" if card.is_none() => {
            Err(failed("储值卡充值需要卡号 cardno is required for a card top-up").into())
        }
        "1" | "2" | "3" | "4" | "5" | "6" | "7" => Ok(()),
        _ => Err(failed("订单类型无效 billtype must be 1 to 7").into()),
    }
}

fn scan_code(app: &App, headers: &HeaderMap, body: &[u8], channel: Channel) -> Answer {
    let v = model::parse(body)?;
    let mut m = Model::new(&v);
    let billnum = m.text("billnum", Need::Required, Some(20));
    let billtype = m.text("billtype", Need::Required, Some(1));
    m.text("body", Need::Required, None);
    m.text("paytype", Need::Required, Some(2));
    let amount = m.yuan("paymentvalue");
    m.opt_text("detail", None);
    m.opt_text("clientip", None);
    let cardno = m.opt_text("cardno", Some(20));
    m.finish()?;
    check_business_type(billtype, cardno)?;

    let mut book = app.book();
    let autoid = new_autoid(book.next_seq());
    let mut order = Order::new(channel, autoid.clone(), billnum.to_string(), amount);
    // A TTL beyond what the clock can hold (only through the library's config) never expires.
    order.expires_at = Now::get().wall.checked_add(app.qr_ttl);
    book.add(order, None);
    drop(book);
    tracing::info!(channel = channel.as_str(), %autoid, bill = billnum, fen = amount.0, "QR order created");
    Ok(ok(json!({
        "billnum": billnum,
        "autoid": autoid,
        "codeurl": app.pay_url(headers, &autoid),
    })))
}

fn query(app: &App, body: &[u8], channel: Channel) -> Answer {
    let v = model::parse(body)?;
    let mut m = Model::new(&v);
    let billnum = m.text("billnum", Need::Required, Some(20));
    let autoid = m.text("autoid", Need::Present, Some(36));
    m.text("billtype", Need::Required, Some(1));
    m.text("paytype", Need::Required, Some(2));
    m.finish()?;

    let now = Now::get();
    let mut book = app.book();
    // ASSUMPTION (not in the seeds): an empty autoid means "the latest order of this bill",
    // so that a client that lost the pay call's answer (and with it the autoid) can still
    // find its payment instead of paying again.
    let idx = if autoid.is_empty() {
        book.latest(billnum, channel)
    } else {
        book.position(autoid)
    };
    let Some(order) = idx.and_then(|i| book.order_mut(i, &now)) else {
        return Ok(failed(NOT_FOUND));
    };
    // Each query path reaches only its own provider's orders, as on the real back office.
    if order.channel != channel || order.bill != billnum {
        return Ok(failed(NOT_FOUND));
    }
    order.count_query();
    Ok(ok(pay_status(order)))
}
