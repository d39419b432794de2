//! A serial port's name, for a scanner (`scanner.port`) and a serial printer (`serial:PORT`).
//!
//! Unix names are paths (`/dev/ttyUSB0`, `/dev/serial/by-id/...`) and are taken as given. Windows
//! names come in several spellings of one port: `COM3`, `com3`, `COM3:` (the DOS device form),
//! `\\.\COM12` (the device path, which Windows itself needs from COM10 up) and `//./COM12`. They
//! are all written `COM3` / `COM12` here, the form Windows lists the ports in (the settings
//! screen's choices) and the serial library opens at any number (it adds the `\\.\` itself).
//! Other device names (a virtual port driver's `\\.\CNCA0`) keep their device path, written
//! with backslashes.

/// A name that cannot be a serial port.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortNameError {
    #[error("no serial port is named")]
    Empty,
    #[error("{0:?} is not a COM port: Windows numbers them from COM1")]
    ComNumber(String),
}

/// The Windows device-path prefixes, written either way round.
const DEVICE_PREFIXES: [&str; 2] = [r"\\.\", "//./"];

/// `given` as every part of Cashier writes and opens it (see the module's note), or why it
/// cannot be a port.
pub fn canonical_port_name(given: &str) -> Result<String, PortNameError> {
    let name = given.trim();
    if name.is_empty() {
        return Err(PortNameError::Empty);
    }
    let device = DEVICE_PREFIXES
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix));
    let bare = device.unwrap_or(name);
    // `COM3:` is the DOS spelling; the colon is not part of the device's name.
    let bare_com = bare.strip_suffix(':').unwrap_or(bare);
    match com_number(bare_com) {
        Some(Some(n)) => Ok(format!("COM{n}")),
        Some(None) => Err(PortNameError::ComNumber(name.to_owned())),
        None => match device {
            Some("") => Err(PortNameError::Empty),
            // Written with backslashes, which the serial library leaves alone (it would put its
            // own `\\.\` before `//./`).
            Some(rest) => Ok(format!(r"\\.\{rest}")),
            None => Ok(name.to_owned()),
        },
    }
}

/// `Some(Some(n))` for `COMn` (any case, n ≥ 1), `Some(None)` for `COM` followed by digits that
/// are no port number (`COM0`, too many), `None` when it is not a COM name at all.
fn com_number(name: &str) -> Option<Option<u32>> {
    let digits = name
        .get(..3)
        .filter(|com| com.eq_ignore_ascii_case("COM"))
        .and_then(|_| name.get(3..))
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))?;
    Some(digits.parse::<u32>().ok().filter(|&n| n >= 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(given: &str) -> String {
        canonical_port_name(given).unwrap_or_else(|e| panic!("{given:?}: {e}"))
    }

    #[test]
    fn windows_spellings_of_one_port_are_one_name() {
        for given in [
            "COM3",
            "com3",
            "Com3",
            " COM3 ",
            "COM3:",
            r"\\.\COM3",
            r"\\.\com3:",
            "//./COM3",
            "COM03",
        ] {
            assert_eq!(ok(given), "COM3", "{given:?}");
        }
        // From COM10 up Windows needs the device path; the serial library adds it to `COM12`.
        assert_eq!(ok(r"\\.\COM12"), "COM12");
        assert_eq!(ok("COM12"), "COM12");
        assert_eq!(ok("COM256"), "COM256");
    }

    #[test]
    fn unix_paths_and_other_devices_are_kept_as_given() {
        for given in [
            "/dev/ttyUSB0",
            "/dev/serial/by-id/usb-Honeywell_Scanner-if00",
            "/dev/pts/7",
            r"\\.\CNCA0",
            // A name that only starts like a COM port is another device.
            "COMX",
            "COM3a",
            "/dev/COM3",
        ] {
            assert_eq!(ok(given), given, "{given:?}");
        }
        assert_eq!(ok("  /dev/ttyS0\n"), "/dev/ttyS0");
        // The serial library opens a name with a leading backslash as it is, and puts `\\.\`
        // before any other: a device path with forward slashes would be spoiled.
        assert_eq!(ok("//./CNCB0"), r"\\.\CNCB0");
    }

    #[test]
    fn names_that_cannot_be_a_port_are_refused() {
        assert_eq!(canonical_port_name(""), Err(PortNameError::Empty));
        assert_eq!(canonical_port_name("  "), Err(PortNameError::Empty));
        assert_eq!(canonical_port_name(r"\\.\"), Err(PortNameError::Empty));
        for given in ["COM0", r"\\.\COM0", "COM00", "COM99999999999"] {
            assert_eq!(
                canonical_port_name(given),
                Err(PortNameError::ComNumber(given.to_owned())),
                "{given:?}"
            );
        }
        assert!(
            canonical_port_name("COM0")
                .unwrap_err()
                .to_string()
                .contains("COM1")
        );
    }
}
