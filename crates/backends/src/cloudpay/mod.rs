//! Tencent Cloud Pay (docs/protocols.md §2, seed 004): signed `request_content`, verified answers,
//! fail-over hosts.

pub mod map;
pub mod wire;

pub use cashier_core::backend::cloudpay::{CloudPayConfig, Platform, TradeType};

use std::net::Ipv4Addr;

use chrono::{DateTime, Utc};
use rand::{Rng, distributions::Alphanumeric};
use reqwest::{Method, Url};

use crate::crypto::AuthenKey;
use crate::http::{Http, RawAnswer, read_json};
use cashier_core::reasons::{ConfigError, Rule};
use cashier_core::{
    BillNo, CallError, CallFate, Error, Fen, PaymentCode, PaymentOutcome, QrIssued,
};
use map::OrderCall;
pub use map::{RefundAuthority, RefundOutcome, Signature};
use wire::*;

/// The `sub_pay_platform` values of the wallets Cloud Pay takes (enum SubPayPlatform).
const SUB_PAY_PLATFORMS: &[u32] = &[100, 200];

#[derive(Debug, Clone)]
pub struct CloudPay {
    http: Http,
    hosts: Vec<Url>,
    cfg: CloudPayConfig,
    key: AuthenKey,
}

/// What a call does, which decides the `order_client` members it sends (docs/protocols.md §2, from
/// the vendor's pages).
#[derive(Clone, Copy, PartialEq, Eq)]
enum CallKind {
    /// `micro_pay`, `scan_code_pay`.
    Pay,
    /// `close_order`, `refund`.
    Act,
    /// `query_order`, `query_refund_order`.
    Query,
}

/// Whether a call may be repeated on the next host after an answer was lost.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Repeat {
    /// Only when the request certainly never left (connection refused).
    IfNotSent,
    /// Queries: on any transport failure.
    Always,
}

