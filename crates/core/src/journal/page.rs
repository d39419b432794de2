//! (desk) page
