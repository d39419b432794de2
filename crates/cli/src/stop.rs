//! "Stop" from outside the process: Ctrl-C at the terminal (SIGINT), or SIGTERM, which is what
//! a machine that is shutting down (systemd, `kill`, a closing session) sends first. A payment
//! in progress treats both alike: a QR code gets its final query and close, a barcode payment
//! is followed to its result; the process does not die in between. On Windows, Ctrl-Break,
//! closing the console and shutting down count as well.

/// Resolves once the process is asked to stop. Its listeners are installed when it is first
/// polled; from then on neither signal ends the process by itself. A listener that cannot be
/// installed never fires (a warning says so) rather than firing at once, which would cancel a
/// payment nobody asked to cancel.
pub async fn requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    () = ctrl_c() => {}
                    _ = term.recv() => {}
                }
                return;
            }
            Err(e) => tracing::warn!("SIGTERM cannot be caught ({e}); only Ctrl-C stops"),
        }
    }
    #[cfg(windows)]
    {
        // Windows' "stop" besides Ctrl-C: Ctrl-Break, the console window closed, the machine
        // shutting down. For the last two Windows waits a few seconds for the process (tokio
        // holds its handler meanwhile), then ends it whatever it is doing.
        use tokio::signal::windows::{ctrl_break, ctrl_close, ctrl_shutdown};
        match (ctrl_break(), ctrl_close(), ctrl_shutdown()) {
            (Ok(mut brk), Ok(mut close), Ok(mut shutdown)) => {
                tokio::select! {
                    () = ctrl_c() => {}
                    _ = brk.recv() => {}
                    _ = close.recv() => {}
                    _ = shutdown.recv() => {}
                }
                return;
            }
            _ => tracing::warn!("closing the console cannot be caught; only Ctrl-C stops"),
        }
    }
    ctrl_c().await;
}

async fn ctrl_c() {
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::warn!("Ctrl-C cannot be caught: {e}");
        std::future::pending::<()>().await;
    }
}
