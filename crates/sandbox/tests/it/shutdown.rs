//! Shutdown cuts answers held back by faults instead of waiting for them.

use std::time::{Duration, Instant};

use crate::common::*;
use serde_json::json;

#[tokio::test]
async fn a_long_delay_is_cut_at_shutdown() -> TestResult {
    let sb = sandbox().await;
    let (http, url) = (client(), sb.url());
    let fault = json!({"endpoint": "cpay/micro_pay", "kind": "delay", "delay_ms": 60_000});
    let armed = http
        .post(format!("{url}_sandbox/faults"))
        .json(&fault)
        .send()
        .await?;
    assert_eq!(armed.status(), 201);
    let text = cloud_content(1, pay_content("sz0100sbox-late", 100, Some(PAID_CODE))).to_string();
    let code = authen_key().sign(&text);
    let slow = tokio::spawn(async move { cloud_raw(&http, &url, "micro_pay", &text, &code).await });
    // Let the request reach the delay before stopping.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(sb.ledger().orders.len(), 0);
    let started = Instant::now();
    sb.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "shutdown waited for the delay: {:?}",
        started.elapsed()
    );
    let answered = slow.await?;
    assert!(
        answered.as_ref().map_or(true, |r| !r.status().is_success()),
        "{answered:?}"
    );
    Ok(())
}
