//! Test clients for the sandbox, signing with cashier_backends' crypto the way the app does.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

pub use cashier_backends::crypto::TdesCipher;
use cashier_backends::crypto::hawk_sig::HawkTarget;
use cashier_backends::crypto::{AuthenKey, HawkCredentials, TdesProfile, md5_key};
use cashier_sandbox::{Sandbox, SandboxConfig};
use reqwest::header::HeaderMap;
use reqwest::{Client, Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

pub const OPERATOR: &str = "cashier";
pub const PASSWORD_KEY: &str = "E10ADC3949BA59ABBE56E057F20F883E";
pub const AUTHEN_KEY: &str = "sandbox-authen-key-0123456789abc";
pub const PAID_CODE: &str = "134520273825387649";
/// An Alipay code (16–24 digits from 25–30) that pays at once.
pub const ALIPAY_CODE: &str = "284520273825387649";

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

pub async fn sandbox() -> Sandbox {
    sandbox_with(SandboxConfig::default()).await
}

pub async fn sandbox_with(cfg: SandboxConfig) -> Sandbox {
    match Sandbox::start(cfg).await {
        Ok(s) => s,
        Err(e) => panic!("sandbox did not start: {e}"),
    }
}

pub fn client() -> Client {
    match Client::builder().timeout(Duration::from_secs(10)).build() {
        Ok(c) => c,
        Err(e) => panic!("reqwest client: {e}"),
    }
}

pub fn nonce() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!("n{}x{}", N.fetch_add(1, Ordering::SeqCst), rand_suffix())
}

fn rand_suffix() -> u32 {
    use rand::Rng;
    rand::thread_rng().r#gen()
}

/// A Tour V5 caller: signs every request with HAWK over the URL it sends to.
pub struct Tour {
    pub http: Client,
    pub base: String,
    pub host: String,
    pub port: u16,
    pub session: Option<String>,
}

pub struct Signed {
    pub method: Method,
    pub path: String,
    pub body: String,
    pub key: String,
    pub id: String,
    pub ts: SystemTime,
    pub nonce: String,
    pub content_type: Option<&'static str>,
}

impl Tour {
    pub fn new(sb: &Sandbox) -> Tour {
        Tour {
            http: client(),
            base: sb.url(),
            host: sb.addr().ip().to_string(),
            port: sb.addr().port(),
            session: None,
        }
    }

    pub fn header(&self, s: &Signed) -> String {
        let creds = HawkCredentials::new(s.id.clone(), SecretString::from(s.key.clone()));
        let target = HawkTarget {
            method: s.method.as_str(),
            host: &self.host,
            port: self.port,
            path: &s.path,
        };
        // HAWK hashes the media type without parameters, lowercase, as hueniverse's client does.
        let hashed = s.content_type.map_or(String::new(), |ct| {
            ct.split(';')
                .next()
                .unwrap_or(ct)
                .trim()
                .to_ascii_lowercase()
        });
        match creds.sign(target, &hashed, s.body.as_bytes(), s.ts, &s.nonce) {
            Ok(h) => h,
            Err(e) => panic!("signing: {e}"),
        }
    }

    /// Sends `s` with its signature; `path` starts with `/`.
    pub async fn send(&self, s: &Signed) -> (StatusCode, Value) {
        let (status, _, body) = self.send_seeing_headers(s).await;
        (status, body)
    }

    /// [`Tour::send`], with the answer's headers.
    pub async fn send_seeing_headers(&self, s: &Signed) -> (StatusCode, HeaderMap, Value) {
        let url = format!("{}{}", self.base.trim_end_matches('/'), s.path);
        let mut req = self
            .http
            .request(s.method.clone(), url)
            .header("Authorization", self.header(s));
        if let Some(ct) = s.content_type {
            req = req.header("Content-Type", ct);
        }
        let resp = match req.body(s.body.clone()).send().await {
            Ok(r) => r,
            Err(e) => panic!("request failed: {e}"),
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub fn signed(&self, method: Method, path: &str, body: &str, key: &str) -> Signed {
        Signed {
            method,
            path: path.to_string(),
            body: body.to_string(),
            key: key.to_string(),
            id: OPERATOR.to_string(),
            ts: SystemTime::now(),
            nonce: nonce(),
            content_type: Some("application/json"),
        }
    }

    pub async fn login(&mut self) -> Value {
        let body = json!("2026-01-02 03:04:05").to_string();
        let s = self.signed(
            Method::POST,
            "/api/UnPos/User/Login/ByPwd",
            &body,
            PASSWORD_KEY,
        );
        let (status, answer) = self.send(&s).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["errcode"], 0, "{answer}");
        let sealed = answer["tag"]["HawkRealKey"].as_str().unwrap_or_default();
        self.session = TdesProfile::Sha256Ecb.decrypt(PASSWORD_KEY, sealed).ok();
        assert_eq!(self.session.as_deref().map(str::len), Some(32));
        answer
    }

    /// POST signed with the key that path needs (session key, or the password key for
    /// `/api/Pos/`).
    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let key = self.key_for(path);
        self.send(&self.signed(Method::POST, path, &body.to_string(), &key))
            .await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let key = self.key_for(path);
        self.send(&self.signed(Method::GET, path, "", &key)).await
    }

