//! The large journals the scale benches read: a year of a busy shop (1,000,000 attempts, 100
//! business days of 10,000), and one of those days alone. Built once with plain SQL inserts
//! into the journal's own schema, cached under `target/bench-data/` (or `$CASHIER_BENCH_DATA`
//! on a machine short of disk: the year takes about a gigabyte), and rebuilt when the schema
//! version or this generator changes (both are in the file name).
//!
//! Every attempt has ended (a shop resolves its Unknown attempts): recovery then has nothing
//! to query, so what it costs is what the journal costs. The benches add their own attempts
//! (a few thousand a run, none on the report's day) rather than copy a gigabyte each run;
//! delete the directory to start afresh.
// Shared by the benches; each uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use cashier_core::journal::{Durability, Journal, SCHEMA_VERSION};
use cashier_core::order_no::{OrderScheme, refund_no};
use cashier_core::{AttemptId, AttemptState, Channel};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rusqlite::params;

/// Attempts per business day.
pub const PER_DAY: i64 = 10_000;
/// Bump when the rows this file writes change, so that stale caches are rebuilt.
const GENERATOR: u32 = 2;
/// The Cloud Pay order prefix of the sandbox, so the engine's own attempts fit among them.
pub const CLOUD_PREFIX: &str = "sz0100sbox";

/// The day the report benches read, in the middle of every cached journal.
pub fn report_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 4, 20).unwrap_or_default()
}

/// Where the journals live: every journal a scale bench compares is on the same disk.
pub fn dir() -> PathBuf {
    let dir = match std::env::var_os("CASHIER_BENCH_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .unwrap_or(Path::new("."))
            .join("bench-data"),
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("{}: {e}", dir.display());
    }
    dir
}

/// The cached journal of `days` business days (`days × 10,000` attempts) around the report's
/// day, built if missing.
pub fn cached(days: i64) -> PathBuf {
    let name = format!("journal-{}-", days * PER_DAY);
    let path = dir().join(format!(
        "{name}schema{SCHEMA_VERSION}-gen{GENERATOR}.sqlite"
    ));
    if !path.exists() {
        remove_stale(&name);
        let started = Instant::now();
        eprintln!("building {} (once; cached)", path.display());
        if let Err(e) = build(&path, days) {
            panic!("building {}: {e}", path.display());
        }
        eprintln!("built in {:.1} s", started.elapsed().as_secs_f64());
    }
    path
}

/// A new, empty journal beside the cached ones.
pub fn empty() -> PathBuf {
    let path = dir().join("journal-empty.sqlite");
    remove_with_sides(&path);
    path
}

