//! (desk) seal
