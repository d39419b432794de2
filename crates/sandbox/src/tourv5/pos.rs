//! The POS sale bill (seed 002): WeChat barcode payments applied to a bill, with the code
//! TripleDES-encrypted under `UPPER(MD5(password))`, and the bill status poll that follows
//! an `errcode` 1.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use cashier_core::Fen;
use cashier_core::code::mask_digits;
use secrecy::ExposeSecret;
use serde_json::{Number, Value, json};

use super::model::{self, Model, Need};
use super::{Answer, envelope, failed, ok};
use crate::app::App;
use crate::book::Book;
use crate::clock::Now;
use crate::order::{Channel, OrderState};
use crate::scenario::Scenario;

const QUERY_NEEDED: &str = "需要查询 query the payment";

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
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(failed("付款码无效 not a payment code"));
    }

    let now = Now::get();
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
    // since neither seed 002 nor PROTOCOLS documents a refusal, and refusing would hide a
    // client's duplicate POS payment from the ledger. The bill then reads fully paid ("3")
    // with paidvalue above billvalue.
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
    let tag =
        json!({"billnum": bill, "autoid": seq, "billpaystate": bill_pay_state(&book, bill, total)});
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
    let now = Now::get();
    for idx in book.of_bill(&bill, Channel::PosWechatBarcode) {
        if let Some(o) = book.order_mut(idx, &now) {
            o.count_query();
        }
    }
    let paid = book.pos_paid(&bill);
    ok(json!({
        "billnum": bill,
        "paystate": bill_pay_state(&book, &bill, total),
        "billvalue": yuan(total),
        "paidvalue": yuan(paid),
    }))
}

/// PROTOCOLS §1 assumes "3" means fully paid; "1" unpaid and "2" partly paid are the
/// sandbox's ASSUMPTION (not in the seeds), mirroring seed 002's "other values: partly paid".
fn bill_pay_state(book: &Book, bill: &str, total: Fen) -> &'static str {
    let paid = book.pos_paid(bill);
    if paid.0 == 0 {
        "1"
    } else if paid >= total {
        "3"
    } else {
        "2"
    }
}

/// A yuan JSON number with two decimals (`12.30`), as .NET writes a decimal of scale 2.
fn yuan(fen: Fen) -> Value {
    fen.to_string()
        .parse::<Number>()
        .map_or(Value::Null, Value::Number)
}
