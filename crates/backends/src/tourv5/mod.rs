//! The Tour V5 merchant back office: HAWK-signed JSON over HTTP (docs/protocols.md §1, seeds
//! 000–003).

pub mod map;
pub mod wire;

pub use cashier_core::backend::tourv5::{PosBill, QrWallet, TourV5Config};

use std::net::Ipv4Addr;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use chrono::{FixedOffset, NaiveDateTime, TimeDelta};
use rand::{Rng, distributions::Alphanumeric};
use reqwest::{Method, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::{Serialize, de::DeserializeOwned};

use crate::crypto::{
    HawkCredentials, TdesCipher, TdesProfile, hawk_sig::HawkTarget, md5_key, tdes,
};
use crate::http::{Http, RawAnswer};
use cashier_core::reasons::{ConfigError, Rule};
use cashier_core::{
    BillNo, Clock, Error, Fen, PaymentCode, PaymentOutcome, QrIssued, RefusalReason,
};
use wire::*;

/// A logged-in operator. Holds derived keys only; the password is gone after login. `Debug`
/// shows the keys as `[REDACTED]` (they are `SecretString`s).
#[derive(Clone, Debug)]
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
    /// Set when the login's `ServerTime` suggests a misconfigured clock zone.
    pub clock_warning: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TourV5 {
    http: Http,
    base: Url,
    cfg: TourV5Config,
    zone: FixedOffset,
    clock: Arc<dyn Clock>,
    /// The back office's clock minus this machine's, added to every HAWK `ts`: learnt from
    /// the login's `ServerTime` and corrected by a verified stale-timestamp answer.
    skew: Arc<RwLock<TimeDelta>>,
}

/// A `ServerTime` this far from the till's clock, and close to whole hours, almost certainly
/// means the back office's zone differs from `server_utc_offset_minutes`.
const ZONE_MISMATCH_MIN: TimeDelta = TimeDelta::minutes(30);
const ZONE_MISMATCH_SLACK: TimeDelta = TimeDelta::minutes(2);

/// Which key signs a request (docs/protocols.md §1).
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
        let base = Url::parse(&base).map_err(|e| {
            ConfigError::said(
                "tourv5.base_url",
                format!("{base:?}: {e}"),
                format!("{base:?}：{e}"),
            )
        })?;
        if !(1..=7).contains(&cfg.billtype) {
            return Err(ConfigError::Invalid {
                setting: "tourv5.billtype".into(),
                value: cfg.billtype.to_string(),
                rule: Rule::BillType,
            }
            .into());
        }
        // Seed 000: the paying machine's IPv4 address; left out, the back office uses its own.
        if let Some(ip) = &cfg.clientip
            && ip.parse::<Ipv4Addr>().is_err()
        {
            return Err(ConfigError::Invalid {
                setting: "tourv5.clientip".into(),
                value: ip.clone(),
                rule: Rule::Ipv4,
            }
            .into());
        }
        let zone = cfg
            .server_utc_offset_minutes
            .checked_mul(60)
            .and_then(FixedOffset::east_opt)
            .ok_or_else(|| ConfigError::Invalid {
                setting: "tourv5.server_utc_offset_minutes".into(),
                value: cfg.server_utc_offset_minutes.to_string(),
                rule: Rule::UtcOffset,
            })?;
        Ok(TourV5 {
            http,
            base,
            cfg,
            zone,
            clock,
            skew: Arc::new(RwLock::new(TimeDelta::zero())),
        })
    }

    fn skew(&self) -> TimeDelta {
        *self.skew.read().unwrap_or_else(|p| p.into_inner())
    }

    fn set_skew(&self, skew: TimeDelta) {
        *self.skew.write().unwrap_or_else(|p| p.into_inner()) = skew;
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
            .map_err(not_built)?;
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
            )
            .await?;
        let env: Envelope<LoginResult> = parse(&ans)?;
        if env.errcode != 0 {
            return Err(Error::refused(
                RefusalReason::Declined,
                env.errcode.to_string(),
                env.errmsg,
            ));
        }
        let tag = env
            .tag
            .ok_or_else(|| Error::no_answer("login answer without tag"))?;
        let (profile, real_key) = tdes::detect(
            self.cfg.tdes_profile,
            pre_key.expose_secret(),
            &tag.hawk_real_key,
        )
        .ok_or(crate::crypto::CryptoError::BadPadding)?;
        if profile != self.cfg.tdes_profile {
            tracing::warn!(configured = ?self.cfg.tdes_profile, detected = ?profile, "HawkRealKey opened with another TripleDES profile; using the detected one");
        }
        let implied = tag
            .server_time
            .as_deref()
            .and_then(|s| NaiveDateTime::parse_from_str(s.trim(), LOGIN_TIME_FORMAT).ok())
            .and_then(|t| t.and_local_timezone(self.zone).single())
            .map(|server| server.to_utc() - self.clock.now());
        let (clock_skew, clock_warning) = match implied {
            Some(implied) => self.read_server_time(implied),
            None => (self.skew(), None),
        };
        self.set_skew(clock_skew);
        Ok(TourV5Session {
            operator: operator.to_string(),
            merchant_name: tag.merchant_name.unwrap_or_default(),
            user_alias: tag.user_alias.unwrap_or_default(),
            pos_key: pre_key,
            real_key: SecretString::from(real_key),
            tdes_profile: profile,
            clock_skew,
            clock_warning,
        })
    }

    /// What a login's `ServerTime` says of the clocks, next to what HAWK already proved: the
    /// login was accepted with the current offset (learnt from a stale-timestamp answer, or
    /// none), so the back office's HAWK clock agrees with it. `ServerTime` only refines that
    /// by seconds. A difference of whole hours is the back office's zone, not its clock: it is
    /// warned about and ignored; any other large difference is warned about too.
    fn read_server_time(&self, implied: TimeDelta) -> (TimeDelta, Option<String>) {
        let proven = self.skew();
        let off = implied - proven;
        if off.abs() < ZONE_MISMATCH_MIN {
            return (implied, None);
        }
        let secs = off.num_seconds();
        let hours = (secs + 1800 * secs.signum()) / 3600;
        let warning = if (off - TimeDelta::hours(hours)).abs() <= ZONE_MISMATCH_SLACK {
            format!(
                "the back office's ServerTime is {hours:+} h from its HAWK clock: its zone is probably not UTC{:+} (tourv5.server_utc_offset_minutes = {})",
                self.cfg.server_utc_offset_minutes / 60,
                self.cfg.server_utc_offset_minutes
            )
        } else {
            format!(
                "the back office's ServerTime is {} s from its HAWK clock; HAWK's is used",
                off.num_seconds()
            )
        };
        tracing::warn!("{warning}");
        (proven, Some(warning))
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

    /// The KouDaiLQ query (docs/protocols.md §1 ASSUMPTION: the Alipay query's body, seed 003,
    /// where `autoid` is Required). Without an autoid (the pay call's answer was lost, or was the
    /// tagless "busy" 500) there is nothing the back office would answer, so nothing is sent: the
    /// outcome is Unknown, since the money may have moved, and only someone who looks the bill up
    /// in the back office can say; the bill stays blocked until then.
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
    /// `billvalue`/`paidvalue`, ASSUMPTION, docs/protocols.md §1); `None` for a bill it does not
    /// know.
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
        self.call(Method::GET, &path, None, &Signer::Session(s))
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
        self.call(Method::POST, path, Some(body), &Signer::Session(s))
            .await
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        signer: &Signer<'_>,
    ) -> Result<RawAnswer, Error> {
        let url = self
            .base
            .join(path)
            .map_err(|e| not_built(format!("URL for {path}: {e}")))?;
        let (id, key) = match signer {
            Signer::PreLogin { operator, key } => (*operator, *key),
            // docs/protocols.md §1: `api/Pos/...` is signed with UPPER(MD5(password)), the rest
            // with the session key from HawkRealKey (ASSUMPTION for `api/3Pay/...`).
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
        let mut resynced = false;
        loop {
            let ts: SystemTime = (self.clock.now() + self.skew()).into();
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
            let ans = self
                .http
                .send(method.clone(), url.clone(), &headers, body.clone())
                .await?;
            // HAWK's answer to a clock that is off: a 401 with the server's time, MACed with
            // the same key. Nothing was processed, so once the offset is adopted the same
            // request is sent again — once.
            let server_time = (ans.status == StatusCode::UNAUTHORIZED && !resynced)
                .then(|| {
                    ans.www_authenticate.as_deref().and_then(|h| {
                        HawkCredentials::new(id, key.clone())
                            .with_key_bytes(self.cfg.hawk_key_bytes)
                            .server_time(h)
                    })
                })
                .flatten();
            let Some(server) = server_time else {
                // Everything else by the status rule both backends share (ASP.NET refuses a
                // bad signature or model before doing anything: nothing moved).
                ans.status_ok()?;
                return Ok(ans);
            };
            let server: chrono::DateTime<chrono::Utc> = server.into();
            let skew = server - self.clock.now();
            tracing::warn!(
                skew_s = skew.num_seconds(),
                "the back office says the till's clock is off; adopting its time"
            );
            self.set_skew(skew);
            resynced = true;
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
            .ok_or_else(|| not_built(format!("{url}: no port for this scheme")))?;
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
    serde_json::to_vec(v).map_err(not_built)
}

fn parse<T: DeserializeOwned>(ans: &RawAnswer) -> Result<Envelope<T>, Error> {
    ans.json()
}

/// A request that cannot be built from the settings is never sent.
fn not_built(e: impl std::fmt::Display) -> Error {
    ConfigError::Request(e.to_string()).into()
}

fn url_path_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
