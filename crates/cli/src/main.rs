//! `cashier`: the headless cashier for scripting, operations and benchmarks.
//!
//! Exit codes: 0 paid (or the command succeeded), 1 not paid (failed, cancelled, expired,
//! refunded), 2 bad input (a wrong PIN too), 3 Unknown (needs "query again" or a manager), 4 any
//! other error (a Z refused, a locked manager), 5 the journal does not verify (`verify` found a
//! break, or an X or Z was refused because of one).

mod closing;
mod demo;
mod desk;
mod managers;
mod output;
mod pay;
mod pin;
mod print;
mod receipts;
mod scan;
mod setup;
mod stop;
mod store;
mod store_day;
mod store_owner;
mod term;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use term::diag;

use cashier_core::backend::cloudpay::Platform;
use cashier_core::till::input;
use cashier_core::{Channel, Error, ManagerDecision};

#[derive(Parser, Debug)]
#[command(
    name = "cashier",
    version,
    about = "Cashier: checkout, recovery and receipts from the command line"
)]
struct Cli {
    /// Configuration file (TOML). Default: $CASHIER_CONFIG, else the OS config dir.
    #[arg(long, global = true, env = "CASHIER_CONFIG")]
    config: Option<PathBuf>,
    /// One JSON object per result on stdout; progress as JSON lines on stderr.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the sandbox backends in the foreground (Tour V5 and Cloud Pay, simulated).
    Sandbox {
        #[arg(long, default_value = "127.0.0.1:8686", env = "CASHIER_SANDBOX_ADDR")]
        addr: std::net::SocketAddr,
    },
    /// Check the back-office login (password from stdin or a prompt; nothing is stored).
    Login,
    /// Take a payment and wait for its final state.
    Pay {
        #[arg(long)]
        channel: Channel,
        #[arg(long)]
        bill: String,
        /// Yuan, as typed: 12, 12.3, 12.30.
        #[arg(long)]
        amount: String,
        /// Barcode channels: the payment code; read from stdin (a keyboard-wedge scanner) if
        /// absent — prefer that: an argument is visible in the process list and shell history.
        #[arg(long)]
        code: Option<String>,
        /// cloud-qr only: which wallet the QR is for.
        #[arg(long, default_value = "wechat", value_parser = parse_wallet)]
        wallet: Platform,
    },
    /// Query an unfinished attempt again.
    Query {
        #[arg(long)]
        order: String,
    },
    /// Cancel a QR payment (final query, then close where the backend can).
    Cancel {
        #[arg(long)]
        order: String,
    },
    /// Query every unfinished attempt (also done before every pay).
    Recover,
    /// Manager: decide an Unknown attempt, with a note that is journalled.
    Resolve {
        #[arg(long)]
        order: String,
        /// paid or failed
        #[arg(long)]
        to: ManagerDecision,
        #[arg(long)]
        note: String,
        /// The approving manager's name; their PIN is read from stdin (one line).
        #[arg(long)]
        manager: String,
    },
    /// Manager: refund a paid Cloud Pay payment, in full or in part (Tour V5 refunds are done in
    /// its back office). Asking again continues a refund whose end is not known yet.
    Refund {
        #[arg(long)]
        order: String,
        /// Yuan to refund; leave it out to refund all that is left (a blank amount is refused).
        #[arg(long)]
        amount: Option<String>,
        #[arg(long)]
        note: String,
        /// The approving manager's name; their PIN is read from stdin (one line).
        #[arg(long)]
        manager: String,
    },
    /// The day's receipts: attempts and totals per channel and outcome.
    Receipts {
        /// Business day, YYYY-MM-DD (default: today in the configured zone).
        #[arg(long)]
        day: Option<chrono::NaiveDate>,
        /// CSV with a header row instead of a table.
        #[arg(long)]
        csv: bool,
        /// With --csv: start with a UTF-8 byte-order mark, so Excel shows Chinese text.
        #[arg(long, requires = "csv")]
        bom: bool,
        /// Search by bill or order number (prefix) instead of a day.
        #[arg(long)]
        search: Option<String>,
    },
    /// Manager: the X report of a business day, a snapshot of what a Z would say (never
    /// stored). Opens the desk under --manager's PIN, read from stdin (one line).
    X {
        /// Business day, YYYY-MM-DD (default: today in the configured zone).
        #[arg(long)]
        day: Option<String>,
        /// The manager at the desk; their PIN is read from stdin (one line).
        #[arg(long)]
        manager: String,
    },
    /// Manager: close a business day with its numbered Z report, under --manager's PIN (stdin,
    /// one line); a day is closed once. --copy N prints a copy of Z N marked 副本 / DUPLICATE,
    /// --list lists the Zs.
    Z {
        /// Business day, YYYY-MM-DD (default: today in the configured zone).
        #[arg(long)]
        day: Option<String>,
        /// Print a copy of Z number N instead of closing a day.
        #[arg(long, value_name = "N", conflicts_with_all = ["day", "list"])]
        copy: Option<u64>,
        /// List the Zs, oldest first, instead of closing a day.
        #[arg(long, conflicts_with = "day")]
        list: bool,
        /// The approving manager; their PIN is read from stdin (one line).
        #[arg(long)]
        manager: String,
    },
    /// Print a past payment's slip again, now, marked 重印 / REPRINT (recorded in the audit trail).
    Print {
        /// The payment's order number.
        #[arg(long)]
        order: String,
        /// The printer, as in the configuration: serial:/dev/ttyUSB0 (serial:COM3, ?baud=9600),
        /// usb:/dev/usb/lp0, tcp://HOST:PORT or file:PATH. Default: the configured one.
        #[arg(long)]
        printer: Option<String>,
    },
    /// Check the journal's integrity: its seals, rows, Z reports and audit trail. No PIN.
    /// Exit 0 intact, 5 broken (the first break on stderr, or in the JSON).
    Verify,
    /// Manager: the audit trail (approvals, denials, lock-outs, Zs, refunds, manager changes),
    /// oldest first. Opens the desk under --manager's PIN, read from stdin (one line).
    Audit {
        /// Only this business day, YYYY-MM-DD (default: all).
        #[arg(long)]
        day: Option<String>,
        /// The manager at the desk; their PIN is read from stdin (one line).
        #[arg(long)]
        manager: String,
    },
    /// The till's managers: create the first, add, list, disable.
    #[command(subcommand)]
    Manager(managers::ManagerCommand),
    /// Read a serial scanner and print what it reads (codes masked).
    Scan(scan::ScanArgs),
    /// A complete checkout demo against the embedded sandbox: a barcode and a QR payment.
    Demo,
    /// The store of many tills on PostgreSQL: migrate, sync, report (docs/store.md).
    #[command(subcommand)]
    Store(store::StoreCommand),
}

