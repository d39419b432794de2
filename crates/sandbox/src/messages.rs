//! Refusal texts both simulated backends answer with, in one place so Tour V5 and Cloud Pay
//! never drift apart (Chinese first, as the vendors write them, then English).

pub const NOT_FOUND: &str = "订单不存在 order not found";
pub const DECLINED: &str = "余额不足 insufficient balance";
pub const CODE_EXPIRED: &str = "付款码已过期 payment code expired";
pub const WAITING_PASSWORD: &str = "等待用户输入密码";
/// Tour V5's answer to a pay call it charged but could not answer properly (`errcode` 500).
pub const BUSY: &str = "系统繁忙 busy";
/// Cloud Pay status 3: charged or not, the caller must query.
pub const BUSY_QUERY: &str = "系统繁忙，请查询 busy, query the order";
/// Cloud Pay status 103: wait, then query or retry.
pub const WAIT_QUERY: &str = "请稍候查询 wait then query";
/// Cloud Pay status 102: this order number cannot be paid any more.
pub const NEW_ORDER_NUMBER: &str = "请更换订单号 use a new order number";
/// Tour V5's refusal where Cloud Pay asks for a new order number.
pub const PAY_AGAIN: &str = "请重新支付 pay again";
pub const CODE_USED: &str = "付款码已使用 code already used";
