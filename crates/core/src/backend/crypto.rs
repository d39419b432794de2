//! What core knows of the backends' cryptography: the readings a deployment chooses in its
//! configuration (TripleDES profile, HAWK key bytes) and the errors a till may report. The
//! ciphers and signatures themselves are `cashier_backends::crypto`'s.

use serde::{Deserialize, Serialize};

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

/// How the back office's TripleDES is done (docs/protocols.md §3): mode, padding and key
/// derivation are not documented, so each guess is a named profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum TdesProfile {
    /// ASSUMPTION (docs/protocols.md §3): key = SHA-256(key string)[..24], 3DES-EDE3, ECB, PKCS7.
    #[default]
    Sha256Ecb,
    /// Key = the first 24 ASCII bytes of the key string, ECB, PKCS7.
    AsciiEcb,
    /// Key = MD5(key string) as a 16-byte two-key 3DES, ECB, PKCS7.
    Md5TwoKeyEcb,
    /// Key = SHA-256(key string)[..24], CBC with IV = key[0..8], PKCS7.
    Sha256Cbc,
}

impl TdesProfile {
    pub const ALL: [TdesProfile; 4] = [
        TdesProfile::Sha256Ecb,
        TdesProfile::AsciiEcb,
        TdesProfile::Md5TwoKeyEcb,
        TdesProfile::Sha256Cbc,
    ];
}

/// How a key string becomes HMAC key bytes. ASSUMPTION (docs/protocols.md §1): its UTF-8 bytes; the
/// other reading of a 32-hex-digit key is the 16 bytes it spells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HawkKeyBytes {
    #[default]
    Utf8,
    Hex,
}
