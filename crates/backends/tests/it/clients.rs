//! Every client call against the sandbox over loopback: each channel, each scenario, each
//! injected fault, with the sandbox's ledger as the witness of what was charged.

use std::sync::Arc;
use std::time::Duration;

use cashier_backends::cloudpay::{
    CloudPay, CloudPayConfig, Platform, RefundAuthority, RefundOutcome, TradeType,
};
use cashier_backends::crypto::{AuthenKey, TdesProfile};
use cashier_backends::http::{Http, HttpPolicy};
use cashier_backends::tourv5::{QrWallet, TourV5, TourV5Config, TourV5Session};
use cashier_core::{
    BillNo, Clock, Error, Fen, PaymentCode, PaymentOutcome, ScannerFraming, SystemClock,
};
use cashier_sandbox::{Sandbox, SandboxConfig};
use chrono::{DateTime, TimeDelta, Utc};
use secrecy::SecretString;
use serde_json::json;

const PAID: &str = "134520273825387649";
const ALIPAY_PAID: &str = "284520273825387649";

struct Fixture {
    sandbox: Sandbox,
    tv: TourV5,
    session: TourV5Session,
    cp: CloudPay,
    admin: reqwest::Client,
}

fn http(timeout: Duration) -> Http {
    Http::new(HttpPolicy {
        connect_timeout: Duration::from_secs(2),
        request_timeout: timeout,
    })
    .unwrap()
}

pub(crate) fn cloud(url: Vec<String>, key: &str, timeout: Duration) -> CloudPay {
    cloud_edited(url, key, timeout, &|_| {}).unwrap()
}

/// A Cloud Pay client for the sandbox's merchant, its configuration edited first: what
/// `CloudPay::new` says of it.
fn cloud_edited(
    url: Vec<String>,
    key: &str,
    timeout: Duration,
    edit: &dyn Fn(&mut CloudPayConfig),
) -> Result<CloudPay, Error> {
    let sc = SandboxConfig::default();
    let mut cfg = CloudPayConfig {
        hosts: url,
        order_prefix: sc.order_prefix,
        out_mch_id: sc.out_mch_id,
        out_sub_mch_id: sc.out_sub_mch_id,
        out_shop_id: sc.out_shop_id,
        ..CloudPayConfig::default()
    };
    edit(&mut cfg);
    CloudPay::new(
        http(timeout),
        cfg,
        AuthenKey::new(SecretString::from(key)).unwrap(),
    )
}

async fn fixture_with(sc: SandboxConfig, timeout: Duration) -> Fixture {
    let sandbox = Sandbox::start(sc.clone()).await.unwrap();
    let tv = TourV5::new(
        http(timeout),
        TourV5Config {
            base_url: sandbox.url(),
            ..TourV5Config::default()
        },
        Arc::new(SystemClock),
    )
    .unwrap();
    let session = tv
        .login(&sc.operator, &SecretString::from(sc.password.clone()))
        .await
        .unwrap();
    let cp = cloud(vec![sandbox.url()], &sc.authen_key, timeout);
    Fixture {
        sandbox,
        tv,
        session,
        cp,
        admin: reqwest::Client::new(),
    }
}

async fn fixture() -> Fixture {
    fixture_with(SandboxConfig::default(), Duration::from_secs(5)).await
}

fn code(s: &str) -> PaymentCode {
    PaymentCode::parse(s, &ScannerFraming::default()).unwrap()
}

fn bill(s: &str) -> BillNo {
    BillNo::parse(s).unwrap()
}

/// A refund authorised by a staff member, as a till asks it.
fn staff() -> RefundAuthority {
    RefundAuthority::Staff {
        staff_id: "staff-0042".into(),
        name: Some("店长 boss".into()),
    }
}

impl Fixture {
    async fn fault(&self, endpoint: &str, kind: &str) {
        let r = self
            .admin
            .post(format!("{}_sandbox/faults", self.sandbox.url()))
            .json(&json!({"endpoint": endpoint, "kind": kind, "count": 1, "delay_ms": 300}))
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success(),
            "arming {kind} on {endpoint}: {}",
            r.status()
        );
    }

    async fn customer(&self, code_url: &str, action: &str) {
        let url = if action == "pay" {
            code_url.to_string()
        } else {
            format!("{code_url}/{action}")
        };
        let r = self
            .admin
            .post(url)
            .header("Accept", "application/json")
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "customer {action}: {}", r.status());
    }

    fn charges(&self, bill: &str) -> usize {
        self.sandbox.ledger().charges_for_bill(bill).len()
    }
}