impl CloudPay {
    pub fn new(http: Http, cfg: CloudPayConfig, key: AuthenKey) -> Result<CloudPay, Error> {
        let hosts = cfg
            .hosts
            .iter()
            .map(|h| {
                let h = if h.ends_with('/') {
                    h.clone()
                } else {
                    format!("{h}/")
                };
                Url::parse(&h).map_err(|e| {
                    Error::from(ConfigError::said(
                        "cloudpay.hosts",
                        format!("{h:?}: {e}"),
                        format!("{h:?}：{e}"),
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if hosts.is_empty() {
            return Err(missing("cloudpay.hosts"));
        }
        if cfg.order_prefix.is_empty() {
            return Err(missing("cloudpay.order_prefix"));
        }
        let cp = CloudPay {
            http,
            hosts,
            cfg,
            key,
        };
        cp.check_settings()?;
        Ok(cp)
    }

    /// Every configured value a request carries: present where Cloud Pay requires it, and
    /// each String(n) within its bytes, so that a deployment learns of a bad value at
    /// start, not at its first payment.
    fn check_settings(&self) -> Result<(), Error> {
        let c = &self.cfg;
        for (name, value) in [
            ("out_mch_id", &c.out_mch_id),
            ("out_sub_mch_id", &c.out_sub_mch_id),
            ("out_shop_id", &c.out_shop_id),
            ("machine_no", &c.machine_no),
            ("device_id", &c.device_id),
            ("sdk_version", &c.sdk_version),
            ("spbill_create_ip", &c.spbill_create_ip),
            ("body", &c.body),
            ("product_id", &c.product_id),
        ] {
            if value.trim().is_empty() {
                return Err(missing(&format!("cloudpay.{name}")));
            }
        }
        // Seed 004: "the IP of the machine calling the API", a String(16) sized for IPv4.
        if c.spbill_create_ip.parse::<Ipv4Addr>().is_err() {
            return Err(ConfigError::Invalid {
                setting: "cloudpay.spbill_create_ip".into(),
                value: c.spbill_create_ip.clone(),
                rule: Rule::Ipv4,
            }
            .into());
        }
        // Enum SubPayPlatform: 100 WeChat, 200 Alipay (its other values go with bookkeeping
        // payments, which Cashier does not make).
        if let Some(sub) = c.sub_pay_platform
            && !SUB_PAY_PLATFORMS.contains(&sub)
        {
            return Err(ConfigError::Invalid {
                setting: "cloudpay.sub_pay_platform".into(),
                value: sub.to_string(),
                rule: Rule::SubPayPlatform,
            }
            .into());
        }
        let mut widest = self.content(Platform::Wechat, CallKind::Pay);
        widest.pay_content = Some(PayContent {
            out_trade_no: String::new(),
            total_fee: 0,
            fee_type: "CNY".into(),
            client_flow_id: None,
            body: c.body.clone(),
            time_expire: None,
            detail: None,
            remark: None,
            author_code: None,
            wxpay_pay_content_ext: Some(WxpayPayContentExt {
                product_id: c.product_id.clone(),
            }),
        });
        widest.check_limits().map_err(not_built)
    }

    pub fn config(&self) -> &CloudPayConfig {
        &self.cfg
    }

    pub async fn preconnect(&self) {
        self.http.preconnect(&self.hosts[0]).await;
    }

    /// `out_trade_no` rules: the merchant prefix, at most 32 characters, letters/digits/`_-`.
    pub fn check_order_no(&self, no: &str) -> Result<(), Error> {
        let ok = no.starts_with(&self.cfg.order_prefix)
            && no.len() <= 32
            && no
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok {
            Ok(())
        } else {
            Err(ConfigError::Invalid {
                setting: "out_trade_no".into(),
                value: no.to_string(),
                rule: Rule::OrderNo {
                    prefix: self.cfg.order_prefix.clone(),
                },
            }
            .into())
        }
    }

    pub async fn scan_code_pay(
        &self,
        out_trade_no: &str,
        bill: &BillNo,
        platform: Platform,
        amount: Fen,
        expires_at: DateTime<Utc>,
    ) -> Result<QrIssued, Error> {
        self.check_order_no(out_trade_no)?;
        let mut content = self.content(platform, CallKind::Pay);
        content.pay_content = Some(PayContent {
            wxpay_pay_content_ext: (platform == Platform::Wechat).then(|| WxpayPayContentExt {
                product_id: self.cfg.product_id.clone(),
            }),
            ..self.pay_content(
                out_trade_no,
                bill,
                amount,
                self.cfg.send_time_expire.then(|| expires_at.timestamp()),
            )
        });
        let (rc, sig) = self
            .call("scan_code_pay", &content, Repeat::IfNotSent)
            .await?;
        map::qr_issued(&rc, sig, out_trade_no)
    }

    /// Barcode payment; the code goes in `pay_content.author_code`.
    pub async fn micro_pay(
        &self,
        out_trade_no: &str,
        bill: &BillNo,
        amount: Fen,
        code: &PaymentCode,
    ) -> Result<PaymentOutcome, Error> {
        self.check_order_no(out_trade_no)?;
        // The wallet is the code's own (docs/protocols.md §4), whatever the cashier picked.
        let platform = Platform::for_code(code)?;
        let mut content = self.content(platform, CallKind::Pay);
        content.pay_content = Some(PayContent {
            author_code: Some(code.expose().to_string()),
            ..self.pay_content(out_trade_no, bill, amount, None)
        });
        self.order_call(OrderCall::MicroPay, &content, out_trade_no, amount)
            .await
    }

    pub async fn query_order(
        &self,
        out_trade_no: &str,
        platform: Platform,
        trade_type: TradeType,
        amount: Fen,
    ) -> Result<PaymentOutcome, Error> {
        let mut content = self.content(platform, CallKind::Query);
        content.out_trade_no = Some(out_trade_no.to_string());
        content.trade_type = Some(trade_type as u8);
        self.order_call(OrderCall::QueryOrder, &content, out_trade_no, amount)
            .await
    }

    /// Abandons an unpaid QR order. Callers run a final query first (docs/protocols.md §5.3).
    pub async fn close_order(
        &self,
        out_trade_no: &str,
        platform: Platform,
        trade_type: TradeType,
    ) -> Result<(), Error> {
        let mut content = self.content(platform, CallKind::Act);
        content.out_trade_no = Some(out_trade_no.to_string());
        content.trade_type = Some(trade_type as u8);
        let (rc, sig) = self.call("close_order", &content, Repeat::Always).await?;
        map::closed(&rc, sig)
    }

    /// Asks for a refund of `refund` of the order's `total`, authorised by `authority`, whose
    /// refund permission Tencent checks (docs/protocols.md §2).
    pub async fn refund(
        &self,
        out_trade_no: &str,
        out_refund_no: &str,
        platform: Platform,
        total: Fen,
        refund: Fen,
        authority: &RefundAuthority,
    ) -> Result<RefundOutcome, Error> {
        if let RefundAuthority::Staff { staff_id, .. } = authority
            && staff_id.trim().is_empty()
        {
            return Err(ConfigError::RefundNeedsStaffId.into());
        }
        let mut content = self.content(platform, CallKind::Act);
        content.pay_mch_key.authorization = Some(map::refund_authorization(authority));
        content.refund_content = Some(RefundContent {
            out_trade_no: out_trade_no.to_string(),
            out_refund_no: out_refund_no.to_string(),
            total_fee: Some(total.0),
            refund_fee: Some(refund.0),
            refund_fee_type: "CNY".into(),
            refund_reason: None,
        });
        self.refund_call(map::RefundCall::Refund, &content, out_refund_no, platform)
            .await
    }

    pub async fn query_refund(
        &self,
        out_trade_no: &str,
        out_refund_no: &str,
        platform: Platform,
    ) -> Result<RefundOutcome, Error> {
        // docs/protocols.md §2: both numbers at the top level, not in `refund_content`.
        let mut content = self.content(platform, CallKind::Query);
        content.out_trade_no = Some(out_trade_no.to_string());
        content.out_refund_no = Some(out_refund_no.to_string());
        self.refund_call(
            map::RefundCall::QueryRefund,
            &content,
            out_refund_no,
            platform,
        )
        .await
    }

    /// `micro_pay` or `query_order`: money may have moved, so an answer that could not be had
    /// or read is Unknown.
    async fn order_call(
        &self,
        call: OrderCall,
        content: &RequestContent,
        out_trade_no: &str,
        amount: Fen,
    ) -> Result<PaymentOutcome, Error> {
        let (name, repeat) = match call {
            OrderCall::MicroPay => ("micro_pay", Repeat::IfNotSent),
            OrderCall::QueryOrder => ("query_order", Repeat::Always),
        };
        let sent = self.call(name, content, repeat).await;
        PaymentOutcome::or_unknown(
            sent.map(|(rc, sig)| map::order_outcome(call, &rc, sig, out_trade_no, amount)),
        )
    }

    /// `refund` or `query_refund_order`: a refund without a usable answer is Unknown.
    async fn refund_call(
        &self,
        call: map::RefundCall,
        content: &RequestContent,
        out_refund_no: &str,
        platform: Platform,
    ) -> Result<RefundOutcome, Error> {
        let (name, repeat) = match call {
            map::RefundCall::Refund => ("refund", Repeat::IfNotSent),
            map::RefundCall::QueryRefund => ("query_refund_order", Repeat::Always),
        };
        match self.call(name, content, repeat).await {
            Ok((rc, sig)) => Ok(map::refund_outcome(call, &rc, sig, out_refund_no, platform)),
            Err(e) if e.fate() == CallFate::MayHaveMoved => Ok(RefundOutcome::Unknown {
                reason: e.to_string(),
            }),
            Err(e) => Err(e),
        }
    }

    fn content(&self, platform: Platform, kind: CallKind) -> RequestContent {
        let nonce_str: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(32)
            .map(char::from)
            .collect();
        RequestContent {
            nonce_str,
            pay_mch_key: PayMchKey {
                pay_platform: platform as u8,
                sub_pay_platform: self.cfg.sub_pay_platform,
                out_mch_id: self.cfg.out_mch_id.clone(),
                out_sub_mch_id: self.cfg.out_sub_mch_id.clone(),
                out_shop_id: self.cfg.out_shop_id.clone(),
                authorization: None,
            },
            order_client: self.order_client(kind),
            pay_content: None,
            out_trade_no: None,
            trade_type: None,
            out_refund_no: None,
            refund_content: None,
        }
    }

    /// The `order_client` members `kind` of call sends; `staff_id` goes with payments when
    /// the deployment set one.
    fn order_client(&self, kind: CallKind) -> OrderClient {
        let set = |v: &String| Some(v.clone()).filter(|v| !v.is_empty());
        OrderClient {
            machine_no: (kind == CallKind::Pay).then(|| self.cfg.machine_no.clone()),
            terminal_type: self.cfg.terminal_type,
            device_id: (kind != CallKind::Query).then(|| self.cfg.device_id.clone()),
            staff_id: if kind == CallKind::Pay {
                set(&self.cfg.staff_id)
            } else {
                None
            },
            sdk_version: self.cfg.sdk_version.clone(),
            spbill_create_ip: self.cfg.spbill_create_ip.clone(),
            sub_terminal_type: None,
        }
    }

    fn pay_content(
        &self,
        out_trade_no: &str,
        bill: &BillNo,
        amount: Fen,
        time_expire: Option<i64>,
    ) -> PayContent {
        PayContent {
            out_trade_no: out_trade_no.to_string(),
            total_fee: amount.0,
            fee_type: "CNY".into(),
            client_flow_id: Some(bill.to_string()),
            body: self.cfg.body.clone(),
            time_expire,
            detail: None,
            remark: None,
            author_code: None,
            wxpay_pay_content_ext: None,
        }
    }

    /// Serialise once, sign those bytes, send that same string; verify the answer the same way.
    async fn call(
        &self,
        name: &str,
        content: &RequestContent,
        repeat: Repeat,
    ) -> Result<(ResponseContent, Signature), Error> {
        // Checked before anything leaves: Cloud Pay refuses an over-long String(n) (101).
        content.check_limits().map_err(not_built)?;
        let request_content = serde_json::to_string(content).map_err(not_built)?;
        let request = Request {
            authen_info: AuthenInfo {
                a: AuthenA {
                    authen_type: 1,
                    authen_code: self.key.sign(&request_content),
                },
            },
            request_content,
        };
        let body = serde_json::to_vec(&request).map_err(not_built)?;
        let mut last = missing("cloudpay.hosts");
        for host in &self.hosts {
            let url = host.join(&format!("cpay/{name}")).map_err(not_built)?;
            let sent = self
                .http
                .send(
                    Method::POST,
                    url,
                    &[("Content-Type", "application/json".to_string())],
                    Some(body.clone()),
                )
                .await;
            match sent.and_then(|a| self.read(&a)) {
                Ok(r) => return Ok(r),
                Err(e @ Error::Call(CallError::NotSent(_))) => {
                    tracing::warn!(host = %host, "Cloud Pay host unreachable, trying the next: {e}");
                    last = e;
                }
                Err(e @ Error::Call(CallError::NoAnswer(_))) if repeat == Repeat::Always => {
                    tracing::warn!(host = %host, "Cloud Pay host gave no answer, trying the next: {e}");
                    last = e;
                }
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }

    fn read(&self, ans: &RawAnswer) -> Result<(ResponseContent, Signature), Error> {
        read_answer(&self.key, ans)
    }
}

/// An answer after the shared status rule (`RawAnswer::status_ok`): its signature checked
/// under `key`, its `response_content` read. Public so that the fuzz targets (`fuzz/`) read
/// answers exactly as a call does.
pub fn read_answer(
    key: &AuthenKey,
    ans: &RawAnswer,
) -> Result<(ResponseContent, Signature), Error> {
    let answer: Answer = ans.status_ok()?.json()?;
    let sig = match &answer.authen_info {
        None => Signature::Missing,
        Some(info) if key.verify(&answer.response_content, &info.a.authen_code) => {
            Signature::Verified
        }
        Some(_) => Signature::Bad,
    };
    let rc: ResponseContent = read_json(answer.response_content.as_bytes(), "response_content")?;
    Ok((rc, sig))
}

fn missing(setting: &str) -> Error {
    ConfigError::Missing {
        setting: setting.to_string(),
    }
    .into()
}

/// A request that cannot be built from the settings is never sent.
fn not_built(e: impl std::fmt::Display) -> Error {
    ConfigError::Request(e.to_string()).into()
}
