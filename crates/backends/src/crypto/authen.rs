//! Cloud Pay's authen_code (docs/protocols.md §2): uppercase hex of HMAC-SHA256, keyed with the
//! bytes of the 32-character authen key, over the exact bytes of `request_content` /
//! `response_content`.

use std::fmt;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use super::CryptoError;

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct AuthenKey(SecretString);

impl AuthenKey {
    pub fn new(key: SecretString) -> Result<AuthenKey, CryptoError> {
        let n = key.expose_secret().chars().count();
        if n != 32 {
            return Err(CryptoError::AuthenKeyLength(n));
        }
        Ok(AuthenKey(key))
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length, so this cannot fail.
        match HmacSha256::new_from_slice(self.0.expose_secret().as_bytes()) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC accepts any key length"),
        }
    }

    pub fn sign(&self, content: &str) -> String {
        let mut m = self.mac();
        m.update(content.as_bytes());
        hex::encode_upper(m.finalize().into_bytes())
    }

    /// Constant-time check of `code` (hex, either case) against `content`.
    pub fn verify(&self, content: &str, code: &str) -> bool {
        let Ok(given) = hex::decode(code) else {
            return false;
        };
        let mut m = self.mac();
        m.update(content.as_bytes());
        m.verify_slice(&given).is_ok()
    }
}

impl fmt::Debug for AuthenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthenKey(***)")
    }
}
