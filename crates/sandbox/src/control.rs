//! The sandbox's own endpoints under `/_sandbox/`: the ledger, reset, fault injection and
//! sale bill totals. They are never signed and never subject to faults.

use axum::Router;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use cashier_core::Fen;
use serde::Deserialize;
use serde_json::json;

use crate::app::App;
use crate::faults::Fault;

const LEDGER: &str = "/_sandbox/ledger";
const RESET: &str = "/_sandbox/reset";
const FAULTS: &str = "/_sandbox/faults";
const BILLS: &str = "/_sandbox/bills";
/// The routes, for the start-up check of configured paths.
pub const PATHS: &[&str] = &[LEDGER, RESET, FAULTS, BILLS];

pub fn routes() -> Router<App> {
    Router::new()
        .route(LEDGER, get(ledger))
        .route(RESET, post(reset))
        .route(
            FAULTS,
            get(list_faults).post(arm_fault).delete(clear_faults),
        )
        .route(BILLS, post(register_bill))
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message}))).into_response()
}

async fn ledger(State(app): State<App>) -> Response {
    Json(app.book().snapshot(&app.now())).into_response()
}

/// Clears orders, charges, refunds, bills, used single-use codes and faults; sessions survive
/// so a logged-in client goes on.
async fn reset(State(app): State<App>) -> Response {
    app.book().reset();
    app.armory().clear();
    tracing::info!("sandbox reset");
    Json(json!({"reset": true})).into_response()
}

async fn list_faults(State(app): State<App>) -> Response {
    Json(app.armory().list()).into_response()
}

async fn arm_fault(State(app): State<App>, body: Result<Json<Fault>, JsonRejection>) -> Response {
    let fault = match body {
        Ok(Json(f)) => f,
        Err(e) => return bad_request(e.body_text()),
    };
    if fault.endpoint.trim().is_empty() {
        return bad_request("endpoint is required (a path such as cpay/micro_pay, or *)".into());
    }
    if fault.count == 0 {
        return bad_request("count must be at least 1".into());
    }
    tracing::info!(endpoint = %fault.endpoint, kind = ?fault.kind, count = fault.count, "fault armed");
    let mut armory = app.armory();
    armory.arm(fault);
    (StatusCode::CREATED, Json(armory.list())).into_response()
}

async fn clear_faults(State(app): State<App>) -> Response {
    app.armory().clear();
    Json(json!([])).into_response()
}

#[derive(Debug, Deserialize)]
struct BillTotal {
    billnum: String,
    total_fen: u64,
}

/// Registers a POS sale bill's total, so partial payments and overpayments can be tested.
async fn register_bill(
    State(app): State<App>,
    body: Result<Json<BillTotal>, JsonRejection>,
) -> Response {
    let bill = match body {
        Ok(Json(b)) => b,
        Err(e) => return bad_request(e.body_text()),
    };
    if bill.billnum.is_empty() || bill.billnum.chars().count() > 20 {
        return bad_request("billnum must be 1 to 20 characters".into());
    }
    if bill.total_fen == 0 {
        return bad_request("total_fen must be more than zero".into());
    }
    app.book().register_bill(&bill.billnum, Fen(bill.total_fen));
    Json(json!({"billnum": bill.billnum, "total_fen": bill.total_fen})).into_response()
}
