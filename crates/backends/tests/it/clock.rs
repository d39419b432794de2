//! HAWK clocks: a back office whose clock is seconds or hours from the till's is learnt from
//! its verified stale-timestamp answer; a back office in another zone than configured is
//! warned about and still works; a stale answer that cannot be verified moves nothing.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use cashier_backends::crypto::{HawkCredentials, md5_key};
use cashier_backends::http::{Http, HttpPolicy};
use cashier_backends::tourv5::{TourV5, TourV5Config, TourV5Session};
use cashier_core::{BillNo, Fen, PaymentCode, PaymentOutcome, ScannerFraming, SystemClock};
use cashier_sandbox::{Sandbox, SandboxConfig};
use proptest::prelude::*;
use secrecy::SecretString;

const PAID: &str = "134520273825387649";

async fn login(sc: SandboxConfig, tv_cfg: TourV5Config) -> (Sandbox, TourV5, TourV5Session) {
    let sandbox = Sandbox::start(sc.clone()).await.unwrap();
    let tv = TourV5::new(
        Http::new(HttpPolicy::default()).unwrap(),
        TourV5Config {
            base_url: sandbox.url(),
            ..tv_cfg
        },
        Arc::new(SystemClock),
    )
    .unwrap();
    let session = tv
        .login(&sc.operator, &SecretString::from(sc.password.clone()))
        .await
        .unwrap();
    (sandbox, tv, session)
}

async fn pays(sandbox: &Sandbox, tv: &TourV5, session: &TourV5Session, bill: &str) {
    let code = PaymentCode::parse(PAID, &ScannerFraming::default()).unwrap();
    let o = tv
        .koudai_barcode(session, &BillNo::parse(bill).unwrap(), Fen(100), &code)
        .await
        .unwrap();
    assert!(matches!(o, PaymentOutcome::Paid { .. }), "{o:?}");
    assert_eq!(sandbox.ledger().charges_for_bill(bill).len(), 1);
}

#[tokio::test]
async fn a_back_office_seconds_away_is_learnt_from_the_stale_answer() {
    for offset in [90, -150] {
        let (sandbox, tv, session) = login(
            SandboxConfig {
                clock_offset_secs: offset,
                ..SandboxConfig::default()
            },
            TourV5Config::default(),
        )
        .await;
        let skew = session.clock_skew.num_seconds();
        assert!(
            (offset - 3..=offset + 3).contains(&skew),
            "{offset}: skew {skew}"
        );
        assert_eq!(session.clock_warning, None, "seconds are not a zone");
        pays(&sandbox, &tv, &session, &format!("SEC{offset}")).await;
    }
}

/// The back office keeps UTC+8 but the till was told UTC+0: its `ServerTime` reads eight
/// hours off while HAWK (zone-free) agrees with the till. The till warns and keeps working.
#[tokio::test]
async fn a_back_office_in_another_zone_is_warned_about_and_still_works() {
    let (sandbox, tv, session) = login(
        SandboxConfig::default(),
        TourV5Config {
            server_utc_offset_minutes: 0,
            ..TourV5Config::default()
        },
    )
    .await;
    let warning = session.clock_warning.clone().expect("a zone warning");
    assert!(
        warning.contains("+8 h") && warning.contains("server_utc_offset_minutes"),
        "{warning}"
    );
    assert!(
        session.clock_skew.num_seconds().abs() <= 3,
        "HAWK's clock is kept"
    );
    pays(&sandbox, &tv, &session, "ZONE-1").await;
}

fn creds() -> HawkCredentials {
    HawkCredentials::new("cashier", md5_key(&SecretString::from("123456")))
}

#[test]
fn a_stale_answer_is_believed_only_with_a_tsm_made_with_the_key() {
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let header = creds().stale_timestamp_header(now).unwrap();
    assert_eq!(creds().server_time(&header), Some(now));
    let stranger = HawkCredentials::new("cashier", md5_key(&SecretString::from("654321")));
    let forged = stranger.stale_timestamp_header(now).unwrap();
    assert_eq!(creds().server_time(&forged), None, "another key's tsm");
    let moved = header.replace("1800000000", "1800003600");
    assert_eq!(
        creds().server_time(&moved),
        None,
        "a ts its tsm does not cover"
    );
    for garbage in [
        "",
        "Hawk",
        "Hawk ts=\"1800000000\"",
        "Hawk tsm=\"abc\"",
        "Basic realm=\"x\"",
        "Hawk ts=\"99999999999999999999\", tsm=\"AAAA\"",
        "Hawk ts=\"-5\", tsm=\"AAAA\"",
        "Hawk ts=\"1800000000\", tsm=\"not base64!!\"",
        "Hawk ts=\"1\", ts=\"2\", tsm=\"AAAA\"",
        "Hawk error=\"Stale timestamp\"",
    ] {
        assert_eq!(creds().server_time(garbage), None, "{garbage:?}");
    }
}

proptest! {
    #[test]
    fn any_www_authenticate_is_read_without_panicking(header in ".{0,200}") {
        let _ = creds().server_time(&header);
        let _ = creds().server_time(&format!("Hawk {header}"));
    }

    #[test]
    fn any_server_time_round_trips(secs in 0u64..4_000_000_000) {
        let t = UNIX_EPOCH + Duration::from_secs(secs);
        let header = creds().stale_timestamp_header(t).unwrap();
        prop_assert_eq!(creds().server_time(&header), Some(t));
    }
}

#[test]
fn a_server_time_before_1970_is_refused_when_made() {
    let before = UNIX_EPOCH - Duration::from_secs(1);
    assert!(creds().stale_timestamp_header(before).is_err());
}
