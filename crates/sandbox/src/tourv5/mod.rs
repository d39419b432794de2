//! The simulated Tour V5 back office (ASP.NET Web API, JSON, HAWK-signed; docs/protocols.md §1).

mod formatter;
pub mod hawk;
mod koudai;
mod login;
mod model;
pub mod pos;
mod qr;

use axum::Router;
use axum::http::header;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::app::App;
use crate::clock::Now;
use crate::messages::{CODE_EXPIRED, DECLINED, WAITING_PASSWORD};
use crate::order::{Order, OrderState};
use crate::scenario::Scenario;

const WECHAT_SCAN_CODE: &str = "/api/UnPos/3Pay/Wechat/ScanCode";
const ALIPAY_SCAN_CODE: &str = "/api/UnPos/3Pay/AliPay/ScanCode";
const WECHAT_QUERY: &str = "/api/UnPos/3Pay/Wechat/Query";
const ALIPAY_QUERY: &str = "/api/3Pay/AliPay/Query";
const KOUDAI_BARCODE: &str = "/api/3Pay/KouDaiLQ/BarCode";
const POS_BARCODE: &str = "/api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode";
const POS_BILL_STATUS: &str = "/api/Pos/MiniProgram/Busi/Sell/MainRow/Query/ByBillNum/{billnum}";

/// The back office's routes at fixed paths; the KouDaiLQ query's is configured (ASSUMPTION,
/// docs/protocols.md §1) and checked against these by [`koudai_query_route`].
pub const PATHS: &[&str] = &[
    hawk::LOGIN_PATH,
    WECHAT_SCAN_CODE,
    ALIPAY_SCAN_CODE,
    WECHAT_QUERY,
    ALIPAY_QUERY,
    KOUDAI_BARCODE,
    POS_BARCODE,
    POS_BILL_STATUS,
];

/// The routes; the KouDaiLQ query sits at `app.koudai_query_path`, checked at start-up by
/// [`koudai_query_route`].
pub fn routes(app: App) -> Router<App> {
    Router::new()
        .route(hawk::LOGIN_PATH, post(login::login))
        .route(WECHAT_SCAN_CODE, post(qr::wechat_scan_code))
        .route(ALIPAY_SCAN_CODE, post(qr::alipay_scan_code))
        .route(WECHAT_QUERY, post(qr::wechat_query))
        .route(ALIPAY_QUERY, post(qr::alipay_query))
        .route(&app.koudai_query_path, post(qr::koudai_query))
        .route(KOUDAI_BARCODE, post(koudai::bar_code))
        .route(POS_BARCODE, post(pos::wechat_barcode))
        .route(POS_BILL_STATUS, get(pos::bill_status))
        // The last layer added runs first: HAWK, then the body's media type.
        .route_layer(middleware::from_fn(formatter::require_json))
        .route_layer(middleware::from_fn_with_state(app, hawk::require_hawk))
}

/// The route of the configured KouDaiLQ query path (`api/3Pay/KouDaiLQ/Query`, with or
/// without the leading slash): `/` and segments of letters, digits, `-`, `.`, `_` and `~`
/// (no `.` or `..` segment, no empty one, so no trailing slash), and no path any other route
/// of the sandbox (`taken`, axum patterns) would answer. Collisions are found ignoring ASCII
/// case, as ASP.NET routes are matched. Refusals say why.
pub fn koudai_query_route(configured: &str, taken: &[&str]) -> Result<String, String> {
    let path = configured.strip_prefix('/').unwrap_or(configured);
    if path.is_empty() {
        return Err("the KouDaiLQ query path is empty".into());
    }
    let plain = |seg: &str| {
        !seg.is_empty()
            && seg != "."
            && seg != ".."
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
    };
    if !path.split('/').all(plain) {
        return Err(format!(
            "the KouDaiLQ query path {configured:?} must be segments of letters, digits, \
             '-', '.', '_' or '~' separated by single '/'"
        ));
    }
    let route = format!("/{path}");
    if let Some(other) = taken.iter().find(|p| route_answers(p, &route)) {
        return Err(format!(
            "the KouDaiLQ query path {configured:?} collides with the sandbox route {other}"
        ));
    }
    Ok(route)
}

