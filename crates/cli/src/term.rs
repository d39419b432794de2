//! Writing to the terminal without ever panicking. `println!` panics when stdout is a closed
//! pipe (`cashier pay … | head -1`), which would stop a payment from being followed and
//! journalled; a line that cannot be written is simply lost.

/// A line on stdout (results).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// A line on stderr (progress, notices, errors).
macro_rules! diag {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

pub(crate) use {diag, out};

/// Standard output for a long text (an export), written to in large blocks. A reader that went away
/// (`cashier receipts --csv | head`) ends it quietly, as it would have a line of `out!`; any
/// other failure, such as a full disk behind `> day.csv`, stays an error.
pub struct Pipe {
    inner: std::io::StdoutLock<'static>,
    closed: bool,
}

impl Pipe {
    pub fn stdout() -> Pipe {
        Pipe {
            inner: std::io::stdout().lock(),
            closed: false,
        }
    }

    fn quiet<T>(&mut self, done: T, r: std::io::Result<T>) -> std::io::Result<T> {
        match r {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(done)
            }
            other => other,
        }
    }
}

impl std::io::Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let r = self.inner.write(buf);
        self.quiet(buf.len(), r)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let r = self.inner.flush();
        self.quiet((), r)
    }
}
