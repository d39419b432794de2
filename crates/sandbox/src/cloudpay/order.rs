//! `query_order`, `close_order` and the `order_content` both answer with.

use axum::http::HeaderMap;
use serde_json::{Map, Value, json};

use super::Reply;
use super::fields::{Call, Obj, common};
use crate::app::App;
use crate::book::Book;
use crate::clock::Now;
use crate::messages::NOT_FOUND;
use crate::order::{Channel, Order, OrderState, Wallet};

/// WeChat trade states (docs/protocols.md §2): 1 not paid, 2 paid, 4 refunded, 5 closed,
/// 6 user paying, 8 pay error.
fn wechat_state(o: &Order) -> i64 {
    match o.state {
        OrderState::NotPay => 1,
        OrderState::Paid => 2,
        OrderState::Refunded => 4,
        OrderState::Closed => 5,
        OrderState::Expired if o.channel.is_qr() => 5,
        OrderState::UserPaying => 6,
        OrderState::Declined | OrderState::Expired => 8,
    }
}

/// Alipay trade states: 1 waiting for the buyer, 2 paid, 4 paying, 5 closed (a refunded
/// trade is closed too).
fn alipay_state(o: &Order) -> i64 {
    match o.state {
        OrderState::NotPay => 1,
        OrderState::Paid => 2,
        OrderState::UserPaying => 4,
        OrderState::Closed | OrderState::Expired | OrderState::Declined | OrderState::Refunded => 5,
    }
}

/// The top-level members of `query_order` and `close_order` besides the common ones.
const TARGET: &[&str] = &["out_trade_no", "trade_type"];

fn trade_type(o: &Order) -> i64 {
    if o.channel == Channel::CloudQr { 2 } else { 1 }
}

pub fn order_content(o: &Order) -> Value {
    let mut c = Map::new();
    c.insert("out_trade_no".into(), json!(o.reference));
    if matches!(o.state, OrderState::Paid | OrderState::Refunded) {
        c.insert("transaction_id".into(), json!(o.transaction_id));
    }
    c.insert("trade_type".into(), json!(trade_type(o)));
    c.insert("total_fee".into(), json!(o.amount.0));
    c.insert("fee_type".into(), json!("CNY"));
    match o.wallet {
        Wallet::Wechat => {
            c.insert("pay_platform".into(), json!(1));
            c.insert(
                "wxpay_order_content_ext".into(),
                json!({"current_trade_state": wechat_state(o)}),
            );
        }
        Wallet::Alipay => {
            c.insert("pay_platform".into(), json!(2));
            c.insert(
                "alipay_order_content_ext".into(),
                json!({"current_trade_state": alipay_state(o)}),
            );
        }
    }
    Value::Object(c)
}

/// What `query_order` and `close_order` name: the wallet of the common members, then
/// `out_trade_no` and `trade_type` at the top level of `request_content`.
struct Named<'a> {
    wallet: Wallet,
    out_trade_no: &'a str,
    trade_type: i64,
}

fn named<'a>(app: &App, content: &'a Value, call: Call) -> Result<Named<'a>, Reply> {
    let root = Obj::root(content)?;
    let wallet = common(&root, &app.merchant, call, TARGET)?;
    let out_trade_no = root.number("out_trade_no", &app.order_prefix)?;
    let trade_type = root.int("trade_type")?;
    if !matches!(trade_type, 1 | 2) {
        return Err(Reply::invalid(
            "参数错误 invalid parameter trade_type: 1 (barcode) or 2 (QR)",
        ));
    }
    Ok(Named {
        wallet,
        out_trade_no,
        trade_type,
    })
}

impl Named<'_> {
    /// The Cloud Pay order of that number, `None` where there is none (a Tour V5 order of the
    /// same number is not Cloud Pay's); one of another trade type or wallet is refused.
    fn find<'b>(&self, book: &'b mut Book, now: &Now) -> Result<Option<&'b mut Order>, Reply> {
        let Some(o) = book
            .find_mut(self.out_trade_no, now)
            .filter(|o| o.channel.is_cloud())
        else {
            return Ok(None);
        };
        check_matches(o, self.trade_type, self.wallet)?;
        Ok(Some(o))
    }
}

/// A request naming the order by number but with another trade type or wallet is about some
/// other order: refused rather than answered with this one's state, so a client mixing up
/// its orders finds out.
fn check_matches(o: &Order, trade_type_asked: i64, wallet: Wallet) -> Result<(), Reply> {
    if trade_type(o) != trade_type_asked {
        return Err(Reply::refused(
            0,
            "交易类型不符 trade_type does not match the order",
        ));
    }
    if o.wallet != wallet {
        return Err(Reply::refused(
            0,
            "支付平台不符 pay_platform does not match the order",
        ));
    }
    Ok(())
}

pub fn query_order(app: &App, _headers: &HeaderMap, content: &Value) -> Result<Reply, Reply> {
    let named = named(app, content, Call::Query)?;
    let mut book = app.book();
    let Some(o) = named.find(&mut book, &app.now())? else {
        // Alipay reports an unknown trade as state 7; WeChat refuses the query.
        return match named.wallet {
            Wallet::Alipay => Ok(Reply::Done {
                name: "query_order",
                payload: json!({"order_content": {
                    "out_trade_no": named.out_trade_no,
                    "pay_platform": 2,
                    "alipay_order_content_ext": {"current_trade_state": 7},
                }}),
            }),
            Wallet::Wechat => Err(Reply::refused(0, NOT_FOUND)),
        };
    };
    o.count_query();
    Ok(Reply::Done {
        name: "query_order",
        payload: json!({"order_content": order_content(o)}),
    })
}

pub fn close_order(app: &App, _headers: &HeaderMap, content: &Value) -> Result<Reply, Reply> {
    let named = named(app, content, Call::Act)?;
    let mut book = app.book();
    let Some(o) = named.find(&mut book, &app.now())? else {
        return Err(Reply::refused(0, NOT_FOUND));
    };
    // Closing abandons an unpaid QR order (docs/protocols.md §2); a barcode payment is the
    // customer's to finish or not, and Cloud Pay's reverse is not offered (docs/protocols.md §2).
    if o.channel != Channel::CloudQr {
        return Err(Reply::refused(
            0,
            "条码支付订单不能关闭 a barcode (trade_type 1) order cannot be closed",
        ));
    }
    match o.state {
        OrderState::Paid | OrderState::Refunded => {
            Err(Reply::refused(0, "订单已支付 order already paid"))
        }
        OrderState::NotPay | OrderState::UserPaying => {
            o.state = OrderState::Closed;
            tracing::info!(out_trade_no = named.out_trade_no, "cloud order closed");
            Ok(Reply::Done {
                name: "close_order",
                payload: json!({}),
            })
        }
        // Already over without money: closing again is harmless.
        OrderState::Declined | OrderState::Expired | OrderState::Closed => Ok(Reply::Done {
            name: "close_order",
            payload: json!({}),
        }),
    }
}
