//! The desktop UI's TypeScript types (`ui/src/bindings/`) are generated from the `Till` API's
//! Rust types. This test fails when the checked-in files drift from what the Rust types
//! generate; `UPDATE_BINDINGS=1 cargo test -p cashier_core --test bindings` rewrites them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cashier_core::error::ErrorBody;
use cashier_core::till::{
    AttemptFilter, COMMANDS, Command, CommandReplies, DayReportView, InputCheck, QrChoice,
    SettingsInput, SettingsView, TillEvent, TillStatus,
};
use cashier_core::{Lang, ScannerFraming, till::AttemptView};
use ts_rs::TS;

fn bindings_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings")
}

type Export = fn(&ts_rs::Config) -> Result<(), ts_rs::ExportError>;

/// Every type the UI sees, with the types they use, generated into `dir`.
fn generate(dir: &Path) {
    let cfg = ts_rs::Config::new()
        .with_out_dir(dir)
        .with_large_int("number");
    let exports: [Export; 13] = [
        Command::export_all,
        CommandReplies::export_all,
        TillEvent::export_all,
        AttemptView::export_all,
        ErrorBody::export_all,
        InputCheck::export_all,
        AttemptFilter::export_all,
        DayReportView::export_all,
        SettingsView::export_all,
        SettingsInput::export_all,
        QrChoice::export_all,
        Lang::export_all,
        TillStatus::export_all,
    ];
    for export in exports {
        export(&cfg).expect("bindings export");
    }
}

/// The generated `.ts` files of a directory, by name (the hand-written `index.ts` aside).
fn files(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ts"))
                .filter(|p| p.file_name().is_some_and(|n| n != "index.ts"))
                .map(|p| {
                    let name = p
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned();
                    let text = std::fs::read_to_string(&p).unwrap_or_default();
                    (name, text)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn checked_in_typescript_types_match_the_rust_types() {
    let fresh = tempfile::tempdir().unwrap();
    generate(fresh.path());
    let generated = files(fresh.path());
    assert!(
        generated.contains_key("AttemptView.ts"),
        "{:?}",
        generated.keys()
    );
    let dir = bindings_dir();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        for name in files(&dir).keys() {
            if !generated.contains_key(name) {
                std::fs::remove_file(dir.join(name)).unwrap();
            }
        }
        for (name, text) in &generated {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    let checked_in = files(&dir);
    let stale: Vec<_> = generated
        .iter()
        .filter(|(name, text)| checked_in.get(*name) != Some(text))
        .map(|(name, _)| name.as_str())
        .collect();
    let extra: Vec<_> = checked_in
        .keys()
        .filter(|name| !generated.contains_key(*name))
        .collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "ui/src/bindings drifted from the Rust types (changed or missing: {stale:?}; no longer generated: {extra:?}); \
         run UPDATE_BINDINGS=1 cargo test -p cashier_core --test bindings"
    );
    // Every type is reachable through the index the UI imports from.
    let index = std::fs::read_to_string(dir.join("index.ts")).unwrap_or_default();
    for name in generated.keys() {
        let ty = name.trim_end_matches(".ts");
        assert!(
            index.contains(&format!("\"./{ty}\"")),
            "ui/src/bindings/index.ts does not export {ty}"
        );
    }
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/test/fixtures")
}

/// Core's scan rules as the UI's unit tests read them: for a scanner that frames nothing, and
/// for one that sends a prefix and suffix with characters special to regular expressions.
fn scan_rules_fixture() -> String {
    let plain = cashier_core::till::wedge::scan_rules(&ScannerFraming::default());
    let framed = cashier_core::till::wedge::scan_rules(&ScannerFraming {
        prefix: "]Q+".into(),
        suffix: "$".into(),
    });
    let json = serde_json::json!({ "plain": plain, "framed": framed });
    format!("{}\n", serde_json::to_string_pretty(&json).unwrap())
}

/// The UI's unit tests classify scans with core's own rules, written here; this fails when the
/// checked-in file drifts (`UPDATE_BINDINGS=1` rewrites it).
#[test]
fn checked_in_ui_fixtures_match_core() {
    std::fs::create_dir_all(fixtures_dir()).unwrap();
    let path = fixtures_dir().join("scan-rules.json");
    same_or_updated(&path, &scan_rules_fixture(), "core's scan rules");
}

/// Fails when the checked-in file at `path` differs from `fresh`, what core writes from `what`;
/// `UPDATE_BINDINGS=1` rewrites it first. Gives the file as checked in.
fn same_or_updated(path: &Path, fresh: &str, what: &str) -> String {
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(path, fresh).unwrap();
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == fresh,
        "{} drifted from {what}; run UPDATE_BINDINGS=1 cargo test -p cashier_core --test bindings",
        path.display()
    );
    checked_in
}

fn till_api_doc() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/till-api.md")
}

const TABLE_BEGIN: &str = "<!-- commands: written by crates/core/tests/bindings.rs -->\n";
const TABLE_END: &str = "<!-- end of commands -->\n";

/// The command table of docs/till-api.md, from core's one list of commands.
fn command_table() -> String {
    let cfg = ts_rs::Config::new().with_large_int("number");
    let mut t =
        String::from("| command | arguments | returns | what it does |\n|---|---|---|---|\n");
    for c in COMMANDS {
        let args: Vec<String> = (c.args)(&cfg)
            .into_iter()
            .map(|(name, ty)| format!("`{name}: {}`", ty.replace('|', "\\|")))
            .collect();
        let args = if args.is_empty() {
            "–".to_string()
        } else {
            args.join(", ")
        };
        let doc = c.doc.split_whitespace().collect::<Vec<_>>().join(" ");
        t.push_str(&format!(
            "| `{}` | {args} | `{}` | {doc} |\n",
            c.name,
            (c.reply)(&cfg)
        ));
    }
    t
}

/// docs/till-api.md lists exactly the commands core declares; this fails when it drifts
/// (`UPDATE_BINDINGS=1` rewrites the table between its markers).
#[test]
fn till_api_doc_lists_every_command() {
    let path = till_api_doc();
    let doc = std::fs::read_to_string(&path).unwrap();
    let (Some(b), Some(e)) = (doc.find(TABLE_BEGIN), doc.find(TABLE_END)) else {
        panic!("{} has no command table markers", path.display());
    };
    let (before, after) = (&doc[..b + TABLE_BEGIN.len()], &doc[e..]);
    let fresh = format!("{before}{}{after}", command_table());
    let checked_in = same_or_updated(&path, &fresh, "core's commands");
    for c in COMMANDS {
        assert!(
            checked_in.contains(&format!("| `{}` |", c.name)),
            "{}",
            c.name
        );
    }
}