fn is_paid(o: &PaymentOutcome) -> bool {
    matches!(o, PaymentOutcome::Paid { .. })
}

#[tokio::test]
async fn login_detects_the_tdes_profile_and_the_session_signs_pos_calls() {
    let sc = SandboxConfig {
        tdes_profile: TdesProfile::AsciiEcb,
        ..SandboxConfig::default()
    };
    let f = fixture_with(sc, Duration::from_secs(5)).await;
    assert_eq!(
        f.session.tdes_profile,
        TdesProfile::AsciiEcb,
        "detected from HawkRealKey"
    );
    assert!(!f.session.merchant_name.is_empty());
    assert!(
        !format!("{:?}", f.session).contains("E10ADC"),
        "session Debug shows no key"
    );
    // The POS call encrypts the code with the detected profile; the sandbox decrypts it.
    let o =
        f.tv.pos_wechat_barcode(&f.session, &bill("P-PROFILE"), Fen(100), &code(PAID))
            .await
            .unwrap();
    assert!(is_paid(&o), "{o:?}");
    assert_eq!(f.charges("P-PROFILE"), 1);
}

#[tokio::test]
async fn wrong_password_and_unknown_operator_are_refused() {
    let f = fixture().await;
    let e =
        f.tv.login("cashier", &SecretString::from("wrong"))
            .await
            .unwrap_err();
    assert!(e.refusal().is_some_and(|r| r.vendor_code == "401"), "{e:?}");
    let e =
        f.tv.login("nobody", &SecretString::from("123456"))
            .await
            .unwrap_err();
    assert!(e.refusal().is_some_and(|r| r.vendor_code == "401"), "{e:?}");
}

/// What a log line would show of a session never holds its keys: `UPPER(MD5("123456"))`, the
/// sandbox's default password key, and the session key stay `[REDACTED]`.
#[tokio::test]
async fn a_sessions_debug_shows_no_key() {
    let f = fixture().await;
    let shown = format!("{:?}", f.session);
    assert!(shown.contains("[REDACTED]"), "{shown}");
    assert!(
        !shown.contains("E10ADC3949BA59ABBE56E057F20F883E"),
        "{shown}"
    );
}

#[derive(Debug)]
struct Skewed(TimeDelta);
impl Clock for Skewed {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.0
    }
}

/// A till two hours off. The sandbox holds login to HAWK's 60-second window too and answers
/// a stale `ts` with the server's time and its `tsm`: the client adopts that time and retries
/// once, so it logs in and pays; a session that lost its correction gets it back the same way.
#[tokio::test]
async fn clock_skew_is_corrected_from_server_time() {
    let f = fixture().await;
    let tv = TourV5::new(
        http(Duration::from_secs(5)),
        TourV5Config {
            base_url: f.sandbox.url(),
            ..TourV5Config::default()
        },
        Arc::new(Skewed(TimeDelta::hours(2))),
    )
    .unwrap();
    let mut session = tv
        .login("cashier", &SecretString::from("123456"))
        .await
        .unwrap();
    let skew = session.clock_skew.num_seconds();
    assert!((-7205..=-7195).contains(&skew), "skew {skew}");
    let o = tv
        .koudai_barcode(&session, &bill("SKEW-1"), Fen(100), &code(PAID))
        .await
        .unwrap();
    assert!(is_paid(&o), "{o:?}");
    // Without the correction the back office refuses the stale `ts` before doing anything,
    // with its own time: the client adopts it, sends again, and the payment is charged once.
    session.clock_skew = TimeDelta::zero();
    let o = tv
        .koudai_barcode(&session, &bill("SKEW-2"), Fen(100), &code(PAID))
        .await
        .unwrap();
    assert!(is_paid(&o), "{o:?}");
    assert_eq!(f.charges("SKEW-2"), 1);
}

