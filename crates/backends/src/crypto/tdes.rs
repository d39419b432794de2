//! TripleDES as the back office's helper does it (docs/protocols.md §3).
//!
//! The documented part: the key is derived from a key string, plaintext is UTF-8, output is
//! standard Base64. Mode, padding and key derivation are not documented, so each guess is a
//! named profile chosen by configuration, and [`detect`] picks the one that opens a known
//! ciphertext (the login answer's `HawkRealKey`).

use base64::{Engine, engine::general_purpose::STANDARD as B64};
use cipher::{BlockDecryptMut, BlockEncryptMut, KeyInit, KeyIvInit, block_padding::Pkcs7};
use des::{TdesEde2, TdesEde3};
use md5::{Digest, Md5};
use sha2::Sha256;

use super::CryptoError;

use des::cipher;

pub use cashier_core::backend::crypto::TdesProfile;

/// TripleDES under a configured profile. The profile is a deployment's choice, so core keeps
/// the enum (its configuration reads it); the cipher is this crate's.
pub trait TdesCipher {
    /// Encrypts UTF-8 `plaintext` under `key` (the key *string*), returning Base64.
    fn encrypt(self, key: &str, plaintext: &str) -> Result<String, CryptoError>;
    /// Decrypts Base64 `ciphertext`; the result must be printable UTF-8.
    fn decrypt(self, key: &str, ciphertext: &str) -> Result<String, CryptoError>;
}

fn key_bytes(profile: TdesProfile, key: &str) -> Result<Vec<u8>, CryptoError> {
    Ok(match profile {
        TdesProfile::Sha256Ecb | TdesProfile::Sha256Cbc => {
            Sha256::digest(key.as_bytes())[..24].to_vec()
        }
        TdesProfile::AsciiEcb => {
            let b = key.as_bytes();
            if b.len() < 24 {
                return Err(CryptoError::KeyTooShort);
            }
            b[..24].to_vec()
        }
        TdesProfile::Md5TwoKeyEcb => Md5::digest(key.as_bytes()).to_vec(),
    })
}

impl TdesCipher for TdesProfile {
    fn encrypt(self, key: &str, plaintext: &str) -> Result<String, CryptoError> {
        let k = key_bytes(self, key)?;
        let pt = plaintext.as_bytes();
        let bad = |_| CryptoError::KeyTooShort;
        let ct = match self {
            Self::Sha256Ecb | Self::AsciiEcb => ecb::Encryptor::<TdesEde3>::new_from_slice(&k)
                .map_err(bad)?
                .encrypt_padded_vec_mut::<Pkcs7>(pt),
            Self::Md5TwoKeyEcb => ecb::Encryptor::<TdesEde2>::new_from_slice(&k)
                .map_err(bad)?
                .encrypt_padded_vec_mut::<Pkcs7>(pt),
            Self::Sha256Cbc => cbc::Encryptor::<TdesEde3>::new_from_slices(&k, &k[..8])
                .map_err(|_| CryptoError::KeyTooShort)?
                .encrypt_padded_vec_mut::<Pkcs7>(pt),
        };
        Ok(B64.encode(ct))
    }

    fn decrypt(self, key: &str, ciphertext: &str) -> Result<String, CryptoError> {
        let k = key_bytes(self, key)?;
        let ct = B64
            .decode(ciphertext.trim())
            .map_err(|_| CryptoError::BadBase64)?;
        let bad = |_| CryptoError::KeyTooShort;
        let pt = match self {
            Self::Sha256Ecb | Self::AsciiEcb => ecb::Decryptor::<TdesEde3>::new_from_slice(&k)
                .map_err(bad)?
                .decrypt_padded_vec_mut::<Pkcs7>(&ct),
            Self::Md5TwoKeyEcb => ecb::Decryptor::<TdesEde2>::new_from_slice(&k)
                .map_err(bad)?
                .decrypt_padded_vec_mut::<Pkcs7>(&ct),
            Self::Sha256Cbc => cbc::Decryptor::<TdesEde3>::new_from_slices(&k, &k[..8])
                .map_err(|_| CryptoError::KeyTooShort)?
                .decrypt_padded_vec_mut::<Pkcs7>(&ct),
        }
        .map_err(|_| CryptoError::BadPadding)?;
        let text = String::from_utf8(pt).map_err(|_| CryptoError::NotText)?;
        if text.is_empty() || text.chars().any(|c| c.is_control()) {
            return Err(CryptoError::NotText);
        }
        Ok(text)
    }
}

/// The profile that decrypts `ciphertext` under `key` to valid padding and printable text.
///
/// A wrong key or profile passes the PKCS7 check by chance about once in 256 tries and then
/// almost never yields printable text, so the first profile that passes both is taken; the
/// configured profile is tried first so a deployment's choice wins ties.
pub fn detect(
    preferred: TdesProfile,
    key: &str,
    ciphertext: &str,
) -> Option<(TdesProfile, String)> {
    std::iter::once(preferred)
        .chain(TdesProfile::ALL.into_iter().filter(|p| *p != preferred))
        .find_map(|p| p.decrypt(key, ciphertext).ok().map(|t| (p, t)))
}