    pub fn key_for(&self, path: &str) -> String {
        if path.starts_with("/api/Pos/") {
            PASSWORD_KEY.to_string()
        } else {
            self.session.clone().unwrap_or_default()
        }
    }
}

/// The POS barcode body, with the code encrypted as the app does.
pub fn pos_body(bill: &str, code: &str, yuan: &str) -> Value {
    let sealed = TdesProfile::Sha256Ecb
        .encrypt(PASSWORD_KEY, code)
        .unwrap_or_default();
    let text =
        format!(r#"{{"billnum":"{bill}","wechatbarcode":"{sealed}","paymentvalue":{yuan}}}"#);
    serde_json::from_str(&text).unwrap_or_default()
}

pub const POS_PAY: &str = "/api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode";

pub fn pos_status_path(bill: &str) -> String {
    format!("/api/Pos/MiniProgram/Busi/Sell/MainRow/Query/ByBillNum/{bill}")
}

/// A Cloud Pay answer taken apart.
#[derive(Debug)]
pub struct CloudAnswer {
    pub http: StatusCode,
    pub content: Value,
    /// Whether `authen_info` was present and verified over `response_content`.
    pub signed: bool,
    pub has_authen_info: bool,
}

pub fn authen_key() -> AuthenKey {
    match AuthenKey::new(SecretString::from(AUTHEN_KEY)) {
        Ok(k) => k,
        Err(e) => panic!("authen key: {e}"),
    }
}

/// `query_order` / `close_order` content for one order.
pub fn order_query(no: &str, trade_type: u8, platform: u8) -> Value {
    cloud_content(
        platform,
        json!({"out_trade_no": no, "trade_type": trade_type}),
    )
}

/// The WeChat trade state in a signed answer's `payload` object.
pub fn wechat_state(a: &CloudAnswer, payload: &str) -> Value {
    a.content[payload]["order_content"]["wxpay_order_content_ext"]["current_trade_state"].clone()
}

/// A request_content for `platform` with this merchant's accounts (the sandbox's defaults)
/// and every `order_client` member, plus `extra`. WeChat's `wxpay_pay_content_ext` is
/// dropped for Alipay (seed 004: WeChat only).
pub fn cloud_content(platform: u8, extra: Value) -> Value {
    let mut c = json!({
        "nonce_str": "9f330667e18a48a7872e39878e1cd66f",
        "pay_mch_key": {"pay_platform": platform, "out_mch_id": "sandbox-mch", "out_sub_mch_id": "sandbox-sub-mch", "out_shop_id": "sandbox-shop"},
        "order_client": {"machine_no": "01-01-01-01-01-01", "terminal_type": 4, "device_id": "pos1", "staff_id": "s1", "sdk_version": "1.2", "spbill_create_ip": "192.168.0.22"},
    });
    if let (Some(obj), Value::Object(more)) = (c.as_object_mut(), extra) {
        obj.extend(more);
    }
    if platform != 1
        && let Some(pay) = c.get_mut("pay_content").and_then(Value::as_object_mut)
    {
        pay.remove("wxpay_pay_content_ext");
    }
    c
}

/// `refund` content: `refund_fee` of the order `out_trade_no` (whose amount is `total_fee`),
/// authorised by the staff member `STAFF` (docs/protocols.md §2).
pub fn refund_content(
    platform: u8,
    out_trade_no: &str,
    out_refund_no: &str,
    total_fee: u64,
    refund_fee: u64,
) -> Value {
    let mut c = cloud_content(
        platform,
        json!({"refund_content": {"out_trade_no": out_trade_no, "out_refund_no": out_refund_no,
            "total_fee": total_fee, "refund_fee": refund_fee, "refund_fee_type": "CNY"}}),
    );
    if let Some(key) = c.get_mut("pay_mch_key").and_then(Value::as_object_mut) {
        key.insert("is_sub_mch_admin".into(), json!(false));
        key.insert("authorization_staff_id".into(), json!(STAFF));
    }
    c
}

/// The Cloud Pay staff id the tests' refunds are authorised under.
pub const STAFF: &str = "staff-0042";

/// `query_refund_order` content: both numbers at the top level (docs/protocols.md §2).
pub fn refund_query(platform: u8, out_trade_no: &str, out_refund_no: &str) -> Value {
    cloud_content(
        platform,
        json!({"out_trade_no": out_trade_no, "out_refund_no": out_refund_no}),
    )
}

/// The entry for `out_refund_no` in a `query_refund_order` answer's list.
pub fn refund_entry(a: &CloudAnswer, out_refund_no: &str) -> Value {
    a.content["query_refund_order"]["refund_order_content"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["out_refund_no"] == out_refund_no))
        .cloned()
        .unwrap_or_default()
}

