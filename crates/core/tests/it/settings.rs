//! The settings screen's save, on a real configuration file: what is written (and what never
//! is), bad settings refused with the file untouched, a failed write leaving nothing behind, and
//! a scanner port chosen there opened at once.

use std::path::Path;
use std::time::Duration;

use cashier_core::Lang;
use cashier_core::config::Config;
use cashier_core::error::{ErrorKind, Field};
use cashier_core::scanner::Terminator;
use cashier_core::till::{ScannerState, SettingsInput, SettingsView, Till};
use cashier_sandbox::Sandbox;

const KEY: &str = "k3y-of-the-merchant-0123456789abcdef";

struct Fixture {
    till: Till,
    _sandbox: Sandbox,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn config_path(&self) -> std::path::PathBuf {
        self.dir.path().join("cashier.toml")
    }
}

/// A till on the embedded sandbox whose settings save to `config_path(dir)`.
async fn open(config_path: impl FnOnce(&Path) -> std::path::PathBuf) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (till, sandbox, _) =
        crate::common::sandbox_till(dir.path(), config_path(dir.path()), |_| {}).await;
    Fixture {
        till,
        _sandbox: sandbox,
        dir,
    }
}

/// What the screen sends back when the cashier changes nothing.
fn unchanged(v: &SettingsView) -> SettingsInput {
    SettingsInput {
        form: v.form.clone(),
        cloudpay_key: None,
    }
}

/// The files in `dir` but the journal's, by name, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with("journal.db"))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn saved_settings_are_the_file_and_the_key_never_is() {
    let f = open(|dir| dir.join("cashier.toml")).await;
    let mut input = unchanged(&f.till.settings());
    input.form.till.id = " 07 ".into();
    input.form.till.operator = "小王".into();
    input.form.till.lang = Lang::En;
    input.form.till.max_amount = "2000.00".into();
    input.form.polling.qr = "240".into();
    input.cloudpay_key = Some(format!(" {KEY}\n"));
    let view = f
        .till
        .save_settings(input, Some(&crate::common::demo_approval(&f.till)))
        .await
        .unwrap();
    assert_eq!(
        (view.form.till.id.as_str(), view.form.till.operator.as_str()),
        ("07", "小王")
    );
    assert_eq!(
        (view.form.till.lang, f.till.lang()),
        (Lang::En, Lang::En),
        "applied at once"
    );
    assert!(view.cloudpay_key_set);

    let text = std::fs::read_to_string(f.config_path()).unwrap();
    assert!(!text.contains(KEY), "the key is kept apart: {text}");
    let saved = Config::load(&f.config_path(), true).unwrap();
    assert_eq!((saved.till.as_str(), saved.lang), ("07", Lang::En));
    assert_eq!(saved.poll.qr.give_up, Duration::from_secs(240));
    assert!(
        saved.tourv5.is_none() && saved.cloudpay.is_none(),
        "the embedded sandbox's backends are filled in at start, never saved: {text}"
    );
    let key_file = saved
        .cloudpay_authen_key_file
        .expect("the key's file is named");
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), KEY, "trimmed");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the key is readable by this user only: {mode:o}"
        );
    }
    assert_eq!(files_in(f.dir.path()), ["cashier.toml", "cloudpay.key"]);
}

/// The screen sees one flat object, its numbers as the text of their fields, and what it sends
/// back (the view with a key or not) is read as the same form.
#[tokio::test]
async fn the_screen_gets_and_sends_the_form_flat_with_numbers_as_text() {
    let f = open(|dir| dir.join("cashier.toml")).await;
    let view = f.till.settings();
    let json = serde_json::to_value(&view).unwrap();
    assert!(json.get("form").is_none(), "flattened: {json}");
    assert_eq!(
        json["scanner_baud"],
        serde_json::json!(view.form.scanner.baud)
    );
    assert!(json["scanner_baud"].is_string(), "{json}");
    assert!(json["poll_qr_give_up_s"].is_string(), "{json}");
    assert_eq!(json["till"], serde_json::json!(view.form.till.id));
    let mut sent = json;
    sent["poll_qr_give_up_s"] = serde_json::json!("240");
    sent["cloudpay_key"] = serde_json::Value::Null;
    let input: SettingsInput = serde_json::from_value(sent).unwrap();
    assert_eq!(input.form.polling.qr, "240");
    assert_eq!(input.form.till, view.form.till);
    assert_eq!(input.form.scanner, view.form.scanner);
}

/// The hosts field is text: core reads the hosts out of it (one a line, commas and spaces also
/// part them) and gives it back one a line; the baud field offers core's rates and the one set.
#[tokio::test]
async fn the_hosts_field_is_read_by_core_and_the_baud_choices_come_from_it() {
    let f = open(|dir| dir.join("cashier.toml")).await;
    let view = f.till.settings();
    assert!(view.baud_choices.contains(&"9600".to_string()), "{view:?}");
    assert_eq!(view.baud_choices.first().map(String::as_str), Some("1200"));
    let mut input = unchanged(&view);
    input.form.backends.cloudpay_hosts =
        " https://a.example/, https://b.example/\n\n  https://c.example/ ".into();
    input.form.scanner.baud = "14400".into();
    let saved = f
        .till
        .save_settings(input, Some(&crate::common::demo_approval(&f.till)))
        .await
        .unwrap();
    assert_eq!(
        saved.form.backends.cloudpay_hosts,
        "https://a.example/\nhttps://b.example/\nhttps://c.example/"
    );
    assert_eq!(
        saved.baud_choices.first().map(String::as_str),
        Some("14400"),
        "a rate set by hand stays on offer"
    );
}

