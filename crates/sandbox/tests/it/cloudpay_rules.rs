//! Cloud Pay's content rules (docs/protocols.md §2, seed 004), one test each: every refusal is
//! status 101, unsigned, naming the field, and moves no money.

use crate::common::*;
use cashier_sandbox::Sandbox;
use serde_json::{Value, json};

fn without(mut content: Value, parent: &str, key: &str) -> Value {
    if let Some(obj) = content.pointer_mut(parent).and_then(Value::as_object_mut) {
        obj.remove(key);
    }
    content
}

/// `String(n)` counts UTF-8 bytes: a 43-character Chinese `body` is 129 bytes, over 128.
#[tokio::test]
async fn string_n_limits_count_utf8_bytes() {
    let sb = sandbox().await;
    let body = "门".repeat(43);
    assert_eq!(body.len(), 129);
    assert_refused(
        &sb,
        "micro_pay",
        &with(micro_pay("sz0100sbox-b1"), "/pay_content/body", json!(body)),
        "pay_content.body",
    )
    .await;
    let machine = "机".repeat(11);
    assert_refused(
        &sb,
        "micro_pay",
        &with(
            micro_pay("sz0100sbox-b2"),
            "/order_client/machine_no",
            json!(machine),
        ),
        "order_client.machine_no",
    )
    .await;
    assert_refused(
        &sb,
        "micro_pay",
        &with(
            micro_pay("sz0100sbox-b3"),
            "/pay_content/remark",
            json!("备".repeat(43)),
        ),
        "pay_content.remark",
    )
    .await;
    assert_untouched(&sb);
    // 42 characters, 126 bytes, fit.
    let fits = with(
        micro_pay("sz0100sbox-b4"),
        "/pay_content/body",
        json!("门".repeat(42)),
    );
    assert_eq!(status(&sb, "micro_pay", &fits).await, 0);
    sb.shutdown().await;
}

/// `null` is never a value: unset fields are omitted.
#[tokio::test]
async fn null_values_are_refused() {
    let sb = sandbox().await;
    for (path, field) in [
        ("/pay_content/remark", "pay_content.remark"),
        (
            "/pay_mch_key/sub_pay_platform",
            "pay_mch_key.sub_pay_platform",
        ),
        ("/order_client/staff_id", "order_client.staff_id"),
        (
            "/pay_content/wxpay_pay_content_ext/product_id",
            "pay_content.wxpay_pay_content_ext.product_id",
        ),
    ] {
        assert_refused(
            &sb,
            "micro_pay",
            &with(micro_pay("sz0100sbox-n"), path, Value::Null),
            field,
        )
        .await;
    }
    assert_untouched(&sb);
    sb.shutdown().await;
}

/// A field the call does not document is refused, at any level.
#[tokio::test]
async fn unknown_fields_are_refused() {
    let sb = sandbox().await;
    let cases = [
        (
            "micro_pay",
            with(micro_pay("sz0100sbox-u"), "/extra", json!(1)),
            "extra",
        ),
        (
            "micro_pay",
            with(micro_pay("sz0100sbox-u"), "/pay_content/tip", json!(1)),
            "pay_content.tip",
        ),
        (
            "micro_pay",
            with(micro_pay("sz0100sbox-u"), "/order_client/os", json!("x")),
            "order_client.os",
        ),
        (
            "micro_pay",
            with(micro_pay("sz0100sbox-u"), "/pay_mch_key/mch", json!("x")),
            "pay_mch_key.mch",
        ),
        (
            "micro_pay",
            with(
                micro_pay("sz0100sbox-u"),
                "/pay_content/wxpay_pay_content_ext/x",
                json!("x"),
            ),
            "pay_content.wxpay_pay_content_ext.x",
        ),
        // The payment code belongs to micro_pay only.
        (
            "scan_code_pay",
            cloud_content(1, pay_content("sz0100sbox-u", 100, Some(PAID_CODE))),
            "pay_content.author_code",
        ),
        // A query names its order at the top level; pay_content is not one of its members.
        (
            "query_order",
            with(order_query("sz0100sbox-u", 1, 1), "/pay_content", json!({})),
            "pay_content",
        ),
    ];
    for (name, content, field) in cases {
        assert_refused(&sb, name, &content, field).await;
    }
    assert_untouched(&sb);
    sb.shutdown().await;
}

