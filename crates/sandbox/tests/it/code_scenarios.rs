//! The answer scenarios (`7003`, `7103`, `7102`, `7777`) on Cloud Pay and both Tour V5
//! barcode channels, and single-use codes (`8xxx`): charged once, then refused as already
//! used on any channel, while a repeated Cloud Pay order number stays a duplicate.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const BUSY: &str = "134520273825387003";
const WAIT: &str = "134520273825387103";
const NEW_NUMBER: &str = "134520273825387102";
const USED: &str = "134520273825387777";
const SINGLE_USE: &str = "134520273825388001";
const KOUDAI_PAY: &str = "/api/3Pay/KouDaiLQ/BarCode";
const KOUDAI_QUERY: &str = "/api/3Pay/KouDaiLQ/Query";

fn micro_pay(no: &str, fee: u64, code: &str) -> Value {
    cloud_content(1, pay_content(no, fee, Some(code)))
}

/// A WeChat barcode order's query.
fn query(no: &str) -> Value {
    order_query(no, 1, 1)
}

fn koudai_body(bill: &str, code: &str) -> Value {
    let text = format!(
        r#"{{"BusinessType":1,"operatorNo":"001","billNum":"{bill}","summary":25.50,"barCode":"{code}"}}"#
    );
    serde_json::from_str(&text).unwrap_or_default()
}

fn koudai_query(bill: &str, autoid: &str) -> Value {
    json!({"billnum": bill, "autoid": autoid, "billtype": "1", "paytype": "KD"})
}

/// `(status, internal_status, description)` of a Cloud Pay answer.
fn failure(a: &CloudAnswer) -> (Value, Value, Value) {
    (
        a.content["status"].clone(),
        a.content["internal_status"].clone(),
        a.content["description"].clone(),
    )
}

/// `(errcode, errmsg)` of a Tour V5 answer.
fn err(a: &Value) -> (Value, Value) {
    (a["errcode"].clone(), a["errmsg"].clone())
}

/// `7003` and `7103`: the pay call charges, but answers unsigned status 3 or 103 with no
/// order; the query then finds the order paid, signed.
#[tokio::test]
async fn cloud_charged_but_answered_busy_or_wait() -> TestResult {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());
    for (no, code, status, description) in [
        (
            "sz0100sbox-busy",
            BUSY,
            3,
            "系统繁忙，请查询 busy, query the order",
        ),
        ("sz0100sbox-wait", WAIT, 103, "请稍候查询 wait then query"),
    ] {
        let a = cloud(&http, &url, "micro_pay", &micro_pay(no, 800, code)).await;
        assert_eq!(
            failure(&a),
            (json!(status), json!(0), json!(description)),
            "{no}: {a:?}"
        );
        assert!(!a.has_authen_info, "{no}: failures are unsigned");
        assert!(a.content.get("micro_pay").is_none(), "{no}: {a:?}");
        let ledger = sb.ledger();
        assert_eq!(ledger.charges_for_bill(no).len(), 1, "{no}: charged");
        assert_eq!(ledger.order(no).map(|o| o.state.as_str()), Some("paid"));

        let q = cloud(&http, &url, "query_order", &query(no)).await;
        assert!(q.signed, "{no}: {q:?}");
        assert_eq!(q.content["status"], 0);
        assert_eq!(wechat_state(&q, "query_order"), 2, "{no}: paid");
        assert!(q.content["query_order"]["order_content"]["transaction_id"].is_string());

        // The same order number again: the duplicate, not a second charge.
        let a = cloud(&http, &url, "micro_pay", &micro_pay(no, 800, code)).await;
        assert_eq!(
            (
                a.content["status"].clone(),
                a.content["internal_status"].clone()
            ),
            (json!(104), json!(407)),
            "{no}"
        );
        assert_eq!(sb.ledger().charges_for_bill(no).len(), 1, "{no}");
    }
    assert_eq!(sb.ledger().total_charged().0, 1600);
    sb.shutdown().await;
    Ok(())
}

/// `7102`: not charged, status 102; the order is declined, its number used up (a retry
/// under it is the duplicate), and a new number with the same code gets 102 again.
#[tokio::test]
async fn cloud_new_order_number_needed() -> TestResult {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());
    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &micro_pay("sz0100sbox-102", 500, NEW_NUMBER),
    )
    .await;
    assert_eq!(
        failure(&a),
        (
            json!(102),
            json!(0),
            json!("请更换订单号 use a new order number")
        ),
        "{a:?}"
    );
    assert!(!a.has_authen_info);
    let q = cloud(&http, &url, "query_order", &query("sz0100sbox-102")).await;
    assert!(q.signed);
    assert_eq!(wechat_state(&q, "query_order"), 8, "pay error");

    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &micro_pay("sz0100sbox-102", 500, NEW_NUMBER),
    )
    .await;
    assert_eq!(
        (
            a.content["status"].clone(),
            a.content["internal_status"].clone()
        ),
        (json!(104), json!(407))
    );
    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &micro_pay("sz0100sbox-102b", 500, NEW_NUMBER),
    )
    .await;
    assert_eq!(a.content["status"], 102);

    let ledger = sb.ledger();
    assert!(ledger.charges.is_empty(), "{:?}", ledger.charges);
    let o = ledger.order("sz0100sbox-102").ok_or("no order")?;
    assert_eq!(
        (o.state.as_str(), o.masked_code.as_deref()),
        ("declined", Some("1345**********7102"))
    );
    sb.shutdown().await;
    Ok(())
}

