//! What the CLI prints: one JSON object per result with `--json`, short lines otherwise. The
//! words come from core's views; this only lays them out.

use std::process::ExitCode;

use cashier_core::checkout::RecoveryReport;
use cashier_core::managers::DeskRefusal;
use cashier_core::receipts::Outcome;
use cashier_core::till::AttemptView;
use cashier_core::{AttemptState, Error, Lang};
use serde::Serialize;
use serde_json::json;

use crate::term::{diag, out};

/// How an attempt's end reads as an exit code: core's rule for how it ended (`Outcome::of`, the
/// one the day report counts by), never a second list of states here. A refunded attempt no
/// longer pays its bill, so it is 1 like a failed one, not 0.
pub fn exit_for_state(state: AttemptState) -> ExitCode {
    ExitCode::from(exit_code(state))
}

fn exit_code(state: AttemptState) -> u8 {
    match Outcome::of(state) {
        Outcome::Paid => 0,
        Outcome::Failed | Outcome::Cancelled | Outcome::Refunded => 1,
        Outcome::Unknown => 3,
    }
}

/// A journal whose chains do not verify (README.md's exit codes): `cashier verify` finding a
/// break, or an X or Z refused because of one.
pub const JOURNAL_BROKEN: u8 = 5;

pub fn exit_for_error(e: &Error) -> u8 {
    if matches!(e, Error::Desk(DeskRefusal::Tampered { .. })) {
        return JOURNAL_BROKEN;
    }
    match e.kind() {
        cashier_core::error::ErrorKind::Input => 2,
        _ => 4,
    }
}

pub fn result_json(a: &AttemptView) -> serde_json::Value {
    json!({
        "state": a.state,
        "bill": a.bill,
        "order_no": a.order_no,
        "amount_fen": a.amount_fen,
        "channel": a.channel,
        "reason": a.reason,
        "watch_until": a.payable_until,
    })
}

pub fn attempt(a: &AttemptView, json: bool, lang: Lang) -> ExitCode {
    print_attempt(a, json, lang);
    exit_for_state(a.state)
}

/// A refund that ended: the command did what it was asked, even where the attempt now counts as
/// not paid. A refund that failed or whose end is not known comes back from core as an error.
pub fn refund(a: &AttemptView, json: bool, lang: Lang) -> ExitCode {
    print_attempt(a, json, lang);
    ExitCode::SUCCESS
}

fn print_attempt(a: &AttemptView, json: bool, _lang: Lang) {
    if json {
        out!("{}", result_json(a));
    } else {
        out!(
            "{} — {} {} {} [{}]{}",
            a.state_label,
            a.bill,
            a.amount_text,
            a.channel_label,
            a.order_no,
            a.reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        );
    }
}

/// One of core's serialisable views as the one JSON object on stdout.
pub fn json_out<T: Serialize>(value: &T) -> Result<(), Error> {
    let text =
        serde_json::to_string(value).map_err(|e| Error::Internal(format!("writing JSON: {e}")))?;
    out!("{text}");
    Ok(())
}

/// One line of the status stream, on stderr.
pub fn event(a: &AttemptView, json: bool, _lang: Lang) {
    if json {
        diag!(
            "{}",
            json!({
                "attempt_id": a.id,
                "bill": a.bill,
                "order_no": a.order_no,
                "channel": a.channel,
                "amount_fen": a.amount_fen,
                "state": a.state,
                "reason": a.reason,
                "code_url": a.code_url,
                "elapsed_ms": a.progress.elapsed_ms,
                "remaining_ms": a.progress.remaining_ms,
                "late": a.progress.late,
            })
        );
        return;
    }
    let left = a
        .progress
        .remaining_ms
        .map(|ms| format!(", {} s left", ms / 1000))
        .unwrap_or_default();
    diag!(
        "[{:>5.1}s] {}{}{}",
        a.progress.elapsed_ms as f64 / 1000.0,
        a.state_label,
        a.reason
            .as_deref()
            .map(|r| format!(" — {r}"))
            .unwrap_or_default(),
        left
    );
}

pub fn recovery(r: &RecoveryReport, json: bool) -> ExitCode {
    if json {
        out!(
            "{}",
            json!({"recovered": r.checked, "deferred": r.deferred})
        );
    } else if r.deferred {
        out!("another cashier process holds this till; its unfinished attempts are left to it");
    } else if r.checked.is_empty() {
        out!("nothing to recover: no unfinished attempts");
    } else {
        for c in &r.checked {
            out!("{} {}: {} → {}", c.attempt_id, c.order_no, c.from, c.to);
        }
    }
    let unknown = r.checked.iter().any(|c| c.to == AttemptState::Unknown);
    ExitCode::from(if unknown { 3 } else { 0 })
}

/// `CASHIER_LANG`, for when the configuration cannot be read.
pub fn lang_from_env() -> Lang {
    match std::env::var("CASHIER_LANG").as_deref() {
        Ok("en") => Lang::En,
        _ => Lang::ZhCn,
    }
}

pub fn error(e: &Error, json: bool, lang: Lang) {
    let body = e.body(lang);
    if json {
        out!(
            "{}",
            json!({"error": {"kind": body.kind, "code": body.code, "message": body.message, "field": body.field}})
        );
    } else {
        diag!("error [{}]: {}", body.code, body.message);
    }
}

#[cfg(test)]
mod tests {
    use cashier_core::AttemptState;
    use cashier_core::receipts::Outcome;

    use super::exit_code;

    /// README.md's exit codes: 0 exactly for what core counts as paid, 3 exactly for what it
    /// counts as not known to have ended, 1 for the rest.
    #[test]
    fn every_state_exits_as_core_counts_it() {
        for state in AttemptState::ALL {
            let (code, outcome) = (exit_code(state), Outcome::of(state));
            assert_eq!(code == 0, outcome == Outcome::Paid, "{state:?}");
            assert_eq!(code == 3, outcome == Outcome::Unknown, "{state:?}");
            assert!([0, 1, 3].contains(&code), "{state:?}");
        }
        assert_eq!(
            exit_code(AttemptState::Refunded),
            1,
            "a refund is not a payment"
        );
        assert_eq!(
            exit_code(AttemptState::PartRefunded),
            0,
            "the rest is still paid"
        );
    }
}
