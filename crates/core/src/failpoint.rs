//! Failpoints at the dangerous edges of a payment and of a refund, for the crash tests.
//!
//! In debug builds, `CASHIER_FAILPOINT=<name>` makes the process announce the point on stderr
//! and stop there until it is killed: the test then SIGKILLs it, exactly as a power cut would.
//! Release builds compile this to nothing.

/// After the attempt is journalled, before the payment call leaves.
pub const AFTER_JOURNAL_BEFORE_SEND: &str = "after-journal-before-send";
/// After the backend answered, before the answer is journalled.
pub const AFTER_SEND_BEFORE_RECORD: &str = "after-send-before-record";
/// Between a QR's final query and its close.
pub const BEFORE_CLOSE: &str = "between-last-query-and-close";
/// After a refund's part is journalled, before the refund call leaves.
pub const REFUND_AFTER_JOURNAL_BEFORE_SEND: &str = "refund-after-journal-before-send";
/// After the refund call answered, before the answer is journalled.
pub const REFUND_AFTER_SEND_BEFORE_RECORD: &str = "refund-after-send-before-record";

#[inline]
pub fn hit(name: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("CASHIER_FAILPOINT").is_ok_and(|v| v == name) {
        eprintln!("FAILPOINT {name} reached; waiting to be killed");
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
}
