//! `refund` and `query_refund_order`: a refund is accepted (its wallet's state "processing" /
//! "refunding") and found done ("success") by the next query. An order may be refunded in
//! parts up to its amount; it reads refunded only once the finished refunds cover all of it.
//!
//! docs/protocols.md §2: `refund` carries `refund_content`, and its `pay_mch_key` says who
//! authorises it (`is_sub_mch_admin`, else `authorization_staff_id`); `query_refund_order`
//! names `out_trade_no` and `out_refund_no` at the top level of `request_content` and is
//! answered with one `refund_order_content` entry per refund of the order. An entry's state is
//! only in its wallet's object (`wxpay_refund_order_content_ext.state`,
//! `alipay_refund_order_content_ext.refund_status`), never at the entry's top level.

use axum::http::HeaderMap;
use cashier_core::Fen;
use serde_json::{Map, Value, json};

use super::Reply;
use super::fields::{Authorization, Call, Obj, common, refund_authorization};
use crate::app::{App, Merchant};
use crate::book::{Refund, RefundAsked};
use crate::messages::NOT_FOUND;
use crate::order::{Order, OrderState, Wallet};

/// WxpayRefundOrderState: 4 processing, 2 success.
const WXPAY_PROCESSING: i64 = 4;
const WXPAY_SUCCESS: i64 = 2;
/// AlipayRefundOrderState: 4 refunding, 2 success.
const ALIPAY_REFUNDING: i64 = 4;
const ALIPAY_SUCCESS: i64 = 2;

/// One `refund_order_content` entry (the vendor's `RefundOrderContent`). The members whose
/// format the vendor pages leave open (`create_time`, `last_update_time`, `is_transforming`,
/// the WeChat accounts, Alipay's `fund_change` and `gmt_refund_pay`) are left out rather than
/// guessed: docs/sandbox.md.
fn refund_order_content(o: &Order, r: &Refund) -> Value {
    let mut entry = Map::new();
    entry.insert("out_refund_no".into(), json!(r.asked.out_refund_no));
    entry.insert("refund_id".into(), json!(r.refund_id));
    entry.insert("out_trade_no".into(), json!(o.reference));
    entry.insert(
        "trade_type".into(),
        json!(if o.channel.is_qr() { 2 } else { 1 }),
    );
    entry.insert("total_fee".into(), json!(o.amount.0));
    entry.insert("refund_fee".into(), json!(r.asked.fee.0));
    entry.insert("refund_fee_type".into(), json!("CNY"));
    if let Some(reason) = &r.asked.reason {
        entry.insert("refund_reason".into(), json!(reason));
    }
    match o.wallet {
        Wallet::Wechat => entry.insert(
            "wxpay_refund_order_content_ext".into(),
            json!({
                "state": if r.done { WXPAY_SUCCESS } else { WXPAY_PROCESSING },
                "cash_refund_fee": r.asked.fee.0,
            }),
        ),
        Wallet::Alipay => entry.insert(
            "alipay_refund_order_content_ext".into(),
            json!({"refund_status": if r.done { ALIPAY_SUCCESS } else { ALIPAY_REFUNDING }}),
        ),
    };
    Value::Object(entry)
}

/// The merchant a `query_refund_order` answer names (its `pay_mch_key`, required with status 0).
fn pay_mch_key(merchant: &Merchant, wallet: Wallet) -> Value {
    json!({
        "pay_platform": match wallet { Wallet::Wechat => 1, Wallet::Alipay => 2 },
        "out_mch_id": merchant.out_mch_id,
        "out_sub_mch_id": merchant.out_sub_mch_id,
        "out_shop_id": merchant.out_shop_id,
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
    let wallet = common(&root, &app.merchant, Call::Refund, &["refund_content"])?;
    let authorization = refund_authorization(&root)?;
    let rc = root.obj("refund_content")?;
    rc.only(REFUND_CONTENT)?;
    let out_trade_no = rc.number("out_trade_no", &app.order_prefix)?;
    let out_refund_no = rc.number("out_refund_no", &app.order_prefix)?;
    let total_fee = rc.fen("total_fee")?;
    let refund_fee = rc.fen("refund_fee")?;
    if rc.text("refund_fee_type", None)? != "CNY" {
        return Err(rc.bad("refund_fee_type", "only CNY"));
    }
    let reason = rc.opt_text("refund_reason", None)?.map(str::to_string);
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
        return match book.order(idx) {
            Some(o) if r.order == idx && r.asked.fee == refund_fee => Ok(Reply::Done {
                name: "refund",
                payload: json!({"refund_order_content": refund_order_content(o, r)}),
            }),
            _ => Err(Reply::refused(
                0,
                "退款单号重复 duplicate out_refund_no with another order or refund_fee",
            )),
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
    let authorized_by = match authorization {
        Authorization::SubMchAdmin => None,
        Authorization::Staff(id) => Some(id),
    };
    let r = book
        .add_refund(
            idx,
            RefundAsked {
                out_refund_no: out_refund_no.to_string(),
                fee: refund_fee,
                reason,
                authorized_by,
            },
        )
        .ok_or_else(|| Reply::refused(0, NOT_FOUND))?;
    tracing::info!(
        out_trade_no,
        out_refund_no,
        fen = refund_fee.0,
        authorized_by = r.asked.authorized_by.as_deref().unwrap_or("sub_mch_admin"),
        "refund accepted"
    );
    let o = book
        .order(idx)
        .ok_or_else(|| Reply::refused(0, NOT_FOUND))?;
    Ok(Reply::Done {
        name: "refund",
        payload: json!({"refund_order_content": refund_order_content(o, &r)}),
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
    let o = book.order(order).ok_or_else(not_found)?;
    let entries: Vec<Value> = book
        .refunds_of(order)
        .map(|r| refund_order_content(o, r))
        .collect();
    Ok(Reply::Done {
        name: "query_refund_order",
        payload: json!({
            "pay_mch_key": pay_mch_key(&app.merchant, o.wallet),
            "refund_order_content": entries,
        }),
    })
}