/// The same from the other side: the back office's clock (the sandbox's, moved by
/// `clock_offset_secs`) is two hours ahead of a till whose own clock is right.
#[tokio::test]
async fn a_back_office_clock_hours_away_is_learnt_from_the_stale_answer() {
    let sc = SandboxConfig {
        clock_offset_secs: 2 * 3600,
        ..SandboxConfig::default()
    };
    let f = fixture_with(sc, Duration::from_secs(5)).await;
    let skew = f.session.clock_skew.num_seconds();
    assert!((7195..=7205).contains(&skew), "skew {skew}");
    let o =
        f.tv.koudai_barcode(&f.session, &bill("AWAY-1"), Fen(100), &code(PAID))
            .await
            .unwrap();
    assert!(is_paid(&o), "{o:?}");
    assert_eq!(f.charges("AWAY-1"), 1);
}

#[tokio::test]
async fn wechat_and_alipay_qr_paid_or_declined_from_the_customer_page() {
    let f = fixture().await;
    for (wallet, b) in [(QrWallet::Wechat, "QR-W"), (QrWallet::Alipay, "QR-A")] {
        let qr =
            f.tv.qr_pay(&f.session, wallet, &bill(b), Fen(880))
                .await
                .unwrap();
        assert!(qr.code_url.contains("/_sandbox/pay/"), "{}", qr.code_url);
        let o =
            f.tv.qr_query(&f.session, wallet, &bill(b), &qr.reference)
                .await
                .unwrap();
        assert!(matches!(o, PaymentOutcome::Pending { .. }), "{o:?}");
        assert_eq!(f.charges(b), 0, "issuing a QR charges nothing");
        f.customer(&qr.code_url, "pay").await;
        let o =
            f.tv.qr_query(&f.session, wallet, &bill(b), &qr.reference)
                .await
                .unwrap();
        assert!(is_paid(&o), "{o:?}");
        assert_eq!(f.charges(b), 1);
    }
    let qr =
        f.tv.qr_pay(&f.session, QrWallet::Alipay, &bill("QR-D"), Fen(100))
            .await
            .unwrap();
    f.customer(&qr.code_url, "decline").await;
    let o =
        f.tv.qr_query(&f.session, QrWallet::Alipay, &bill("QR-D"), &qr.reference)
            .await
            .unwrap();
    assert!(matches!(o, PaymentOutcome::Failed { .. }), "{o:?}");
    assert_eq!(f.charges("QR-D"), 0);
}

