//! A manager's approval for `resolve` and `refund`: the manager chosen by name (`--manager`),
//! the PIN read from stdin, one line (a hidden prompt at a terminal). Never an argument: an
//! argument is visible in the process list and the shell's history.

use std::io::{BufRead, IsTerminal};

use cashier_core::Error;
use cashier_core::managers::{Approval, DeskRefusal};
use cashier_core::till::Till;

/// The approval of the manager named `name`, with the PIN read now.
pub fn approval(till: &Till, name: &str) -> Result<Approval, Error> {
    let name = name.trim();
    let manager = till
        .managers()?
        .into_iter()
        .find(|m| m.name == name)
        .ok_or(DeskRefusal::UnknownManager)?;
    Ok(Approval {
        manager: manager.id,
        pin: read_pin(name)?,
    })
}

fn read_pin(name: &str) -> Result<String, Error> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return rpassword::prompt_password(format!("PIN for {name} / {name} 的 PIN: "))
            .map_err(|e| Error::Internal(format!("PIN prompt: {e}")));
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::Internal(format!("reading the PIN from stdin: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