/// Every `pay_mch_key` names this merchant's accounts.
#[tokio::test]
async fn merchant_ids_must_be_this_merchants() {
    let sb = sandbox().await;
    for field in ["out_mch_id", "out_sub_mch_id", "out_shop_id"] {
        let other = with(
            micro_pay("sz0100sbox-m"),
            &format!("/pay_mch_key/{field}"),
            json!("sz01other"),
        );
        assert_refused(&sb, "micro_pay", &other, &format!("pay_mch_key.{field}")).await;
        let query = with(
            order_query("sz0100sbox-m", 1, 1),
            &format!("/pay_mch_key/{field}"),
            json!("sz01other"),
        );
        assert_refused(&sb, "query_order", &query, &format!("pay_mch_key.{field}")).await;
    }
    assert_untouched(&sb);
    sb.shutdown().await;
}

/// `pay_platform` is the wallet of the payment code (WeChat 1, Alipay 2); a code of
/// neither wallet is not Cloud Pay's.
#[tokio::test]
async fn pay_platform_must_match_the_codes_wallet() {
    let sb = sandbox().await;
    let cases = [
        (2, PAID_CODE, "pay_mch_key.pay_platform"),
        (1, "284520273825387649", "pay_mch_key.pay_platform"),
        (1, "6212345678901234567", "pay_content.author_code"),
        (2, "1234567890", "pay_content.author_code"),
    ];
    for (platform, code, field) in cases {
        let content = cloud_content(platform, pay_content("sz0100sbox-w", 100, Some(code)));
        assert_refused(&sb, "micro_pay", &content, field).await;
    }
    assert_untouched(&sb);
    let alipay = cloud_content(
        2,
        pay_content("sz0100sbox-w2", 100, Some("284520273825387649")),
    );
    assert_eq!(status(&sb, "micro_pay", &alipay).await, 0);
    sb.shutdown().await;
}

/// authen_code is the uppercase hex of the HMAC: the same MAC in lower case does not verify.
#[tokio::test]
async fn authen_code_must_be_uppercase_hex() -> TestResult {
    let sb = sandbox().await;
    let text = micro_pay("sz0100sbox-lc").to_string();
    let code = authen_key().sign(&text);
    let a = read_cloud(
        cloud_raw(
            &client(),
            &sb.url(),
            "micro_pay",
            &text,
            &code.to_lowercase(),
        )
        .await?,
    )
    .await;
    assert_eq!(
        (
            a.content["status"].clone(),
            a.content["description"].clone()
        ),
        (json!(101), json!("authen_code verify failed"))
    );
    assert!(!a.has_authen_info);
    assert_untouched(&sb);
    let a = read_cloud(cloud_raw(&client(), &sb.url(), "micro_pay", &text, &code).await?).await;
    assert!(a.signed, "{:?}", a.content);
    sb.shutdown().await;
    Ok(())
}

/// `out_trade_no` and `out_refund_no` start with the merchant's order prefix, wherever
/// they appear.
#[tokio::test]
async fn order_and_refund_numbers_carry_the_prefix() {
    let sb = sandbox().await;
    assert_refused(
        &sb,
        "micro_pay",
        &micro_pay("xyz-1"),
        "pay_content.out_trade_no",
    )
    .await;
    assert_refused(
        &sb,
        "query_order",
        &order_query("xyz-1", 1, 1),
        "out_trade_no",
    )
    .await;
    assert_untouched(&sb);
    assert_eq!(
        status(&sb, "micro_pay", &micro_pay("sz0100sbox-pf")).await,
        0
    );
    assert_refused(
        &sb,
        "refund",
        &refund_content(1, "sz0100sbox-pf", "r1", 100, 100),
        "refund_content.out_refund_no",
    )
    .await;
    assert_refused(
        &sb,
        "query_refund_order",
        &refund_query(1, "sz0100sbox-pf", "r1"),
        "out_refund_no",
    )
    .await;
    assert!(sb.ledger().refunds.is_empty());
    sb.shutdown().await;
}