/// Earlier builds for another schema or generator: a gigabyte each.
fn remove_stale(name: &str) {
    let Ok(entries) = std::fs::read_dir(dir()) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(name) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn remove_with_sides(path: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(ext);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

type Failure = Box<dyn std::error::Error>;

fn build(path: &Path, days: i64) -> Result<(), Failure> {
    // Built beside its final name and renamed at the end, so an interrupted build is never
    // taken for a finished one.
    let building = path.with_extension("building");
    remove_with_sides(&building);
    // The journal makes its own schema and application id.
    drop(Journal::open_with(&building, Durability::Normal)?);
    let mut conn = rusqlite::Connection::open(&building)?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    let tx = conn.transaction()?;
    {
        let mut attempt = tx.prepare(
            "INSERT INTO attempts (id, bill, amount_fen, channel, order_no, reference, wallet,
                 code_masked, code_url, operator, till, state, reason, created_at, updated_at,
                 business_day, bill_paid_before_fen, refunded_fen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                 ?17, ?18)",
        )?;
        let mut transition = tx.prepare(
            "INSERT INTO transitions (attempt_id, at, from_state, to_state, raw_status, reason,
                 actor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut refund = tx.prepare(
            "INSERT INTO refunds (attempt_id, part, refund_no, amount_fen, state, manager, note,
                 created_at, updated_at)
             VALUES (?1, 1, ?2, ?3, 'refunded', 'mgr1', 'goods returned', ?4, ?4)",
        )?;
        let tourv5 = OrderScheme::internal("CS", "01")?;
        let cloud = OrderScheme::cloud_pay(CLOUD_PREFIX, "01")?;
        let mut id: i64 = 0;
        let mut retry_bill: Option<String> = None;
        let first = report_day() - TimeDelta::days(days / 2);
        for d in 0..days {
            let day = first + TimeDelta::days(d);
            // 08:00 to 22:00 in Beijing, 00:00 to 14:00 UTC.
            let opens = day
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc())
                .unwrap_or_default();
            for i in 0..PER_DAY {
                id += 1;
                let r = mix(id as u64);
                let at = opens + TimeDelta::milliseconds(i * 5_040);
                let channel = channel_of(r);
                let state = state_of(channel, r >> 16);
                let amount = 100 + (r >> 24) % 50_000;
                let bill = retry_bill
                    .take()
                    .unwrap_or_else(|| format!("S{}{i:05}", day.format("%y%m%d")));
                if state == AttemptState::Failed {
                    // The customer pays the same bill at once with another code.
                    retry_bill = Some(bill.clone());
                }
                let scheme = if channel.is_cloud() { &cloud } else { &tourv5 };
                let order_no = scheme.order_no(AttemptId(id), at, (r >> 40) as u32)?;
                let ended = !matches!(
                    state,
                    AttemptState::Failed | AttemptState::Cancelled | AttemptState::Expired
                );
                let reference = ended.then(|| format!("4200{id:016}"));
                let wallet =
                    channel
                        .is_cloud()
                        .then_some(if r & 1 == 0 { "wechat" } else { "alipay" });
                let code_masked = (!channel.is_qr()).then_some("1345**********7649");
                let code_url = channel
                    .is_qr()
                    .then(|| format!("weixin://wxpay/bizpayurl?pr={:08x}", r >> 32));
                let reason = match state {
                    AttemptState::Failed => Some("余额不足 insufficient balance"),
                    AttemptState::Expired => Some("closed"),
                    AttemptState::Cancelled => Some("cancelled by the cashier"),
                    _ => None,
                };
                let refunded = match state {
                    AttemptState::Refunded => amount,
                    AttemptState::PartRefunded => amount / 2,
                    _ => 0,
                };
                let created = ts(at);
                let updated = ts(at + TimeDelta::seconds(3));
                attempt.execute(params![
                    id,
                    bill,
                    amount as i64,
                    channel.as_str(),
                    order_no,
                    reference,
                    wallet,
                    code_masked,
                    code_url,
                    format!("op{}", r % 5),
                    "01",
                    state.as_str(),
                    reason,
                    created,
                    updated,
                    day.format("%Y-%m-%d").to_string(),
                    (channel == Channel::PosWechatBarcode).then_some(0i64),
                    refunded as i64,
                ])?;
                let first = if channel.is_qr() {
                    AttemptState::Issuing
                } else {
                    AttemptState::Sending
                };
                transition.execute(params![
                    id,
                    created,
                    None::<&str>,
                    first.as_str(),
                    "",
                    None::<&str>,
                    "op1"
                ])?;
                let mut from = first;
                if channel.is_qr() {
                    transition.execute(params![
                        id,
                        created,
                        from.as_str(),
                        "shown",
                        "code issued",
                        None::<&str>,
                        None::<&str>
                    ])?;
                    from = AttemptState::Shown;
                }
                let collected =
                    matches!(state, AttemptState::Refunded | AttemptState::PartRefunded);
                let answered = if collected { AttemptState::Paid } else { state };
                let raw = match &reference {
                    Some(r) => format!(r#"{{"paid":{{"reference":"{r}"}}}}"#),
                    None => r#"{"failed":{"reason":"insufficient balance"}}"#.to_string(),
                };
                transition.execute(params![
                    id,
                    updated,
                    from.as_str(),
                    answered.as_str(),
                    raw,
                    reason,
                    None::<&str>
                ])?;
                if collected {
                    let no = refund_no(&order_no, 1)?;
                    refund.execute(params![id, no, refunded as i64, updated])?;
                    transition.execute(params![
                        id,
                        updated,
                        "paid",
                        state.as_str(),
                        format!("refund {no} refunded"),
                        None::<&str>,
                        "mgr1"
                    ])?;
                }
            }
        }
    }
    tx.commit()?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    drop(conn);
    std::fs::rename(&building, path)?;
    Ok(())
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A fixed, well-spread pseudo-random number per attempt (splitmix64), so every build of
/// the cache holds the same rows.
fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Most payments are Cloud Pay barcodes; the rest spread over the other channels.
fn channel_of(r: u64) -> Channel {
    match (r >> 8) % 100 {
        0..60 => Channel::CloudBarcode,
        60..75 => Channel::CloudQr,
        75..85 => Channel::PosWechatBarcode,
        85..95 => Channel::WechatQr,
        95..98 => Channel::KoudaiBarcode,
        _ => Channel::AlipayQr,
    }
}

fn state_of(channel: Channel, r: u64) -> AttemptState {
    match (channel.is_qr(), r % 1000) {
        (_, 0..10) => AttemptState::Refunded,
        (_, 10..15) => AttemptState::PartRefunded,
        (false, 15..65) => AttemptState::Failed,
        (false, 65..70) => AttemptState::PartlyPaid,
        (true, 15..25) => AttemptState::Failed,
        (true, 25..55) => AttemptState::Expired,
        (true, 55..80) => AttemptState::Cancelled,
        _ => AttemptState::Paid,
    }
}
