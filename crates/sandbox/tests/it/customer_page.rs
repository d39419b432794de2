//! The customer page of QR orders: what it shows, pay, decline, expiry.

use std::time::Duration;

use crate::common::*;
use cashier_sandbox::SandboxConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn qr_order(tour: &Tour, bill: &str, yuan: &str) -> (String, String) {
    let mut body = json!({"billnum": bill, "billtype": "1", "body": "t", "paytype": "WX"});
    body["paymentvalue"] = serde_json::from_str(yuan).unwrap_or_default();
    let (_, a) = tour.post("/api/UnPos/3Pay/Wechat/ScanCode", &body).await;
    let autoid = a["tag"]["autoid"].as_str().unwrap_or_default().to_string();
    let url = a["tag"]["codeurl"].as_str().unwrap_or_default().to_string();
    (autoid, url)
}

#[tokio::test]
async fn page_shows_the_order_and_pays_once() -> TestResult {
    let sb = sandbox().await;
    let mut tour = Tour::new(&sb);
    tour.login().await;
    let (autoid, url) = qr_order(&tour, "<b>&'\"", "12.3").await;

    let page = tour.http.get(&url).send().await?;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-type"]
            .to_str()?
            .starts_with("text/html")
    );
    let html = page.text().await?;
    for needle in [
        "name=\"viewport\"",
        "¥ 12.30",
        "确认支付 Pay",
        "拒绝 Decline",
        "沙盒景区",
        "&lt;b&gt;&amp;&#39;&quot;",
        "待支付",
    ] {
        assert!(html.contains(needle), "{needle} missing from {html}");
    }
    assert!(!html.contains("<b>&"), "unescaped bill number");
    assert!(html.contains(&format!("action=\"/_sandbox/pay/{autoid}/decline\"")));

    let first = tour.http.post(&url).send().await?;
    assert_eq!(first.status(), StatusCode::OK);
    assert!(first.text().await?.contains("支付成功"));
    let again: Value = tour
        .http
        .post(&url)
        .header("Accept", "application/json")
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(again["state"], "paid");
    assert!(
        again["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Already paid")
    );
    let decline = tour.http.post(format!("{url}/decline")).send().await?;
    assert_eq!(decline.status(), StatusCode::CONFLICT);
    assert_eq!(sb.ledger().charges.len(), 1);
    assert_eq!(sb.ledger().charges[0].amount_fen, 1230);
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn expired_qr_cannot_be_paid() -> TestResult {
    let cfg = SandboxConfig {
        qr_ttl: Duration::from_millis(300),
        ..SandboxConfig::default()
    };
    let sb = sandbox_with(cfg).await;
    let mut tour = Tour::new(&sb);
    tour.login().await;
    let (autoid, url) = qr_order(&tour, "E1", "1").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let late = tour
        .http
        .post(&url)
        .header("Accept", "application/json")
        .send()
        .await?;
    assert_eq!(late.status(), StatusCode::CONFLICT);
    let body: Value = late.json().await?;
    assert_eq!(body["state"], "expired");
    let q = json!({"billnum": "E1", "autoid": autoid, "billtype": "1", "paytype": "WX"});
    let (_, a) = tour.post("/api/UnPos/3Pay/Wechat/Query", &q).await;
    assert_eq!(a["tag"]["paystatus"], "CLOSED");
    assert_eq!(
        sb.ledger().order(&autoid).map(|o| o.state.clone()),
        Some("expired".into())
    );
    assert_eq!(sb.ledger().charges.len(), 0);
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn unknown_and_barcode_orders_have_no_page() -> TestResult {
    let sb = sandbox().await;
    let http = client();
    let missing = http
        .get(format!("{}_sandbox/pay/%3Cscript%3E", sb.url()))
        .send()
        .await?;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let html = missing.text().await?;
    assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
    assert_eq!(
        http.post(format!("{}_sandbox/pay/nope", sb.url()))
            .send()
            .await?
            .status(),
        StatusCode::NOT_FOUND
    );

    let content = cloud_content(
        1,
        pay_content("sz0100sbox-bar", 100, Some("134520273825384444")),
    );
    cloud(&http, &sb.url(), "micro_pay", &content).await;
    let page = http
        .post(format!("{}_sandbox/pay/sz0100sbox-bar", sb.url()))
        .send()
        .await?;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert_eq!(sb.ledger().charges.len(), 0);
    sb.shutdown().await;
    Ok(())
}