/// On tokio's paused clock: password payments settle by time (about N×3 s), as a customer
/// typing a password would.
#[tokio::test(start_paused = true)]
async fn koudai_barcode_scenarios() {
    let f = fixture().await;
    let pay = |b: &'static str, c: &'static str| {
        let (tv, s) = (&f.tv, &f.session);
        async move {
            tv.koudai_barcode(s, &bill(b), Fen(1234), &code(c))
                .await
                .unwrap()
        }
    };
    assert!(is_paid(&pay("KD-PAID", PAID).await));
    assert_eq!(f.charges("KD-PAID"), 1);

    let o = pay("KD-PW", "134520273825381003").await;
    let PaymentOutcome::Pending {
        reference: Some(autoid),
        ..
    } = o
    else {
        panic!("{o:?}")
    };
    // Paid about 9 s after the pay call: not before, whatever the number of queries.
    for _ in 0..4 {
        let q =
            f.tv.koudai_query(&f.session, &bill("KD-PW"), &autoid)
                .await
                .unwrap();
        assert!(matches!(q, PaymentOutcome::Pending { .. }), "{q:?}");
        assert_eq!(f.charges("KD-PW"), 0);
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let q =
        f.tv.koudai_query(&f.session, &bill("KD-PW"), &autoid)
            .await
            .unwrap();
    assert!(is_paid(&q), "{q:?}");
    assert_eq!(f.charges("KD-PW"), 1);
    // A lost answer leaves no autoid, which the query requires (seed 003): nothing is
    // asked, and the payment is Unknown until someone looks in the back office.
    let queries = |f: &Fixture| {
        f.sandbox
            .ledger()
            .orders
            .iter()
            .map(|o| o.queries)
            .sum::<u32>()
    };
    let asked = queries(&f);
    for autoid in ["", "  "] {
        let q =
            f.tv.koudai_query(&f.session, &bill("KD-PW"), autoid)
                .await
                .unwrap();
        assert!(
            matches!(&q, PaymentOutcome::Unknown { reason } if reason.contains("back office")),
            "{q:?}"
        );
    }
    assert_eq!(queries(&f), asked, "nothing was sent");

    let declined = pay("KD-NO", "134520273825382222").await;
    assert!(
        matches!(&declined, PaymentOutcome::Failed { reason, .. } if reason.contains("余额不足")),
        "{declined:?}"
    );
    let expired = pay("KD-EXP", "134520273825383333").await;
    assert!(
        matches!(&expired, PaymentOutcome::Failed { reason, .. } if reason.contains("过期")),
        "{expired:?}"
    );
    let o = pay("KD-FOREVER", "134520273825384444").await;
    let PaymentOutcome::Pending {
        reference: Some(autoid),
        ..
    } = o
    else {
        panic!("{o:?}")
    };
    for _ in 0..12 {
        let q =
            f.tv.koudai_query(&f.session, &bill("KD-FOREVER"), &autoid)
                .await
                .unwrap();
        assert!(matches!(q, PaymentOutcome::Pending { .. }), "{q:?}");
    }
    for b in ["KD-NO", "KD-EXP", "KD-FOREVER"] {
        assert_eq!(f.charges(b), 0, "{b}");
    }
}

/// On tokio's paused clock: password payments settle by time (about N×3 s), as a customer
/// typing a password would.
#[tokio::test(start_paused = true)]
async fn pos_wechat_barcode_scenarios_and_partial_payment() {
    let f = fixture().await;
    let b = bill("POS-PART");
    let r = f
        .admin
        .post(format!("{}_sandbox/bills", f.sandbox.url()))
        .json(&json!({"billnum": "POS-PART", "total_fen": 10000}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let o =
        f.tv.pos_wechat_barcode(&f.session, &b, Fen(3000), &code(PAID))
            .await
            .unwrap();
    assert!(
        matches!(&o, PaymentOutcome::PartlyPaid { bill_state, .. } if bill_state != "3"),
        "{o:?}"
    );
    let o =
        f.tv.pos_wechat_barcode(&f.session, &b, Fen(7000), &code(PAID))
            .await
            .unwrap();
    assert!(is_paid(&o), "the remainder completes the bill: {o:?}");
    assert_eq!(f.charges("POS-PART"), 2);

    let o =
        f.tv.pos_wechat_barcode(
            &f.session,
            &bill("POS-PW"),
            Fen(500),
            &code("134520273825381002"),
        )
        .await
        .unwrap();
    assert!(
        matches!(o, PaymentOutcome::Pending { .. }),
        "errcode 1 → poll: {o:?}"
    );
    let mut polls = 0;
    let paid = loop {
        polls += 1;
        let q =
            f.tv.pos_bill_status(&f.session, &bill("POS-PW"), Some(Fen(500)))
                .await
                .unwrap();
        if !matches!(q, PaymentOutcome::Pending { .. }) || polls > 5 {
            break q;
        }
        // The customer types the password meanwhile (about 6 s for …1002).
        tokio::time::sleep(Duration::from_secs(3)).await;
    };
    assert!(is_paid(&paid), "{paid:?} after {polls} polls");
    assert_eq!(f.charges("POS-PW"), 1);

    let o =
        f.tv.pos_wechat_barcode(
            &f.session,
            &bill("POS-NO"),
            Fen(500),
            &code("134520273825382222"),
        )
        .await
        .unwrap();
    assert!(matches!(o, PaymentOutcome::Failed { .. }), "{o:?}");
    assert_eq!(f.charges("POS-NO"), 0);
}

#[tokio::test]
async fn cloud_pay_qr_close_and_refund() {
    let f = fixture().await;
    let expires = Utc::now() + TimeDelta::minutes(5);
    let qr =
        f.cp.scan_code_pay(
            "sz0100sboxQR1",
            &bill("sz0100sboxQR1"),
            Platform::Wechat,
            Fen(1600),
            expires,
        )
        .await
        .unwrap();
    assert_eq!(qr.reference, "sz0100sboxQR1");
    let q =
        f.cp.query_order("sz0100sboxQR1", Platform::Wechat, TradeType::Qr, Fen(1600))
            .await
            .unwrap();
    assert!(matches!(q, PaymentOutcome::Pending { .. }), "{q:?}");
    f.customer(&qr.code_url, "pay").await;
    let q =
        f.cp.query_order("sz0100sboxQR1", Platform::Wechat, TradeType::Qr, Fen(1600))
            .await
            .unwrap();
    assert!(is_paid(&q), "{q:?}");
    // A paid order cannot be closed.
    assert!(matches!(
        f.cp.close_order("sz0100sboxQR1", Platform::Wechat, TradeType::Qr)
            .await,
        Err(Error::Call(cashier_core::CallError::Refused(_)))
    ));
    // Refund, then poll its end state.
    let r =
        f.cp.refund(
            "sz0100sboxQR1",
            "sz0100sboxR1",
            Platform::Wechat,
            Fen(1600),
            Fen(600),
            &staff(),
        )
        .await
        .unwrap();
    assert_eq!(r, RefundOutcome::Refunding);
    let r =
        f.cp.query_refund("sz0100sboxQR1", "sz0100sboxR1", Platform::Wechat)
            .await
            .unwrap();
    assert!(matches!(r, RefundOutcome::Refunded { .. }), "{r:?}");

    let qr =
        f.cp.scan_code_pay(
            "sz0100sboxQR2",
            &bill("sz0100sboxQR2"),
            Platform::Alipay,
            Fen(100),
            expires,
        )
        .await
        .unwrap();
    f.cp.close_order("sz0100sboxQR2", Platform::Alipay, TradeType::Qr)
        .await
        .unwrap();
    let q =
        f.cp.query_order("sz0100sboxQR2", Platform::Alipay, TradeType::Qr, Fen(100))
            .await
            .unwrap();
    assert!(matches!(q, PaymentOutcome::Failed { .. }), "closed: {q:?}");
    let r = f
        .admin
        .post(&qr.code_url)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "a closed order cannot be paid");
    // Order numbers must carry the merchant prefix.
    assert!(matches!(
        f.cp.scan_code_pay("xx1", &bill("xx1"), Platform::Wechat, Fen(1), expires)
            .await,
        Err(Error::Config(_))
    ));
}

/// On tokio's paused clock: password payments settle by time (about N×3 s), as a customer
/// typing a password would.
#[tokio::test(start_paused = true)]
async fn cloud_pay_micro_pay_scenarios_and_duplicates() {
    let f = fixture().await;
    let o =
        f.cp.micro_pay("sz0100sboxM1", &bill("sz0100sboxM1"), Fen(100), &code(PAID))
            .await
            .unwrap();
    assert!(is_paid(&o), "{o:?}");
    let o =
        f.cp.micro_pay(
            "sz0100sboxM2",
            &bill("sz0100sboxM2"),
            Fen(100),
            &code(ALIPAY_PAID),
        )
        .await
        .unwrap();
    assert!(is_paid(&o), "alipay code routes to platform 2: {o:?}");
    // Same order number again: 407, Unknown, and no second charge.
    let o =
        f.cp.micro_pay("sz0100sboxM1", &bill("sz0100sboxM1"), Fen(100), &code(PAID))
            .await
            .unwrap();
    assert!(matches!(o, PaymentOutcome::Unknown { .. }), "{o:?}");
    let ledger = f.sandbox.ledger();
    assert_eq!(
        ledger
            .charges
            .iter()
            .filter(|c| c.reference == "sz0100sboxM1")
            .count(),
        1
    );

    let o =
        f.cp.micro_pay(
            "sz0100sboxM3",
            &bill("sz0100sboxM3"),
            Fen(100),
            &code("134520273825381002"),
        )
        .await
        .unwrap();
    assert!(matches!(o, PaymentOutcome::Pending { .. }), "{o:?}");
    let mut q = o;
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_secs(3)).await;
        q =
            f.cp.query_order(
                "sz0100sboxM3",
                Platform::Wechat,
                TradeType::Barcode,
                Fen(100),
            )
            .await
            .unwrap();
        if is_paid(&q) {
            break;
        }
    }
    assert!(is_paid(&q), "{q:?}");
    for (no, c, word) in [
        ("sz0100sboxM4", "134520273825382222", "余额不足"),
        ("sz0100sboxM5", "134520273825383333", "过期"),
    ] {
        let o =
            f.cp.micro_pay(no, &bill(no), Fen(100), &code(c))
                .await
                .unwrap();
        assert!(
            matches!(&o, PaymentOutcome::Failed { reason, .. } if reason.contains(word)),
            "{o:?}"
        );
    }
    // A UnionPay code is not for Cloud Pay: refused before anything is sent.
    let e =
        f.cp.micro_pay(
            "sz0100sboxM6",
            &bill("sz0100sboxM6"),
            Fen(100),
            &code("6212345678901234567"),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Code(_)), "{e:?}");
    assert_eq!(e.fate(), cashier_core::CallFate::NotSent);
}

