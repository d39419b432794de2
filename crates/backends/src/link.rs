//! The clients behind core's backend traits: a logged-in Tour V5 back office that renews its
//! session, Cloud Pay as it is, and [`Clients`], which logs a till in to what its
//! configuration names.

use std::sync::{Arc, RwLock};

use cashier_core::backend::cloudpay::{Platform, RefundOutcome, TradeType};
use cashier_core::backend::tourv5::{PosBill, QrWallet};
use cashier_core::backend::{
    Call, Chore, CloudPayBackend, Connect, Connected, RefundRequest, TourV5Backend,
};
use cashier_core::checkout::Backends;
use cashier_core::config::Config;
use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::cloudpay::CloudPay;
use crate::crypto::AuthenKey;
use crate::http::Http;
use crate::tourv5::{TourV5, TourV5Session};
use cashier_core::reasons::ConfigError;
use cashier_core::{CallError, Refusal, RefusalReason};

use cashier_core::{BillNo, Clock, Error, Fen, PaymentCode, PaymentOutcome, QrIssued};

/// A logged-in Tour V5 back office. The session is renewed when the back office refuses it
/// (a second login of the same operator, from another till process, replaces the first).
#[derive(Debug, Clone)]
pub struct TourV5Link {
    pub client: TourV5,
    session: Arc<RwLock<TourV5Session>>,
}

impl TourV5Link {
    pub fn new(client: TourV5, session: TourV5Session) -> TourV5Link {
        TourV5Link {
            client,
            session: Arc::new(RwLock::new(session)),
        }
    }

    pub fn session(&self) -> TourV5Session {
        self.session
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Logs in again with the refused session's key and keeps the new session.
    async fn renew(&self, refused: &TourV5Session) -> Result<TourV5Session, Error> {
        tracing::info!("Tour V5 refused the session; logging in again");
        let renewed = self.client.renew(refused).await?;
        *self.session.write().unwrap_or_else(|p| p.into_inner()) = renewed.clone();
        Ok(renewed)
    }
}

/// Runs a Tour V5 call with the current session; on a 401 (refused before any processing,
/// so repeating it is safe) logs in again with the session's key and runs it once more.
/// A macro rather than a closure-taking function so the payment futures stay `Send`.
macro_rules! with_session {
    ($link:expr, |$c:ident, $s:ident| $call:expr) => {{
        let link: &TourV5Link = $link;
        let session = link.session();
        let first = {
            let ($c, $s) = (&link.client, &session);
            $call.await
        };
        match first {
            // Refused before any processing, so repeating it is safe.
            Err(Error::Call(CallError::Refused(Refusal {
                reason: RefusalReason::Signature,
                ..
            }))) => match link.renew(&session).await {
                Ok(renewed) => {
                    let ($c, $s) = (&link.client, &renewed);
                    $call.await
                }
                Err(e) => Err(e),
            },
            other => other,
        }
    }};
}

impl TourV5Backend for TourV5Link {
    fn preconnect(&self) -> Chore<'_> {
        Box::pin(self.client.preconnect())
    }

    fn koudai_barcode<'a>(
        &'a self,
        bill: &'a BillNo,
        amount: Fen,
        code: &'a PaymentCode,
    ) -> Call<'a, PaymentOutcome> {
        Box::pin(async move { with_session!(self, |c, s| c.koudai_barcode(s, bill, amount, code)) })
    }

    fn pos_wechat_barcode<'a>(
        &'a self,
        bill: &'a BillNo,
        amount: Fen,
        code: &'a PaymentCode,
    ) -> Call<'a, PaymentOutcome> {
        Box::pin(
            async move { with_session!(self, |c, s| c.pos_wechat_barcode(s, bill, amount, code)) },
        )
    }

    fn qr_pay<'a>(&'a self, wallet: QrWallet, bill: &'a BillNo, amount: Fen) -> Call<'a, QrIssued> {
        Box::pin(async move { with_session!(self, |c, s| c.qr_pay(s, wallet, bill, amount)) })
    }

    fn qr_query<'a>(
        &'a self,
        wallet: QrWallet,
        bill: &'a BillNo,
        autoid: &'a str,
    ) -> Call<'a, PaymentOutcome> {
        Box::pin(async move { with_session!(self, |c, s| c.qr_query(s, wallet, bill, autoid)) })
    }

    fn koudai_query<'a>(&'a self, bill: &'a BillNo, autoid: &'a str) -> Call<'a, PaymentOutcome> {
        Box::pin(async move { with_session!(self, |c, s| c.koudai_query(s, bill, autoid)) })
    }

    fn pos_bill_status<'a>(
        &'a self,
        bill: &'a BillNo,
        paid_if_ours_landed: Option<Fen>,
    ) -> Call<'a, PaymentOutcome> {
        Box::pin(async move {
            with_session!(self, |c, s| c.pos_bill_status(s, bill, paid_if_ours_landed))
        })
    }

    fn pos_bill<'a>(&'a self, bill: &'a BillNo) -> Call<'a, Option<PosBill>> {
        Box::pin(async move {
            let row = with_session!(self, |c, s| c.pos_bill(s, bill))?;
            Ok(row.map(|row| PosBill {
                billed: row.billvalue,
                paid: row.paidvalue,
            }))
        })
    }
}

