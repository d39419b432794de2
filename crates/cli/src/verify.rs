//! `cashier verify`: walks the journal's chains (seals, rows, Z reports, audit trail) with
//! core's `Journal::verify`. It needs no PIN: it reveals nothing but whether the journal is
//! intact, and a back-office script must be able to run it. Exit 0 intact, 5 broken, with the
//! first break (chain, sequence, what) on stderr, or in the JSON on stdout.

use std::path::PathBuf;
use std::process::ExitCode;

use cashier_core::Error;
use cashier_core::journal::Chain;

use crate::output::{self, JOURNAL_BROKEN};
use crate::term::{diag, out};

pub fn run(config: Option<PathBuf>, json: bool) -> Result<ExitCode, Error> {
    let till = cashier_open::open_for_reading(&cashier_open::ConfigFile::at(config))?;
    let integrity = till.journal().verify()?;
    let code = if integrity.first_break.is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(JOURNAL_BROKEN)
    };
    if json {
        output::json_out(&integrity)?;
        return Ok(code);
    }
    let lang = till.lang();
    let t = |zh: &'static str, en: &'static str| lang.pick([zh, en]);
    match &integrity.first_break {
        None => out!(
            "{}{} {} {}, {} {}, {} {}",
            t("账本完整", "journal intact"),
            t("：", ":"),
            integrity.seals,
            t("个封签", "seals"),
            integrity.audit,
            t("条审计记录", "audit rows"),
            integrity.z_reports,
            t("份 Z 报告", "Z reports"),
        ),
        Some(b) => diag!(
            "{}: {} {}, {} {}: {}",
            t("账本校验失败", "the journal does not verify"),
            t("链", "chain"),
            chain_name(b.chain, lang),
            t("序号", "sequence"),
            b.seq,
            b.what
        ),
    }
    Ok(code)
}

fn chain_name(chain: Chain, lang: cashier_core::Lang) -> &'static str {
    lang.pick(match chain {
        Chain::Seals => ["封签", "seals"],
        Chain::Audit => ["审计记录", "audit"],
        Chain::Z => ["Z 报告", "z"],
        Chain::Rows => ["收款记录（与封签不符）", "rows"],
    })
}
