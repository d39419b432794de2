//! PINs: the 4-to-8-digit rule, the install's secret beside the journal, and the Argon2id hash
//! keyed with it (docs/desk.md). The secret is what makes a copy of the journal alone useless
//! for trying PINs offline, so it never goes inside the journal.

use std::io::Write;
use std::path::{Path, PathBuf};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;

use super::DeskRefusal;
use crate::Error;
use crate::error::Field;

/// Bytes of the install's secret.
const SECRET_LEN: usize = 32;

/// OWASP's Argon2id parameters: 19 MiB, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// Where the install's secret lives: `<journal>.pin-secret`, beside the journal.
pub fn secret_path(journal: &Path) -> PathBuf {
    let mut name = journal.as_os_str().to_owned();
    name.push(".pin-secret");
    PathBuf::from(name)
}

/// The install's secret; `SecretMissing` when the file is gone, unreadable or not 32 bytes
/// (no PIN can be checked without it: restore it from the till's backup).
pub fn read_secret(path: &Path) -> Result<Vec<u8>, Error> {
    match std::fs::read(path) {
        Ok(bytes) if bytes.len() == SECRET_LEN => Ok(bytes),
        _ => Err(DeskRefusal::SecretMissing {
            path: path.display().to_string(),
        }
        .into()),
    }
}

/// The secret at `path`, created (32 random bytes, mode 0600) when there is none yet: only
/// for a first manager, never to replace a lost one, which would silently orphan every hash.
/// Windows has no file modes: the file takes its folder's permissions, which in the user's
/// profile (the default journal's place, `%LOCALAPPDATA%`) are this user's, the system's and
/// the administrators'.
pub fn secret_for_first(path: &Path) -> Result<Vec<u8>, Error> {
    if path.exists() {
        return read_secret(path);
    }
    let mut secret = vec![0u8; SECRET_LEN];
    rand::rngs::OsRng
        .try_fill_bytes(&mut secret)
        .map_err(|e| Error::Internal(format!("no randomness for the PIN secret: {e}")))?;
    let failed = |e: std::io::Error| Error::Internal(format!("{}: {e}", path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(failed)?;
    file.write_all(&secret).map_err(failed)?;
    file.sync_all().map_err(failed)?;
    Ok(secret)
}

/// A PIN is 4 to 8 digits.
pub fn check_rule(pin: &str) -> Result<(), Error> {
    if (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    Err(Error::input(
        Field::Pin,
        "a PIN is 4 to 8 digits",
        "PIN 为 4 到 8 位数字",
    ))
}

fn hasher(secret: &[u8]) -> Result<Argon2<'_>, Error> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None)
        .map_err(|e| Error::Internal(format!("argon2 parameters: {e}")))?;
    Argon2::new_with_secret(secret, Algorithm::Argon2id, Version::V0x13, params)
        .map_err(|e| Error::Internal(format!("argon2 secret: {e}")))
}

/// The PHC string of `pin` with a fresh salt. Tens of milliseconds: call it off the async
/// workers ([`hash_off`]).
pub fn hash(secret: &[u8], pin: &str) -> Result<String, Error> {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng
        .try_fill_bytes(&mut salt)
        .map_err(|e| Error::Internal(format!("no randomness for a PIN salt: {e}")))?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| Error::Internal(format!("PIN salt: {e}")))?;
    hasher(secret)?
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("hashing a PIN: {e}")))
}

/// Whether `pin` is the one hashed in `phc` under this secret.
pub fn verify(secret: &[u8], pin: &str, phc: &str) -> Result<bool, Error> {
    let parsed =
        PasswordHash::new(phc).map_err(|e| Error::Internal(format!("a stored PIN hash: {e}")))?;
    match hasher(secret)?.verify_password(pin.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(Error::Internal(format!("checking a PIN: {e}"))),
    }
}

/// [`hash`] on a blocking thread: the async workers also serve the UI and the sandbox.
pub async fn hash_off(secret: Vec<u8>, pin: String) -> Result<String, Error> {
    crate::journal::off_workers(move || hash(&secret, &pin))
        .await
        .map_err(Error::Internal)?
}

/// [`verify`] on a blocking thread.
pub async fn verify_off(secret: Vec<u8>, pin: String, phc: String) -> Result<bool, Error> {
    crate::journal::off_workers(move || verify(&secret, &pin, &phc))
        .await
        .map_err(Error::Internal)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_is_four_to_eight_digits() {
        for ok in ["1234", "12345678", "000000"] {
            assert!(check_rule(ok).is_ok(), "{ok}");
        }
        for bad in ["123", "123456789", "12a4", "", " 1234", "１２３４"] {
            assert!(check_rule(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_hash_checks_only_its_pin_under_its_secret() {
        let (s1, s2) = ([1u8; 32], [2u8; 32]);
        let h = hash(&s1, "2468").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(!h.contains("2468"));
        assert!(verify(&s1, "2468", &h).unwrap());
        assert!(!verify(&s1, "2469", &h).unwrap());
        assert!(
            !verify(&s2, "2468", &h).unwrap(),
            "another install's secret"
        );
    }
}
