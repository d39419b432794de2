//! PINs from the person at the till: a manager's approval (the manager chosen by name with
//! `--manager`, the PIN read from stdin, one line, or a hidden prompt at a terminal) and a new
//! manager's PIN. Never an argument: an argument is visible in the process list and the
//! shell's history.

use std::io::{BufRead, IsTerminal};

use cashier_core::Error;
use cashier_core::error::Field;
use cashier_core::managers::{Approval, DeskRefusal, ManagerId};
use cashier_core::till::Till;

/// The approval of the manager named `name`, with the PIN read now.
pub fn approval(till: &Till, name: &str) -> Result<Approval, Error> {
    let manager = manager_id(till, name)?;
    let name = name.trim();
    Ok(Approval {
        manager,
        pin: read_line(&format!("PIN for {name} / {name} 的 PIN: "))?,
    })
}

/// The manager chosen by name, as the desk's list shows it.
pub fn manager_id(till: &Till, name: &str) -> Result<ManagerId, Error> {
    let name = name.trim();
    till.managers()?
        .into_iter()
        .find(|m| m.name == name)
        .map(|m| m.id)
        .ok_or_else(|| DeskRefusal::UnknownManager.into())
}

/// A new manager's PIN: one line from a pipe; at a terminal, typed twice without echo so a
/// slip of the finger does not become the PIN nobody knows. Its rule (4 to 8 digits) is core's.
pub fn new_pin(name: &str) -> Result<String, Error> {
    let name = name.trim();
    let first = read_line(&format!("new PIN for {name} / {name} 的新 PIN: "))?;
    if !std::io::stdin().is_terminal() {
        return Ok(first);
    }
    let again = read_line("again / 再输一次: ")?;
    if again != first {
        return Err(Error::input(
            Field::Pin,
            "the two PINs typed differ; nothing was changed",
            "两次输入的 PIN 不一致；未做任何更改",
        ));
    }
    Ok(first)
}

/// One line: a hidden prompt at a terminal, else the next line of stdin (without its end).
fn read_line(prompt: &str) -> Result<String, Error> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return rpassword::prompt_password(prompt)
            .map_err(|e| Error::Internal(format!("PIN prompt: {e}")));
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::Internal(format!("reading the PIN from stdin: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
