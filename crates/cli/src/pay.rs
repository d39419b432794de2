//! `cashier pay`: take one payment and follow it to its end, printing the status stream.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use cashier_core::backend::cloudpay::Platform;
use cashier_core::checkout::{BarcodePayment, QrPayment};
use cashier_core::config::Config;
use cashier_core::till::{Till, TillEvent, input};
use cashier_core::{AttemptId, AttemptState, Channel, Error, qr};

use crate::term::diag;
use crate::{output, stop};

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
    input::bill(&args.bill)?;
    input::amount(cfg, &args.amount)?;
    if let (false, Some(c)) = (args.channel.is_qr(), &args.code) {
        args.channel.check_code(&input::code(cfg, c)?)?;
    }
    Ok(())
}

pub async fn run(till: &Till, args: PayArgs, json: bool) -> Result<ExitCode, Error> {
    let cfg = till.config();
    let bill = input::bill(&args.bill)?;
    let amount = input::amount(&cfg, &args.amount)?;
    let mut events = till.subscribe();
    let started = if args.channel.is_qr() {
        till.pay_qr(QrPayment {
            bill,
            amount,
            channel: args.channel,
            wallet: args.wallet,
        })
        .await?
    } else {
        let raw = match args.code {
            Some(c) => c,
            None => read_code()?,
        };
        till.pay_barcode(BarcodePayment {
            bill,
            amount,
            channel: args.channel,
            code: input::code(&cfg, &raw)?,
        })
        .await?
    };
    let id = AttemptId(started.id);
    let done = till.wait(id);
    tokio::pin!(done);
    // One listener for the whole payment: a Ctrl-C or SIGTERM between two loop turns must
    // not be lost.
    let interrupt = stop::requested();
    tokio::pin!(interrupt);
    let mut interrupted = false;
    let mut qr_drawn = false;
    let mut last: Option<AttemptState> = None;
    loop {
        tokio::select! {
            ended = &mut done => {
                // Print what the flow said last so the stream ends on the final state, even
                // when its last event is still on its way.
                while let Some(e) = events.try_recv() {
                    show(&e, id, json, till, &mut qr_drawn, &mut last)?;
                }
                let a = ended?;
                if last != Some(a.state) {
                    output::event(&a, json, till.lang());
                }
                return Ok(output::attempt(&a, json, till.lang()));
            }
            e = events.recv() => {
                let Some(e) = e else { continue };
                show(&e, id, json, till, &mut qr_drawn, &mut last)?;
            }
            _ = &mut interrupt, if !interrupted => {
                interrupted = true;
                if args.channel.is_qr() {
                    let till = till.clone();
                    tokio::spawn(async move { till.cancel(id).await });
                } else {
                    diag!("a barcode payment cannot be cancelled once sent; waiting for its result");
                }
            }
        }
    }
}

fn show(
    e: &TillEvent,
    id: AttemptId,
    json: bool,
    till: &Till,
    qr_drawn: &mut bool,
    last: &mut Option<AttemptState>,
) -> Result<(), Error> {
    let TillEvent::Attempt { attempt: a } = e else {
        return Ok(());
    };
    if a.id != id.0 {
        return Ok(());
    }
    output::event(a, json, till.lang());
    *last = Some(a.state);
    if let (AttemptState::Shown, Some(url), false) = (a.state, a.code_url.as_deref(), *qr_drawn) {
        *qr_drawn = true;
        if !json {
            diag!("{}", qr::terminal(url)?);
            diag!("customer scans this code; in the sandbox, pay it at {url}");
            diag!("Ctrl-C cancels (final query, then close).");
        }
    }
    Ok(())
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
        .map_err(|e| Error::Internal(format!("reading the payment code: {e}")))?;
    Ok(line)
}