/// docs/protocols.md §2: `query_refund_order` names `out_trade_no` and `out_refund_no` at the top
/// level of `request_content`, not in `refund_content`.
#[tokio::test]
async fn query_refund_order_names_the_refund_at_the_top_level() {
    let sb = sandbox().await;
    assert_eq!(
        status(&sb, "micro_pay", &micro_pay("sz0100sbox-qt")).await,
        0
    );
    let accepted = cloud(
        &client(),
        &sb.url(),
        "refund",
        &refund_content(1, "sz0100sbox-qt", "sz0100sbox-qt-r1", 100, 100),
    )
    .await;
    assert!(accepted.signed, "{:?}", accepted.content);
    let nested = cloud_content(
        1,
        json!({"refund_content": {"out_trade_no": "sz0100sbox-qt", "out_refund_no": "sz0100sbox-qt-r1"}}),
    );
    assert_refused(&sb, "query_refund_order", &nested, "refund_content").await;
    let half = cloud_content(1, json!({"out_refund_no": "sz0100sbox-qt-r1"}));
    assert_refused(&sb, "query_refund_order", &half, "out_trade_no").await;
    assert_eq!(
        sb.ledger().refunds[0].state,
        "refunding",
        "refused queries finish nothing"
    );
    let a = cloud(
        &client(),
        &sb.url(),
        "query_refund_order",
        &refund_query(1, "sz0100sbox-qt", "sz0100sbox-qt-r1"),
    )
    .await;
    assert!(a.signed, "{:?}", a.content);
    assert_eq!(
        wechat_refund_state(&refund_entry(&a, "sz0100sbox-qt-r1")),
        REFUND_SUCCESS
    );
    sb.shutdown().await;
}

/// `order_client` carries what each call needs (docs/protocols.md §2): paying calls machine_no,
/// terminal_type, device_id, sdk_version, spbill_create_ip; closing and refunding the same
/// without machine_no; queries terminal_type, sdk_version, spbill_create_ip.
#[tokio::test]
async fn order_client_members_per_call() {
    let sb = sandbox().await;
    let only = |content: Value, keep: &[&str]| {
        let mut content = content;
        if let Some(client) = content
            .pointer_mut("/order_client")
            .and_then(Value::as_object_mut)
        {
            client.retain(|k, _| keep.contains(&k.as_str()));
        }
        content
    };
    const PAY: &[&str] = &[
        "machine_no",
        "terminal_type",
        "device_id",
        "sdk_version",
        "spbill_create_ip",
    ];
    const ACT: &[&str] = &[
        "terminal_type",
        "device_id",
        "sdk_version",
        "spbill_create_ip",
    ];
    const QUERY: &[&str] = &["terminal_type", "sdk_version", "spbill_create_ip"];

    for missing in PAY {
        let content = without(micro_pay("sz0100sbox-oc"), "/order_client", missing);
        assert_refused(
            &sb,
            "micro_pay",
            &content,
            &format!("order_client.{missing}"),
        )
        .await;
    }
    assert_untouched(&sb);
    assert_eq!(
        status(&sb, "micro_pay", &only(micro_pay("sz0100sbox-oc"), PAY)).await,
        0
    );
    let qr = cloud_content(2, pay_content("sz0100sbox-oq", 100, None));
    assert_eq!(status(&sb, "scan_code_pay", &only(qr, PAY)).await, 0);

    for missing in QUERY {
        let content = without(
            only(order_query("sz0100sbox-oc", 1, 1), QUERY),
            "/order_client",
            missing,
        );
        assert_refused(
            &sb,
            "query_order",
            &content,
            &format!("order_client.{missing}"),
        )
        .await;
    }
    assert_eq!(
        status(
            &sb,
            "query_order",
            &only(order_query("sz0100sbox-oc", 1, 1), QUERY)
        )
        .await,
        0
    );

    let close = order_query("sz0100sbox-oq", 2, 2);
    assert_refused(
        &sb,
        "close_order",
        &only(close.clone(), QUERY),
        "order_client.device_id",
    )
    .await;
    assert_eq!(status(&sb, "close_order", &only(close, ACT)).await, 0);

    let refund = refund_content(1, "sz0100sbox-oc", "sz0100sbox-oc-r", 100, 40);
    assert_refused(
        &sb,
        "refund",
        &only(refund.clone(), QUERY),
        "order_client.device_id",
    )
    .await;
    assert!(sb.ledger().refunds.is_empty());
    assert_eq!(status(&sb, "refund", &only(refund, ACT)).await, 0);
    let query = refund_query(1, "sz0100sbox-oc", "sz0100sbox-oc-r");
    assert_refused(
        &sb,
        "query_refund_order",
        &without(only(query.clone(), QUERY), "/order_client", "sdk_version"),
        "order_client.sdk_version",
    )
    .await;
    assert_eq!(
        status(&sb, "query_refund_order", &only(query, QUERY)).await,
        0
    );
    sb.shutdown().await;
}

/// Seed 004: `wxpay_pay_content_ext` is used with WeChat only.
#[tokio::test]
async fn wxpay_ext_is_for_wechat_only() {
    let sb = sandbox().await;
    let qr = cloud_content(2, pay_content("sz0100sbox-x", 100, None));
    let content = with(
        qr,
        "/pay_content/wxpay_pay_content_ext",
        json!({"product_id": "p"}),
    );
    assert_refused(
        &sb,
        "scan_code_pay",
        &content,
        "pay_content.wxpay_pay_content_ext",
    )
    .await;
    assert_untouched(&sb);
    sb.shutdown().await;
}

