//! (desk) verify
