//! The customer display (客显) as core derives it from a real till on the embedded sandbox: the
//! welcome under the shop's name, the amount, the QR code of the payment on the cashier's
//! screen, the password prompt with its time left, the outcome and back to the welcome; never
//! the payment code, an older payment, a refund or a manager's business. Also the status bar's
//! backends before and after the login, and the display's setting.

use std::time::Duration;

use cashier_core::customer_display::CustomerDisplay;
use cashier_core::print::SlipHeader;
use cashier_core::till::{
    AttemptFilter, BackendState, CustomerScreen, CustomerView, QrChoice, SettingsInput, Till,
    TillEvent, TillEvents,
};
use cashier_core::{AttemptId, Lang};
use cashier_sandbox::Sandbox;

const PAID: &str = "134520273825387649";
/// Waits for the password; paid about 2 × 3 s after the pay call.
const PASSWORD: &str = "134520273825381002";
const DECLINED: &str = "134520273825382222";
/// Waits for the password forever.
const FOREVER: &str = "134520273825384444";

struct Fixture {
    till: Till,
    _sandbox: Sandbox,
    note: cashier_core::till::SandboxNote,
    _dir: tempfile::TempDir,
}

async fn open(shop: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (till, sandbox, note) =
        crate::common::sandbox_till(dir.path(), dir.path().join("cashier.toml"), |cfg| {
            cfg.shop = shop.into()
        })
        .await;
    Fixture {
        till,
        _sandbox: sandbox,
        note,
        _dir: dir,
    }
}

impl Fixture {
    async fn log_in(&self) {
        self.till
            .login(&self.note.operator, self.note.password.clone())
            .await
            .unwrap();
    }
}