/// `String(n)` limits count UTF-8 bytes (a 43-character Chinese `body` is 129 bytes, over
/// 128) and are checked before anything is sent: a deployment learns at start.
#[tokio::test]
async fn cloud_pay_string_limits_are_bytes_checked_before_sending() {
    let f = fixture().await;
    let sc = SandboxConfig::default();
    let with = |edit: &dyn Fn(&mut CloudPayConfig)| {
        cloud_edited(
            vec![f.sandbox.url()],
            &sc.authen_key,
            Duration::from_secs(5),
            edit,
        )
    };
    let e = with(&|c| c.body = "门".repeat(43)).unwrap_err();
    assert!(
        matches!(&e, Error::Config(c) if c.words().1.contains("pay_content.body") && c.words().1.contains("129 bytes")),
        "{e:?}"
    );
    let e = with(&|c| c.machine_no = "机".repeat(11)).unwrap_err();
    assert!(
        matches!(&e, Error::Config(c) if c.words().1.contains("order_client.machine_no")),
        "{e:?}"
    );
    let e = with(&|c| c.product_id = String::new()).unwrap_err();
    assert!(
        matches!(&e, Error::Config(c) if c.words().1.contains("product_id")),
        "{e:?}"
    );
    assert!(f.sandbox.ledger().orders.is_empty(), "nothing was sent");
    // 42 characters are 126 bytes: the sandbox, as strict as Cloud Pay, takes them.
    let cp = with(&|c| c.body = "门".repeat(42)).unwrap();
    let o = cp
        .micro_pay(
            "sz0100sboxBody",
            &bill("sz0100sboxBody"),
            Fen(100),
            &code(PAID),
        )
        .await
        .unwrap();
    assert!(is_paid(&o), "{o:?}");
}

