//! The `Till`'s commands, declared once: every front end that talks to a till over a wire (the
//! desktop app's shell, the UI's development bridge) forwards a [`Command`] to [`Till::run`]
//! and sends back its [`Reply`]. The TypeScript types (`Command`, `CommandReplies`) and the
//! command table of `docs/till-api.md` are generated from this one list by
//! `crates/core/tests/bindings.rs`, which fails when either drifts.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::printing::{PrintJobView, PrintReport, PrinterView, SlipPreview};
use super::{
    AttemptFilter, AttemptView, AuditPage, DayReportView, DeskView, InputCheck, QrChoice,
    SettingsInput, SettingsView, StoreDayView, Till, TillStatus,
};
use crate::closing::{ClosingView, ZSummary};
use crate::journal::Integrity;
use crate::managers::{Approval, ManagerId, ManagerView};
use crate::print::Preview;
use crate::receipts::page::{ReceiptsPage, ReceiptsQuery, ReceiptsSummary};
use crate::receipts::timeline::AttemptDetail;
use crate::receipts::worklist::WorkItem;
use crate::{AttemptId, Error, Lang, ManagerDecision};

/// A command's entry in the documentation: its name, arguments and reply as TypeScript sees them.
pub struct CommandInfo {
    pub name: &'static str,
    /// The Rust variant's name, held to `name` by a test (serde's snake_case of it).
    pub variant: &'static str,
    pub doc: &'static str,
    pub args: fn(&ts_rs::Config) -> Vec<(&'static str, String)>,
    pub reply: fn(&ts_rs::Config) -> String,
}

/// Declares the commands: each one's variant, wire name, arguments, reply type and how the
/// till runs it. Generates `Command`, `Reply`, `CommandReplies`, `Till::run` and `COMMANDS`.
macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident $name:ident { $($arg:ident : $ty:ty),* } -> $reply:ty
            = |$till:ident| $run:expr;
    )*) => {
        /// One call to the till, as a front end sends it: `{"login": {"operator": …}}`.
        // Externally tagged: an internally or adjacently tagged enum is buffered before it is
        // read, and serde_json's arbitrary precision (rust_decimal's) then cannot read a
        // number inside it. Not `Debug`: `login` carries the password.
        #[derive(Clone, Deserialize, TS)]
        #[serde(rename_all = "snake_case")]
        pub enum Command {
            $($(#[doc = $doc])* $variant { $($arg: $ty),* }),*
        }

        /// A command's answer, serialised as the bare value (`TillStatus`, `AttemptView`, …).
        #[derive(Debug, Clone, Serialize)]
        #[serde(untagged)]
        pub enum Reply {
            $($variant($reply)),*
        }

        /// Which reply each command gets, by name: a type only, for TypeScript's
        /// `CommandReplies[keyof C]`.
        #[derive(TS)]
        pub struct CommandReplies {
            $(pub $name: $reply),*
        }

        /// Every command, in the order declared.
        pub const COMMANDS: &[CommandInfo] = &[$(CommandInfo {
            name: stringify!($name),
            variant: stringify!($variant),
            doc: concat!($($doc),*),
            args: |_cfg| vec![$((stringify!($arg), <$ty as TS>::name(_cfg))),*],
            reply: |cfg| <$reply as TS>::name(cfg),
        }),*];

        impl Command {
            pub fn name(&self) -> &'static str {
                match self {
                    $(Command::$variant { .. } => stringify!($name)),*
                }
            }
        }

        impl Till {
            /// Runs one command; errors are for the caller to turn into an `ErrorBody` in the
            /// till's language.
            pub async fn run(&self, command: Command) -> Result<Reply, Error> {
                let this = self;
                Ok(match command {
                    $(Command::$variant { $($arg),* } => {
                        let $till = this;
                        Reply::$variant($run)
                    }),*
                })
            }
        }
    };
}