/// `7777`: not charged, 104 "code already used", the order declined.
#[tokio::test]
async fn cloud_code_already_used() -> TestResult {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());
    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &micro_pay("sz0100sbox-used", 500, USED),
    )
    .await;
    assert_eq!(
        failure(&a),
        (
            json!(104),
            json!(0),
            json!("付款码已使用 code already used")
        ),
        "{a:?}"
    );
    assert!(!a.has_authen_info);
    let q = cloud(&http, &url, "query_order", &query("sz0100sbox-used")).await;
    assert_eq!(wechat_state(&q, "query_order"), 8);
    let ledger = sb.ledger();
    assert!(ledger.charges.is_empty());
    assert_eq!(
        ledger.order("sz0100sbox-used").map(|o| o.state.as_str()),
        Some("declined")
    );
    sb.shutdown().await;
    Ok(())
}

/// Tour V5 `7003` / `7103`: charged, answered with the undocumented `errcode` 500 and no tag.
/// Without the autoid the KouDaiLQ query is refused (seed 003: `autoid` Required), so only
/// the back office (here the ledger) knows; the POS bill status reports the payment.
#[tokio::test]
async fn tourv5_charged_but_answered_500() -> TestResult {
    let sb = sandbox().await;
    let mut tour = Tour::new(&sb);
    tour.login().await;
    for (bill, code) in [("KB1", BUSY), ("KB2", WAIT)] {
        let (_, a) = tour.post(KOUDAI_PAY, &koudai_body(bill, code)).await;
        assert_eq!(err(&a), (json!(500), json!("系统繁忙 busy")), "{bill}: {a}");
        assert!(a["tag"].is_null(), "{bill}: {a}");
        assert_eq!(sb.ledger().charges_for_bill(bill).len(), 1, "{bill}");
        let (status, q) = tour.post(KOUDAI_QUERY, &koudai_query(bill, "")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bill}: {q}");
        assert!(q["ModelState"]["parm.autoid"].is_array(), "{bill}: {q}");
        let ledger = sb.ledger();
        let autoid = ledger
            .orders
            .iter()
            .find(|o| o.bill == bill)
            .map(|o| o.reference.clone())
            .unwrap_or_default();
        let (_, q) = tour.post(KOUDAI_QUERY, &koudai_query(bill, &autoid)).await;
        assert_eq!(q["tag"]["paystatus"], "SUCCESS", "{bill}: {q}");
    }

    for (bill, code) in [("PB1", BUSY), ("PB2", WAIT)] {
        let (_, a) = tour.post(POS_PAY, &pos_body(bill, code, "40.00")).await;
        assert_eq!(err(&a), (json!(500), json!("系统繁忙 busy")), "{bill}: {a}");
        assert!(a["tag"].is_null(), "{bill}: {a}");
        let (_, s) = tour.get(&pos_status_path(bill)).await;
        assert_eq!(s["errcode"], 0, "{bill}: {s}");
        assert_eq!(s["tag"]["paystate"], "3", "{bill}: {s}");
        assert_eq!(s["tag"]["paidvalue"].to_string(), "40.00");
    }

    let ledger = sb.ledger();
    assert_eq!(ledger.charges.len(), 4);
    assert_eq!(ledger.total_charged().0, 2 * 2550 + 2 * 4000);
    assert!(
        ledger.orders.iter().all(|o| o.state == "paid"),
        "{ledger:?}"
    );
    sb.shutdown().await;
    Ok(())
}

/// Tour V5 `7102` and `7777`: `errcode` -1, not charged; the KouDaiLQ query reads PAYERROR
/// with the same reason and the POS bill stays unpaid.
#[tokio::test]
async fn tourv5_refusals_pay_again_and_code_used() -> TestResult {
    let sb = sandbox().await;
    let mut tour = Tour::new(&sb);
    tour.login().await;
    for (bill, code, why) in [
        ("KR1", NEW_NUMBER, "请重新支付 pay again"),
        ("KR2", USED, "付款码已使用 code already used"),
    ] {
        let (_, a) = tour.post(KOUDAI_PAY, &koudai_body(bill, code)).await;
        assert_eq!(err(&a), (json!(-1), json!(why)), "{bill}: {a}");
        assert_eq!(a["tag"]["paystatus"], "PAYERROR", "{bill}: {a}");
        let autoid = a["tag"]["autoid"].as_str().unwrap_or_default().to_string();
        let (_, q) = tour.post(KOUDAI_QUERY, &koudai_query(bill, &autoid)).await;
        assert_eq!(
            (
                q["tag"]["paystatus"].clone(),
                q["tag"]["paystatusdesc"].clone()
            ),
            (json!("PAYERROR"), json!(why)),
            "{bill}: {q}"
        );
    }
    for (bill, code, why) in [
        ("PR1", NEW_NUMBER, "请重新支付 pay again"),
        ("PR2", USED, "付款码已使用 code already used"),
    ] {
        let (_, a) = tour.post(POS_PAY, &pos_body(bill, code, "12")).await;
        assert_eq!(err(&a), (json!(-1), json!(why)), "{bill}: {a}");
        let (_, s) = tour.get(&pos_status_path(bill)).await;
        assert_eq!(s["tag"]["paystate"], "1", "{bill}: {s}");
    }
    let ledger = sb.ledger();
    assert!(ledger.charges.is_empty(), "{:?}", ledger.charges);
    assert_eq!(ledger.orders.len(), 4);
    assert!(ledger.orders.iter().all(|o| o.state == "declined"));
    sb.shutdown().await;
    Ok(())
}

