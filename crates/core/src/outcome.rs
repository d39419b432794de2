//! What one backend answer means for a payment, whatever the backend.

use serde::{Deserialize, Serialize};

use crate::{CallError, CallFate, Error};

/// The meaning of one answer. Each backend maps its wire statuses into this in one place,
/// by an exhaustive match (`cashier_backends`' `tourv5::map`, `cloudpay::map`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PaymentOutcome {
    /// Authenticated success (docs/protocols.md §5.5).
    Paid { reference: Option<String> },
    /// This payment went through but the bill is not fully paid (seed 002 `billpaystate` ≠ "3").
    PartlyPaid {
        reference: Option<String>,
        bill_state: String,
    },
    /// Still in progress (customer entering a password, QR not yet scanned): query again.
    Pending {
        status: String,
        reference: Option<String>,
    },
    /// Definitely not paid; `reason` is the backend's own words for the cashier.
    /// `new_order_needed`: a retry must use a new order number (Cloud Pay status 102).
    Failed {
        reason: String,
        new_order_needed: bool,
    },
    /// Nobody can tell yet: the money may have moved. Query again; never charge again.
    Unknown { reason: String },
}

impl PaymentOutcome {
    pub fn failed(reason: impl Into<String>) -> Self {
        Self::Failed {
            reason: reason.into(),
            new_order_needed: false,
        }
    }

    pub fn pending(status: impl Into<String>, reference: Option<String>) -> Self {
        Self::Pending {
            status: status.into(),
            reference,
        }
    }

    /// For calls after which money may have moved: an error whose fate is "may have moved"
    /// (`Error::fate`, the one decision) is Unknown, never an error a caller might take for
    /// "not charged". Errors that prove nothing was sent or processed stay errors.
    pub fn or_unknown(answer: Result<PaymentOutcome, Error>) -> Result<PaymentOutcome, Error> {
        match answer {
            Err(e) if e.fate() == CallFate::MayHaveMoved => Ok(PaymentOutcome::unknown(match e {
                Error::Call(CallError::NoAnswer(reason)) => reason,
                other => other.to_string(),
            })),
            other => other,
        }
    }

    pub fn unknown(reason: impl Into<String>) -> Self {
        Self::Unknown {
            reason: reason.into(),
        }
    }
}

/// A QR order the customer can now scan. Issuing it says nothing about payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrIssued {
    pub code_url: String,
    /// The backend's handle for queries: Tour V5 `autoid`, Cloud Pay `out_trade_no`.
    pub reference: String,
}
