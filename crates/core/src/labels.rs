//! The words a cashier or manager reads for states, channels, outcomes and amounts, in both
//! languages: the one table every front end uses. Each term is written once with both its
//! texts, `[zh-CN, en]`, and [`Lang::pick`] takes the one to show.

use crate::receipts::outcome::Outcome;
use crate::{AttemptState, Channel, Fen, Lang, RefundState};

/// How a state reads on screen and in reports.
pub fn state_label(state: AttemptState, lang: Lang) -> &'static str {
    use AttemptState as S;
    lang.pick(match state {
        S::Sending => ["正在发送", "Sending"],
        S::Pending => ["等待顾客确认", "Waiting for the customer"],
        S::Issuing => ["正在生成二维码", "Making the QR code"],
        S::Shown => ["请顾客扫码", "Customer to scan"],
        S::Paid => ["支付成功", "Paid"],
        S::PartlyPaid => ["部分支付", "Partly paid"],
        S::Failed => ["支付失败", "Payment failed"],
        S::Cancelled => ["已取消", "Cancelled"],
        S::Expired => ["已过期", "Expired"],
        S::Unknown => [
            "结果未知：请勿重复收款",
            "Result unknown — do not charge again",
        ],
        S::Abandoned => ["已放弃，仍可能被支付", "Abandoned — may still be paid"],
        S::PartRefunded => ["部分退款", "Partly refunded"],
        S::Refunded => ["已退款", "Refunded"],
    })
}

/// How a channel reads on screen.
pub fn channel_label(channel: Channel, lang: Lang) -> &'static str {
    lang.pick(match channel {
        Channel::WechatQr => ["微信扫码", "WeChat QR"],
        Channel::AlipayQr => ["支付宝扫码", "Alipay QR"],
        Channel::KoudaiBarcode => ["口袋零钱付款码", "KouDaiLQ code"],
        Channel::PosWechatBarcode => ["微信付款码", "WeChat code"],
        Channel::CloudQr => ["云支付扫码", "Cloud Pay QR"],
        Channel::CloudBarcode => ["云支付付款码", "Cloud Pay code"],
    })
}

/// How an attempt ended, as a manager counts it in reports.
pub fn outcome_label(o: Outcome, lang: Lang) -> &'static str {
    lang.pick(match o {
        Outcome::Paid => ["已收款", "Paid"],
        Outcome::Failed => ["失败", "Failed"],
        Outcome::Cancelled => ["取消或过期", "Cancelled or expired"],
        Outcome::Unknown => ["结果未知", "Unknown"],
        Outcome::Refunded => ["已退款", "Refunded"],
    })
}

/// Where a refund part stands, as a manager reads it.
pub fn refund_state_label(state: RefundState, lang: Lang) -> &'static str {
    lang.pick(match state {
        RefundState::Requested => ["已申请退款", "Refund requested"],
        RefundState::Refunding => ["退款处理中", "Refunding"],
        RefundState::Refunded => ["已退款", "Refunded"],
        RefundState::Failed => ["退款失败", "Refund failed"],
        RefundState::Unknown => ["退款结果未知：需人工核对", "Refund unknown — check by hand"],
    })
}

/// An amount as a cashier reads it: `¥12.30`.
pub fn amount_text(amount: Fen) -> String {
    format!("¥{amount}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_and_channel_reads_differently_in_each_language() {
        for lang in [Lang::ZhCn, Lang::En] {
            let states: std::collections::HashSet<_> = AttemptState::ALL
                .iter()
                .map(|s| state_label(*s, lang))
                .collect();
            assert_eq!(states.len(), AttemptState::ALL.len());
            let channels: std::collections::HashSet<_> = Channel::ALL
                .iter()
                .map(|c| channel_label(*c, lang))
                .collect();
            assert_eq!(channels.len(), Channel::ALL.len());
        }
        assert_eq!(amount_text(Fen(1230)), "¥12.30");
    }
}
