//! The backends' cryptography: the MD5 session key, TripleDES of codes and keys,
//! HAWK request signing, and Cloud Pay's authen_code.

pub mod authen;
pub mod hawk_sig;
pub mod tdes;

use md5::{Digest, Md5};
use secrecy::{ExposeSecret, SecretString};

pub use authen::AuthenKey;
pub use cashier_core::backend::crypto::CryptoError;
pub use hawk_sig::{HawkCredentials, HawkHeader, HawkKeyBytes, HawkKeyDecode};
pub use tdes::{TdesCipher, TdesProfile};

/// `UPPER(MD5(password))`: 32 uppercase hex characters over the UTF-8 password.
///
/// It is the pre-login HAWK key, the `api/Pos/...` HAWK key and the TripleDES key string for
/// `wechatbarcode` (docs/protocols.md §1, seed 002), so it is kept as a secret; the password is
/// not.
pub fn md5_key(password: &SecretString) -> SecretString {
    let digest = Md5::digest(password.expose_secret().as_bytes());
    SecretString::from(hex::encode_upper(digest))
}
