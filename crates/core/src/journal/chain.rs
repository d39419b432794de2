//! The one hash-chain rule of the journal's three chains (seals, audit trail, Z reports): a
//! row's hash is SHA-256 over the previous row's hash and the row's canonical body, so a row
//! changed, inserted or deleted breaks every hash after it.

use sha2::{Digest, Sha256};

/// The `prev_hash` of a chain's first row.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of a row whose canonical body is `body`, after the row hashed `prev`: lowercase
/// hex of SHA-256(`prev` ‖ "\n" ‖ `body`).
pub(crate) fn link(prev: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(body.as_bytes());
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_sha256_of_the_previous_hash_and_the_body() {
        // printf "%s\n%s" "$GENESIS" '{"a":1}' | sha256sum
        assert_eq!(
            link(GENESIS, r#"{"a":1}"#),
            "f21735afd2cd6af4fc5804b0045cebfd545aef8396d29d030c39cb8880b45b7f"
        );
    }
}