/// The next customer view on the stream that `pick` accepts; the ones passed over are kept in
/// `seen`.
async fn next_view(
    events: &mut TillEvents,
    seen: &mut Vec<CustomerView>,
    what: &str,
    pick: impl Fn(&CustomerView) -> bool,
) -> CustomerView {
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let Some(TillEvent::Customer { customer }) = events.recv().await {
                seen.push(customer.clone());
                if pick(&customer) {
                    return customer;
                }
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no customer view {what}; seen {seen:#?}"))
}

#[tokio::test]
async fn the_welcome_carries_the_shop_name_as_the_slip_prints_it() {
    let f = open("").await;
    let before = f.till.customer_view();
    assert_eq!(before.screen, CustomerScreen::Welcome);
    assert_eq!(
        (before.title.zh.as_str(), before.title.en.as_str()),
        ("欢迎光临", "Welcome")
    );
    assert_eq!(before.shop, SlipHeader::shop_name("", None, "01"));
    assert_eq!(before.amount_text, None);

    let named = open(" 小卖部 ").await;
    let mut events = named.till.subscribe();
    named.log_in().await;
    let mut seen = vec![];
    let welcome = next_view(&mut events, &mut seen, "after the login", |_| true).await;
    assert_eq!(welcome.screen, CustomerScreen::Welcome);
    assert_eq!(welcome.shop, "小卖部");
}

#[tokio::test]
async fn a_password_payment_shows_the_prompt_with_time_left_then_paid_and_no_code() {
    let f = open("").await;
    f.log_in().await;
    let mut events = f.till.subscribe();
    let a = f
        .till
        .start_barcode("C-PW-1", "8.00", PASSWORD)
        .await
        .unwrap();
    let mut seen = vec![];
    let prompt = next_view(&mut events, &mut seen, "asking for the password", |v| {
        v.screen == CustomerScreen::Password
    })
    .await;
    assert_eq!(prompt.title.zh, "请在手机上输入密码");
    assert_eq!(prompt.amount_text.as_deref(), Some("¥8.00"));
    let left = prompt.remaining_ms.expect("the time left");
    // A WeChat code goes to Cloud Pay on the sandbox, followed for up to 120 s.
    assert!(left > 0 && left <= 120_000, "{left}");

    let paid = next_view(&mut events, &mut seen, "paid", |v| {
        v.screen == CustomerScreen::Paid
    })
    .await;
    assert_eq!(paid.title.zh, "支付成功");
    assert_eq!(paid.amount_text.as_deref(), Some("¥8.00"));
    assert_eq!(paid.remaining_ms, None);
    // Every view came in order, and none carried the code, its mask, the order or the bill.
    assert!(seen.windows(2).all(|w| w[0].seq < w[1].seq), "{seen:#?}");
    let order_no = f.till.attempt(AttemptId(a.id)).await.unwrap().order_no;
    let masked = a.code_masked.clone().unwrap();
    for v in &seen {
        let json = serde_json::to_string(v).unwrap();
        for secret in [
            PASSWORD,
            &PASSWORD[14..],
            masked.as_str(),
            &order_no,
            "C-PW-1",
        ] {
            assert!(!json.contains(secret), "{secret} shown: {json}");
        }
    }
}

#[tokio::test]
async fn a_qr_payment_shows_the_same_code_as_the_cashiers_screen() {
    let f = open("").await;
    f.log_in().await;
    let mut events = f.till.subscribe();
    f.till
        .start_qr("C-QR-1", "25.00", QrChoice::WechatQr)
        .await
        .unwrap();
    let mut seen = vec![];
    let scan = next_view(&mut events, &mut seen, "with a QR code", |v| {
        v.screen == CustomerScreen::Scan && v.qr_svg.is_some()
    })
    .await;
    let live = f
        .till
        .attempts(AttemptFilter {
            live_only: true,
            ..AttemptFilter::default()
        })
        .await
        .unwrap();
    let url = live[0].code_url.clone().expect("the code's URL");
    assert_eq!(
        scan.qr_svg.as_deref(),
        Some(cashier_core::qr::svg(&url, 480).unwrap().as_str()),
        "the same URL in the code"
    );
    assert_eq!(scan.amount_text.as_deref(), Some("¥25.00"));
    assert_eq!(
        scan.hint.as_ref().map(|h| h.zh.as_str()),
        Some("请用微信扫一扫")
    );
    assert!(scan.remaining_ms.is_some());
    assert!(!serde_json::to_string(&scan).unwrap().contains(&url));

    f.till.cancel(AttemptId(live[0].id)).await.unwrap();
    let cancelled = next_view(&mut events, &mut seen, "cancelled", |v| {
        v.screen == CustomerScreen::Cancelled
    })
    .await;
    assert_eq!(cancelled.qr_svg, None, "the code goes with the cancel");
}

#[tokio::test]
async fn the_newest_payment_wins_and_a_refund_is_not_the_customers_business() {
    let f = open("").await;
    f.log_in().await;
    let mut events = f.till.subscribe();
    let mut seen = vec![];
    let qr = f
        .till
        .start_qr("C-OLD-1", "3.00", QrChoice::CloudWechatQr)
        .await
        .unwrap();
    next_view(&mut events, &mut seen, "the first QR", |v| {
        v.screen == CustomerScreen::Scan
    })
    .await;
    let paid = f.till.start_barcode("C-NEW-1", "4.00", PAID).await.unwrap();
    let shown = next_view(&mut events, &mut seen, "the second paid", |v| {
        v.screen == CustomerScreen::Paid
    })
    .await;
    assert_eq!(shown.amount_text.as_deref(), Some("¥4.00"));

    // The older QR cancelled, the paid one refunded by a manager: the display stays as it was.
    f.till.cancel(AttemptId(qr.id)).await.unwrap();
    f.till
        .refund(
            AttemptId(paid.id),
            "",
            "退货",
            &crate::common::demo_approval(&f.till),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let now = f.till.customer_view();
    assert_eq!((now.screen, now.seq), (CustomerScreen::Paid, shown.seq));
}

#[tokio::test]
async fn a_failed_payment_says_so_without_the_reason_then_the_welcome_comes_back() {
    let f = open("").await;
    f.log_in().await;
    let mut events = f.till.subscribe();
    let mut seen = vec![];
    f.till
        .start_barcode("C-FAIL-1", "6.00", DECLINED)
        .await
        .unwrap();
    let failed = next_view(&mut events, &mut seen, "failed", |v| {
        v.screen == CustomerScreen::Failed
    })
    .await;
    assert_eq!(failed.title.zh, "支付未成功");
    let json = serde_json::to_string(&failed).unwrap();
    assert!(!json.contains("余额不足"), "the backend's reason: {json}");

    // The outcome stays up for a while, then the next customer is welcomed.
    tokio::time::pause();
    let welcome = next_view(&mut events, &mut seen, "the welcome again", |v| {
        v.screen == CustomerScreen::Welcome
    })
    .await;
    assert_eq!(welcome.seq, failed.seq + 1);
}

#[tokio::test]
async fn payments_from_before_the_login_are_not_shown() {
    let dir = tempfile::tempdir().unwrap();
    let (till, _sandbox, note) =
        crate::common::sandbox_till(dir.path(), dir.path().join("cashier.toml"), |cfg| {
            cfg.poll.cloud_barcode = cashier_core::config::PollPolicy::secs(1, 1, 2);
        })
        .await;
    let f = Fixture {
        till,
        _sandbox,
        note,
        _dir: dir,
    };
    f.log_in().await;
    let before = f
        .till
        .start_barcode("C-BEFORE-1", "1.00", FOREVER)
        .await
        .unwrap();
    f.till.wait(AttemptId(before.id)).await.unwrap();
    // The next cashier logs in (a new session); a manager asks again about that Unknown payment.
    f.log_in().await;
    let mut events = f.till.subscribe();
    f.till.query_again(AttemptId(before.id)).await.unwrap();
    let mut seen = vec![];
    tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(e) = events.recv().await {
            if let TillEvent::Customer { customer } = &e {
                seen.push(customer.clone());
            }
            if let TillEvent::Attempt { attempt } = &e
                && attempt.id == before.id
            {
                return;
            }
        }
    })
    .await
    .expect("the query's answer comes as an event");
    assert!(seen.is_empty(), "{seen:#?}");
    assert_eq!(f.till.customer_view().screen, CustomerScreen::Welcome);
}

#[tokio::test]
async fn before_the_login_a_configured_backend_is_unchecked_and_a_fault() {
    let f = open("").await;
    let tourv5 = &f.till.status().backends[0];
    assert_eq!(tourv5.state, BackendState::Unchecked);
    assert_eq!(
        (tourv5.label.as_str(), tourv5.word.as_str()),
        ("Tour V5 后台", "未检查")
    );
    assert!(tourv5.fault);
    f.log_in().await;
    let tourv5 = &f.till.status().backends[0];
    assert_eq!(
        (tourv5.state, tourv5.fault),
        (BackendState::Reachable, false)
    );
    assert_eq!(tourv5.word, "正常");
    f.till.set_lang(Lang::En);
    assert_eq!(f.till.status().backends[0].word, "OK");
}

#[tokio::test]
async fn the_display_setting_is_saved_and_a_wrong_one_refused() {
    let f = open("").await;
    let view = f.till.settings();
    assert_eq!(view.form.display.customer_display, "auto");
    let values: Vec<_> = view
        .customer_display_choices
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert_eq!(values, ["auto", "off", "1", "2", "3"]);
    let approval = crate::common::demo_approval(&f.till);
    let mut input = SettingsInput {
        form: view.form.clone(),
        cloudpay_key: None,
    };
    input.form.display.customer_display = "second".into();
    let refused = f.till.save_settings(input.clone(), Some(&approval)).await;
    assert!(refused.is_err());
    input.form.display.customer_display = "1".into();
    input.form.printer.shop = "新店名".into();
    let mut events = f.till.subscribe();
    let saved = f.till.save_settings(input, Some(&approval)).await.unwrap();
    assert_eq!(saved.form.display.customer_display, "1");
    assert_eq!(
        f.till.config().customer_display,
        CustomerDisplay::Monitor(1)
    );
    let mut seen = vec![];
    let renamed = next_view(&mut events, &mut seen, "under the new name", |_| true).await;
    assert_eq!(renamed.shop, "新店名");
}