/// The addresses and the sub-platform a deployment sets are checked when the client is made,
/// as strictly as the backends check them: Cloud Pay's `spbill_create_ip` and Tour V5's
/// `clientip` are IPv4 addresses, `sub_pay_platform` is 100 or 200. What passes, the sandbox
/// (as strict as the backends) takes.
#[tokio::test]
async fn addresses_and_sub_pay_platform_are_checked_when_the_client_is_made() {
    let f = fixture().await;
    let sc = SandboxConfig::default();
    let cloud_with = |edit: &dyn Fn(&mut CloudPayConfig)| {
        cloud_edited(
            vec![f.sandbox.url()],
            &sc.authen_key,
            Duration::from_secs(5),
            edit,
        )
    };
    let tour_with = |ip: &str| {
        TourV5::new(
            http(Duration::from_secs(5)),
            TourV5Config {
                base_url: f.sandbox.url(),
                clientip: Some(ip.to_string()),
                ..TourV5Config::default()
            },
            Arc::new(SystemClock),
        )
    };
    for ip in [
        "localhost",
        "::1",
        "192.168.0.256",
        "192.168.0",
        " 10.0.0.1",
        "",
    ] {
        let e = cloud_with(&|c| c.spbill_create_ip = ip.to_string()).unwrap_err();
        assert!(
            matches!(&e, Error::Config(c) if c.words().1.contains("spbill_create_ip")),
            "{ip:?}: {e:?}"
        );
        let e = tour_with(ip).unwrap_err();
        assert!(
            matches!(&e, Error::Config(c) if c.words().1.contains("clientip")),
            "{ip:?}: {e:?}"
        );
    }
    for sub in [0, 1, 2, 300, 401] {
        let e = cloud_with(&|c| c.sub_pay_platform = Some(sub)).unwrap_err();
        assert!(
            matches!(&e, Error::Config(c) if c.words().1.contains("sub_pay_platform")),
            "{sub}: {e:?}"
        );
    }
    assert!(f.sandbox.ledger().orders.is_empty(), "nothing was sent");

    let cp = cloud_with(&|c| {
        c.spbill_create_ip = "10.1.2.3".into();
        c.sub_pay_platform = Some(100);
    })
    .unwrap();
    let o = cp
        .micro_pay("sz0100sboxIP", &bill("sz0100sboxIP"), Fen(100), &code(PAID))
        .await
        .unwrap();
    assert!(is_paid(&o), "{o:?}");
    let tv = tour_with("10.1.2.3").unwrap();
    let session = tv
        .login(&sc.operator, &SecretString::from(sc.password.clone()))
        .await
        .unwrap();
    let qr = tv
        .qr_pay(&session, QrWallet::Wechat, &bill("QR-IP"), Fen(100))
        .await
        .unwrap();
    assert!(!qr.reference.is_empty());
}

