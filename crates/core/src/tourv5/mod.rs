//! The Tour V5 merchant back office: HAWK-signed JSON over HTTP (PROTOCOLS §1, seeds 000–003).

mod config;
pub mod map;
pub mod wire;

pub use config::TourV5Config;

use std::sync::Arc;
use std::time::SystemTime;

use chrono::{FixedOffset, NaiveDateTime, TimeDelta};
use rand::{Rng, distributions::Alphanumeric};
use reqwest::{Method, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::crypto::{HawkCredentials, TdesProfile, hawk_sig::HawkTarget, md5_key, tdes};
use crate::http::{Http, RawAnswer};
use crate::{BillNo, Clock, Error, Fen, PaymentCode, PaymentOutcome, QrIssued};
use wire::*;

/// A logged-in operator. Holds derived keys only; the password is gone after login.
#[derive(Clone)]
pub struct TourV5Session {
    pub operator: String,
    pub merchant_name: String,
    pub user_alias: String,
    /// `UPPER(MD5(password))`: signs `api/Pos/...` and encrypts `wechatbarcode`.
    pos_key: SecretString,
    /// The decrypted `HawkRealKey`: signs `api/UnPos/...` and `api/3Pay/...`.
    real_key: SecretString,
    /// The profile that opened `HawkRealKey`, used for `wechatbarcode` too.
    pub tdes_profile: TdesProfile,
    /// Server time minus local time, applied to every HAWK `ts`.
    pub clock_skew: TimeDelta,
}

impl std::fmt::Debug for TourV5Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TourV5Session")
            .field("operator", &self.operator)
            .field("merchant_name", &self.merchant_name)
            .field("tdes_profile", &self.tdes_profile)
            .field("clock_skew", &self.clock_skew)
            .finish_non_exhaustive()
    }
}

/// Which wallet a Tour V5 QR order is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QrWallet {
    Wechat,
    Alipay,
}

#[derive(Debug, Clone)]
pub struct TourV5 {
    http: Http,
    base: Url,
    cfg: TourV5Config,
    zone: FixedOffset,
    clock: Arc<dyn Clock>,
}

/// Which key signs a request (PROTOCOLS §1).
enum Signer<'a> {
    Session(&'a TourV5Session),
    PreLogin {
        operator: &'a str,
        key: &'a SecretString,
    },
}

impl TourV5 {
    pub fn new(http: Http, cfg: TourV5Config, clock: Arc<dyn Clock>) -> Result<TourV5, Error> {
        let mut base = cfg.base_url.clone();
        if !base.ends_with('/') {
            base.push('/');
        }
        let base = Url::parse(&base)
            .map_err(|e| Error::Config(format!("Tour V5 base URL {base:?}: {e}")))?;
        if !(1..=7).contains(&cfg.billtype) {
            return Err(Error::Config(format!(
                "billtype must be 1..7, got {}",
                cfg.billtype
            )));
        }
        let zone = FixedOffset::east_opt(cfg.server_utc_offset_minutes * 60).ok_or_else(|| {
            Error::Config(format!(
                "server UTC offset {} minutes",
                cfg.server_utc_offset_minutes
            ))
        })?;
        Ok(TourV5 {
            http,
            base,
            cfg,
            zone,
            clock,
        })
    }

    pub fn config(&self) -> &TourV5Config {
        &self.cfg
    }

    pub async fn preconnect(&self) {
        self.http.preconnect(&self.base).await;
    }

    /// `POST api/UnPos/User/Login/ByPwd`. The password is used here and dropped by the caller.
    pub async fn login(
        &self,
        operator: &str,
        password: &SecretString,
    ) -> Result<TourV5Session, Error> {
        self.login_with_key(operator, md5_key(password)).await
    }

    /// Logs in again with the session's own pre-login key, after the back office refused
    /// the session (another login of the same operator replaces it). No password needed.
    pub async fn renew(&self, s: &TourV5Session) -> Result<TourV5Session, Error> {
        self.login_with_key(&s.operator, s.pos_key.clone()).await
    }

