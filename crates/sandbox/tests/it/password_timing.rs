//! Password payments (`100N`) settle by time, as a real customer typing the password does:
//! paid about N×3 s after the pay call whether or not anybody asked. Queries only report
//! it. These tests run on tokio's paused clock, the sandbox's clock for such durations.

use std::time::Duration;

use crate::common::*;
use cashier_sandbox::Ledger;
use serde_json::json;

fn state(ledger: &Ledger, reference: &str) -> Option<(String, u32)> {
    ledger
        .order(reference)
        .map(|o| (o.state.clone(), o.queries))
}

fn pending(queries: u32) -> Option<(String, u32)> {
    Some(("userpaying".into(), queries))
}

fn paid(queries: u32) -> Option<(String, u32)> {
    Some(("paid".into(), queries))
}

#[tokio::test(start_paused = true)]
async fn charged_by_time_without_a_single_query() -> TestResult {
    let sb = sandbox().await;
    let mut tour = Tour::new(&sb);
    tour.login().await;
    let (http, url) = (client(), sb.url());

    // Cloud Pay `1001` (3 s), POS `1002` (6 s), KouDaiLQ `1003` (9 s), all sent at once.
    let micro = cloud_content(
        1,
        pay_content("sz0100sbox-t1", 100, Some("134520273825381001")),
    );
    let a = cloud(&http, &url, "micro_pay", &micro).await;
    assert_eq!(a.content["status"], 0, "{:?}", a.content);
    let (_, a) = tour
        .post(POS_PAY, &pos_body("T2", "134520273825381002", "2"))
        .await;
    assert_eq!(a["errcode"], 1, "{a}");
    let pos = a["tag"]["autoid"].to_string();
    let koudai = json!({"BusinessType": 1, "operatorNo": "001", "billNum": "T3", "summary": 3,
        "barCode": "134520273825381003"});
    let (_, a) = tour.post("/api/3Pay/KouDaiLQ/BarCode", &koudai).await;
    assert_eq!(a["tag"]["paystatus"], "USERPAYING", "{a}");
    let kd = a["tag"]["autoid"].as_str().unwrap_or_default().to_string();

    let ms = Duration::from_millis;
    tokio::time::sleep(ms(2_900)).await;
    let ledger = sb.ledger();
    assert_eq!(ledger.charges.len(), 0, "{ledger:?}");
    assert_eq!(state(&ledger, "sz0100sbox-t1"), pending(0));

    tokio::time::sleep(ms(100)).await;
    let ledger = sb.ledger();
    assert_eq!(state(&ledger, "sz0100sbox-t1"), paid(0));
    assert_eq!(state(&ledger, &pos), pending(0));
    assert_eq!(ledger.total_charged().0, 100);

    tokio::time::sleep(ms(3_000)).await;
    let ledger = sb.ledger();
    assert_eq!(state(&ledger, &pos), paid(0));
    assert_eq!(state(&ledger, &kd), pending(0));

    tokio::time::sleep(ms(3_000)).await;
    // The control endpoint sees the same as the library call.
    let ledger: Ledger = http
        .get(format!("{url}_sandbox/ledger"))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(state(&ledger, &kd), paid(0));
    assert_eq!(ledger.charges.len(), 3);
    assert_eq!(ledger.total_charged().0, 100 + 200 + 300);
    // Asking afterwards reports the payment and charges nothing more.
    let (_, q) = tour
        .post(
            "/api/3Pay/KouDaiLQ/Query",
            &json!({"billnum": "T3", "autoid": kd, "billtype": "1", "paytype": "KD"}),
        )
        .await;
    assert_eq!(q["tag"]["paystatus"], "SUCCESS", "{q}");
    assert_eq!(sb.ledger().charges.len(), 3);
    sb.shutdown().await;
    Ok(())
}

/// The POS bill status reports the payment once the customer is done (`1003`: 9 s), and a
/// code that refuses or never finishes changes nothing.
#[tokio::test(start_paused = true)]
async fn pos_password_shows_in_the_bill_status_once_done() -> TestResult {
    let sb = sandbox().await;
    let tour = Tour::new(&sb);
    let (_, a) = tour
        .post(POS_PAY, &pos_body("S2", "134520273825381003", "8.8"))
        .await;
    assert_eq!(
        (a["errcode"].clone(), a["errmsg"].clone()),
        (json!(1), json!("需要查询 query the payment"))
    );
    for (after, expected) in [(0, "1"), (3, "1"), (5, "1"), (1, "3")] {
        tokio::time::sleep(Duration::from_secs(after)).await;
        let (_, s) = tour.get(&pos_status_path("S2")).await;
        assert_eq!(s["tag"]["paystate"], expected, "{s}");
    }
    let ledger = sb.ledger();
    assert_eq!(ledger.total_charged().0, 880);
    assert_eq!(
        ledger.orders.first().map(|o| (o.state.as_str(), o.queries)),
        Some(("paid", 4))
    );

    // Unregistered bill: its total is its first payment; declined codes change nothing.
    let (_, a) = tour
        .post(POS_PAY, &pos_body("S3", "134520273825382222", "1"))
        .await;
    assert_eq!(a["errmsg"], "余额不足 insufficient balance");
    let (_, a) = tour
        .post(POS_PAY, &pos_body("S3", "134520273825383333", "1"))
        .await;
    assert_eq!(a["errmsg"], "付款码已过期 payment code expired");
    let (_, s) = tour.get(&pos_status_path("S3")).await;
    assert_eq!(s["tag"]["paystate"], "1");
    let (_, a) = tour
        .post(POS_PAY, &pos_body("S4", "134520273825384444", "1"))
        .await;
    assert_eq!(a["errcode"], 1);
    for _ in 0..10 {
        tour.get(&pos_status_path("S4")).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    assert_eq!(sb.ledger().charges_for_bill("S4").len(), 0);

    // A code encrypted under another key does not open.
    let mut bad = pos_body("S5", PAID_CODE, "1");
    bad["wechatbarcode"] = json!("AAAAAAAAAAAAAAAAAAAAAA==");
    let (_, a) = tour.post(POS_PAY, &bad).await;
    assert_eq!(
        (a["errcode"].clone(), a["errmsg"].clone()),
        (
            json!(-1),
            json!("付款码解密失败 cannot decrypt the payment code")
        )
    );
    assert_eq!(tour.get(&pos_status_path("NOBILL")).await.1["errcode"], -1);
    sb.shutdown().await;
    Ok(())
}