/// A WeChat refund entry's state: WxpayRefundOrderState, inside its wallet's object (the entry
/// has no `state` of its own, docs/protocols.md §2).
pub fn wechat_refund_state(entry: &Value) -> Value {
    entry["wxpay_refund_order_content_ext"]["state"].clone()
}

/// An Alipay refund entry's state: AlipayRefundOrderState.
pub fn alipay_refund_status(entry: &Value) -> Value {
    entry["alipay_refund_order_content_ext"]["refund_status"].clone()
}

/// WxpayRefundOrderState 2 success, 4 processing; AlipayRefundOrderState 2 success, 4 refunding.
pub const REFUND_SUCCESS: i64 = 2;
pub const REFUND_PROCESSING: i64 = 4;

pub fn pay_content(out_trade_no: &str, fee: u64, code: Option<&str>) -> Value {
    let mut p = json!({"out_trade_no": out_trade_no, "total_fee": fee, "fee_type": "CNY", "body": "门票 ticket",
        "wxpay_pay_content_ext": {"product_id": "ticket"}});
    if let Some(code) = code {
        p["author_code"] = json!(code);
    }
    json!({"pay_content": p})
}

pub async fn cloud_raw(
    http: &Client,
    base: &str,
    name: &str,
    content_text: &str,
    code: &str,
) -> reqwest::Result<reqwest::Response> {
    let body = json!({"request_content": content_text, "authen_info": {"a": {"authen_type": 1, "authen_code": code}}});
    http.post(format!("{base}cpay/{name}"))
        .json(&body)
        .send()
        .await
}

pub async fn cloud(http: &Client, base: &str, name: &str, content: &Value) -> CloudAnswer {
    let text = content.to_string();
    let code = authen_key().sign(&text);
    let resp = match cloud_raw(http, base, name, &text, &code).await {
        Ok(r) => r,
        Err(e) => panic!("cloud request failed: {e}"),
    };
    read_cloud(resp).await
}

pub async fn read_cloud(resp: reqwest::Response) -> CloudAnswer {
    let http = resp.status();
    let answer: Value = resp.json().await.unwrap_or_default();
    let text = answer["response_content"].as_str().unwrap_or_default();
    let code = answer
        .pointer("/authen_info/a/authen_code")
        .and_then(Value::as_str);
    CloudAnswer {
        http,
        content: serde_json::from_str(text).unwrap_or_default(),
        signed: code.is_some_and(|c| authen_key().verify(text, c)),
        has_authen_info: answer.get("authen_info").is_some(),
    }
}

pub fn secret_md5(password: &str) -> String {
    md5_key(&SecretString::from(password))
        .expose_secret()
        .to_string()
}

/// Sends `content` to `name` and asserts the 101 refusal naming `field`.
pub async fn assert_refused(sb: &Sandbox, name: &str, content: &Value, field: &str) {
    let a = cloud(&client(), &sb.url(), name, content).await;
    assert_eq!(
        a.content["status"], 101,
        "{name} {content}: {:?}",
        a.content
    );
    assert!(!a.has_authen_info, "{name}: refusals are unsigned");
    let why = a.content["description"].as_str().unwrap_or_default();
    assert!(
        why.contains(field),
        "{name}: {field:?} not named in {why:?}"
    );
}

/// Nothing was charged, refunded or even opened.
pub fn assert_untouched(sb: &Sandbox) {
    let ledger = sb.ledger();
    assert!(ledger.orders.is_empty(), "{:?}", ledger.orders);
    assert!(ledger.charges.is_empty() && ledger.refunds.is_empty());
}

/// Sets `value` at the `/`-separated `path` of `content`.
pub fn with(mut content: Value, path: &str, value: Value) -> Value {
    if let Some(slot) = content.pointer_mut(path) {
        *slot = value;
    } else if let Some((parent, key)) = path.rsplit_once('/')
        && let Some(obj) = content.pointer_mut(parent).and_then(Value::as_object_mut)
    {
        obj.insert(key.to_string(), value);
    }
    content
}

/// The `status` Cloud Pay answers `content` sent to `name` with.
pub async fn status(sb: &Sandbox, name: &str, content: &Value) -> Value {
    cloud(&client(), &sb.url(), name, content).await.content["status"].clone()
}

/// A WeChat `micro_pay` of 1 yuan with a code paid at once, numbered `no`.
pub fn micro_pay(no: &str) -> Value {
    cloud_content(1, pay_content(no, 100, Some(PAID_CODE)))
}

/// Texts that are not a dotted IPv4 address, as a till might misconfigure its own.
pub const NOT_IPV4: [&str; 8] = [
    "localhost",
    "::1",
    "fe80::1",
    "192.168.0",
    "192.168.0.256",
    "192.168.000.022",
    " 192.168.0.22",
    "192.168.0.22:80",
];
