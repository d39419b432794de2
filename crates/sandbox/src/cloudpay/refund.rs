//! `refund` and `query_refund_order`: a refund is accepted (state 1, refunding) and found
//! done (state 2) by the next query. An order may be refunded in parts up to its amount; it
//! reads refunded only once the finished refunds cover all of it.
//!
//! docs/protocols.md §2: `refund` carries `refund_content`; `query_refund_order` names
//! `out_trade_no` and `out_refund_no` at the top level of `request_content` and is answered
//! with one `refund_order_content` entry per refund of the order.

use axum::http::HeaderMap;
use cashier_core::Fen;
use serde_json::{Value, json};

use super::Reply;
use super::fields::{Call, Obj, common};
use crate::app::App;
use crate::book::Refund;
use crate::messages::NOT_FOUND;
use crate::order::{OrderState, Wallet};

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

const REFUND_CONTENT: &[&str] = &[
    "out_trade_no",
    "out_refund_no",
    "total_fee",
    "refund_fee",
    "refund_fee_type",
    "refund_reason",
];

/// A refund names the order's wallet, as queries and closes do (see `order::check_matches`).
fn check_wallet(order_wallet: Wallet, asked: Wallet) -> Result<(), Reply> {
    if order_wallet == asked {
        Ok(())
    } else {
        Err(Reply::refused(
            0,
            "支付平台不符 pay_platform does not match the order",
        ))
    }
}

pub fn refund(app: &App, _headers: &HeaderMap, content: &Value) -> Result<Reply, Reply> {
    let root = Obj::root(content)?;
    let wallet = common(&root, &app.merchant, Call::Act, &["refund_content"])?;
    let rc = root.obj("refund_content")?;
    rc.only(REFUND_CONTENT)?;
    let out_trade_no = rc.number("out_trade_no", &app.order_prefix)?;
    let out_refund_no = rc.number("out_refund_no", &app.order_prefix)?;
    let total_fee = rc.fen("total_fee")?;
    let refund_fee = rc.fen("refund_fee")?;
    if rc.text("refund_fee_type", None)? != "CNY" {
        return Err(rc.bad("refund_fee_type", "only CNY"));
    }
    rc.opt_text("refund_reason", None)?;
    let mut book = app.book();
    let idx = book
        .position(out_trade_no)
        .ok_or_else(|| Reply::refused(0, NOT_FOUND))?;
    let Some(o) = book
        .order_mut(idx, &app.now())
        .filter(|o| o.channel.is_cloud())
    else {
        return Err(Reply::refused(0, NOT_FOUND));
    };
    check_wallet(o.wallet, wallet)?;
    // Cloud Pay's refund names the order's whole amount as total_fee, as WeChat's does.
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
    let (state, claimed, amount) = (o.state, o.refund_claimed, o.amount);
    // The same refund asked for again is answered as it stands (idempotent); its number
    // used for another order or amount is refused.
    if let Some(r) = book.refund(out_refund_no) {
        return if r.order == idx && r.fee == refund_fee {
            Ok(Reply::Done {
                name: "refund",
                payload: json!({"refund_order_content": refund_order_content(out_trade_no, r)}),
            })
        } else {
            Err(Reply::refused(
                0,
                "退款单号重复 duplicate out_refund_no with another order or refund_fee",
            ))
        };
    }
    match state {
        OrderState::Paid => {}
        OrderState::Refunded => return Err(Reply::refused(0, "订单已退款 order already refunded")),
        _ => return Err(Reply::refused(0, "订单未支付 order is not paid")),
    }
    let left = amount.checked_sub(claimed).unwrap_or(Fen::ZERO);
    if refund_fee > left {
        return Err(Reply::refused(
            0,
            "退款金额超过可退金额 refund_fee is more than what is left to refund",
        ));
    }
    let r = book
        .add_refund(idx, out_refund_no, refund_fee)
        .ok_or_else(|| Reply::refused(0, NOT_FOUND))?;
    tracing::info!(
        out_trade_no,
        out_refund_no,
        fen = refund_fee.0,
        "refund accepted"
    );
    Ok(Reply::Done {
        name: "refund",
        payload: json!({"refund_order_content": refund_order_content(out_trade_no, &r)}),
    })
}

pub fn query_refund_order(
    app: &App,
    _headers: &HeaderMap,
    content: &Value,
) -> Result<Reply, Reply> {
    let root = Obj::root(content)?;
    let wallet = common(
        &root,
        &app.merchant,
        Call::Query,
        &["out_trade_no", "out_refund_no"],
    )?;
    let out_trade_no = root.number("out_trade_no", &app.order_prefix)?;
    let out_refund_no = root.number("out_refund_no", &app.order_prefix)?;
    let mut book = app.book();
    let not_found = || Reply::refused(0, "退款单不存在 refund not found");
    let order = book.refund(out_refund_no).ok_or_else(not_found)?.order;
    let o = book.order(order).ok_or_else(not_found)?;
    if o.reference != out_trade_no {
        return Err(not_found());
    }
    check_wallet(o.wallet, wallet)?;
    book.complete_refund(out_refund_no).ok_or_else(not_found)?;
    let entries: Vec<Value> = book
        .refunds_of(order)
        .map(|r| refund_order_content(out_trade_no, r))
        .collect();
    Ok(Reply::Done {
        name: "query_refund_order",
        payload: json!({"refund_order_content": entries}),
    })
}