#[tokio::test]
async fn bad_settings_are_refused_and_the_file_stays_as_it_was() {
    let f = open(|dir| dir.join("cashier.toml")).await;
    let mut first = unchanged(&f.till.settings());
    first.form.till.id = "03".into();
    f.till
        .save_settings(first, Some(&crate::common::demo_approval(&f.till)))
        .await
        .unwrap();
    let before = std::fs::read(f.config_path()).unwrap();

    type Spoil = fn(&mut SettingsInput);
    let bad: [(&str, ErrorKind, Spoil); 5] = [
        ("a time zone that does not exist", ErrorKind::Config, |s| {
            s.form.till.timezone = "Asia/Atlantis".into()
        }),
        ("an amount that is not money", ErrorKind::Config, |s| {
            s.form.till.max_amount = "lots".into()
        }),
        // Numbers as typed on the settings screen: core says what is wrong, next to the form.
        ("a negative poll time", ErrorKind::Input, |s| {
            s.form.polling.wechat = "-1".into()
        }),
        ("a baud rate in words", ErrorKind::Input, |s| {
            s.form.scanner.baud = "fast".into()
        }),
        ("no till number", ErrorKind::Config, |s| {
            s.form.till.id = "  ".into()
        }),
    ];
    for (what, kind, spoil) in bad {
        let mut input = unchanged(&f.till.settings());
        input.form.till.lang = Lang::En;
        input.cloudpay_key = Some(KEY.into());
        spoil(&mut input);
        let e = f
            .till
            .save_settings(input, Some(&crate::common::demo_approval(&f.till)))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{what}: {e}");
        assert_eq!(std::fs::read(f.config_path()).unwrap(), before, "{what}");
        assert_eq!(f.till.lang(), Lang::ZhCn, "{what}: nothing applied");
        assert_eq!(f.till.settings().form.till.id, "03", "{what}");
        assert_eq!(
            files_in(f.dir.path()),
            ["cashier.toml"],
            "{what}: no key written, no temporary file left"
        );
    }
}

#[tokio::test]
async fn a_write_that_fails_is_an_error_and_leaves_nothing_behind() {
    // The configuration file's name is taken by a folder: the new file cannot replace it.
    let f = open(|dir| {
        let taken = dir.join("taken");
        std::fs::create_dir(&taken).unwrap();
        taken
    })
    .await;
    let mut input = unchanged(&f.till.settings());
    input.form.till.lang = Lang::En;
    let e = f
        .till
        .save_settings(input, Some(&crate::common::demo_approval(&f.till)))
        .await
        .unwrap_err();
    // Said next to the settings, in the cashier's language: nothing changed, save again.
    assert_eq!(e.kind(), ErrorKind::Input, "{e}");
    assert_eq!(e.field(), Some(Field::Settings), "{e}");
    assert!(e.to_string().contains("taken"), "names the file: {e}");
    assert!(e.to_string().contains("the file is as it was"), "{e}");
    assert!(e.message(Lang::ZhCn).contains("设置没有保存"), "{e}");
    assert_eq!(f.till.lang(), Lang::ZhCn, "nothing applied");
    assert_eq!(files_in(f.dir.path()), ["taken"]);
    assert!(files_in(&f.dir.path().join("taken")).is_empty());
}

#[tokio::test]
async fn a_scanner_port_saved_is_opened_at_once() {
    use serialport::SerialPort;
    let (_master, slave) = serialport::TTYPort::pair().expect("a pty pair");
    let port = slave.name().expect("the pty's name");
    let f = open(|dir| dir.join("cashier.toml")).await;
    assert_eq!(f.till.status().scanner.state, ScannerState::Off);
    let mut input = unchanged(&f.till.settings());
    input.form.scanner.port = Some(port.clone());
    input.form.scanner.terminator = Terminator::Cr;
    let view = f
        .till
        .save_settings(input, Some(&crate::common::demo_approval(&f.till)))
        .await
        .unwrap();
    assert_eq!(view.form.scanner.port.as_deref(), Some(port.as_str()));
    tokio::time::timeout(Duration::from_secs(10), async {
        while f.till.status().scanner.state != ScannerState::Connected {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the scanner connects");
    drop(slave);
}

#[tokio::test]
async fn a_windows_port_is_saved_as_windows_lists_it_and_com0_is_refused() {
    let f = open(|dir| dir.join("cashier.toml")).await;
    let approval = crate::common::demo_approval(&f.till);
    let mut input = unchanged(&f.till.settings());
    input.form.scanner.port = Some(r" \\.\com12 ".into());
    let view = f.till.save_settings(input, Some(&approval)).await.unwrap();
    assert_eq!(view.form.scanner.port.as_deref(), Some("COM12"));
    let saved = Config::load(&f.config_path(), true).unwrap();
    assert_eq!(saved.scanner.port, "COM12");

    let before = std::fs::read(f.config_path()).unwrap();
    let mut input = unchanged(&f.till.settings());
    input.form.scanner.port = Some("COM0".into());
    let e = f
        .till
        .save_settings(input, Some(&approval))
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("COM1"),
        "says where COM ports start: {e}"
    );
    assert_eq!(
        std::fs::read(f.config_path()).unwrap(),
        before,
        "nothing saved"
    );
}
