//! Where the customer display (客显) goes: a setting of the till, and the rule that picks its
//! monitor from the ones the machine has. The desktop shell lists the monitors and places the
//! window; which one it takes is decided here, so it is the same rule wherever it is asked.

use serde::{Deserialize, Serialize};

/// `customer_display` in the configuration: `"auto"` (the default: on when a second monitor is
/// present), `"off"`, or a monitor's number in the system's order, counted from 0, so `"1"` is
/// the second monitor. Written as text in the file and on the settings form.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum CustomerDisplay {
    #[default]
    Auto,
    Off,
    /// The monitor with this number (1 or more: monitor 0 is the cashier's, usually).
    Monitor(u8),
}

/// The highest monitor number the setting takes: more monitors than this on one till is not a
/// till.
pub const MAX_MONITOR: u8 = 8;

/// Why a `customer_display` text is not one, in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotADisplay;

impl NotADisplay {
    pub fn en(self) -> String {
        format!(
            "customer display: \"auto\", \"off\" or a monitor number from 1 to {MAX_MONITOR} (1 = the second monitor)"
        )
    }

    pub fn zh(self) -> String {
        format!(
            "客显：填 auto（自动）、off（关闭）或 1 到 {MAX_MONITOR} 的屏幕编号（1 为第二块屏幕）"
        )
    }
}

impl std::fmt::Display for NotADisplay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en())
    }
}

impl std::error::Error for NotADisplay {}

impl CustomerDisplay {
    /// Reads the setting as written (case and spaces around it do not matter).
    pub fn parse(raw: &str) -> Result<CustomerDisplay, NotADisplay> {
        let raw = raw.trim().to_ascii_lowercase();
        match raw.as_str() {
            "auto" | "" => Ok(CustomerDisplay::Auto),
            "off" => Ok(CustomerDisplay::Off),
            n => match n.parse::<u8>() {
                Ok(n @ 1..=MAX_MONITOR) => Ok(CustomerDisplay::Monitor(n)),
                _ => Err(NotADisplay),
            },
        }
    }

    /// The setting as the file and the form write it.
    pub fn text(self) -> String {
        match self {
            CustomerDisplay::Auto => "auto".into(),
            CustomerDisplay::Off => "off".into(),
            CustomerDisplay::Monitor(n) => n.to_string(),
        }
    }

    /// Which of the machine's `count` monitors (in the system's order) shows the customer
    /// display, the cashier's window being on monitor `cashier`; `None`: no customer display.
    /// It never covers the cashier's own monitor: with one monitor there is no display, and a
    /// chosen monitor that is absent (unplugged) or is the cashier's gives none either.
    pub fn monitor(self, count: usize, cashier: usize) -> Option<usize> {
        match self {
            CustomerDisplay::Off => None,
            CustomerDisplay::Auto => (0..count).find(|&i| i != cashier),
            CustomerDisplay::Monitor(n) => {
                let i = usize::from(n);
                (i < count && i != cashier).then_some(i)
            }
        }
    }
}

impl TryFrom<String> for CustomerDisplay {
    type Error = NotADisplay;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        CustomerDisplay::parse(&raw)
    }
}

impl From<CustomerDisplay> for String {
    fn from(d: CustomerDisplay) -> String {
        d.text()
    }
}

#[cfg(test)]
mod tests {
    use super::CustomerDisplay::{self, Auto, Monitor, Off};

    #[test]
    fn reads_what_a_manager_writes() {
        assert_eq!(CustomerDisplay::parse("auto"), Ok(Auto));
        assert_eq!(CustomerDisplay::parse(" OFF "), Ok(Off));
        assert_eq!(CustomerDisplay::parse("1"), Ok(Monitor(1)));
        assert_eq!(CustomerDisplay::parse("8"), Ok(Monitor(8)));
        for bad in ["0", "9", "-1", "second", "1.5", "256"] {
            assert!(CustomerDisplay::parse(bad).is_err(), "{bad}");
        }
        for d in [Auto, Off, Monitor(3)] {
            assert_eq!(CustomerDisplay::parse(&d.text()), Ok(d));
        }
    }

    #[test]
    fn auto_takes_the_first_monitor_that_is_not_the_cashiers() {
        assert_eq!(Auto.monitor(1, 0), None);
        assert_eq!(Auto.monitor(2, 0), Some(1));
        assert_eq!(Auto.monitor(2, 1), Some(0));
        assert_eq!(Auto.monitor(3, 0), Some(1));
        assert_eq!(Off.monitor(3, 0), None);
    }

    #[test]
    fn a_chosen_monitor_must_be_there_and_not_the_cashiers() {
        assert_eq!(Monitor(1).monitor(2, 0), Some(1));
        assert_eq!(Monitor(2).monitor(3, 0), Some(2));
        assert_eq!(Monitor(2).monitor(2, 0), None, "unplugged");
        assert_eq!(Monitor(1).monitor(2, 1), None, "the cashier's own");
    }

    #[test]
    fn the_file_holds_it_as_text() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct File {
            customer_display: CustomerDisplay,
        }
        let f: File = toml::from_str("customer_display = \"2\"").unwrap();
        assert_eq!(f.customer_display, Monitor(2));
        assert_eq!(
            toml::to_string(&f).unwrap().trim(),
            "customer_display = \"2\""
        );
        assert!(toml::from_str::<File>("customer_display = \"left\"").is_err());
    }
}