    async fn login_with_key(
        &self,
        operator: &str,
        pre_key: SecretString,
    ) -> Result<TourV5Session, Error> {
        let now_local = self.clock.now().with_timezone(&self.zone);
        let body = serde_json::to_vec(&now_local.format(LOGIN_TIME_FORMAT).to_string())
            .map_err(|e| Error::Config(e.to_string()))?;
        let signer = Signer::PreLogin {
            operator,
            key: &pre_key,
        };
        let ans = self
            .call(
                Method::POST,
                "api/UnPos/User/Login/ByPwd",
                Some(body),
                &signer,
                TimeDelta::zero(),
            )
            .await?;
        let env: Envelope<LoginResult> = parse(&ans)?;
        if env.errcode != 0 {
            return Err(Error::Rejected {
                code: env.errcode.to_string(),
                message: env.errmsg,
            });
        }
        let tag = env
            .tag
            .ok_or_else(|| Error::NoAnswer("login answer without tag".into()))?;
        let (profile, real_key) = tdes::detect(
            self.cfg.tdes_profile,
            pre_key.expose_secret(),
            &tag.hawk_real_key,
        )
        .ok_or(crate::crypto::CryptoError::BadPadding)?;
        if profile != self.cfg.tdes_profile {
            tracing::warn!(configured = ?self.cfg.tdes_profile, detected = ?profile, "HawkRealKey opened with another TripleDES profile; using the detected one");
        }
        let clock_skew = tag
            .server_time
            .as_deref()
            .and_then(|s| NaiveDateTime::parse_from_str(s.trim(), LOGIN_TIME_FORMAT).ok())
            .and_then(|t| t.and_local_timezone(self.zone).single())
            .map(|server| server.to_utc() - self.clock.now())
            .unwrap_or_else(TimeDelta::zero);
        Ok(TourV5Session {
            operator: operator.to_string(),
            merchant_name: tag.merchant_name.unwrap_or_default(),
            user_alias: tag.user_alias.unwrap_or_default(),
            pos_key: pre_key,
            real_key: SecretString::from(real_key),
            tdes_profile: profile,
            clock_skew,
        })
    }

    /// `ScanCode`: asks for a QR code URL. Nothing is paid until a query says so.
    pub async fn qr_pay(
        &self,
        s: &TourV5Session,
        wallet: QrWallet,
        bill: &BillNo,
        amount: Fen,
    ) -> Result<QrIssued, Error> {
        let (path, paytype) = match wallet {
            QrWallet::Wechat => ("api/UnPos/3Pay/Wechat/ScanCode", &self.cfg.paytype_wechat),
            QrWallet::Alipay => ("api/UnPos/3Pay/AliPay/ScanCode", &self.cfg.paytype_alipay),
        };
        let parm = ScanCodeParm {
            billnum: bill.to_string(),
            billtype: self.cfg.billtype.to_string(),
            body: self.cfg.body.clone(),
            paytype: paytype.clone(),
            paymentvalue: amount,
            detail: None,
            clientip: self.cfg.clientip.clone(),
            cardno: None,
        };
        let ans = self.post(s, path, &parm).await?;
        map::qr_issued(parse(&ans)?)
    }

    pub async fn qr_query(
        &self,
        s: &TourV5Session,
        wallet: QrWallet,
        bill: &BillNo,
        autoid: &str,
    ) -> Result<PaymentOutcome, Error> {
        let (path, paytype) = match wallet {
            QrWallet::Wechat => (
                "api/UnPos/3Pay/Wechat/Query",
                self.cfg.paytype_wechat.clone(),
            ),
            QrWallet::Alipay => ("api/3Pay/AliPay/Query", self.cfg.paytype_alipay.clone()),
        };
        self.query(s, path, bill, autoid, paytype).await
    }

    /// KouDaiLQ barcode pay (seed 001): paid at once, or pending while the customer types a password.
    pub async fn koudai_barcode(
        &self,
        s: &TourV5Session,
        bill: &BillNo,
        amount: Fen,
        code: &PaymentCode,
    ) -> Result<PaymentOutcome, Error> {
        let parm = KouDaiLqBarCodeParm {
            business_type: self.cfg.billtype,
            operator_no: s.operator.clone(),
            bill_num: bill.to_string(),
            summary: amount,
            card_no: None,
            bar_code: code.expose().to_string(),
        };
        let sent = self.post(s, "api/3Pay/KouDaiLQ/BarCode", &parm).await;
        PaymentOutcome::or_unknown(sent.and_then(|a| Ok(map::pay_status(parse(&a)?, true))))
    }

