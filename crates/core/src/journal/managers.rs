//! (desk) managers
