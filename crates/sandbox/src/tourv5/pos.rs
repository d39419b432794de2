//! The POS sale bill (seed 002): WeChat barcode payments applied to a bill, with the code
//! TripleDES-encrypted under `UPPER(MD5(password))`, and the bill status poll that follows
//! an `errcode` 1.

use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use cashier_core::Fen;
use cashier_core::code::mask_digits;
use secrecy::ExposeSecret;
use serde_json::{Number, Value, json};

use super::model::{self, Model, Need};
use super::{Answer, CODE_EXPIRED, DECLINED, envelope, failed, ok};
use crate::app::App;
use crate::book::Book;
use crate::order::{Channel, Order, OrderState};
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

    let mut book = app.book();
    // An unregistered bill is taken to be exactly as large as its first payment.
    let total = match book.bill_total(bill) {
        Some(t) => t,
        None => {
            book.register_bill(bill, amount);
            amount
        }
    };
    let unpaid = total.checked_sub(book.pos_paid(bill)).unwrap_or(Fen::ZERO);
    if amount > unpaid {
        return Ok(failed("超出未付金额 over the unpaid amount"));
    }
    let scenario = Scenario::of_code(&code);
    let seq = book.next_seq();
    let mut order = Order::new(
        Channel::PosWechatBarcode,
        seq.to_string(),
        bill.to_string(),
        amount,
    );
    order.masked_code = Some(mask_digits(&code));
    order.scenario = Some(scenario);
    tracing::info!(autoid = seq, bill, fen = amount.0, code = %mask_digits(&code), ?scenario, "POS WeChat barcode payment");
    let charge = match scenario {
        Scenario::Paid => order.settle(),
        Scenario::Password(_) | Scenario::Forever => {
            order.state = OrderState::UserPaying;
            None
        }
        Scenario::Declined => {
            order.state = OrderState::Declined;
            None
        }
        Scenario::CodeExpired => {
            order.state = OrderState::Expired;
            None
        }
    };
    book.add(order);
    book.record(charge);
    let tag =
        json!({"billnum": bill, "autoid": seq, "billpaystate": bill_pay_state(&book, bill, total)});
    Ok(match scenario {
        Scenario::Paid => ok(tag),
        Scenario::Password(_) | Scenario::Forever => envelope(1, QUERY_NEEDED, tag),
        Scenario::Declined => envelope(-1, DECLINED, Value::Null),
        Scenario::CodeExpired => envelope(-1, CODE_EXPIRED, Value::Null),
    })
}

/// `GET …/MainRow/Query/ByBillNum/{billnum}`: each poll is a query of the bill's payments
/// still waiting for a password, so a `100N` code is charged on the N-th poll.
pub async fn bill_status(State(app): State<App>, Path(bill): Path<String>) -> Response {
    let now = SystemTime::now();
    let mut book = app.book();
    let waiting = book.of_bill(&bill, Channel::PosWechatBarcode);
    let Some(total) = book.bill_total(&bill) else {
        return failed("单据不存在 bill not found");
    };
    for idx in waiting {
        let charge = book
            .order_mut(idx, now)
            .filter(|o| o.state == OrderState::UserPaying)
            .and_then(|o| o.on_query(now));
        book.record(charge);
    }
    let paid = book.pos_paid(&bill);
    ok(json!({
        "billnum": bill,
        "paystate": bill_pay_state(&book, &bill, total),
        "billvalue": yuan(total),
        "paidvalue": yuan(paid),
    }))
}

/// ASSUMPTION (PROTOCOLS §1): "1" unpaid, "2" partly paid, "3" fully paid.
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
