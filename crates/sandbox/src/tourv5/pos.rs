//! The POS sale bill (seed 002): WeChat barcode payments applied to a bill, with the code
//! TripleDES-encrypted under `UPPER(MD5(password))`, and the bill status poll that follows
//! an `errcode` 1.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use cashier_backends::crypto::TdesCipher;
use cashier_core::code::mask_digits;
use cashier_core::{CodeKind, Fen};
use secrecy::ExposeSecret;
use serde_json::{Number, Value, json};

use super::model::{self, Model, Need};
use super::{Answer, envelope, failed, ok};
use crate::app::App;
use crate::book::Book;
use crate::codes;
use crate::order::{Channel, OrderState};
use crate::scenario::Scenario;

const QUERY_NEEDED: &str = "需要查询 query the payment";
const NOT_WECHAT: &str = "不是微信付款码 not a WeChat payment code";

pub async fn wechat_barcode(State(app): State<App>, body: Bytes) -> Answer {
    let v = model::parse(&body)?;
    let mut m = Model::new(&v);
    let bill = m.text("billnum", Need::Required, Some(20));
    let sealed = m.text("wechatbarcode", Need::Required, Some(256));
    let amount = m.yuan("paymentvalue");
    m.finish()?;
    let Ok(code) = app.tdes.decrypt(app.password_key.expose_secret(), sealed) else {
        return Ok(failed("付款码解密失败 cannot decrypt the payment code"));
    };
    // WeChat's micropay takes WeChat payment codes only (docs/protocols.md §4), refused uncharged.
    match codes::kind(&code) {
        None => return Ok(failed(codes::NOT_A_CODE)),
        Some(CodeKind::Wechat) => {}
        Some(_) => return Ok(failed(NOT_WECHAT)),
    }

    let now = app.now();
    let mut book = app.book();
    // An unregistered bill is taken to be exactly as large as its first payment.
    let total = match book.bill_total(bill) {
        Some(t) => t,
        None => {
            book.register_bill(bill, amount);
            amount
        }
    };
    // The sandbox's choice: a payment above what is left unpaid is charged like any other,
    // since neither seed 002 nor docs/protocols.md documents a refusal, and refusing would hide a
    // client's duplicate POS payment from the ledger. The bill then reads fully paid ("3",
    // and the configured paid state in the bill status) with paidvalue above billvalue.
    let seq = book.next_seq();
    let (order, charge) = book.barcode(
        Channel::PosWechatBarcode,
        seq.to_string(),
        bill.to_string(),
        amount,
        &code,
        &now,
    );
    let state = order.state;
    let failure = order.scenario.and_then(Scenario::tour_failure);
    tracing::info!(autoid = seq, bill, fen = amount.0, code = %mask_digits(&code), scenario = ?order.scenario, "POS WeChat barcode payment");
    book.add(order, charge);
    // Earlier password payments of this bill the customer finished meanwhile count too.
    book.refresh_bill(bill, &now);
    // A refusal, or the undocumented 500 of a payment charged but not answered properly
    // (the bill status then shows it).
    if let Some(f) = failure {
        return Ok(envelope(f.code, f.message, Value::Null));
    }
    // Seed 002 documents "3" as fully paid on this answer: it does not follow the configured
    // bill-status state.
    let billpaystate = match bill_paid(&book, bill, total) {
        BillPaid::Unpaid => "1",
        BillPaid::Partly => "2",
        BillPaid::Fully => "3",
    };
    let tag = json!({"billnum": bill, "autoid": seq, "billpaystate": billpaystate});
    Ok(match state {
        OrderState::Paid => ok(tag),
        _ => envelope(1, QUERY_NEEDED, tag),
    })
}

/// `GET …/MainRow/Query/ByBillNum/{billnum}`: the bill's totals as they stand, with every
/// payment the customer finished by now (a `100N` code about N×3 s after its pay call).
pub async fn bill_status(State(app): State<App>, Path(bill): Path<String>) -> Response {
    let mut book = app.book();
    let Some(total) = book.bill_total(&bill) else {
        return failed("单据不存在 bill not found");
    };
    // Every poll reads every payment of the bill: each counts it as one query.
    let now = app.now();
    for idx in book.of_bill(&bill, Channel::PosWechatBarcode) {
        if let Some(o) = book.order_mut(idx, &now) {
            o.count_query();
        }
    }
    let paid = book.pos_paid(&bill);
    ok(json!({
        "billnum": bill,
        "paystate": app.pos_bill_states.of(bill_paid(&book, &bill, total)),
        "billvalue": yuan(total),
        "paidvalue": yuan(paid),
    }))
}

/// How much of a sale bill is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BillPaid {
    Unpaid,
    Partly,
    Fully,
}

fn bill_paid(book: &Book, bill: &str, total: Fen) -> BillPaid {
    let paid = book.pos_paid(bill);
    if paid.0 == 0 {
        BillPaid::Unpaid
    } else if paid >= total {
        BillPaid::Fully
    } else {
        BillPaid::Partly
    }
}

/// The bill status `paystate` values. docs/protocols.md §1 assumes "3" means fully paid: a
/// deployment sets that value (`pos_bill_paid_state`). "1" unpaid and "2" partly paid are the
/// sandbox's ASSUMPTION (not in the seeds), mirroring seed 002's "other values: partly paid";
/// where the paid state takes one of them, unpaid reads "0" and partly paid the other one, so
/// that no other state ever reads as paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillStates {
    unpaid: String,
    partly: String,
    paid: String,
}

impl BillStates {
    /// Refuses an empty paid state, which no client could tell from a missing one.
    pub fn new(paid: &str) -> Result<BillStates, String> {
        if paid.trim().is_empty() {
            return Err(format!("the POS bill paid state {paid:?} is empty"));
        }
        let (unpaid, partly) = match paid {
            "1" => ("0", "2"),
            "2" => ("0", "1"),
            _ => ("1", "2"),
        };
        Ok(BillStates {
            unpaid: unpaid.into(),
            partly: partly.into(),
            paid: paid.into(),
        })
    }

    fn of(&self, state: BillPaid) -> &str {
        match state {
            BillPaid::Unpaid => &self.unpaid,
            BillPaid::Partly => &self.partly,
            BillPaid::Fully => &self.paid,
        }
    }
}

/// A yuan JSON number with two decimals (`12.30`), as .NET writes a decimal of scale 2.
fn yuan(fen: Fen) -> Value {
    fen.to_string()
        .parse::<Number>()
        .map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::{BillPaid, BillStates};

    fn states(paid: &str) -> Option<[String; 3]> {
        let s = BillStates::new(paid).ok()?;
        Some([BillPaid::Unpaid, BillPaid::Partly, BillPaid::Fully].map(|b| s.of(b).to_string()))
    }

    #[test]
    fn paid_state_is_configured_and_never_shared() {
        let want = |a: &str, b: &str, c: &str| Some([a.to_string(), b.to_string(), c.to_string()]);
        assert_eq!(states("3"), want("1", "2", "3"));
        assert_eq!(states("9"), want("1", "2", "9"));
        assert_eq!(states("1"), want("0", "2", "1"));
        assert_eq!(states("2"), want("0", "1", "2"));
        assert_eq!(states("PAID"), want("1", "2", "PAID"));
        assert_eq!(states(""), None);
        assert_eq!(states(" "), None);
    }
}
