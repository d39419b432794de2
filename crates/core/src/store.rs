//! The `[store]` section: where this till ships its journal (docs/store.md). Absent by default:
//! a till without it works exactly as one always has. Core only reads and checks the section;
//! the shipping itself is `cashier-store`'s, beside core, so no payment path can wait for it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::reasons::ConfigError;

/// A store's connection URL (`postgres://user:password@host:port/db`). Its password is never
/// shown: `Debug` and `Display` mask it, so a URL logged or printed by mistake leaks nothing;
/// only [`StoreUrl::expose`] hands out the whole text, to the database client.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StoreUrl(String);

impl StoreUrl {
    pub fn new(url: impl Into<String>) -> StoreUrl {
        StoreUrl(url.into())
    }

    /// The whole URL, password included: for the database client only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with its password replaced by `***` (and the whole text hidden when it does not
    /// parse: a malformed URL may still hold a password).
    pub fn masked(&self) -> String {
        match url::Url::parse(&self.0) {
            Ok(mut u) => {
                if u.password().is_some() {
                    // Only fails for URLs that cannot have a password, which this one has.
                    let _ = u.set_password(Some("***"));
                }
                u.to_string()
            }
            Err(_) => "(a URL that does not parse)".into(),
        }
    }

    /// Checks the URL's shape: a `postgres://` or `postgresql://` URL naming a host and a user.
    pub fn check(&self) -> Result<(), Error> {
        let bad =
            |en: String, zh: String| -> Error { ConfigError::said("store.url", en, zh).into() };
        let u = url::Url::parse(&self.0).map_err(|e| {
            bad(
                format!("not a URL ({e}); expected postgres://USER:PASSWORD@HOST:PORT/DATABASE"),
                format!("不是有效的地址（{e}）；应为 postgres://用户:密码@主机:端口/数据库"),
            )
        })?;
        if !matches!(u.scheme(), "postgres" | "postgresql") {
            return Err(bad(
                format!(
                    "scheme {:?}: a store URL starts with postgres://",
                    u.scheme()
                ),
                format!("协议 {:?}：门店数据库地址应以 postgres:// 开头", u.scheme()),
            ));
        }
        if u.host_str().is_none_or(str::is_empty) {
            return Err(bad(
                format!("{}: no host", self.masked()),
                format!("{}：缺少主机", self.masked()),
            ));
        }
        if u.username().is_empty() {
            return Err(bad(
                format!(
                    "{}: no user (each till connects as its own role)",
                    self.masked()
                ),
                format!("{}：缺少用户（每台收银机以自己的角色连接）", self.masked()),
            ));
        }
        Ok(())
    }
}

impl fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreUrl({})", self.masked())
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Where and how this till ships its journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// `postgres://TILL_ROLE:PASSWORD@HOST:PORT/DATABASE`; `CASHIER_STORE_URL` replaces it, so
    /// the password can stay out of the file.
    #[serde(default)]
    pub url: StoreUrl,
    /// `CASHIER_STORE_URL`, when set: used instead of `url`, and never written back to the
    /// file (saving the settings must not copy a password from the environment to the disk).
    #[serde(skip)]
    pub env_url: Option<StoreUrl>,
    /// The merchant this till belongs to: with the till's id, the key of every row it ships.
    #[serde(default)]
    pub merchant: String,
    /// The PostgreSQL role this till's rows are shipped as, when the URL's user is another
    /// role that is a member of it (`SET ROLE`); default: the URL's user.
    #[serde(default)]
    pub till_role: Option<String>,
    /// Seals per batch.
    #[serde(default = "default_batch")]
    pub batch: u32,
    /// The store's own CA certificate(s), PEM, when its server's certificate is not from a
    /// public CA: TLS is used wherever the server offers it, and an untrusted certificate is
    /// refused. `CASHIER_STORE_CA_FILE` replaces it.
    #[serde(default)]
    pub ca_file: Option<std::path::PathBuf>,
}

fn default_batch() -> u32 {
    500
}

impl Default for StoreConfig {
    fn default() -> StoreConfig {
        StoreConfig {
            url: StoreUrl::default(),
            env_url: None,
            merchant: String::new(),
            till_role: None,
            batch: default_batch(),
            ca_file: None,
        }
    }
}

/// Keys go into role names and SQL identifiers' neighbourhood: kept to a safe alphabet.
fn plain(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A role name that needs no quoting: what `cashier store add-till` creates.
fn role_name(r: &str) -> bool {
    (1..=63).contains(&r.len())
        && r.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl StoreConfig {
    /// The URL to connect to: the environment's, else the file's.
    pub fn effective_url(&self) -> &StoreUrl {
        self.env_url.as_ref().unwrap_or(&self.url)
    }

    pub fn validate(&self) -> Result<(), Error> {
        let url = self.effective_url();
        if url.expose().trim().is_empty() {
            return Err(ConfigError::Missing {
                setting: "store.url".into(),
            }
            .into());
        }
        url.check()?;
        if !plain(&self.merchant, 32) {
            return Err(ConfigError::said(
                "store.merchant",
                "1 to 32 letters, digits, '_' or '-'",
                "1 到 32 个字母、数字、“_”或“-”",
            )
            .into());
        }
        if self.till_role.as_deref().is_some_and(|r| !role_name(r)) {
            return Err(ConfigError::said(
                "store.till_role",
                "a PostgreSQL role name: 1 to 63 lowercase letters, digits or '_'",
                "PostgreSQL 角色名：1 到 63 个小写字母、数字或“_”",
            )
            .into());
        }
        if !(1..=10_000).contains(&self.batch) {
            return Err(
                ConfigError::said("store.batch", "from 1 to 10000 rows", "1 到 10000 行").into(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows() {
        let u = StoreUrl::new("postgres://till_01:s3cret@db.example:5432/store");
        assert_eq!(u.masked(), "postgres://till_01:***@db.example:5432/store");
        assert!(!format!("{u:?} {u}").contains("s3cret"));
        assert!(
            !StoreUrl::new("postgres://a:s3cret@[bad")
                .masked()
                .contains("s3cret")
        );
    }

    #[test]
    fn bad_urls_are_refused_with_the_password_masked() {
        for bad in [
            "http://till:pw@host/db",
            "postgres:///db",
            "postgres://host/db",
            "not a url",
        ] {
            let cfg = StoreConfig {
                url: StoreUrl::new(bad),
                merchant: "M1".into(),
                ..StoreConfig::default()
            };
            let e = cfg.validate().unwrap_err().to_string();
            assert!(e.contains("store.url"), "{bad}: {e}");
            assert!(!e.contains("pw@"), "{e}");
        }
        let good = StoreConfig {
            url: StoreUrl::new("postgres://till_01:pw@127.0.0.1:5432/store"),
            merchant: "M1".into(),
            ..StoreConfig::default()
        };
        good.validate().unwrap();
        let no_merchant = StoreConfig {
            merchant: String::new(),
            ..good
        };
        assert!(no_merchant.validate().is_err());
    }
}
