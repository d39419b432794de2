//! `--state FILE`: the book kept on disk, so a sandbox killed and started again still knows
//! every order, charge and refund, as a real backend never forgets one.
//!
//! The file is JSON lines: a whole snapshot, then one delta per request that changed the book,
//! appended before the answer leaves (so nothing a client was told is lost by a kill). A torn
//! last line (a kill in the middle of a write) is dropped: its request was never answered. At
//! start, and whenever the deltas have grown past a few snapshots' size, the file is rewritten
//! as one snapshot, written to a temporary file and renamed over it.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use crate::book::{Book, Line};
use crate::clock::Now;

/// Deltas written past this many times the last snapshot's size (and past `MIN_COMPACT`)
/// rewrite the file: the file stays within a small multiple of the book.
const COMPACT_FACTOR: u64 = 4;
const MIN_COMPACT: u64 = 8 << 20;

pub struct StateFile {
    path: PathBuf,
    file: File,
    snapshot_len: u64,
    appended: u64,
}

fn invalid(path: &Path, e: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("state file {}: {e}", path.display()),
    )
}

impl StateFile {
    /// Reads the book saved at `path` (an empty one when the file does not exist), then
    /// rewrites the file as one snapshot of it.
    pub fn open(path: &Path, now: &Now) -> io::Result<(StateFile, Book)> {
        let mut book = Book::default();
        match File::open(path) {
            Ok(f) => {
                let lines: Vec<String> = BufReader::new(f).lines().collect::<io::Result<_>>()?;
                let last = lines.len().saturating_sub(1);
                for (n, text) in lines.iter().enumerate() {
                    if text.trim().is_empty() {
                        continue;
                    }
                    match serde_json::from_str::<Line>(text) {
                        Ok(line) => book
                            .apply(line, now)
                            .map_err(|e| invalid(path, format!("line {}: {e}", n + 1)))?,
                        Err(e) if n == last => {
                            tracing::warn!(error = %e, "state file: torn last line dropped");
                        }
                        Err(e) => return Err(invalid(path, format!("line {}: {e}", n + 1))),
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let mut state = StateFile {
            path: path.to_path_buf(),
            // Replaced by `rewrite` below; a handle on the directory's file for now.
            file: OpenOptions::new().create(true).append(true).open(path)?,
            snapshot_len: 0,
            appended: 0,
        };
        let line = book.take_line(now, true);
        state.rewrite(line)?;
        Ok((state, book))
    }

    /// Whether the next line should be a whole snapshot.
    pub fn wants_snapshot(&self) -> bool {
        self.appended > MIN_COMPACT.max(self.snapshot_len.saturating_mul(COMPACT_FACTOR))
    }

    /// Writes a line the book handed out: a snapshot replaces the file, a delta is appended.
    pub fn write(&mut self, line: Line) -> io::Result<()> {
        match line {
            Line::Snapshot(_) => self.rewrite(Some(line)),
            Line::Delta(_) => {
                let mut text = serde_json::to_vec(&line).map_err(io::Error::other)?;
                text.push(b'\n');
                // One write of the whole line: a kill leaves it whole or torn at the end.
                self.file.write_all(&text)?;
                self.appended = self.appended.saturating_add(text.len() as u64);
                Ok(())
            }
        }
    }

    fn rewrite(&mut self, line: Option<Line>) -> io::Result<()> {
        let Some(line) = line else { return Ok(()) };
        let mut text = serde_json::to_vec(&line).map_err(io::Error::other)?;
        text.push(b'\n');
        let tmp = self.path.with_extension("tmp");
        {
            let mut f = File::create(&tmp)?;
            f.write_all(&text)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        self.file = OpenOptions::new().append(true).open(&self.path)?;
        self.snapshot_len = text.len() as u64;
        self.appended = 0;
        Ok(())
    }
}
