//! Request validation the way ASP.NET Web API model binding does it: every broken field is
//! collected under `parm.FIELD` and answered together as HTTP 400, before the action runs.
//!
//! Fields are read from a `serde_json::Value` by name, independently of the client's structs,
//! so a renamed or retyped field on either side shows up as a failing test.

use std::collections::BTreeMap;
use std::str::FromStr;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cashier_core::Fen;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::Rejection;

/// Whether a text field must be there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// `[Required]`: missing, null, empty or blank is an error.
    Required,
    Optional,
}

pub struct Model<'a> {
    fields: Option<&'a Map<String, Value>>,
    errors: BTreeMap<String, Vec<String>>,
}

/// The JSON body, or the 400 ASP.NET gives when it cannot bind one.
pub fn parse(body: &[u8]) -> Result<Value, Rejection> {
    serde_json::from_slice::<Value>(body).map_err(|e| {
        let mut errors = BTreeMap::new();
        errors.insert("parm".to_string(), vec![format!("{e}")]);
        Rejection::from(invalid(errors))
    })
}

fn invalid(errors: BTreeMap<String, Vec<String>>) -> Response {
    let body = json!({"Message": "The request is invalid.", "ModelState": errors});
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

impl<'a> Model<'a> {
    pub fn new(body: &'a Value) -> Model<'a> {
        let mut errors = BTreeMap::new();
        if !body.is_object() {
            errors.insert(
                "parm".to_string(),
                vec!["The parm field is required.".to_string()],
            );
        }
        Model {
            fields: body.as_object(),
            errors,
        }
    }

    fn fail(&mut self, name: &str, message: String) {
        self.errors
            .entry(format!("parm.{name}"))
            .or_default()
            .push(message);
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.fields?.get(name).filter(|v| !v.is_null())
    }

    /// A text field; `""` when absent or invalid (then [`Model::finish`] answers 400).
    pub fn text(&mut self, name: &str, need: Need, max: Option<usize>) -> &'a str {
        let value = match self.get(name) {
            None => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(other) => {
                self.fail(
                    name,
                    format!("Error converting value {other} to type 'System.String'."),
                );
                return "";
            }
        };
        match (value, need) {
            (None, Need::Optional) => return "",
            (None, _) => {
                self.fail(name, format!("The {name} field is required."));
                return "";
            }
            (Some(s), Need::Required) if s.trim().is_empty() => {
                self.fail(name, format!("The {name} field is required."));
                return "";
            }
            _ => {}
        }
        let s = value.unwrap_or_default();
        // .NET counts a string's length in UTF-16 code units.
        if let Some(max) = max
            && s.encode_utf16().count() > max
        {
            self.fail(
                name,
                format!("The field {name} must be a string or array type with a maximum length of '{max}'."),
            );
            return "";
        }
        s
    }

    /// An optional text field that is `None` when absent or empty.
    pub fn opt_text(&mut self, name: &str, max: Option<usize>) -> Option<&'a str> {
        Some(self.text(name, Need::Optional, max)).filter(|s| !s.is_empty())
    }

    /// A required yuan amount: a JSON number, more than zero, at most two decimals.
    pub fn yuan(&mut self, name: &str) -> Fen {
        let Some(value) = self.get(name) else {
            self.fail(name, format!("The {name} field is required."));
            return Fen::ZERO;
        };
        let Value::Number(n) = value else {
            self.fail(name, format!("Could not convert {value} to decimal."));
            return Fen::ZERO;
        };
        // serde_json keeps the number's text (arbitrary_precision): no f64 on the way.
        let text = n.to_string();
        let Ok(d) = Decimal::from_str(&text).or_else(|_| Decimal::from_scientific(&text)) else {
            self.fail(name, format!("Could not convert {text} to decimal."));
            return Fen::ZERO;
        };
        // An amount beyond any count of fen is refused before it is turned into fen, so no
        // arithmetic on a client's number can overflow.
        let fen = if d > Decimal::from(u64::MAX / 100) {
            None
        } else {
            Fen::from_wire_yuan(d).ok()
        };
        match fen {
            Some(fen) if fen.0 > 0 => fen,
            Some(_) => {
                self.fail(name, format!("The field {name} must be greater than 0."));
                Fen::ZERO
            }
            None => {
                self.fail(
                    name,
                    format!("The field {name} must be a positive amount with at most 2 decimals."),
                );
                Fen::ZERO
            }
        }
    }

    /// A required integer within `range` (an enum such as `BusinessType`).
    pub fn int(&mut self, name: &str, range: std::ops::RangeInclusive<i64>) -> i64 {
        match self.get(name) {
            None => {
                self.fail(name, format!("The {name} field is required."));
                0
            }
            Some(v) => match v.as_i64().filter(|i| range.contains(i)) {
                Some(i) => i,
                None => {
                    self.fail(name, format!("The value '{v}' is not valid for {name}."));
                    0
                }
            },
        }
    }

    /// `Ok` when every field read so far was valid, else the 400 answer.
    pub fn finish(self) -> Result<(), Rejection> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Rejection::from(invalid(self.errors)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_broken_field() {
        let body = json!({"billnum": "123456789012345678901", "paymentvalue": 1.234, "x": 1});
        let mut m = Model::new(&body);
        assert_eq!(m.text("billnum", Need::Required, Some(20)), "");
        assert_eq!(m.text("paytype", Need::Required, Some(2)), "");
        assert_eq!(m.yuan("paymentvalue"), Fen::ZERO);
        assert_eq!(m.errors.len(), 3);
    }

    #[test]
    fn reads_valid_fields() {
        let body: Value =
            serde_json::from_str(r#"{"a": "x", "v": 12.30, "e": "", "t": 7}"#).unwrap_or_default();
        let mut m = Model::new(&body);
        assert_eq!(m.text("a", Need::Required, Some(1)), "x");
        assert_eq!(m.yuan("v"), Fen(1230));
        assert_eq!(m.text("e", Need::Optional, Some(36)), "");
        assert_eq!(m.int("t", 1..=7), 7);
        assert!(m.finish().is_ok());
    }

    #[test]
    fn huge_and_odd_amounts_are_refused_not_a_panic() {
        for text in [
            "79228162514264337593543950335",
            "1e28",
            "1e400",
            "1e-400",
            "1e99999999999999999999",
            "1e-99999999999999999999",
            "1.5E-2147483649",
            "184467440737095516.16",
            "-1",
            "0.001",
        ] {
            let body: Value =
                serde_json::from_str(&format!(r#"{{"v": {text}}}"#)).unwrap_or_default();
            let mut m = Model::new(&body);
            assert_eq!(m.yuan("v"), Fen::ZERO, "{text}");
            assert!(m.finish().is_err(), "{text}");
        }
    }
}