/// `8xxx`: paid at once the first time; presented again for another order or bill, on any
/// channel, refused as already used without a charge. The same Cloud Pay order number again
/// is still the duplicate (407). Other codes stay independent, and a reset forgets.
#[tokio::test]
async fn single_use_code_is_refused_the_second_time() -> TestResult {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());
    let mut tour = Tour::new(&sb);
    tour.login().await;

    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &micro_pay("sz0100sbox-su1", 900, SINGLE_USE),
    )
    .await;
    assert!(a.signed, "{a:?}");
    assert_eq!(wechat_state(&a, "micro_pay"), 2);

    // The same order retried: the duplicate, as for any code.
    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &micro_pay("sz0100sbox-su1", 900, SINGLE_USE),
    )
    .await;
    assert_eq!(
        (
            a.content["status"].clone(),
            a.content["internal_status"].clone()
        ),
        (json!(104), json!(407)),
        "{a:?}"
    );
    // Another order: the code is used.
    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &micro_pay("sz0100sbox-su2", 900, SINGLE_USE),
    )
    .await;
    assert_eq!(
        failure(&a),
        (
            json!(104),
            json!(0),
            json!("付款码已使用 code already used")
        ),
        "{a:?}"
    );
    assert!(!a.has_authen_info);
    let q = cloud(&http, &url, "query_order", &query("sz0100sbox-su2")).await;
    assert_eq!(wechat_state(&q, "query_order"), 8);
    // Its order number is spent too.
    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &micro_pay("sz0100sbox-su2", 900, SINGLE_USE),
    )
    .await;
    assert_eq!(a.content["internal_status"], 407);

    // The other channels refuse it the same way.
    let (_, a) = tour.post(KOUDAI_PAY, &koudai_body("KS1", SINGLE_USE)).await;
    assert_eq!(
        err(&a),
        (json!(-1), json!("付款码已使用 code already used")),
        "{a}"
    );
    assert_eq!(a["tag"]["paystatusdesc"], "付款码已使用 code already used");
    let (_, a) = tour
        .post(POS_PAY, &pos_body("PS1", SINGLE_USE, "9.00"))
        .await;
    assert_eq!(
        err(&a),
        (json!(-1), json!("付款码已使用 code already used")),
        "{a}"
    );

    // Another single-use code is charged once, on Tour V5 first, then refused by Cloud Pay.
    let other = "134520273825388002";
    let (_, a) = tour.post(KOUDAI_PAY, &koudai_body("KS2", other)).await;
    assert_eq!(a["tag"]["paystatus"], "SUCCESS", "{a}");
    let (_, a) = tour.post(KOUDAI_PAY, &koudai_body("KS2", other)).await;
    assert_eq!(a["errmsg"], "付款码已使用 code already used", "{a}");
    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &micro_pay("sz0100sbox-su3", 100, other),
    )
    .await;
    assert_eq!(a.content["status"], 104);

    // A code that is not single-use pays every time.
    for no in ["sz0100sbox-p1", "sz0100sbox-p2"] {
        let a = cloud(&http, &url, "micro_pay", &micro_pay(no, 100, PAID_CODE)).await;
        assert!(a.signed, "{no}: {a:?}");
    }

    let ledger = sb.ledger();
    assert_eq!(ledger.charges.len(), 4, "{:?}", ledger.charges);
    assert_eq!(ledger.total_charged().0, 900 + 2550 + 2 * 100);
    assert_eq!(
        ledger.order("sz0100sbox-su2").map(|o| o.state.as_str()),
        Some("declined")
    );
    let raw = serde_json::to_string(&ledger)?;
    assert!(!raw.contains(SINGLE_USE), "a code in clear: {raw}");

    // A reset forgets the used codes along with the orders.
    let reset = http.post(format!("{url}_sandbox/reset")).send().await?;
    assert!(reset.status().is_success());
    let a = cloud(
        &http,
        &url,
        "micro_pay",
        &micro_pay("sz0100sbox-su4", 900, SINGLE_USE),
    )
    .await;
    assert!(a.signed, "{a:?}");
    assert_eq!(sb.ledger().charges.len(), 1);
    sb.shutdown().await;
    Ok(())
}
