//! The backends' cryptography: the MD5 session key, TripleDES of codes and keys,
//! HAWK request signing, and Cloud Pay's authen_code.

pub mod authen;
pub mod hawk_sig;
pub mod tdes;

use md5::{Digest, Md5};
use secrecy::{ExposeSecret, SecretString};

pub use authen::AuthenKey;
pub use hawk_sig::{HawkCredentials, HawkHeader, HawkKeyBytes};
pub use tdes::TdesProfile;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("ciphertext is not valid Base64")]
    BadBase64,
    #[error("decryption gave invalid padding (wrong key or wrong TripleDES profile)")]
    BadPadding,
    #[error("decrypted text is not printable UTF-8 (wrong key or wrong TripleDES profile)")]
    NotText,
    #[error("key string is too short for this TripleDES profile")]
    KeyTooShort,
    #[error("HAWK header is malformed: {0}")]
    HawkHeader(String),
    #[error("HAWK signature does not verify")]
    HawkMismatch,
    #[error("authen key must be 32 characters, got {0}")]
    AuthenKeyLength(usize),
}

/// `UPPER(MD5(password))`: 32 uppercase hex characters over the UTF-8 password.
///
/// It is the pre-login HAWK key, the `api/Pos/...` HAWK key and the TripleDES key string for
/// `wechatbarcode` (docs/protocols.md §1, seed 002), so it is kept as a secret; the password is
/// not.
pub fn md5_key(password: &SecretString) -> SecretString {
    let digest = Md5::digest(password.expose_secret().as_bytes());
    SecretString::from(hex::encode_upper(digest))
}
