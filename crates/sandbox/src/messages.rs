//! Refusal texts both simulated backends answer with, in one place so Tour V5 and Cloud Pay
//! never drift apart (Chinese first, as the vendors write them, then English).

pub const NOT_FOUND: &str = "订单不存在 order not found";
pub const DECLINED: &str = "余额不足 insufficient balance";
pub const CODE_EXPIRED: &str = "付款码已过期 payment code expired";
pub const WAITING_PASSWORD: &str = "等待用户输入密码";