/// `refund_content.refund_fee_type` is `CNY` and must be sent.
#[tokio::test]
async fn refund_fee_type_is_required_and_cny() {
    let sb = sandbox().await;
    assert_eq!(
        status(&sb, "micro_pay", &micro_pay("sz0100sbox-ft")).await,
        0
    );
    let refund = refund_content(1, "sz0100sbox-ft", "sz0100sbox-ft-r", 100, 100);
    let missing = without(refund.clone(), "/refund_content", "refund_fee_type");
    assert_refused(&sb, "refund", &missing, "refund_content.refund_fee_type").await;
    let usd = with(refund, "/refund_content/refund_fee_type", json!("USD"));
    assert_refused(&sb, "refund", &usd, "refund_content.refund_fee_type").await;
    assert!(sb.ledger().refunds.is_empty());
    sb.shutdown().await;
}

/// A paid order to refund, and its valid refund content (authorised by staff `STAFF`).
async fn paid_for_refund(sb: &Sandbox, no: &str) -> Value {
    assert_eq!(status(sb, "micro_pay", &micro_pay(no)).await, 0);
    refund_content(1, no, &format!("{no}-r1"), 100, 100)
}

/// Nothing was refunded, not even registered.
fn assert_no_refund(sb: &Sandbox) {
    let ledger = sb.ledger();
    assert!(ledger.refunds.is_empty(), "{:?}", ledger.refunds);
    assert!(ledger.orders.iter().all(|o| o.state == "paid"));
}

/// docs/protocols.md §2: a refund's `pay_mch_key` says whether the sub-merchant's administrator
/// asks (`is_sub_mch_admin`); without it the refund is a bad request.
#[tokio::test]
async fn refund_without_is_sub_mch_admin_is_refused() {
    let sb = sandbox().await;
    let valid = paid_for_refund(&sb, "sz0100sbox-adm").await;
    let content = without(valid.clone(), "/pay_mch_key", "is_sub_mch_admin");
    assert_refused(&sb, "refund", &content, "pay_mch_key.is_sub_mch_admin").await;
    // A boolean, not a number or text that reads like one.
    for not_bool in [json!(0), json!("false")] {
        let content = with(valid.clone(), "/pay_mch_key/is_sub_mch_admin", not_bool);
        assert_refused(&sb, "refund", &content, "pay_mch_key.is_sub_mch_admin").await;
    }
    assert_no_refund(&sb);
    sb.shutdown().await;
}

/// docs/protocols.md §2: a refund not asked by the administrator names the staff member whose
/// refund permission Tencent checks (`authorization_staff_id`, String(64)).
#[tokio::test]
async fn refund_by_staff_without_authorization_staff_id_is_refused() {
    let sb = sandbox().await;
    let valid = paid_for_refund(&sb, "sz0100sbox-stf").await;
    let field = "pay_mch_key.authorization_staff_id";
    let content = without(valid.clone(), "/pay_mch_key", "authorization_staff_id");
    assert_refused(&sb, "refund", &content, field).await;
    let empty = with(
        valid.clone(),
        "/pay_mch_key/authorization_staff_id",
        json!(""),
    );
    assert_refused(&sb, "refund", &empty, field).await;
    let long = with(
        valid.clone(),
        "/pay_mch_key/authorization_staff_id",
        json!("s".repeat(65)),
    );
    assert_refused(&sb, "refund", &long, field).await;
    let long_name = with(
        valid.clone(),
        "/pay_mch_key/authorization_name",
        json!("经".repeat(11)),
    );
    assert_refused(&sb, "refund", &long_name, "pay_mch_key.authorization_name").await;
    assert_no_refund(&sb);
    sb.shutdown().await;
}

/// The authorisation members belong to `refund` alone: on a payment they are members the call
/// does not document.
#[tokio::test]
async fn refund_authorisation_is_refused_on_other_calls() {
    let sb = sandbox().await;
    let pay = with(
        micro_pay("sz0100sbox-auth"),
        "/pay_mch_key/is_sub_mch_admin",
        json!(false),
    );
    assert_refused(&sb, "micro_pay", &pay, "pay_mch_key.is_sub_mch_admin").await;
    assert_untouched(&sb);
    sb.shutdown().await;
}