commands! {
    /// The till's state: logged in, backends, scanner, what the screens offer.
    Status status {} -> TillStatus = |t| t.status();
    /// Logs in to the backends (the password is used and dropped, never stored).
    Login login { operator: String, password: String } -> TillStatus =
        |t| t.login(&operator, SecretString::from(password)).await?;
    /// Switches the language of everything core says from now on.
    SetLang set_lang { lang: Lang } -> TillStatus = |t| t.set_lang(lang);
    /// The bill number as typed; never an error.
    CheckBill check_bill { raw: String } -> InputCheck = |t| t.check_bill(&raw);
    /// The amount as typed; never an error.
    CheckAmount check_amount { raw: String } -> InputCheck = |t| t.check_amount(&raw);
    /// A barcode payment with the keyboard-wedge scanner's raw text; answers once journalled.
    StartBarcode start_barcode { bill: String, amount: String, code: String } -> AttemptView =
        |t| t.start_barcode(&bill, &amount, &code).await?;
    /// A barcode payment with a serial scan, announced by a `scan` event.
    StartScanned start_scanned { bill: String, amount: String, scan_id: u64 } -> AttemptView =
        |t| t.start_scanned(&bill, &amount, scan_id).await?;
    /// Shows a QR code for the customer to scan.
    StartQr start_qr { bill: String, amount: String, choice: QrChoice } -> AttemptView =
        |t| t.start_qr(&bill, &amount, choice).await?;
    /// Cancels the QR code on screen (one a back office cannot close stays watched).
    Cancel cancel { id: AttemptId } -> AttemptView = |t| t.cancel(id).await?;
    /// Asks the backend once more about an Unknown or abandoned attempt.
    QueryAgain query_again { id: AttemptId } -> AttemptView = |t| t.query_again(id).await?;
    /// A manager decides an Unknown attempt, with a note saying how it was checked, under
    /// the chosen manager's PIN.
    Resolve resolve { id: AttemptId, to: ManagerDecision, note: String, approval: Approval }
        -> AttemptView = |t| t.resolve(id, to, &note, &approval).await?;
    /// A manager refunds `amount` yuan of a paid attempt (empty: all that is left), under the
    /// chosen manager's PIN; it is sent under that manager's Cloud Pay staff id.
    Refund refund { id: AttemptId, amount: String, note: String, approval: Approval }
        -> AttemptView = |t| t.refund(id, &amount, &note, &approval).await?;
    // —— closing the day ——
    /// An X report of a business day (`YYYY-MM-DD`; null: today): a snapshot, never stored.
    XReport x_report { day: Option<String> } -> ClosingView = |t| t.x_report(day).await?;
    /// Closes a business day (null: today) with a Z, under a manager's PIN.
    ZReport z_report { day: Option<String>, approval: Approval } -> ClosingView =
        |t| t.z_report(day, approval).await?;
    /// Every Z of this till, oldest first.
    ZReports z_reports {} -> Vec<ZSummary> = |t| t.z_reports().await?;
    /// A copy of a Z, marked 副本 / DUPLICATE.
    ZCopy z_copy { number: u64 } -> ClosingView = |t| t.z_copy(number).await?;
    /// Walks the journal's chains: seals, rows, Z reports, audit trail.
    Verify verify {} -> Integrity = |t| t.verify().await?;
    /// One attempt as the screens show it.
    Attempt attempt { id: AttemptId } -> AttemptView = |t| t.attempt(id).await?;
    /// Lists attempts: only live ones, a business day, or a search by bill or order number.
    Attempts attempts { filter: AttemptFilter } -> Vec<AttemptView> =
        |t| t.attempts(filter).await?;
    /// A business day's report (`YYYY-MM-DD`; null: today).
    DayReport day_report { day: Option<String> } -> DayReportView =
        |t| t.day_report(day).await?;
    // —— the desk's reads ——
    /// The store's business day (`YYYY-MM-DD`; null: today), every till of this merchant, read
    /// from the store as a read-only role.
    StoreDay store_day { day: Option<String> } -> StoreDayView = |t| t.store_day(day).await?;
    /// One page of the receipts of a business day or range, filtered and sorted.
    ReceiptsPage receipts_page { query: ReceiptsQuery } -> ReceiptsPage =
        |t| t.receipts_page(query).await?;
    /// The receipts' totals per channel and outcome, hourly series and filter choices.
    ReceiptsSummary receipts_summary { query: ReceiptsQuery } -> ReceiptsSummary =
        |t| t.receipts_summary(query).await?;
    /// An attempt's whole timeline (answers masked) and its refunds.
    AttemptDetail attempt_detail { id: AttemptId } -> AttemptDetail =
        |t| t.attempt_detail(id).await?;
    /// What a manager must look into (Unknown, long pending, abandoned, refunds by hand).
    Worklist worklist {} -> Vec<WorkItem> = |t| t.worklist().await?;
    /// Asks the backend again about every Unknown and abandoned item, then the worklist.
    QueryAll query_all {} -> Vec<WorkItem> = |t| t.query_all().await?;
    /// Writes the receipts (all pages) as CSV for Excel to `path`; the rows written.
    ExportReceipts export_receipts { query: ReceiptsQuery, path: String } -> u64 =
        |t| t.export_receipts(query, path).await?;
    // —— printing ——
    /// The receipt printer, for the status bar.
    PrinterStatus printer_status {} -> PrinterView = |t| t.printer_status();
    /// Prints a test page now and says how the printer is.
    PrintTestPage print_test_page {} -> PrinterView = |t| t.print_test_page().await?;
    /// Queues a reprint of a payment's slip, marked 重印 / REPRINT.
    Reprint reprint { id: AttemptId } -> PrintJobView = |t| t.reprint(id).await?;
    /// Queues an X or Z report on paper (the desk must be open).
    PrintReport print_report { report: PrintReport } -> PrintJobView =
        |t| t.print_report(report).await?;
    /// A payment's slip as it would print, and its print jobs.
    SlipPreview slip_preview { id: AttemptId } -> SlipPreview = |t| t.slip_preview(id).await?;
    /// An X or Z report as it would print.
    ReportPreview report_preview { report: PrintReport } -> Preview =
        |t| t.report_preview(report).await?;
    /// The machine's serial ports, for the scanner setting.
    SerialPorts serial_ports {} -> Vec<String> = |t| t.serial_ports();
    /// The settings screen's values; secrets are never sent back.
    Settings settings {} -> SettingsView = |t| t.settings();
    /// Checks the settings as a whole configuration, then replaces the file; once a manager
    /// exists, under a manager's PIN.
    SaveSettings save_settings { settings: Box<SettingsInput>, approval: Option<Approval> }
        -> SettingsView = |t| t.save_settings(*settings, approval.as_ref()).await?;
    /// The cashier confirmed closing although a payment is in progress (the journal keeps
    /// it; the next start recovers it): the front end may close now.
    CloseAnyway close_anyway {} -> () = |t| t.confirm_close();
    // —— managers and the desk ——
    /// The managers to choose an approver from (no PIN needed to see them).
    Managers managers {} -> Vec<ManagerView> = |t| t.managers()?;
    /// The first manager, on a till that has none yet (no PIN to ask for).
    CreateFirstManager create_first_manager { name: String, pin: String, staff_id: Option<String> }
        -> Vec<ManagerView> = |t| t.create_first_manager(&name, &pin, staff_id).await?;
    /// Another manager, under a manager's PIN.
    AddManager add_manager { name: String, pin: String, staff_id: Option<String>, approval: Approval }
        -> Vec<ManagerView> = |t| t.add_manager(&name, &pin, staff_id, &approval).await?;
    /// A manager's new PIN and/or staff id (empty: none), under a manager's PIN.
    ChangeManager change_manager { id: ManagerId, pin: Option<String>, staff_id: Option<String>, approval: Approval }
        -> Vec<ManagerView> = |t| t.change_manager(id, pin, staff_id, &approval).await?;
    /// Disables a manager (never the last active one), under a manager's PIN.
    DisableManager disable_manager { id: ManagerId, approval: Approval } -> Vec<ManagerView> =
        |t| t.disable_manager(id, &approval).await?;
    /// Opens the manager's desk under a PIN; it closes when left alone.
    OpenDesk open_desk { approval: Approval } -> DeskView = |t| {
        let who = t.open_desk(&approval).await?;
        DeskView {
            manager: who.name,
            idle_close_s: u32::try_from(super::DESK_IDLE.num_seconds()).unwrap_or(u32::MAX),
        }
    };
    /// Closes the manager's desk.
    CloseDesk close_desk {} -> () = |t| t.close_desk();
    /// A page of the audit trail, newest first (a business day or all); the desk must be open.
    AuditTrail audit_trail { day: Option<String>, offset: u32, limit: u32 } -> AuditPage =
        |t| t.audit_trail(day, offset, limit).await?;
}

#[cfg(test)]
mod tests {
    use super::COMMANDS;

    /// serde's `rename_all = "snake_case"` of a variant name.
    fn snake(variant: &str) -> String {
        let mut out = String::new();
        for (i, c) in variant.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }

    #[test]
    fn every_wire_name_is_the_variant_as_serde_writes_it() {
        for c in COMMANDS {
            assert_eq!(snake(c.variant), c.name);
        }
    }

    #[test]
    fn commands_read_from_the_wire_by_name() {
        let read = |json: &str| serde_json::from_str::<super::Command>(json).map(|c| c.name());
        let resolve = r#"{"resolve":{"id":7,"to":"failed","note":"n","approval":{"manager":1,"pin":"1234"}}}"#;
        assert_eq!(read(resolve).unwrap(), "resolve");
        assert_eq!(read(r#"{"status":{}}"#).unwrap(), "status");
        // Numbers of every kind read: u64 scan ids here, f64 in the settings.
        let scanned = r#"{"start_scanned":{"bill":"B","amount":"1","scan_id":3}}"#;
        assert_eq!(read(scanned).unwrap(), "start_scanned");
        assert!(read(&resolve.replace("failed", "cancelled")).is_err());
    }
}
