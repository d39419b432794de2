//! (desk) audit

// TEMPORARY stub (closing branch): the audit trail's verification is written on another
// branch; this stands in until the merge.
/// Walks the audit chain: the number of rows, or the first break (its seq and what).
pub(crate) fn verify_audit(_conn: &rusqlite::Connection) -> Result<u64, (i64, String)> {
    Ok(0)
}
