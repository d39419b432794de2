//! The backends as the checkout sees them: what it asks of each (the traits below), in the
//! domain's words, and what a deployment configures of them. The clients that speak the
//! wires — HTTP, signatures, TripleDES, JSON shapes — are in `cashier_backends`, which
//! implements these traits; core never names them, so checkout cannot reach around them.

pub mod cloudpay;
pub mod crypto;
pub mod http;
pub mod tourv5;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::config::Config;
use crate::{BillNo, Clock, Error, Fen, PaymentCode, PaymentOutcome, QrIssued};
use cloudpay::{Platform, RefundAuthority, RefundOutcome, TradeType};
use tourv5::{PosBill, QrWallet};

/// A call to a backend in flight. Boxed so the traits can be held as `dyn` (the till picks its
/// backends at run time) and `Send` so payments run on any runtime thread.
pub type Call<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// A call whose failure nobody needs (warming a connection).
pub type Chore<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// The Tour V5 back office, logged in: the session and its renewal are the implementation's.
pub trait TourV5Backend: fmt::Debug + Send + Sync {
    /// Opens (and pools) a connection ahead of the first payment call.
    fn preconnect(&self) -> Chore<'_>;
    /// KouDaiLQ barcode payment.
    fn koudai_barcode<'a>(
        &'a self,
        bill: &'a BillNo,
        amount: Fen,
        code: &'a PaymentCode,
    ) -> Call<'a, PaymentOutcome>;
    /// WeChat barcode payment on a POS sale bill.
    fn pos_wechat_barcode<'a>(
        &'a self,
        bill: &'a BillNo,
        amount: Fen,
        code: &'a PaymentCode,
    ) -> Call<'a, PaymentOutcome>;
    /// Issues a QR code for `wallet`.
    fn qr_pay<'a>(&'a self, wallet: QrWallet, bill: &'a BillNo, amount: Fen) -> Call<'a, QrIssued>;
    /// How a QR payment stands, by the `autoid` issuing it returned.
    fn qr_query<'a>(
        &'a self,
        wallet: QrWallet,
        bill: &'a BillNo,
        autoid: &'a str,
    ) -> Call<'a, PaymentOutcome>;
    /// How a KouDaiLQ payment stands, by the `autoid` its answer carried.
    fn koudai_query<'a>(&'a self, bill: &'a BillNo, autoid: &'a str) -> Call<'a, PaymentOutcome>;
    /// How a POS sale bill's payment stands; `paid_if_ours_landed`: the bill's paid figure if
    /// this payment landed.
    fn pos_bill_status<'a>(
        &'a self,
        bill: &'a BillNo,
        paid_if_ours_landed: Option<Fen>,
    ) -> Call<'a, PaymentOutcome>;
    /// A POS sale bill's figures, `None` where the back office has no such bill.
    fn pos_bill<'a>(&'a self, bill: &'a BillNo) -> Call<'a, Option<PosBill>>;
}

/// Tencent Cloud Pay.
pub trait CloudPayBackend: fmt::Debug + Send + Sync {
    fn preconnect(&self) -> Chore<'_>;
    /// The staff id configured for this till (`cloudpay.staff_id`), which authorises refunds.
    fn staff_id(&self) -> &str;
    fn micro_pay<'a>(
        &'a self,
        order_no: &'a str,
        bill: &'a BillNo,
        amount: Fen,
        code: &'a PaymentCode,
    ) -> Call<'a, PaymentOutcome>;
    fn scan_code_pay<'a>(
        &'a self,
        order_no: &'a str,
        bill: &'a BillNo,
        platform: Platform,
        amount: Fen,
        expires_at: DateTime<Utc>,
    ) -> Call<'a, QrIssued>;
    fn query_order<'a>(
        &'a self,
        order_no: &'a str,
        platform: Platform,
        trade_type: TradeType,
        amount: Fen,
    ) -> Call<'a, PaymentOutcome>;
    fn close_order<'a>(
        &'a self,
        order_no: &'a str,
        platform: Platform,
        trade_type: TradeType,
    ) -> Call<'a, ()>;
    fn refund<'a>(&'a self, refund: RefundRequest<'a>) -> Call<'a, RefundOutcome>;
    fn query_refund<'a>(
        &'a self,
        order_no: &'a str,
        refund_no: &'a str,
        platform: Platform,
    ) -> Call<'a, RefundOutcome>;
}

/// One refund of (part of) a Cloud Pay order.
#[derive(Debug, Clone, Copy)]
pub struct RefundRequest<'a> {
    pub order_no: &'a str,
    pub refund_no: &'a str,
    pub platform: Platform,
    /// What the order charged.
    pub total: Fen,
    /// What this refund returns.
    pub amount: Fen,
    pub authority: &'a RefundAuthority,
}

/// The backends a till talks to; either may be absent.
#[derive(Debug, Clone, Default)]
pub struct Backends {
    pub tourv5: Option<Arc<dyn TourV5Backend>>,
    pub cloudpay: Option<Arc<dyn CloudPayBackend>>,
}

/// What logging in gave: the backends to pay through, and what the back office said.
#[derive(Debug, Default)]
pub struct Connected {
    pub backends: Backends,
    pub merchant: Option<String>,
    pub clock_warning: Option<String>,
}

/// How a till reaches the backends its configuration names: given to it by the front end's
/// opener, so core depends on no client. The password is used for the login and dropped.
pub trait Connect: fmt::Debug + Send + Sync {
    fn connect<'a>(
        &'a self,
        cfg: &'a Config,
        operator: &'a str,
        password: SecretString,
        clock: Arc<dyn Clock>,
    ) -> Call<'a, Connected>;
}
