//! A till's own files: where they are when the configuration names no place ([`places`]), and
//! how one is replaced without ever leaving half of it ([`replace`]). Both differ on Windows.

pub mod places;
pub mod replace;

pub use replace::{ReplaceError, replace_file};