impl CloudPayBackend for CloudPay {
    fn preconnect(&self) -> Chore<'_> {
        Box::pin(CloudPay::preconnect(self))
    }

    fn staff_id(&self) -> &str {
        &self.config().staff_id
    }

    fn micro_pay<'a>(
        &'a self,
        order_no: &'a str,
        bill: &'a BillNo,
        amount: Fen,
        code: &'a PaymentCode,
    ) -> Call<'a, PaymentOutcome> {
        Box::pin(CloudPay::micro_pay(self, order_no, bill, amount, code))
    }

    fn scan_code_pay<'a>(
        &'a self,
        order_no: &'a str,
        bill: &'a BillNo,
        platform: Platform,
        amount: Fen,
        expires_at: DateTime<Utc>,
    ) -> Call<'a, QrIssued> {
        Box::pin(CloudPay::scan_code_pay(
            self, order_no, bill, platform, amount, expires_at,
        ))
    }

    fn query_order<'a>(
        &'a self,
        order_no: &'a str,
        platform: Platform,
        trade_type: TradeType,
        amount: Fen,
    ) -> Call<'a, PaymentOutcome> {
        Box::pin(CloudPay::query_order(
            self, order_no, platform, trade_type, amount,
        ))
    }

    fn close_order<'a>(
        &'a self,
        order_no: &'a str,
        platform: Platform,
        trade_type: TradeType,
    ) -> Call<'a, ()> {
        Box::pin(CloudPay::close_order(self, order_no, platform, trade_type))
    }

    fn refund<'a>(&'a self, r: RefundRequest<'a>) -> Call<'a, RefundOutcome> {
        Box::pin(CloudPay::refund(
            self,
            r.order_no,
            r.refund_no,
            r.platform,
            r.total,
            r.amount,
            r.authority,
        ))
    }

    fn query_refund<'a>(
        &'a self,
        order_no: &'a str,
        refund_no: &'a str,
        platform: Platform,
    ) -> Call<'a, RefundOutcome> {
        Box::pin(CloudPay::query_refund(self, order_no, refund_no, platform))
    }
}

/// Logs a till in to the backends its configuration names: Tour V5 with the operator's
/// password, Cloud Pay with its authen key.
#[derive(Debug, Clone, Default)]
pub struct Clients {
    /// Stands in for the environment's or the key file's Cloud Pay authen key (the embedded
    /// sandbox's public one).
    authen_key: Option<SecretString>,
}

impl Clients {
    pub fn new() -> Clients {
        Clients::default()
    }

    /// Clients that sign Cloud Pay calls with `key` whatever the environment says.
    pub fn with_authen_key(key: SecretString) -> Clients {
        Clients {
            authen_key: Some(key),
        }
    }

    /// The Cloud Pay authen key: the one given, else `CASHIER_CLOUDPAY_AUTHEN_KEY`, else the
    /// configured key file.
    fn cloudpay_key(&self, cfg: &Config) -> Result<SecretString, Error> {
        if let Some(key) = &self.authen_key {
            return Ok(key.clone());
        }
        if let Ok(k) = std::env::var("CASHIER_CLOUDPAY_AUTHEN_KEY") {
            return Ok(SecretString::from(k));
        }
        match &cfg.cloudpay_authen_key_file {
            Some(path) => std::fs::read_to_string(path)
                .map(|s| SecretString::from(s.trim().to_string()))
                .map_err(|e| {
                    Error::from(ConfigError::File {
                        path: path.display().to_string(),
                        error: e.to_string(),
                    })
                }),
            None => Err(ConfigError::NoAuthenKey.into()),
        }
    }

    async fn log_in(
        &self,
        cfg: &Config,
        operator: &str,
        password: SecretString,
        clock: Arc<dyn Clock>,
    ) -> Result<Connected, Error> {
        let http = Http::new(cfg.http)?;
        let mut connected = Connected::default();
        if let Some(tv_cfg) = &cfg.tourv5 {
            let client = TourV5::new(http.clone(), tv_cfg.clone(), clock)?;
            let session = client.login(operator, &password).await?;
            connected.merchant = Some(session.merchant_name.clone()).filter(|m| !m.is_empty());
            connected.clock_warning = session.clock_warning.clone();
            connected.backends.tourv5 = Some(Arc::new(TourV5Link::new(client, session)));
        }
        drop(password);
        if let Some(cp_cfg) = &cfg.cloudpay {
            let key = AuthenKey::new(self.cloudpay_key(cfg)?)?;
            connected.backends.cloudpay = Some(Arc::new(CloudPay::new(http, cp_cfg.clone(), key)?));
        }
        Ok(connected)
    }
}

impl Connect for Clients {
    fn connect<'a>(
        &'a self,
        cfg: &'a Config,
        operator: &'a str,
        password: SecretString,
        clock: Arc<dyn Clock>,
    ) -> Call<'a, Connected> {
        Box::pin(self.log_in(cfg, operator, password, clock))
    }
}

/// Backends on already-made clients, for a caller that builds them itself (tests, benches).
pub fn backends(tourv5: Option<TourV5Link>, cloudpay: Option<CloudPay>) -> Backends {
    Backends {
        tourv5: tourv5.map(|t| Arc::new(t) as Arc<dyn TourV5Backend>),
        cloudpay: cloudpay.map(|c| Arc::new(c) as Arc<dyn CloudPayBackend>),
    }
}
