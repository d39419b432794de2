//! (desk) closing
