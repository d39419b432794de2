//! `cashier print --order O [--printer URL]`: prints a past payment's slip again, now, marked
//! 重印 / REPRINT, on the configured printer or the one named (the same forms as the
//! configuration's `[printer] url`). Core composes the slip, prints it and records the reprint in
//! the print queue and the audit trail; no login is needed — a reprint moves no money.

use std::path::PathBuf;
use std::process::ExitCode;

use cashier_core::Error;
use cashier_core::error::Field;
use cashier_core::print::PrinterUrl;

use crate::output;
use crate::term::out;

pub async fn run(
    config: Option<PathBuf>,
    order: &str,
    printer: Option<&str>,
    json: bool,
) -> Result<ExitCode, Error> {
    // Read before the till opens: a mistyped printer is an input error, not a journal's business.
    let to = printer
        .map(PrinterUrl::parse)
        .transpose()
        .map_err(|e| Error::input(Field::Settings, e.en(), e.zh()))?;
    let till = cashier_open::open_for_printing(&cashier_open::ConfigFile::at(config))?;
    let job = till.print_order(order, to).await?;
    if json {
        output::json_out(&job)?;
    } else {
        let t = |zh: &'static str, en: &'static str| till.lang().pick([zh, en]);
        out!(
            "{} {order}{} {}",
            t("已重印订单", "reprinted order"),
            t("：", ":"),
            job.state_label
        );
    }
    Ok(ExitCode::SUCCESS)
}
