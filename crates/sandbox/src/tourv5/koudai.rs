//! `POST api/3Pay/KouDaiLQ/BarCode` (seed 001): a barcode payment that is either done at once
//! or waits for the customer's password and is then found by `KouDaiLQ/Query`.
//!
//! The request carries no order number of the client's, so every call is a new payment: a
//! client that repeats it pays again, and the ledger shows a second charge.

use axum::body::Bytes;
use axum::extract::State;
use cashier_core::code::mask_digits;
use serde_json::Value;

use super::model::{self, Model, Need};
use super::qr::check_business_type;
use super::{Answer, BUSY_ERRCODE, envelope, failed, new_autoid, ok, pay_status};
use crate::app::App;
use crate::codes;
use crate::order::Channel;
use crate::scenario::Scenario;

pub async fn bar_code(State(app): State<App>, body: Bytes) -> Answer {
    let v = model::parse(&body)?;
    let mut m = Model::new(&v);
    let business = m.int("BusinessType", 1..=7);
    m.text("operatorNo", Need::Required, Some(32));
    let bill = m.text("billNum", Need::Required, Some(32));
    let amount = m.yuan("summary");
    let card = m.opt_text("cardNo", Some(20));
    let code = m.text("barCode", Need::Required, Some(40));
    m.finish()?;
    let business = check_business_type(&business.to_string(), card)?;
    // KouDaiLQ refuses anything but a wallet's payment code (docs/protocols.md §4), before any
    // charge; which wallet is its business.
    if codes::kind(code).is_none() {
        return Ok(failed(codes::NOT_A_CODE));
    }

    let now = app.now();
    let mut book = app.book();
    let autoid = new_autoid(book.next_seq(), &now);
    let (mut order, charge) = book.barcode(
        Channel::KoudaiBarcode,
        autoid.clone(),
        bill.to_string(),
        amount,
        code,
        &now,
    );
    // The request names no paytype: the back office books it under its KouDaiLQ method,
    // which the query must then name (docs/protocols.md §1 ASSUMPTION: the Alipay query's body).
    order.billtype = Some(business);
    order.paytype = Some(app.paytypes.koudai.clone());
    let scenario = order.scenario;
    tracing::info!(%autoid, bill, fen = amount.0, code = %mask_digits(code), ?scenario, "KouDaiLQ barcode payment");
    let tag = pay_status(&order);
    book.add(order, charge);
    Ok(match scenario.and_then(Scenario::tour_failure) {
        // The undocumented 500 of a payment charged but not answered properly carries no
        // tag: the client has no autoid, cannot query (autoid is Required) and must leave
        // the payment to a manager who looks in the back office.
        Some(f) if f.code == BUSY_ERRCODE => envelope(f.code, f.message, Value::Null),
        Some(f) => envelope(f.code, f.message, tag),
        None => ok(tag),
    })
}
