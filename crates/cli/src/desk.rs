//! The manager's desk from the command line (docs/desk.md): the X, the Z, its copies and list,
//! and the audit trail. Each opens the till without logging in (`setup::open_offline`) and
//! the desk under the chosen manager's PIN (stdin), then calls `Till`; everything printed
//! comes from core's views.

use std::path::PathBuf;
use std::process::ExitCode;

use cashier_core::Error;
use cashier_core::till::{AuditPage, AuditRowView, Till};

use crate::term::out;
use crate::{closing, output, pin, setup};

/// The most rows core gives in one page of the audit trail.
const AUDIT_PAGE: u32 = 500;

/// What `cashier z` was asked for.
pub enum ZAsk {
    /// Close the day (None: today).
    Close(Option<String>),
    /// A copy of Z `n`, marked 副本 / DUPLICATE.
    Copy(u64),
    List,
}

/// Opens the desk under `manager`'s PIN: its reads (the X, copies and list of Zs, the audit
/// trail) need it open, as on the desktop.
async fn open_desk(till: &Till, manager: &str) -> Result<(), Error> {
    let approval = pin::approval(till, manager)?;
    till.open_desk(&approval).await?;
    Ok(())
}

pub async fn x(
    config: Option<PathBuf>,
    day: Option<String>,
    manager: &str,
    json: bool,
) -> Result<ExitCode, Error> {
    let opened = setup::open_offline(config, json).await?;
    let till = &opened.till;
    open_desk(till, manager).await?;
    let report = till.x_report(day).await?;
    if json {
        output::json_out(&report)?;
    } else {
        closing::print(&report, till.lang());
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn z(
    config: Option<PathBuf>,
    ask: ZAsk,
    manager: &str,
    json: bool,
) -> Result<ExitCode, Error> {
    let opened = setup::open_offline(config, json).await?;
    let till = &opened.till;
    let lang = till.lang();
    let report = match ask {
        // The Z asks for the PIN itself: closing a day is approved, not merely read.
        ZAsk::Close(day) => {
            let approval = pin::approval(till, manager)?;
            till.z_report(day, approval).await?
        }
        ZAsk::Copy(number) => {
            open_desk(till, manager).await?;
            till.z_copy(number).await?
        }
        ZAsk::List => {
            open_desk(till, manager).await?;
            let zs = till.z_reports().await?;
            if json {
                output::json_out(&zs)?;
            } else {
                closing::list(&zs, lang);
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    if json {
        output::json_out(&report)?;
    } else {
        closing::print(&report, lang);
    }
    Ok(ExitCode::SUCCESS)
}

/// The audit trail of a business day, or all of it: every page core gives, newest first as it
/// gives them; the text lists them oldest first, as a trail is read.
pub async fn audit(
    config: Option<PathBuf>,
    day: Option<String>,
    manager: &str,
    json: bool,
) -> Result<ExitCode, Error> {
    let opened = setup::open_offline(config, json).await?;
    let till = &opened.till;
    open_desk(till, manager).await?;
    let mut all = AuditPage {
        total: 0,
        rows: Vec::new(),
    };
    loop {
        let offset = u32::try_from(all.rows.len()).unwrap_or(u32::MAX);
        let page = till.audit_trail(day.clone(), offset, AUDIT_PAGE).await?;
        all.total = page.total;
        let done = page.rows.is_empty() || all.rows.len() + page.rows.len() >= page.total as usize;
        all.rows.extend(page.rows);
        if done || offset == u32::MAX {
            break;
        }
    }
    if json {
        output::json_out(&all)?;
        return Ok(ExitCode::SUCCESS);
    }
    let lang = till.lang();
    let t = |zh: &'static str, en: &'static str| lang.pick([zh, en]);
    out!(
        "{} — {} ({} {})",
        t("审计记录", "audit trail"),
        day.as_deref().unwrap_or(t("全部", "all days")),
        all.total,
        t("条", "rows")
    );
    for row in all.rows.iter().rev() {
        line(row);
    }
    Ok(ExitCode::SUCCESS)
}

fn line(r: &AuditRowView) {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let mut text = format!(
        "{:>6}  {}  {:<12} {:<12} {:<12} {:<16} {:<20} {}",
        r.seq,
        r.time,
        r.till,
        opt(&r.asked_by),
        opt(&r.approved_by),
        r.action_label,
        opt(&r.subject),
        r.result_label,
    );
    if let Some(note) = &r.note {
        text.push_str(&format!(" — {note}"));
    }
    if let Some(answer) = &r.answer {
        text.push_str(&format!(" [{answer}]"));
    }
    out!("{text}");
}
