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

/// Text on stdout with no newline added (a CSV file).
macro_rules! out_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        let _ = write!(stdout, $($arg)*);
        let _ = stdout.flush();
    }};
}

/// A line on stderr (progress, notices, errors).
macro_rules! diag {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

pub(crate) use {diag, out, out_raw};