/// Two partial refunds of one order, each followed by its own number: `query_refund_order`
/// names the order and the refund at the top level, and its answer lists every refund.
#[tokio::test]
async fn cloud_pay_partial_refunds_are_followed_by_their_own_numbers() {
    let f = fixture().await;
    let o =
        f.cp.micro_pay(
            "sz0100sboxRF",
            &bill("sz0100sboxRF"),
            Fen(1000),
            &code(ALIPAY_PAID),
        )
        .await
        .unwrap();
    assert!(is_paid(&o), "{o:?}");
    for (no, fee) in [("sz0100sboxRF-1", 300), ("sz0100sboxRF-2", 200)] {
        let r =
            f.cp.refund(
                "sz0100sboxRF",
                no,
                Platform::Alipay,
                Fen(1000),
                Fen(fee),
                &staff(),
            )
            .await
            .unwrap();
        assert_eq!(r, RefundOutcome::Refunding, "{no}");
    }
    for (no, fee) in [("sz0100sboxRF-2", 200), ("sz0100sboxRF-1", 300)] {
        let r =
            f.cp.query_refund("sz0100sboxRF", no, Platform::Alipay)
                .await
                .unwrap();
        assert_eq!(
            r,
            RefundOutcome::Refunded {
                refund_fee: Some(fee)
            },
            "{no}"
        );
    }
    let r =
        f.cp.query_refund("sz0100sboxRF", "sz0100sboxRF-9", Platform::Alipay)
            .await
            .unwrap();
    assert!(matches!(r, RefundOutcome::Unknown { .. }), "{r:?}");
    assert_eq!(f.sandbox.ledger().net_charged(), Fen(500));
}

#[tokio::test]
async fn cloud_pay_bad_authen_key_is_refused_unsigned() {
    let f = fixture().await;
    let wrong = cloud(
        vec![f.sandbox.url()],
        "ffffffffffffffffffffffffffffffff",
        Duration::from_secs(5),
    );
    let o = wrong
        .micro_pay("sz0100sboxK1", &bill("sz0100sboxK1"), Fen(100), &code(PAID))
        .await
        .unwrap();
    assert!(
        matches!(o, PaymentOutcome::Failed { .. }),
        "status 101 → failed: {o:?}"
    );
    assert_eq!(f.sandbox.ledger().charges.len(), 0);
}

#[tokio::test]
async fn cloud_pay_fails_over_to_the_next_host() {
    let f = fixture().await;
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", l.local_addr().unwrap())
    };
    let cp = cloud(
        vec![dead, f.sandbox.url()],
        &SandboxConfig::default().authen_key,
        Duration::from_secs(5),
    );
    assert!(is_paid(
        &cp.micro_pay("sz0100sboxF1", &bill("sz0100sboxF1"), Fen(100), &code(PAID))
            .await
            .unwrap()
    ));
}

#[tokio::test]
async fn unreachable_back_office_is_an_error_not_an_outcome() {
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", l.local_addr().unwrap())
    };
    let tv = TourV5::new(
        http(Duration::from_secs(2)),
        TourV5Config {
            base_url: dead,
            ..TourV5Config::default()
        },
        Arc::new(SystemClock),
    )
    .unwrap();
    let e = tv
        .login("cashier", &SecretString::from("123456"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Call(cashier_core::CallError::NotSent(_))),
        "{e:?}"
    );
    assert_eq!(e.code(), "unreachable");
}