    /// The KouDaiLQ query (PROTOCOLS §1 ASSUMPTION: the Alipay query's body, seed 003, where
    /// `autoid` is Required). Without an autoid (the pay call's answer was lost, or was the
    /// tagless "busy" 500) there is nothing the back office would answer, so nothing is
    /// sent: the outcome is Unknown, since the money may have moved, and only someone who
    /// looks the bill up in the back office can say; the bill stays blocked until then.
    pub async fn koudai_query(
        &self,
        s: &TourV5Session,
        bill: &BillNo,
        autoid: &str,
    ) -> Result<PaymentOutcome, Error> {
        if autoid.trim().is_empty() {
            return Ok(PaymentOutcome::unknown(
                "no autoid from the KouDaiLQ payment, so it cannot be queried: \
                 look the bill up in the back office and resolve it there",
            ));
        }
        let path = self.cfg.koudai_query_path.clone();
        self.query(s, &path, bill, autoid, self.cfg.paytype_koudai.clone())
            .await
    }

    /// POS WeChat barcode (seed 002): the code travels TripleDES-encrypted under `UPPER(MD5(password))`.
    pub async fn pos_wechat_barcode(
        &self,
        s: &TourV5Session,
        bill: &BillNo,
        amount: Fen,
        code: &PaymentCode,
    ) -> Result<PaymentOutcome, Error> {
        let parm = PosSellPayWithWechatBarcodeParm {
            billnum: bill.to_string(),
            wechatbarcode: s
                .tdes_profile
                .encrypt(s.pos_key.expose_secret(), code.expose())?,
            paymentvalue: amount,
        };
        let sent = self
            .post(
                s,
                "api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode",
                &parm,
            )
            .await;
        PaymentOutcome::or_unknown(sent.and_then(|a| Ok(map::pos_barcode(parse(&a)?))))
    }

    /// The documented poll after errcode 1 on the POS barcode call.
    /// `paid_if_ours_landed`: the bill's paid value once this payment is applied, so that a
    /// partial payment is recognised.
    pub async fn pos_bill_status(
        &self,
        s: &TourV5Session,
        bill: &BillNo,
        paid_if_ours_landed: Option<Fen>,
    ) -> Result<PaymentOutcome, Error> {
        let sent = self.pos_bill_row(s, bill).await;
        let paid_state = self.cfg.pos_bill_paid_state.as_str();
        PaymentOutcome::or_unknown(
            sent.and_then(|a| Ok(map::pos_bill(parse(&a)?, paid_state, paid_if_ours_landed))),
        )
    }

    /// The POS sale bill as the back office reports it (`paystate`, and where it says so
    /// `billvalue`/`paidvalue`, ASSUMPTION, PROTOCOLS §1); `None` for a bill it does not know.
    pub async fn pos_bill(
        &self,
        s: &TourV5Session,
        bill: &BillNo,
    ) -> Result<Option<PosSellMainRow>, Error> {
        let env: Envelope<PosSellMainRow> = parse(&self.pos_bill_row(s, bill).await?)?;
        Ok(env.tag.filter(|_| env.errcode == 0))
    }

    async fn pos_bill_row(&self, s: &TourV5Session, bill: &BillNo) -> Result<RawAnswer, Error> {
        let path = format!(
            "api/Pos/MiniProgram/Busi/Sell/MainRow/Query/ByBillNum/{}",
            url_path_segment(bill.as_str())
        );
        self.call(Method::GET, &path, None, &Signer::Session(s), s.clock_skew)
            .await
    }

