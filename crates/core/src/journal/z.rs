//! (desk) z
