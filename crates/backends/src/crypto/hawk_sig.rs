//! HAWK request signatures (hueniverse scheme, SHA-256), through the `hawk` crate.
//!
//! docs/protocols.md §1 ASSUMPTION: `id` is the operator's user name and the key bytes are the
//! UTF-8 of the key string (`UPPER(MD5(password))` before login, the decrypted `HawkRealKey`
//! after).

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use hawk::{Credentials, Key, PayloadHasher, RequestBuilder, SHA256};
use secrecy::{ExposeSecret, SecretString};

use super::CryptoError;

pub use cashier_core::backend::crypto::HawkKeyBytes;

/// A key string's HMAC key bytes as the configured reading says. The reading is a deployment's
/// choice, so core keeps the enum (its configuration reads it); the bytes are this crate's.
pub trait HawkKeyDecode {
    fn of(self, key: &str) -> Result<Vec<u8>, CryptoError>;
}

impl HawkKeyDecode for HawkKeyBytes {
    fn of(self, key: &str) -> Result<Vec<u8>, CryptoError> {
        match self {
            HawkKeyBytes::Utf8 => Ok(key.as_bytes().to_vec()),
            HawkKeyBytes::Hex => {
                hex::decode(key).map_err(|_| CryptoError::HawkHeader("key is not hex".into()))
            }
        }
    }
}

#[derive(Clone)]
pub struct HawkCredentials {
    pub id: String,
    key: SecretString,
    key_bytes: HawkKeyBytes,
}

impl fmt::Debug for HawkCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HawkCredentials({}, key: ***)", self.id)
    }
}

/// Where a request goes, as HAWK normalises it.
#[derive(Debug, Clone, Copy)]
pub struct HawkTarget<'a> {
    pub method: &'a str,
    pub host: &'a str,
    pub port: u16,
    /// Path with query, as sent: `/api/UnPos/User/Login/ByPwd`.
    pub path: &'a str,
}

fn payload_hash(content_type: &str, body: &[u8]) -> Result<Vec<u8>, CryptoError> {
    PayloadHasher::hash(content_type.as_bytes(), SHA256, body)
        .map_err(|e| CryptoError::HawkHeader(e.to_string()))
}

impl HawkCredentials {
    pub fn new(id: impl Into<String>, key: SecretString) -> Self {
        HawkCredentials {
            id: id.into(),
            key,
            key_bytes: HawkKeyBytes::default(),
        }
    }

    pub fn with_key_bytes(mut self, key_bytes: HawkKeyBytes) -> Self {
        self.key_bytes = key_bytes;
        self
    }

    /// The full `Authorization` header value, `Hawk id="…", ts="…", nonce="…", hash="…", mac="…"`.
    pub fn sign(
        &self,
        target: HawkTarget<'_>,
        content_type: &str,
        body: &[u8],
        ts: SystemTime,
        nonce: &str,
    ) -> Result<String, CryptoError> {
        let hash = payload_hash(content_type, body)?;
        let key = Key::new(self.key_bytes.of(self.key.expose_secret())?, SHA256)
            .map_err(|e| CryptoError::HawkHeader(e.to_string()))?;
        let creds = Credentials {
            id: self.id.clone(),
            key,
        };
        let header = RequestBuilder::new(target.method, target.host, target.port, target.path)
            .hash(&hash[..])
            .request()
            .make_header_full(&creds, ts, nonce)
            .map_err(|e| CryptoError::HawkHeader(e.to_string()))?;
        Ok(format!("Hawk {header}"))
    }
}