    async fn query(
        &self,
        s: &TourV5Session,
        path: &str,
        bill: &BillNo,
        autoid: &str,
        paytype: String,
    ) -> Result<PaymentOutcome, Error> {
        let parm = QueryParm {
            billnum: bill.to_string(),
            autoid: autoid.to_string(),
            billtype: self.cfg.billtype.to_string(),
            paytype,
        };
        let sent = self.post(s, path, &parm).await;
        PaymentOutcome::or_unknown(sent.and_then(|a| Ok(map::pay_status(parse(&a)?, false))))
    }

    /// A session-signed JSON POST.
    async fn post<T: Serialize>(
        &self,
        s: &TourV5Session,
        path: &str,
        parm: &T,
    ) -> Result<RawAnswer, Error> {
        let body = json(parm)?;
        self.call(
            Method::POST,
            path,
            Some(body),
            &Signer::Session(s),
            s.clock_skew,
        )
        .await
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        signer: &Signer<'_>,
        skew: TimeDelta,
    ) -> Result<RawAnswer, Error> {
        let url = self
            .base
            .join(path)
            .map_err(|e| Error::Config(format!("URL for {path}: {e}")))?;
        let (id, key) = match signer {
            Signer::PreLogin { operator, key } => (*operator, *key),
            // PROTOCOLS §1: `api/Pos/...` is signed with UPPER(MD5(password)), the rest with
            // the session key from HawkRealKey (ASSUMPTION for `api/3Pay/...`).
            Signer::Session(s)
                if self
                    .cfg
                    .password_key_paths
                    .iter()
                    .any(|p| path.starts_with(p.as_str())) =>
            {
                (s.operator.as_str(), &s.pos_key)
            }
            Signer::Session(s) => (s.operator.as_str(), &s.real_key),
        };
        let payload = body.clone().unwrap_or_default();
        let ts: SystemTime = (self.clock.now() + skew).into();
        let nonce: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(12)
            .map(char::from)
            .collect();
        let auth = self.authorization(&method, &url, &payload, id, key, ts, &nonce)?;
        let headers = [
            ("Content-Type", "application/json".to_string()),
            ("Authorization", auth),
        ];
        tracing::debug!(%method, path, "tour v5 request");
        let ans = self.http.send(method, url, &headers, body).await?;
        match ans.status {
            StatusCode::OK => Ok(ans),
            // ASP.NET rejects a bad signature or bad model before doing anything: nothing moved.
            StatusCode::UNAUTHORIZED => Err(Error::Rejected {
                code: "401".into(),
                message: "HAWK signature rejected by the back office".into(),
            }),
            s if s.is_client_error() => Err(Error::Rejected {
                code: s.as_u16().to_string(),
                message: String::from_utf8_lossy(&ans.body)
                    .chars()
                    .take(300)
                    .collect(),
            }),
            s => Err(Error::NoAnswer(format!("HTTP {s}"))),
        }
    }
}

impl TourV5 {
    /// The `Authorization` header for one request. HAWK signs the host and port the request
    /// really goes to: a URL without a port uses its scheme's (443 for https), never 80.
    #[allow(clippy::too_many_arguments)]
    pub fn authorization(
        &self,
        method: &Method,
        url: &Url,
        payload: &[u8],
        id: &str,
        key: &SecretString,
        ts: SystemTime,
        nonce: &str,
    ) -> Result<String, Error> {
        let host = url.host_str().unwrap_or_default();
        let port = url
            .port_or_known_default()
            .ok_or_else(|| Error::Config(format!("{url}: no port for this scheme")))?;
        let path_q = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        Ok(HawkCredentials::new(id, key.clone())
            .with_key_bytes(self.cfg.hawk_key_bytes)
            .sign(
                HawkTarget {
                    method: method.as_str(),
                    host,
                    port,
                    path: &path_q,
                },
                "application/json",
                payload,
                ts,
                nonce,
            )?)
    }
}

fn json<T: Serialize>(v: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(v).map_err(|e| Error::Config(format!("serialising a request: {e}")))
}

fn parse<T: DeserializeOwned>(ans: &RawAnswer) -> Result<Envelope<T>, Error> {
    serde_json::from_slice(&ans.body).map_err(|e| Error::NoAnswer(format!("malformed answer: {e}")))
}

fn url_path_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
