//! Replacing a file whole (the configuration, a key, an exported report): the new bytes go to a
//! temporary file beside it, reach the disk, and are renamed over the old one, so a crash, a
//! full disk or a refused rename never leaves half a file: the old one stays as it was.
//!
//! The rename is `tempfile`'s `persist`, which replaces an existing file on Windows too
//! (`MoveFileExW` with `MOVEFILE_REPLACE_EXISTING`). Windows refuses it while another program
//! holds the old file open without sharing deletion: an antivirus scan or the search indexer
//! (which let go within moments), or an editor. Those refusals are tried again for a while,
//! then reported saying so.

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use tempfile::{NamedTempFile, PersistError};

use super::places::System;

/// The waits between tries of a refused rename: about a second and a half in all, long enough
/// for a scan of a small file, short enough for a cashier waiting on "save".
const RETRY_WAITS: [Duration; 5] = [
    Duration::from_millis(50),
    Duration::from_millis(100),
    Duration::from_millis(200),
    Duration::from_millis(400),
    Duration::from_millis(800),
];

/// A file that was not replaced; the old one is as it was and no temporary file is left.
#[derive(Debug)]
pub struct ReplaceError {
    pub path: PathBuf,
    pub error: io::Error,
    /// Windows refused as it does when another program has the file open (or it is read-only).
    pub held_elsewhere: bool,
}

impl std::error::Error for ReplaceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl fmt::Display for ReplaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} was not replaced ({}); the file is as it was",
            self.path.display(),
            self.error
        )?;
        if self.held_elsewhere {
            f.write_str(
                ". Windows refused: another program may have it open (an editor, an antivirus \
                 scan), or it is read-only; close that program and try again",
            )?;
        }
        Ok(())
    }
}

impl ReplaceError {
    /// The same in Chinese.
    pub fn zh(&self) -> String {
        let held = if self.held_elsewhere {
            "。Windows 拒绝了：可能有别的程序正打开着它（编辑器、杀毒软件扫描），\
             或它是只读文件；关掉那个程序后再试"
        } else {
            ""
        };
        format!(
            "{} 未能替换（{}），原文件没有改动{held}",
            self.path.display(),
            self.error
        )
    }
}

/// Replaces the file at `path` with `bytes` (see the module's note). The temporary file is
/// created by `tempfile`, readable by this user only on Unix; on Windows it gets the folder's
/// permissions, which in the user's profile are this user's, the system's and the
/// administrators'.
pub fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), ReplaceError> {
    let failed = |error: io::Error| ReplaceError {
        path: path.to_owned(),
        error,
        held_elsewhere: false,
    };
    let dir = folder_of(path);
    std::fs::create_dir_all(dir).map_err(failed)?;
    let mut file = NamedTempFile::new_in(dir).map_err(failed)?;
    file.write_all(bytes).map_err(failed)?;
    file.as_file().sync_all().map_err(failed)?;
    persist(file, path)
}

/// The folder a file at `path` is in: the working directory for a bare file name.
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Renames the finished temporary `file` over `path`, trying again while Windows says another
/// program holds it. On failure the temporary file is removed (dropped) and `path` untouched.
pub fn persist(file: NamedTempFile, path: &Path) -> Result<(), ReplaceError> {
    persist_with(System::this(), file, path, &RETRY_WAITS, |f, p| {
        f.persist(p).map(drop)
    })
}

/// [`persist`] with its system, waits and rename given, so Windows' refusals can be staged in a
/// test on any system.
fn persist_with(
    system: System,
    mut file: NamedTempFile,
    path: &Path,
    waits: &[Duration],
    mut rename: impl FnMut(NamedTempFile, &Path) -> Result<(), PersistError>,
) -> Result<(), ReplaceError> {
    let mut waits = waits.iter();
    loop {
        let refused = match rename(file, path) {
            Ok(()) => return Ok(()),
            Err(refused) => refused,
        };
        let held = held_elsewhere(system, &refused.error);
        match waits.next() {
            Some(wait) if held => {
                file = refused.file;
                std::thread::sleep(*wait);
            }
            // `refused.file` is dropped here, which deletes the temporary file.
            _ => {
                return Err(ReplaceError {
                    path: path.to_owned(),
                    error: refused.error,
                    held_elsewhere: held,
                });
            }
        }
    }
}

/// Whether `error` is Windows refusing as it does while another program has the file open:
/// access denied (`ERROR_ACCESS_DENIED`, 5: open without delete sharing, or a read-only file,
/// which waiting does not fix but costs only the wait), a sharing or a lock violation (32, 33).
/// The same numbers mean other things elsewhere (5 is Unix's `EIO`), hence the system.
pub fn held_elsewhere(system: System, error: &io::Error) -> bool {
    system == System::Windows && matches!(error.raw_os_error(), Some(5 | 32 | 33))
}

#[cfg(test)]
#[path = "replace_tests.rs"]
mod tests;
