//! `cashier pay`: take one payment and follow it to a final state, printing the status stream.

use crate::term::diag;
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use cashier_core::checkout::{BarcodePayment, QrPayment};
use cashier_core::cloudpay::Platform;
use cashier_core::{AttemptId, AttemptState, BillNo, Channel, Error, Fen, PaymentCode, qr};

use cashier_core::config::Config;

use crate::output;
use crate::setup::Context;

pub struct PayArgs {
    pub channel: Channel,
    pub bill: String,
    pub amount: String,
    pub code: Option<String>,
    pub wallet: Platform,
}

/// Checks what the cashier typed before anything starts (no sandbox, no login, no journal
/// row for a typo). A code given on the command line is checked too; one read from stdin
/// comes after the password line, so it is checked when read.
pub fn check(cfg: &Config, args: &PayArgs) -> Result<(), Error> {
    BillNo::parse(&args.bill)?;
    Fen::parse_yuan(&args.amount, cfg.max_fen()?)?;
    if let (false, Some(c)) = (args.channel.is_qr(), &args.code) {
        args.channel
            .check_code(&PaymentCode::parse(c, &cfg.scanner.framing)?)?;
    }
    Ok(())
}

pub async fn run(ctx: &Context, args: PayArgs) -> Result<ExitCode, Error> {
    let bill = BillNo::parse(&args.bill)?;
    let amount = Fen::parse_yuan(&args.amount, ctx.cfg.max_fen()?)?;
    let checkout = ctx.checkout.clone();
    let mut events = checkout.subscribe();
    let task = if args.channel.is_qr() {
        let p = QrPayment {
            bill,
            amount,
            channel: args.channel,
            wallet: args.wallet,
        };
        tokio::spawn(async move { checkout.pay_qr(p).await })
    } else {
        let raw = match args.code {
            Some(c) => c,
            None => read_code()?,
        };
        let code = PaymentCode::parse(&raw, &ctx.cfg.scanner.framing)?;
        let p = BarcodePayment {
            bill,
            amount,
            channel: args.channel,
            code,
        };
        tokio::spawn(async move { checkout.pay_barcode(p).await })
    };
    tokio::pin!(task);
    // One listener for the whole payment: a Ctrl-C between two loop turns must not be lost.
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);
    let mut attempt: Option<AttemptId> = None;
    let mut qr_drawn = false;
    let mut interrupted = false;
    // A Ctrl-C that comes before the attempt is known is kept and sent once it is.
    let mut cancel_pending = false;
    let cancel = |id: AttemptId| {
        let checkout = ctx.checkout.clone();
        tokio::spawn(async move { checkout.cancel(id).await });
    };
    loop {
        tokio::select! {
            done = &mut task => {
                // Drain what the flow said last so the screen ends on the final state.
                while let Ok(e) = events.try_recv() {
                    output::event(&e, ctx.json_mode(), ctx.lang);
                }
                let a = done.map_err(|e| Error::Config(format!("payment task: {e}")))??;
                return Ok(output::attempt(&a, ctx.json_mode(), ctx.lang));
            }
            e = events.recv() => {
                let Ok(e) = e else { continue };
                attempt.get_or_insert(e.attempt_id);
                if std::mem::take(&mut cancel_pending) {
                    cancel(e.attempt_id);
                }
                output::event(&e, ctx.json_mode(), ctx.lang);
                if let (AttemptState::Shown, Some(url), false) = (e.state, e.code_url.as_deref(), qr_drawn) {
                    qr_drawn = true;
                    if !ctx.json_mode() {
                        diag!("{}", qr::terminal(url)?);
                        diag!("customer scans this code; in the sandbox, pay it at {url}");
                        diag!("Ctrl-C cancels (final query, then close).");
                    }
                }
            }
            _ = &mut interrupt, if !interrupted => {
                interrupted = true;
                match (args.channel.is_qr(), attempt) {
                    (true, Some(id)) => cancel(id),
                    (true, None) => cancel_pending = true,
                    (false, _) => diag!("a barcode payment cannot be cancelled once sent; waiting for its result"),
                }
            }
        }
    }
}

/// A keyboard-wedge scanner types the code and Enter into stdin.
fn read_code() -> Result<String, Error> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        diag!("scan the customer's payment code / 请扫描付款码:");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::Config(format!("reading the payment code: {e}")))?;
    Ok(line)
}
