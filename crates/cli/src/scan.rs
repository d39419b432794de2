//! `cashier scan`: read a serial scanner gun and print what it reads, codes masked.

use crate::term::{diag, out};
use std::path::PathBuf;
use std::process::ExitCode;

use cashier_core::Error;
use cashier_core::reasons::{ConfigError, Part};
use cashier_core::scanner::{ScanEvent, Scanner, Terminator};

use crate::setup::load_config;

#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// Serial port (COM3, /dev/ttyUSB0); default from the configuration.
    #[arg(long)]
    port: Option<String>,
    #[arg(long)]
    baud: Option<u32>,
    /// What the scanner sends after a code: cr, lf, crlf or none.
    #[arg(long, value_parser = parse_terminator)]
    terminator: Option<Terminator>,
    /// Exit after the first payment code.
    #[arg(long)]
    once: bool,
}

fn parse_terminator(s: &str) -> Result<Terminator, String> {
    match s {
        "cr" => Ok(Terminator::Cr),
        "lf" => Ok(Terminator::Lf),
        "crlf" => Ok(Terminator::Crlf),
        "none" => Ok(Terminator::None),
        other => Err(format!("{other:?}: cr, lf, crlf or none")),
    }
}

pub async fn run(
    config_path: Option<PathBuf>,
    args: ScanArgs,
    json: bool,
) -> Result<ExitCode, Error> {
    let cfg = load_config(config_path)?;
    let mut sc = cfg.scanner.clone();
    if let Some(p) = args.port {
        sc.port = p;
    }
    if let Some(b) = args.baud {
        sc.baud = b;
    }
    if let Some(t) = args.terminator {
        sc.terminator = t;
    }
    sc.validate().map_err(|e| ConfigError::Start {
        part: Part::Scanner,
        error: e.to_string(),
    })?;
    let (tx, mut rx) = tokio::sync::mpsc::channel(32);
    let handle = Scanner::spawn(sc, tx);
    if !json {
        diag!("reading the scanner; Ctrl-C to stop");
    }
    let mut got_code = false;
    let mut connected = false;
    let mut never_opened = None;
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);
    loop {
        tokio::select! {
            ev = rx.recv() => {
                let Some(ev) = ev else { break };
                print(&ev, json);
                match &ev {
                    ScanEvent::Code { .. } if args.once => {
                        got_code = true;
                        break;
                    }
                    ScanEvent::Connected { .. } => connected = true,
                    // `--once` is for scripts: a port that cannot even be opened is an error,
                    // not something to wait on forever.
                    ScanEvent::Disconnected { port, reason } if args.once && !connected => {
                        never_opened = Some(format!("cannot open the scanner port {port}: {reason}"));
                        break;
                    }
                    _ => {}
                }
            }
            _ = &mut interrupt => break,
        }
    }
    let _ = tokio::task::spawn_blocking(move || handle.stop()).await;
    if let Some(why) = never_opened {
        return Err(ConfigError::Start {
            part: Part::Scanner,
            error: why,
        }
        .into());
    }
    Ok(if args.once && !got_code {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print(ev: &ScanEvent, json: bool) {
    if json {
        if let Ok(line) = serde_json::to_string(ev) {
            out!("{line}");
        }
        return;
    }
    match ev {
        ScanEvent::Code { code } => out!("code {code} ({:?})", code.kind()),
        ScanEvent::Rejected { reason, masked } => out!("rejected {masked}: {reason}"),
        ScanEvent::Connected { port } => out!("connected {port}"),
        ScanEvent::Disconnected { port, reason } => out!("disconnected {port}: {reason}"),
        ScanEvent::Reconnecting {
            port,
            attempt,
            delay_ms,
        } => {
            out!("reconnecting {port} (try {attempt}) in {delay_ms} ms")
        }
    }
}