/// Whether the axum route `pattern` (`{name}` segments match any non-empty segment) would
/// answer `path`, ignoring ASCII case.
fn route_answers(pattern: &str, path: &str) -> bool {
    let (mut want, mut got) = (pattern.split('/'), path.split('/'));
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) => {
                let capture = w.starts_with('{') && w.ends_with('}');
                if !((capture && !g.is_empty()) || w.eq_ignore_ascii_case(g)) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// The configured prefixes of the paths signed with `UPPER(MD5(password))` (ASSUMPTION,
/// docs/protocols.md §1), as the client writes them: without the leading slash, which is stripped
/// here if given. An empty prefix would silently cover every path, so it is refused.
pub fn password_key_prefixes(configured: &[String]) -> Result<Vec<String>, String> {
    configured
        .iter()
        .map(|p| match p.strip_prefix('/').unwrap_or(p) {
            "" => Err(format!(
                "a password-key path prefix is empty ({p:?}): it would cover every path"
            )),
            prefix => Ok(prefix.to_string()),
        })
        .collect()
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
        // applied to the bill, else "0"; docs/protocols.md decides paid by `paystatus` alone.
        "billstatus": if o.state == OrderState::Paid { "1" } else { "0" },
        "paystatus": paystatus,
        "paystatusdesc": desc,
    })
}

/// A fresh autoid: China time plus a never-reused sequence number, 20 digits (≤ 36).
pub fn new_autoid(seq: u64, now: &Now) -> String {
    format!(
        "{}{:06}",
        now.china().format("%Y%m%d%H%M%S"),
        seq % 1_000_000
    )
}

#[cfg(test)]
mod tests {
    use super::{koudai_query_route, password_key_prefixes, route_answers};
    use crate::app::fixed_routes;

    fn route(p: &str) -> Result<String, String> {
        koudai_query_route(p, &fixed_routes())
    }

    #[test]
    fn koudai_query_path_with_or_without_slash() {
        let want = Ok("/api/3Pay/KouDaiLQ/Query".to_string());
        assert_eq!(route("api/3Pay/KouDaiLQ/Query"), want);
        assert_eq!(route("/api/3Pay/KouDaiLQ/Query"), want);
        assert_eq!(
            route("api/3Pay/KouDaiLQ/Query.v2-x_y~z"),
            Ok("/api/3Pay/KouDaiLQ/Query.v2-x_y~z".to_string())
        );
    }

    #[test]
    fn bad_koudai_query_paths_are_refused() {
        for bad in [
            "",
            "/",
            "//api/x",
            "api//x",
            "api/x/",
            "api/./x",
            "api/../x",
            "api/{x}",
            "api/*x",
            "api/:x",
            "api/x?y=1",
            "api/x#y",
            "api/x y",
            "api/%41",
            "api/查询",
        ] {
            assert!(route(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn koudai_query_path_must_not_take_another_route() {
        for taken in [
            "api/UnPos/User/Login/ByPwd",
            "api/UnPos/3Pay/Wechat/ScanCode",
            "api/UnPos/3Pay/AliPay/ScanCode",
            "api/UnPos/3Pay/Wechat/Query",
            "api/3Pay/AliPay/Query",
            "API/3pay/alipay/QUERY",
            "api/3Pay/KouDaiLQ/BarCode",
            "api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode",
            "api/Pos/MiniProgram/Busi/Sell/MainRow/Query/ByBillNum/KD1",
            "cpay/query_order",
            "cpay/anything",
            "_sandbox/ledger",
            "_sandbox/reset",
            "_sandbox/faults",
            "_sandbox/bills",
            "_sandbox/pay/ref",
            "_sandbox/pay/ref/decline",
        ] {
            let r = route(taken);
            assert!(
                r.as_ref().is_err_and(|e| e.contains("collides")),
                "{taken}: {r:?}"
            );
        }
        // Near misses are free.
        for free in [
            "api/Pos/MiniProgram/Busi/Sell/MainRow/Query/ByBillNum",
            "cpay",
            "cpay/a/b",
            "_sandbox/pay",
            "api/3Pay/AliPay/Query2",
        ] {
            assert!(route(free).is_ok(), "{free}");
        }
    }

    #[test]
    fn patterns_capture_one_segment() {
        assert!(route_answers("/cpay/{name}", "/cpay/micro_pay"));
        assert!(!route_answers("/cpay/{name}", "/cpay/"));
        assert!(!route_answers("/cpay/{name}", "/cpay/a/b"));
        assert!(route_answers("/a/B", "/A/b"));
    }

    #[test]
    fn password_key_prefixes_lose_a_leading_slash() {
        let given = ["api/Pos/", "/api/3Pay/"].map(String::from);
        assert_eq!(
            password_key_prefixes(&given),
            Ok(vec!["api/Pos/".to_string(), "api/3Pay/".to_string()])
        );
        assert_eq!(password_key_prefixes(&[]), Ok(Vec::new()));
        for bad in ["", "/"] {
            assert!(
                password_key_prefixes(&[bad.to_string()]).is_err(),
                "{bad:?}"
            );
        }
    }
}
