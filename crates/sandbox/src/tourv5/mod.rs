//! The simulated Tour V5 back office (ASP.NET Web API, JSON, HAWK-signed; PROTOCOLS §1).

pub mod hawk;
mod koudai;
mod login;
mod model;
mod pos;
mod qr;

use axum::Router;
use axum::http::header;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::app::App;
use crate::messages::{CODE_EXPIRED, DECLINED, WAITING_PASSWORD};
use crate::order::{Order, OrderState};
use crate::scenario::Scenario;

pub fn routes(app: App) -> Router<App> {
    Router::new()
        .route(hawk::LOGIN_PATH, post(login::login))
        .route(
            "/api/UnPos/3Pay/Wechat/ScanCode",
            post(qr::wechat_scan_code),
        )
        .route(
            "/api/UnPos/3Pay/AliPay/ScanCode",
            post(qr::alipay_scan_code),
        )
        .route("/api/UnPos/3Pay/Wechat/Query", post(qr::wechat_query))
        .route("/api/3Pay/AliPay/Query", post(qr::alipay_query))
        .route("/api/3Pay/KouDaiLQ/Query", post(qr::koudai_query))
        .route("/api/3Pay/KouDaiLQ/BarCode", post(koudai::bar_code))
        .route(
            "/api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode",
            post(pos::wechat_barcode),
        )
        .route(
            "/api/Pos/MiniProgram/Busi/Sell/MainRow/Query/ByBillNum/{billnum}",
            get(pos::bill_status),
        )
        .route_layer(middleware::from_fn_with_state(app, hawk::require_hawk))
}

/// An answer that ends a handler early (a 400, or a refusal found while checking), boxed
/// so that `Result`s stay small.
pub struct Rejection(Box<Response>);

impl From<Response> for Rejection {
    fn from(r: Response) -> Rejection {
        Rejection(Box::new(r))
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        *self.0
    }
}

pub type Answer = Result<Response, Rejection>;

/// The undocumented `errcode` of a pay call charged but answered "busy" (scenarios `7003`,
/// `7103`): clients must treat it as unknown and query.
pub const BUSY_ERRCODE: i64 = 500;

/// The `{errcode, errmsg, tag}` envelope, always HTTP 200.
pub fn envelope(errcode: i64, errmsg: &str, tag: Value) -> Response {
    let body = json!({"errcode": errcode, "errmsg": errmsg, "tag": tag});
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

pub fn ok(tag: Value) -> Response {
    envelope(0, "", tag)
}

pub fn failed(errmsg: &str) -> Response {
    envelope(-1, errmsg, Value::Null)
}

/// Why a refused barcode payment failed: its scenario's refusal, else `default`.
fn refusal(o: &Order, default: &'static str) -> &'static str {
    o.scenario
        .and_then(Scenario::tour_failure)
        .map_or(default, |f| f.message)
}

/// Seeds 001/003 `PayStatusResult` for an order.
pub fn pay_status(o: &Order) -> Value {
    let (paystatus, desc) = match o.state {
        OrderState::NotPay => ("NOTPAY", "未支付 waiting for the customer to scan"),
        OrderState::UserPaying => ("USERPAYING", WAITING_PASSWORD),
        OrderState::Paid => ("SUCCESS", "支付成功 paid"),
        OrderState::Declined if o.channel.is_qr() => {
            ("PAYERROR", "用户拒绝支付 declined by the customer")
        }
        OrderState::Declined => ("PAYERROR", refusal(o, DECLINED)),
        OrderState::Expired if o.channel.is_qr() => ("CLOSED", "二维码已过期 QR code expired"),
        OrderState::Expired => ("PAYERROR", refusal(o, CODE_EXPIRED)),
        OrderState::Closed => ("CLOSED", "订单已关闭 order closed"),
        OrderState::Refunded => ("REFUND", "已退款 refunded"),
    };
    json!({
        "billnum": o.bill,
        "autoid": o.reference,
        // ASSUMPTION (the seeds name `billstatus` but give no values): "1" once the payment is
        // applied to the bill, else "0"; PROTOCOLS decides paid by `paystatus` alone.
        "billstatus": if o.state == OrderState::Paid { "1" } else { "0" },
        "paystatus": paystatus,
        "paystatusdesc": desc,
    })
}

/// A fresh autoid: China time plus a never-reused sequence number, 20 digits (≤ 36).
pub fn new_autoid(seq: u64) -> String {
    format!(
        "{}{:06}",
        crate::app::china_now().format("%Y%m%d%H%M%S"),
        seq % 1_000_000
    )
}
