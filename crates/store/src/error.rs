//! What can go wrong between a till and its store, in words an operator can act on. No message
//! holds a password: URLs are shown masked ([`cashier_core::store::StoreUrl`]).

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The configuration does not name a usable store.
    #[error("store configuration: {0}")]
    Config(String),
    /// The server cannot be reached (down, refused, timed out, cut mid-batch): nothing was
    /// lost, the journal still holds every row and the next sync resumes.
    #[error("store {url} unreachable: {detail}")]
    Unreachable { url: String, detail: String },
    /// The TLS handshake failed: most often the server's certificate is not trusted.
    #[error(
        "store {url}: TLS failed ({detail}); if the store has its own CA, name it in [store] ca_file (CASHIER_STORE_CA_FILE)"
    )]
    Tls { url: String, detail: String },
    /// The server refused the login (wrong password, unknown role, not allowed to connect).
    #[error("store {url} refused the login: {detail}")]
    Login { url: String, detail: String },
    /// The database refused a write as not this role's: a till role writing another till's rows.
    #[error("the store refused role {role}: {detail}")]
    Refused { role: String, detail: String },
    /// The store's schema is newer than this program: upgrade the till before it ships again.
    #[error(
        "the store's schema is version {store}, newer than this program's {ours}: upgrade Cashier on this till"
    )]
    SchemaNewer { store: i32, ours: i32 },
    /// The store's schema is older than this program (or missing): `cashier store migrate`.
    #[error(
        "the store's schema is version {store}, this program needs {ours}: run `cashier store migrate` (with an owner's URL)"
    )]
    SchemaOlder { store: i32, ours: i32 },
    /// The journal and the store disagree about a row already shipped: neither is changed.
    #[error("till {merchant}/{till}: {what} at sequence {seq}")]
    Diverged {
        merchant: String,
        till: String,
        seq: i64,
        what: String,
    },
    /// Any other database error.
    #[error("store: {0}")]
    Database(String),
    /// The till's journal could not be read.
    #[error("journal: {0}")]
    Journal(String),
}

impl StoreError {
    /// Sorts a client error by what the operator should do about it.
    pub(crate) fn from_pg(e: tokio_postgres::Error, url: &str, role: &str) -> StoreError {
        use tokio_postgres::error::SqlState;
        if let Some(db) = e.as_db_error() {
            let detail = db.message().to_string();
            let code = db.code();
            // The server going away (shut down, restarting, our backend terminated) or the
            // link failing: the link, not the data.
            if code.code().starts_with("08") || code.code().starts_with("57P") {
                return StoreError::Unreachable {
                    url: url.to_string(),
                    detail,
                };
            }
            if *code == SqlState::INVALID_PASSWORD
                || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            {
                return StoreError::Login {
                    url: url.to_string(),
                    detail,
                };
            }
            if *code == SqlState::INSUFFICIENT_PRIVILEGE {
                return StoreError::Refused {
                    role: role.to_string(),
                    detail,
                };
            }
            return StoreError::Database(detail);
        }
        if let Some(detail) = crate::tls::tls_failure(&e) {
            return StoreError::Tls {
                url: url.to_string(),
                detail,
            };
        }
        // No answer from the server (refused, timed out, closed mid-batch): the link.
        let io = std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>());
        if e.is_closed() || io {
            return StoreError::Unreachable {
                url: url.to_string(),
                detail: e.to_string(),
            };
        }
        // Anything else is this program's or the data's: trying again would not help.
        StoreError::Database(e.to_string())
    }

    /// Whether trying again later can help: the link failed, not the data or the rights.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unreachable { .. })
    }
}
