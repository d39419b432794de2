//! The words a cashier or manager reads for states, channels and amounts, in both languages:
//! the one table every front end uses.

use crate::{AttemptState, Channel, Fen, Lang};

/// How a state reads on screen and in reports.
pub fn state_label(state: AttemptState, lang: Lang) -> &'static str {
    use AttemptState as S;
    match (lang, state) {
        (Lang::ZhCn, S::Sending) => "正在发送",
        (Lang::ZhCn, S::Pending) => "等待顾客确认",
        (Lang::ZhCn, S::Issuing) => "正在生成二维码",
        (Lang::ZhCn, S::Shown) => "请顾客扫码",
        (Lang::ZhCn, S::Paid) => "支付成功",
        (Lang::ZhCn, S::PartlyPaid) => "部分支付",
        (Lang::ZhCn, S::Failed) => "支付失败",
        (Lang::ZhCn, S::Cancelled) => "已取消",
        (Lang::ZhCn, S::Expired) => "已过期",
        (Lang::ZhCn, S::Unknown) => "结果未知：请勿重复收款",
        (Lang::ZhCn, S::Abandoned) => "已放弃，仍可能被支付",
        (Lang::ZhCn, S::PartRefunded) => "部分退款",
        (Lang::ZhCn, S::Refunded) => "已退款",
        (Lang::En, S::Sending) => "Sending",
        (Lang::En, S::Pending) => "Waiting for the customer",
        (Lang::En, S::Issuing) => "Making the QR code",
        (Lang::En, S::Shown) => "Customer to scan",
        (Lang::En, S::Paid) => "Paid",
        (Lang::En, S::PartlyPaid) => "Partly paid",
        (Lang::En, S::Failed) => "Payment failed",
        (Lang::En, S::Cancelled) => "Cancelled",
        (Lang::En, S::Expired) => "Expired",
        (Lang::En, S::Unknown) => "Result unknown — do not charge again",
        (Lang::En, S::Abandoned) => "Abandoned — may still be paid",
        (Lang::En, S::PartRefunded) => "Partly refunded",
        (Lang::En, S::Refunded) => "Refunded",
    }
}

/// How a channel reads on screen.
pub fn channel_label(channel: Channel, lang: Lang) -> &'static str {
    match (lang, channel) {
        (Lang::ZhCn, Channel::WechatQr) => "微信扫码",
        (Lang::ZhCn, Channel::AlipayQr) => "支付宝扫码",
        (Lang::ZhCn, Channel::KoudaiBarcode) => "口袋零钱付款码",
        (Lang::ZhCn, Channel::PosWechatBarcode) => "微信付款码",
        (Lang::ZhCn, Channel::CloudQr) => "云支付扫码",
        (Lang::ZhCn, Channel::CloudBarcode) => "云支付付款码",
        (Lang::En, Channel::WechatQr) => "WeChat QR",
        (Lang::En, Channel::AlipayQr) => "Alipay QR",
        (Lang::En, Channel::KoudaiBarcode) => "KouDaiLQ code",
        (Lang::En, Channel::PosWechatBarcode) => "WeChat code",
        (Lang::En, Channel::CloudQr) => "Cloud Pay QR",
        (Lang::En, Channel::CloudBarcode) => "Cloud Pay code",
    }
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