fn parse_wallet(s: &str) -> Result<Platform, String> {
    match s {
        "wechat" => Ok(Platform::Wechat),
        "alipay" => Ok(Platform::Alipay),
        other => Err(format!("{other:?}: wechat or alipay")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    cashier_open::log_to_stderr();
    // Errors speak the configured language, even when the command fails before it would
    // have read the configuration itself; a configuration that does not load falls back to
    // the environment's.
    let lang = setup::load_config(cli.config.clone())
        .map(|c| c.lang)
        .unwrap_or_else(|_| output::lang_from_env());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            diag!("cannot start: {e}");
            return ExitCode::from(4);
        }
    };
    let json = cli.json;
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            output::error(&e, json, lang);
            ExitCode::from(output::exit_for_error(&e))
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, Error> {
    let json = cli.json;
    let config_path = cli.config.clone();
    match cli.command {
        Command::Sandbox { addr } => setup::run_sandbox(addr).await,
        Command::Login => setup::login_check(config_path, json).await,
        Command::Pay {
            channel,
            bill,
            amount,
            code,
            wallet,
        } => {
            let file = cashier_open::ConfigFile::at(config_path);
            let cfg = file.load()?;
            let args = pay::PayArgs {
                channel,
                bill,
                amount,
                code,
                wallet,
            };
            pay::check(&cfg, &args)?;
            let opened = setup::open_with(cfg, file.path, json).await?;
            pay::run(&opened.till, args, json).await
        }
        Command::Query { order } => {
            let opened = setup::open(config_path, json).await?;
            let till = &opened.till;
            let a = till.query_again(till.find_order(&order)?.id).await?;
            Ok(output::attempt(&a, json, till.lang()))
        }
        Command::Cancel { order } => {
            let opened = setup::open(config_path, json).await?;
            let till = &opened.till;
            let a = till.cancel(till.find_order(&order)?.id).await?;
            Ok(output::attempt(&a, json, till.lang()))
        }
        Command::Recover => {
            let opened = setup::open(config_path, json).await?;
            let report = opened.till.wait_recovered().await?;
            Ok(output::recovery(&report, json))
        }
        Command::Resolve {
            order,
            to,
            note,
            manager,
        } => {
            let opened = setup::open(config_path, json).await?;
            let till = &opened.till;
            let id = till.find_order(&order)?.id;
            let approval = pin::approval(till, &manager)?;
            let a = till.resolve(id, to, &note, &approval).await?;
            Ok(output::attempt(&a, json, till.lang()))
        }
        Command::Refund {
            order,
            amount,
            note,
            manager,
        } => {
            let file = cashier_open::ConfigFile::at(config_path);
            let cfg = file.load()?;
            // "All that is left" is said only by leaving --amount out: a given amount is
            // checked as `pay` checks one, before anything starts, so a blank one (`--amount ""`)
            // is bad input, never the whole payment. The till reads an empty text as "all".
            if let Some(raw) = &amount {
                input::amount(&cfg, raw)?;
            }
            let opened = setup::open_with(cfg, file.path, json).await?;
            let till = &opened.till;
            let id = till.find_order(&order)?.id;
            let approval = pin::approval(till, &manager)?;
            let a = till
                .refund(id, amount.as_deref().unwrap_or(""), &note, &approval)
                .await?;
            Ok(output::refund(&a, json, till.lang()))
        }
        Command::Receipts {
            day,
            csv,
            bom,
            search,
        } => {
            let csv = csv.then_some(if bom {
                receipts::Csv::WithBom
            } else {
                receipts::Csv::Plain
            });
            receipts::run(config_path, day, csv, search, json)
        }
        Command::X { day, manager } => desk::x(config_path, day, &manager, json).await,
        Command::Z {
            day,
            copy,
            list,
            manager,
        } => {
            let ask = match (copy, list) {
                (Some(n), _) => desk::ZAsk::Copy(n),
                (None, true) => desk::ZAsk::List,
                (None, false) => desk::ZAsk::Close(day),
            };
            desk::z(config_path, ask, &manager, json).await
        }
        Command::Print { order, printer } => {
            print::run(config_path, &order, printer.as_deref(), json).await
        }
        Command::Verify => verify::run(config_path, json),
        Command::Audit { day, manager } => desk::audit(config_path, day, &manager, json).await,
        Command::Manager(command) => managers::run(config_path, command, json).await,
        Command::Scan(args) => scan::run(config_path, args, json).await,
        Command::Demo => demo::run(json).await,
        Command::Store(command) => store::run(config_path, command, json).await,
    }
}