/// Each fault on the money-moving call: never "paid" from a broken answer, never "failed"
/// when the money may have moved, and the query afterwards tells the truth.
#[tokio::test]
async fn faults_on_micro_pay_end_unknown_and_the_query_tells_the_truth() {
    let f = fixture_with(SandboxConfig::default(), Duration::from_millis(1500)).await;
    let cases = [
        ("http500", false),
        ("reset", false),
        ("html_error", false),
        ("malformed_json", true),
        ("bad_signature", true),
        ("commit_then_hang", true),
    ];
    for (i, (kind, charged)) in cases.into_iter().enumerate() {
        let no = format!("sz0100sboxFault{i}");
        f.fault("cpay/micro_pay", kind).await;
        let o =
            f.cp.micro_pay(&no, &bill(&no), Fen(100), &code(PAID))
                .await
                .unwrap();
        assert!(matches!(o, PaymentOutcome::Unknown { .. }), "{kind}: {o:?}");
        let q =
            f.cp.query_order(&no, Platform::Wechat, TradeType::Barcode, Fen(100))
                .await
                .unwrap();
        assert_eq!(is_paid(&q), charged, "{kind}: query says {q:?}");
        let n = f
            .sandbox
            .ledger()
            .charges
            .iter()
            .filter(|c| c.reference == no)
            .count();
        assert_eq!(n, usize::from(charged), "{kind}: ledger");
    }
    f.fault("cpay/micro_pay", "delay").await;
    assert!(
        is_paid(
            &f.cp
                .micro_pay(
                    "sz0100sboxFaultDelay",
                    &bill("sz0100sboxFaultDelay"),
                    Fen(100),
                    &code(PAID)
                )
                .await
                .unwrap()
        ),
        "a short delay is just slow"
    );
}

#[tokio::test]
async fn faults_on_tourv5_barcode_end_unknown() {
    let f = fixture_with(SandboxConfig::default(), Duration::from_millis(1500)).await;
    for (i, kind) in [
        "http500",
        "reset",
        "html_error",
        "malformed_json",
        "commit_then_hang",
    ]
    .into_iter()
    .enumerate()
    {
        let b = format!("TVF{i}");
        f.fault("api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode", kind)
            .await;
        let o =
            f.tv.pos_wechat_barcode(&f.session, &bill(&b), Fen(100), &code(PAID))
                .await
                .unwrap();
        assert!(matches!(o, PaymentOutcome::Unknown { .. }), "{kind}: {o:?}");
        let q =
            f.tv.pos_bill_status(&f.session, &bill(&b), Some(Fen(100)))
                .await
                .unwrap();
        let charged = f.charges(&b) == 1;
        assert_eq!(
            is_paid(&q),
            charged,
            "{kind}: the bill status agrees with the ledger ({q:?})"
        );
    }
    // Tour V5 has no answer signatures; the sandbox's bad_signature fault refuses ours (401).
    f.fault("api/3Pay/KouDaiLQ/BarCode", "bad_signature").await;
    let e =
        f.tv.koudai_barcode(&f.session, &bill("TVF-SIG"), Fen(100), &code(PAID))
            .await
            .unwrap_err();
    assert!(e.refusal().is_some_and(|r| r.vendor_code == "401"), "{e:?}");
    assert_eq!(f.charges("TVF-SIG"), 0);
}

#[tokio::test]
async fn preconnect_is_harmless() {
    let f = fixture().await;
    f.tv.preconnect().await;
    f.cp.preconnect().await;
    assert!(is_paid(
        &f.cp
            .micro_pay("sz0100sboxPre", &bill("sz0100sboxPre"), Fen(1), &code(PAID))
            .await
            .unwrap()
    ));
}

/// The HAWK key-bytes assumption is configuration: a back office that reads the key string
/// as hex works once both sides say so, and a mismatch is refused before anything is done.
#[tokio::test]
async fn hawk_key_bytes_are_configurable() {
    use cashier_backends::crypto::HawkKeyBytes;
    let sc = SandboxConfig {
        hawk_key_bytes: HawkKeyBytes::Hex,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(sc.clone()).await.unwrap();
    let client = |kb| {
        TourV5::new(
            http(Duration::from_secs(5)),
            TourV5Config {
                base_url: sandbox.url(),
                hawk_key_bytes: kb,
                ..TourV5Config::default()
            },
            Arc::new(SystemClock),
        )
        .unwrap()
    };
    let password = SecretString::from(sc.password.clone());
    let e = client(HawkKeyBytes::Utf8)
        .login(&sc.operator, &password)
        .await
        .unwrap_err();
    assert!(e.refusal().is_some_and(|r| r.vendor_code == "401"), "{e:?}");
    let tv = client(HawkKeyBytes::Hex);
    let s = tv.login(&sc.operator, &password).await.unwrap();
    let o = tv
        .pos_wechat_barcode(&s, &bill("HEX-1"), Fen(100), &code(PAID))
        .await
        .unwrap();
    assert!(is_paid(&o), "{o:?}");
    let o = tv
        .koudai_barcode(&s, &bill("HEX-2"), Fen(100), &code(PAID))
        .await
        .unwrap();
    assert!(is_paid(&o), "{o:?}");
}
