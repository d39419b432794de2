//! Cloud Pay's fail-over hosts (docs/protocols.md §1): a call moves to the next host only when
//! it certainly never left, or when asking again is harmless (queries, closing an order). A
//! payment or a refund whose answer was lost is never sent to another host: both hosts are one
//! backend, so the first may already have charged, and the till must ask, not pay again.
//!
//! The first host is the sandbox with a fault armed on the call; the second is a listener that
//! writes down every request line that reaches it and answers 503, the witness of whether the
//! client moved on.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cashier_backends::cloudpay::{Platform, RefundAuthority, RefundOutcome, TradeType};
use cashier_core::{BillNo, CallFate, Error, Fen, PaymentCode, PaymentOutcome, ScannerFraming};
use cashier_sandbox::{Sandbox, SandboxConfig};
use chrono::{TimeDelta, Utc};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::clients::cloud;

const PAID: &str = "134520273825387649";

/// A host that takes every request, writes down its request line and answers 503.
struct SecondHost {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl SecondHost {
    async fn start() -> SecondHost {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let log = log.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match conn.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&head);
                    if let Some(line) = text.lines().next().filter(|l| !l.is_empty()) {
                        log.lock().unwrap().push(line.to_string());
                    }
                    let _ = conn
                        .write_all(
                            b"HTTP/1.1 503 Service Unavailable\r\n\
                              Content-Length: 0\r\nConnection: close\r\n\r\n",
                        )
                        .await;
                });
            }
        });
        SecondHost { url, seen }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

async fn arm(sandbox: &Sandbox, endpoint: &str, kind: &str) {
    let r = reqwest::Client::new()
        .post(format!("{}_sandbox/faults", sandbox.url()))
        .json(&json!({"endpoint": endpoint, "kind": kind, "count": 1}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "arming {kind} on {endpoint}");
}

fn bill(s: &str) -> BillNo {
    BillNo::parse(s).unwrap()
}

fn staff() -> RefundAuthority {
    RefundAuthority::Staff {
        staff_id: "staff-0042".into(),
        name: None,
    }
}

/// A lost answer (the connection cut once the request is in) and a hung one (charged, then
/// nothing until the client's timeout): each payment and each refund stays on the first host
/// and ends Unknown, never charged twice; the queries that follow move on to the next host.
#[tokio::test]
async fn a_payment_or_refund_that_may_have_left_is_never_sent_to_the_next_host() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let key = SandboxConfig::default().authen_key;
    for (n, kind) in ["reset", "commit_then_hang"].into_iter().enumerate() {
        let second = SecondHost::start().await;
        let cp = cloud(
            vec![sandbox.url(), second.url.clone()],
            &key,
            Duration::from_secs(2),
        );

        let order = format!("sz0100sboxF{n}M");
        arm(&sandbox, "cpay/micro_pay", kind).await;
        let paid = cp
            .micro_pay(
                &order,
                &bill(&order),
                Fen(420),
                &PaymentCode::parse(PAID, &ScannerFraming::default()).unwrap(),
            )
            .await;
        assert!(
            matches!(paid, Ok(PaymentOutcome::Unknown { .. })),
            "{kind}: {paid:?}"
        );
        // `reset` cuts before the handler runs, `commit_then_hang` after it charged.
        let charged = usize::from(kind == "commit_then_hang");
        assert_eq!(
            sandbox.ledger().charges_for_bill(&order).len(),
            charged,
            "{kind}"
        );

        let qr = format!("sz0100sboxF{n}Q");
        arm(&sandbox, "cpay/scan_code_pay", kind).await;
        let issued = cp
            .scan_code_pay(
                &qr,
                &bill(&qr),
                Platform::Wechat,
                Fen(300),
                Utc::now() + TimeDelta::minutes(5),
            )
            .await;
        assert!(
            matches!(&issued, Err(Error::Call(c)) if c.fate() == CallFate::MayHaveMoved),
            "{kind}: {issued:?}"
        );

        let refund_no = format!("sz0100sboxF{n}R");
        arm(&sandbox, "cpay/refund", kind).await;
        let refunded = cp
            .refund(
                &order,
                &refund_no,
                Platform::Wechat,
                Fen(420),
                Fen(100),
                &staff(),
            )
            .await;
        assert!(
            matches!(refunded, Ok(RefundOutcome::Unknown { .. })),
            "{kind}: {refunded:?}"
        );
        assert!(
            second.seen().is_empty(),
            "{kind}: a call that may have left went to the next host: {:?}",
            second.seen()
        );

        // Asking is harmless: a query whose answer is lost is asked of the next host.
        arm(&sandbox, "cpay/query_order", kind).await;
        // The second host's 503 says nothing: still Unknown.
        let asked = cp
            .query_order(&order, Platform::Wechat, TradeType::Barcode, Fen(420))
            .await;
        assert!(
            matches!(asked, Ok(PaymentOutcome::Unknown { .. })),
            "{kind}: {asked:?}"
        );
        arm(&sandbox, "cpay/query_refund_order", kind).await;
        let asked = cp.query_refund(&order, &refund_no, Platform::Wechat).await;
        assert!(
            matches!(asked, Ok(RefundOutcome::Unknown { .. })),
            "{kind}: {asked:?}"
        );
        let seen = second.seen();
        assert_eq!(seen.len(), 2, "{kind}: {seen:?}");
        assert!(seen[0].starts_with("POST /cpay/query_order "), "{seen:?}");
        assert!(
            seen[1].starts_with("POST /cpay/query_refund_order "),
            "{seen:?}"
        );
    }
    // One charge in all (the hung payment's), and one refund (the hung refund's).
    let ledger = sandbox.ledger();
    assert_eq!(ledger.charges.len(), 1, "{:?}", ledger.charges);
    assert_eq!(ledger.refunds.len(), 1, "{:?}", ledger.refunds);
}
