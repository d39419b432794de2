//! (desk) audit
