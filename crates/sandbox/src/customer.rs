//! The customer's side of a QR payment: the page a QR code's URL opens on a phone, with
//! "pay" and "decline" buttons standing in for the wallet app.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::app::App;
use crate::order::{Channel, Order, OrderState, Wallet};

const PAGE: &str = "/_sandbox/pay/{reference}";
const DECLINE: &str = "/_sandbox/pay/{reference}/decline";
/// The routes, for the start-up check of configured paths.
pub const PATHS: &[&str] = &[PAGE, DECLINE];

pub fn routes() -> Router<App> {
    Router::new()
        .route(PAGE, get(page).post(pay))
        .route(DECLINE, post(decline))
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn channel_label(o: &Order) -> &'static str {
    match (o.channel, o.wallet) {
        (Channel::WechatQr, _) => "微信 WeChat Pay (Tour V5)",
        (Channel::AlipayQr, _) => "支付宝 Alipay (Tour V5)",
        (_, Wallet::Wechat) => "微信 WeChat Pay (腾讯云支付 Cloud Pay)",
        (_, Wallet::Alipay) => "支付宝 Alipay (腾讯云支付 Cloud Pay)",
    }
}

fn state_label(s: OrderState) -> &'static str {
    match s {
        OrderState::NotPay => "待支付 waiting for payment",
        OrderState::UserPaying => "支付中 paying",
        OrderState::Paid => "已支付 paid",
        OrderState::Declined => "已拒绝 declined",
        OrderState::Expired => "已过期 expired",
        OrderState::Closed => "已关闭 closed",
        OrderState::Refunded => "已退款 refunded",
    }
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
<style>body{{font-family:system-ui,sans-serif;margin:0;padding:1rem;background:#f4f4f4}}\
main{{max-width:28rem;margin:auto;background:#fff;border-radius:12px;padding:1.2rem}}\
.amount{{font-size:2.2rem;font-weight:bold;margin:.5rem 0}}td{{padding:.25rem .5rem .25rem 0;overflow-wrap:anywhere}}\
button{{width:100%;font-size:1.2rem;padding:.8rem;margin-top:.8rem;border:0;border-radius:8px}}\
.pay{{background:#07c160;color:#fff}}.decline{{background:#ddd}}.note{{color:#777;font-size:.85rem}}\
</style></head><body><main>{body}\
<p class=\"note\">这是测试沙盒，不会产生真实扣款。<br>This is a test sandbox: no real money moves.</p>\
</main></body></html>\n"
    )
}

fn order_page(o: &Order) -> String {
    let r = escape(&o.reference);
    let buttons = if o.state.is_open() {
        format!(
            "<form method=\"post\" action=\"/_sandbox/pay/{r}\"><button class=\"pay\">确认支付 Pay</button></form>\
<form method=\"post\" action=\"/_sandbox/pay/{r}/decline\"><button class=\"decline\">拒绝 Decline</button></form>"
        )
    } else {
        String::new()
    };
    let body = format!(
        "<h1>沙盒景区 Sandbox Scenic Spot</h1><p class=\"amount\">¥ {amount}</p><table>\
<tr><td>单号 Bill</td><td>{bill}</td></tr><tr><td>订单 Order</td><td>{r}</td></tr>\
<tr><td>支付方式 Channel</td><td>{channel}</td></tr><tr><td>状态 State</td><td>{state}</td></tr>\
</table>{buttons}",
        amount = o.amount,
        bill = escape(&o.bill),
        channel = channel_label(o),
        state = state_label(o.state),
    );
    document("沙盒支付 Sandbox payment", &body)
}

fn not_found(reference: &str) -> Response {
    let body = format!(
        "<h1>订单不存在</h1><p>No QR order {} in this sandbox.</p>",
        escape(reference)
    );
    (
        StatusCode::NOT_FOUND,
        Html(document("订单不存在 Not found", &body)),
    )
        .into_response()
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"))
}

/// The answer to a button: JSON for scripts and tests, a short page for people.
fn outcome(headers: &HeaderMap, status: StatusCode, o: &Order, zh: &str, en: &str) -> Response {
    if wants_json(headers) {
        let mut body = json!({"state": o.state.name(), "message": format!("{zh} {en}")});
        if status != StatusCode::OK {
            body["error"] = json!(en);
        }
        return (status, Json(body)).into_response();
    }
    let body = format!(
        "<h1>{zh}</h1><p>{en}</p><p class=\"amount\">¥ {}</p><p>{} · {}</p>",
        o.amount,
        escape(&o.reference),
        state_label(o.state)
    );
    (status, Html(document(zh, &body))).into_response()
}

/// The QR order `reference` with its expiry applied; barcode orders have no customer page.
fn with_qr_order<R>(
    app: &App,
    reference: &str,
    f: impl FnOnce(&mut Order) -> R,
) -> Option<(R, Order)> {
    let mut book = app.book();
    let order = book
        .find_mut(reference, &app.now())
        .filter(|o| o.channel.is_qr())?;
    let result = f(order);
    let view = order.clone();
    Some((result, view))
}

async fn page(State(app): State<App>, Path(reference): Path<String>) -> Response {
    match with_qr_order(&app, &reference, |_| ()) {
        Some(((), o)) => Html(order_page(&o)).into_response(),
        None => not_found(&reference),
    }
}

async fn pay(
    State(app): State<App>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut book = app.book();
    let Some(order) = book
        .find_mut(&reference, &app.now())
        .filter(|o| o.channel.is_qr())
    else {
        return not_found(&reference);
    };
    let before = order.state;
    let charge = order.settle();
    let view = order.clone();
    book.record(charge);
    drop(book);
    match before {
        OrderState::Paid => outcome(
            &headers,
            StatusCode::OK,
            &view,
            "已支付，未重复扣款",
            "Already paid: nothing was charged again.",
        ),
        s if s.is_open() => outcome(&headers, StatusCode::OK, &view, "支付成功", "Paid."),
        _ => outcome(
            &headers,
            StatusCode::CONFLICT,
            &view,
            "订单已结束，无法支付",
            "This order can no longer be paid.",
        ),
    }
}

async fn decline(
    State(app): State<App>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Response {
    let declined = with_qr_order(&app, &reference, |o| match o.state {
        s if s.is_open() => {
            o.state = OrderState::Declined;
            true
        }
        s => s == OrderState::Declined,
    });
    match declined {
        None => not_found(&reference),
        Some((true, o)) => outcome(&headers, StatusCode::OK, &o, "已拒绝支付", "Declined."),
        Some((false, o)) => outcome(
            &headers,
            StatusCode::CONFLICT,
            &o,
            "订单已结束，无法拒绝",
            "This order is already over.",
        ),
    }
}
