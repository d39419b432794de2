//! The settings' customer display field: off, automatic, or a chosen monitor. The desktop app
//! reads it at start (a change applies at the next start).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::config::Config;
use crate::customer_display::{CustomerDisplay, MAX_MONITOR};
use crate::error::Field;
use crate::{Error, Lang};

/// The customer display (客显).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DisplayFields {
    /// `auto`, `off`, or a monitor's number (`1` = the second monitor), as
    /// [`DisplayFields::choices`] offers them.
    pub customer_display: String,
}

/// One choice of the customer display's field: the value the form sends, and its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DisplayChoice {
    pub value: String,
    pub label: String,
}

/// How many monitors the field offers by number (a till with more can type the number into
/// the configuration file).
const OFFERED_MONITORS: u8 = 3;

impl DisplayFields {
    pub(super) fn of(cfg: &Config) -> DisplayFields {
        DisplayFields {
            customer_display: cfg.customer_display.text(),
        }
    }

    /// A value that is not a setting is refused next to the settings, saying what to choose.
    pub(super) fn apply(&self, cfg: &mut Config) -> Result<(), Error> {
        cfg.customer_display = CustomerDisplay::parse(&self.customer_display)
            .map_err(|e| Error::input(Field::Settings, e.en(), e.zh()))?;
        Ok(())
    }

    /// Automatic, off, the second to fourth monitors, and the one set if it is another.
    pub(super) fn choices(&self, lang: Lang) -> Vec<DisplayChoice> {
        let zh = lang == Lang::ZhCn;
        let choice = |d: CustomerDisplay| DisplayChoice {
            value: d.text(),
            label: label(d, zh),
        };
        let mut out = vec![choice(CustomerDisplay::Auto), choice(CustomerDisplay::Off)];
        out.extend((1..=OFFERED_MONITORS).map(|n| choice(CustomerDisplay::Monitor(n))));
        if let Ok(set) = CustomerDisplay::parse(&self.customer_display)
            && !out.iter().any(|c| c.value == set.text())
        {
            out.push(choice(set));
        }
        out
    }
}

fn label(d: CustomerDisplay, zh: bool) -> String {
    match (d, zh) {
        // The field's hint says what automatic means.
        (CustomerDisplay::Auto, true) => "自动".into(),
        (CustomerDisplay::Auto, false) => "Automatic".into(),
        (CustomerDisplay::Off, true) => "关闭".into(),
        (CustomerDisplay::Off, false) => "Off".into(),
        // Monitor n is the (n+1)th: number 0 is the first, usually the cashier's.
        (CustomerDisplay::Monitor(n), true) => format!("第 {} 块屏幕（编号 {n}）", n + 1),
        (CustomerDisplay::Monitor(n), false) => format!("Monitor {} (number {n})", n + 1),
    }
}

// Keeps the field's numbers within what the setting takes.
const _: () = assert!(OFFERED_MONITORS <= MAX_MONITOR);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_auto_off_and_monitors_by_their_place() {
        let f = DisplayFields {
            customer_display: "auto".into(),
        };
        let zh: Vec<_> = f.choices(Lang::ZhCn).into_iter().map(|c| c.value).collect();
        assert_eq!(zh, ["auto", "off", "1", "2", "3"]);
        let en = f.choices(Lang::En);
        assert_eq!(en[2].label, "Monitor 2 (number 1)");
        let seven = DisplayFields {
            customer_display: "7".into(),
        };
        assert_eq!(seven.choices(Lang::En).last().unwrap().value, "7");
    }

    #[test]
    fn a_value_that_is_no_setting_is_refused_in_words() {
        let mut cfg = Config::default();
        let bad = DisplayFields {
            customer_display: "left".into(),
        };
        let e = bad.apply(&mut cfg).unwrap_err();
        assert!(e.to_string().contains("monitor number"), "{e}");
        let good = DisplayFields {
            customer_display: "2".into(),
        };
        good.apply(&mut cfg).unwrap();
        assert_eq!(cfg.customer_display, CustomerDisplay::Monitor(2));
    }
}
