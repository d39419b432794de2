//! The store's roles: each till logs in as a role of its own, a member of `cashier_till`, which
//! row-level security limits to the rows of the tills registered under its name; managers read
//! as members of `cashier_reader`, which may read everything and write nothing.

use cashier_core::store::StoreUrl;

use std::path::Path;

use crate::{OwnerSession, StoreError};

/// A role name the store creates: lowercase letters, digits and '_', so it needs no quoting
/// anywhere it is shown.
fn check_role(role: &str) -> Result<(), StoreError> {
    let ok = !role.is_empty()
        && role.len() <= 63
        && role
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !role.starts_with("pg_");
    if ok {
        Ok(())
    } else {
        Err(StoreError::Config(format!(
            "role {role:?}: 1 to 63 lowercase letters, digits or '_', not starting with pg_"
        )))
    }
}

/// Registers till `till` of `merchant` under `role`, creating the role (a login with
/// `password`, when given) if it does not exist and making it a member of `cashier_till`. As
/// the store's owner (`admin_url`), after `migrate`. A till already registered keeps its
/// role: moving a till to another role is a decision, not a side effect.
pub async fn add_till(
    admin_url: &StoreUrl,
    merchant: &str,
    till: &str,
    role: &str,
    password: Option<&str>,
    ca_file: Option<&Path>,
) -> Result<(), StoreError> {
    check_role(role)?;
    with_admin(
        admin_url,
        ca_file,
        role,
        password,
        "cashier_till",
        Some((merchant, till)),
    )
    .await
}

/// Creates (or keeps) a reader's login role, a member of `cashier_reader`: a manager's view.
pub async fn add_reader(
    admin_url: &StoreUrl,
    role: &str,
    password: Option<&str>,
    ca_file: Option<&Path>,
) -> Result<(), StoreError> {
    check_role(role)?;
    with_admin(admin_url, ca_file, role, password, "cashier_reader", None).await
}

async fn with_admin(
    admin_url: &StoreUrl,
    ca_file: Option<&Path>,
    role: &str,
    password: Option<&str>,
    group: &str,
    till: Option<(&str, &str)>,
) -> Result<(), StoreError> {
    let owner = OwnerSession::open(admin_url, ca_file).await?;
    let client = &owner.client;
    let result = async {
        // format() quotes the name and the password: neither is ever spliced in by hand.
        let create: String = client
            .query_one(
                "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) THEN ''
                        ELSE format('CREATE ROLE %I LOGIN', $1::text) END",
                &[&role],
            )
            .await?
            .try_get(0)?;
        if !create.is_empty() {
            client.batch_execute(&create).await?;
        }
        if let Some(pw) = password {
            // Only the SCRAM verifier leaves this process, never the password itself: the
            // client may log a statement's parameters at debug level.
            let verifier = postgres_protocol::password::scram_sha_256(pw.as_bytes());
            let set: String = client
                .query_one(
                    "SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', $1::text, $2::text)",
                    &[&role, &verifier],
                )
                .await?
                .try_get(0)?;
            client.batch_execute(&set).await?;
        }
        client
            .batch_execute(&format!("GRANT {group} TO {role}"))
            .await?;
        if let Some((merchant, till)) = till {
            client
                .execute(
                    "INSERT INTO cashier.tills (merchant, till, role) VALUES ($1, $2, $3)
                     ON CONFLICT (merchant, till) DO NOTHING",
                    &[&merchant, &till, &role],
                )
                .await?;
        }
        Ok(())
    }
    .await
    .map_err(|e| owner.err(e));
    owner.close().await;
    result
}
