//! `POST api/UnPos/User/Login/ByPwd`: issues the session key, TripleDES-encrypted under
//! `UPPER(MD5(password))` as `HawkRealKey` (docs/protocols.md §1, §3).

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use cashier_backends::crypto::TdesCipher;
use chrono::NaiveDateTime;
use rand::Rng;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::hawk::Operator;
use super::{failed, ok};
use crate::app::App;

const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

pub async fn login(
    State(app): State<App>,
    Extension(op): Extension<Operator>,
    body: Bytes,
) -> Response {
    let client_time = serde_json::from_slice::<Value>(&body).ok();
    let valid = client_time
        .as_ref()
        .and_then(Value::as_str)
        .is_some_and(|t| NaiveDateTime::parse_from_str(t, TIME_FORMAT).is_ok());
    if !valid {
        return failed("时间格式错误 the body must be the client time as \"yyyy-MM-dd HH:mm:ss\"");
    }
    let bytes: [u8; 16] = rand::thread_rng().r#gen();
    let session: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
    let Ok(sealed) = app.tdes.encrypt(app.password_key.expose_secret(), &session) else {
        return failed("会话密钥加密失败 cannot encrypt the session key");
    };
    app.sessions().replace(&op.0, session);
    tracing::info!(operator = %op.0, "logged in; new session key issued");
    ok(json!({
        "MerchantName": "沙盒景区 Sandbox Scenic Spot",
        "UserAlias": "收银员 Cashier",
        "ServerTime": app.now().china().format(TIME_FORMAT).to_string(),
        "HawkRealKey": sealed,
    }))
}