impl HawkCredentials {
    /// The server's time from a stale-timestamp answer, `WWW-Authenticate: Hawk ts="…",
    /// tsm="…"`, if its `tsm` (HMAC-SHA256 of `hawk.1.ts\n{ts}\n` under this key) verifies.
    /// Anything else — another scheme, a missing or repeated attribute, an implausible time,
    /// a MAC that does not verify — is `None`: only the server that holds the key can move
    /// the till's clock.
    pub fn server_time(&self, www_authenticate: &str) -> Option<SystemTime> {
        let attrs = www_authenticate.trim().strip_prefix("Hawk ")?;
        let one = |name| {
            let mut values = attributes(attrs, name);
            let v = values.next()?;
            values.next().is_none().then_some(v)
        };
        let ts = one("ts")?;
        let tsm = one("tsm")?;
        if ts.is_empty() || ts.len() > 12 || !ts.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let secs: u64 = ts.parse().ok()?;
        let key = self.key_bytes.of(self.key.expose_secret()).ok()?;
        let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(&key).ok()?;
        hmac::Mac::update(&mut mac, format!("hawk.1.ts\n{ts}\n").as_bytes());
        let given =
            base64::engine::Engine::decode(&base64::engine::general_purpose::STANDARD, tsm).ok()?;
        hmac::Mac::verify_slice(mac, &given).ok()?;
        SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(secs))
    }

    /// The `WWW-Authenticate` value a server sends with a stale-timestamp 401 (the sandbox's
    /// side of [`HawkCredentials::server_time`]).
    pub fn stale_timestamp_header(&self, server_now: SystemTime) -> Result<String, CryptoError> {
        let ts = server_now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_err(|_| CryptoError::HawkHeader("server time before 1970".into()))?
            .as_secs();
        let key = self.key_bytes.of(self.key.expose_secret())?;
        let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(&key)
            .map_err(|e| CryptoError::HawkHeader(e.to_string()))?;
        hmac::Mac::update(&mut mac, format!("hawk.1.ts\n{ts}\n").as_bytes());
        let tsm = base64::engine::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            hmac::Mac::finalize(mac).into_bytes(),
        );
        Ok(format!(
            "Hawk ts=\"{ts}\", tsm=\"{tsm}\", error=\"Stale timestamp\""
        ))
    }
}

/// The raw values of every `name="…"` in a header's attribute list.
fn attributes<'a>(attrs: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    attrs.split(',').filter_map(move |part| {
        let (k, v) = part.trim().split_once('=')?;
        (k.trim() == name).then(|| v.trim().trim_matches('"'))
    })
}

/// The `name="value"` pairs of an attribute list as the `hawk` crate reads them (commas and
/// whitespace between pairs optional), up to the first it cannot read: that crate converts each
/// value as it meets it, before it finds a later one malformed.
fn hawk_pairs(attrs: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = attrs;
    std::iter::from_fn(move || {
        let p = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        let (name, after) = p.split_once('=')?;
        let value = after.trim_start().strip_prefix('"')?;
        let (value, after) = value.split_once('"')?;
        rest = after;
        Some((name.trim(), value))
    })
}

/// A received `Authorization: Hawk …` header, for the verifying side (the sandbox).
#[derive(Debug)]
pub struct HawkHeader(hawk::Header);

impl HawkHeader {
    pub fn parse(value: &str) -> Result<HawkHeader, CryptoError> {
        let rest = value
            .trim()
            .strip_prefix("Hawk ")
            .ok_or_else(|| CryptoError::HawkHeader("scheme is not Hawk".into()))?;
        // The `hawk` crate adds ts to the epoch without a check: an absurd ts would panic.
        // Every ts attribute it would read counts, a repeated one or one not set off by a comma
        // (`id="a"ts="…"`) too: so they are found as that crate finds them.
        if hawk_pairs(rest).any(|(name, ts)| name == "ts" && !(1..=12).contains(&ts.len())) {
            return Err(CryptoError::HawkHeader(
                "ts is not a plausible unix time".into(),
            ));
        }
        let h = hawk::Header::from_str(rest).map_err(|e| CryptoError::HawkHeader(e.to_string()))?;
        if h.id.is_none() || h.ts.is_none() || h.nonce.is_none() || h.mac.is_none() {
            return Err(CryptoError::HawkHeader(
                "id, ts, nonce and mac are required".into(),
            ));
        }
        Ok(HawkHeader(h))
    }

    pub fn id(&self) -> &str {
        self.0.id.as_deref().unwrap_or("")
    }

    pub fn nonce(&self) -> &str {
        self.0.nonce.as_deref().unwrap_or("")
    }

    pub fn ts(&self) -> Option<SystemTime> {
        self.0.ts
    }

    /// Checks the MAC over the request and the payload hash over the body; `max_skew` bounds
    /// the difference between the header's `ts` and this machine's clock.
    pub fn verify(
        &self,
        key: &[u8],
        target: HawkTarget<'_>,
        content_type: &str,
        body: &[u8],
        max_skew: Duration,
    ) -> Result<(), CryptoError> {
        if self.0.hash.is_none() {
            return Err(CryptoError::HawkHeader("payload hash is required".into()));
        }
        let hash = payload_hash(content_type, body)?;
        let key = Key::new(key, SHA256).map_err(|e| CryptoError::HawkHeader(e.to_string()))?;
        let ok = RequestBuilder::new(target.method, target.host, target.port, target.path)
            .hash(&hash[..])
            .request()
            .validate_header(&self.0, &key, max_skew);
        if ok {
            Ok(())
        } else {
            Err(CryptoError::HawkMismatch)
        }
    }
}
