//! Closing a business day: the X report (a snapshot, never stored) and the Z report (closes
//! the day, numbered without gaps, chained by hash), both from one function (docs/desk.md).
