//! What the CLI prints: one JSON object per result with `--json`, short lines otherwise.

use crate::term::{diag, out};
use std::process::ExitCode;

use cashier_core::checkout::{CheckoutEvent, RecoveryReport};
use cashier_core::labels::state_label;
use cashier_core::{Attempt, AttemptState, Error, Lang};
use serde_json::json;

pub fn exit_for_state(state: AttemptState) -> ExitCode {
    ExitCode::from(match state {
        AttemptState::Paid
        | AttemptState::PartlyPaid
        | AttemptState::PartRefunded
        | AttemptState::Refunded => 0,
        AttemptState::Failed
        | AttemptState::Cancelled
        | AttemptState::Expired
        | AttemptState::Abandoned => 1,
        AttemptState::Unknown
        | AttemptState::Sending
        | AttemptState::Pending
        | AttemptState::Issuing
        | AttemptState::Shown => 3,
    })
}

pub fn exit_for_error(e: &Error) -> u8 {
    match e {
        Error::Amount(_) | Error::Bill(_) | Error::Code(_) => 2,
        _ => 4,
    }
}

pub fn result_json(a: &Attempt) -> serde_json::Value {
    json!({
        "state": a.state,
        "bill": a.bill,
        "order_no": a.order_no,
        "amount_fen": a.amount.0,
        "channel": a.channel,
        "reason": a.reason,
    })
}

pub fn attempt(a: &Attempt, json: bool, lang: Lang) -> ExitCode {
    if json {
        out!("{}", result_json(a));
    } else {
        out!(
            "{} — {} ¥{} {} [{}]{}",
            state_label(a.state, lang),
            a.bill,
            a.amount,
            a.channel,
            a.order_no,
            a.reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        );
    }
    exit_for_state(a.state)
}

pub fn event(e: &CheckoutEvent, json: bool, lang: Lang) {
    if json {
        if let Ok(line) = serde_json::to_string(e) {
            diag!("{line}");
        }
        return;
    }
    let left = e
        .remaining_ms
        .map(|ms| format!(", {} s left", ms / 1000))
        .unwrap_or_default();
    diag!(
        "[{:>5.1}s] {}{}{}",
        e.elapsed_ms as f64 / 1000.0,
        state_label(e.state, lang),
        e.reason
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
            json!({"error": {"code": body.code, "message": body.message}})
        );
    } else {
        diag!("error [{}]: {}", body.code, body.message);
    }
}
