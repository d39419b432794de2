//! `refund` and `query_refund_order`: a refund is accepted (state 1, refunding) and found
//! done (state 2) by the next query, which is when the order becomes refunded.

use std::time::SystemTime;

use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::Reply;
use super::fields::{Obj, common};
use super::order::NOT_FOUND;
use crate::app::App;
use crate::order::{Backend, OrderState, Refund};

const REFUNDING: i64 = 1;
const REFUNDED: i64 = 2;

fn refund_order_content(out_trade_no: &str, r: &Refund) -> Value {
    json!({
        "out_trade_no": out_trade_no,
        "out_refund_no": r.out_refund_no,
        "refund_fee": r.fee.0,
        "state": if r.done { REFUNDED } else { REFUNDING },
    })
}

pub fn refund(app: &App, _headers: &HeaderMap, content: &Value) -> Result<Reply, Reply> {
    let root = Obj::root(content)?;
    common(&root)?;
    let rc = root.obj("refund_content")?;
    let out_trade_no = rc.text("out_trade_no", 32)?;
    let out_refund_no = rc.text("out_refund_no", 32)?;
    let total_fee = rc.fen("total_fee")?;
    let refund_fee = rc.fen("refund_fee")?;
    let mut book = app.book();
    let Some(o) = book
        .find_mut(out_trade_no, SystemTime::now())
        .filter(|o| o.channel.backend() == Backend::CloudPay)
    else {
        return Err(Reply::refused(0, NOT_FOUND));
    };
    if total_fee != o.amount {
        return Err(Reply::invalid(
            "参数错误 refund_content.total_fee is not the order's total_fee",
        ));
    }
    if refund_fee > total_fee {
        return Err(Reply::invalid(
            "参数错误 refund_content.refund_fee is more than total_fee",
        ));
    }
    // The same refund asked for again is answered as it stands (idempotent).
    if let Some(r) = &o.refund {
        return if r.out_refund_no == out_refund_no {
            Ok(Reply::Done {
                name: "refund",
                payload: json!({"refund_order_content": refund_order_content(out_trade_no, r)}),
            })
        } else {
            Err(Reply::refused(0, "订单已退款 order already refunded"))
        };
    }
    if o.state != OrderState::Paid {
        return Err(Reply::refused(0, "订单未支付 order is not paid"));
    }
    let r = Refund {
        out_refund_no: out_refund_no.to_string(),
        fee: refund_fee,
        done: false,
    };
    let payload = json!({"refund_order_content": refund_order_content(out_trade_no, &r)});
    o.refund = Some(r);
    tracing::info!(
        out_trade_no,
        out_refund_no,
        fen = refund_fee.0,
        "refund accepted"
    );
    Ok(Reply::Done {
        name: "refund",
        payload,
    })
}

pub fn query_refund_order(
    app: &App,
    _headers: &HeaderMap,
    content: &Value,
) -> Result<Reply, Reply> {
    let root = Obj::root(content)?;
    common(&root)?;
    let rc = root.obj("refund_content")?;
    let out_refund_no = rc.text("out_refund_no", 32)?;
    let out_trade_no = rc.opt_text("out_trade_no", 32)?;
    let mut book = app.book();
    let not_found = || Reply::refused(0, "退款单不存在 refund not found");
    let idx = book.refund_position(out_refund_no).ok_or_else(not_found)?;
    let o = book
        .order_mut(idx, SystemTime::now())
        .ok_or_else(not_found)?;
    if out_trade_no.is_some_and(|no| no != o.reference) {
        return Err(not_found());
    }
    let reference = o.reference.clone();
    let r = o.refund.as_mut().ok_or_else(not_found)?;
    r.done = true;
    let payload = json!({"refund_order_content": refund_order_content(&reference, r)});
    o.state = OrderState::Refunded;
    Ok(Reply::Done {
        name: "query_refund_order",
        payload,
    })
}
