//! The journal's schema, as an append-only list of migrations.
//!
//! Never edit a migration that has shipped: add a new one.

use rusqlite_migration::{M, Migrations};

/// Placeholder `order_no` that lives only inside `begin`'s transaction, between the INSERT
/// that yields the id and the UPDATE that writes the real order number.
pub(crate) const UNASSIGNED_ORDER_NO: &str = "~unassigned";

/// States in which an attempt may still take money, as an SQL list. Must match
/// `AttemptState::is_live` and the `attempts_one_live_per_bill` index (the tests below check
/// both). A macro, so that statements can be whole literals (prepared once, cached).
macro_rules! live_states {
    () => {
        "('sending','pending','issuing','shown','unknown')"
    };
}
pub(crate) use live_states;

const MIGRATION_SLICE: &[M<'static>] = &[
    M::up(
        r#"
CREATE TABLE attempts (
    id           INTEGER PRIMARY KEY,
    bill         TEXT    NOT NULL,
    amount_fen   INTEGER NOT NULL CHECK (amount_fen > 0),
    channel      TEXT    NOT NULL,
    order_no     TEXT    NOT NULL UNIQUE,
    reference    TEXT,
    wallet       TEXT,
    -- A clear payment code is a bearer token: refuse anything with a run of 9+ digits, so a
    -- caller that forgot to mask cannot leave one on disk. Masked codes look like 1345****7649.
    code_masked  TEXT CHECK (code_masked IS NULL
                             OR code_masked NOT GLOB '*[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*'),
    code_url     TEXT,
    operator     TEXT    NOT NULL,
    till         TEXT    NOT NULL,
    -- No CHECK on state or channel: they are validated when read (a bad one is reported as a
    -- corrupt row), so adding a state later is a code change, not a table rebuild.
    state        TEXT    NOT NULL,
    reason       TEXT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    business_day TEXT    NOT NULL
                 CHECK (business_day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
) STRICT;

CREATE INDEX attempts_bill ON attempts (bill);
CREATE INDEX attempts_business_day ON attempts (business_day);

-- At most one live attempt per bill, enforced by SQLite itself so that it also holds between
-- two processes and against any code path that forgets to check first.
CREATE UNIQUE INDEX attempts_one_live_per_bill ON attempts (bill)
    WHERE state IN ('sending','pending','issuing','shown','unknown');

-- What identifies a payment at the backend never changes once written: a retry or query that
-- used another order number or amount could charge the customer twice.
CREATE TRIGGER attempts_identity_fixed
BEFORE UPDATE OF bill, amount_fen, channel, order_no, created_at, business_day ON attempts
WHEN OLD.bill IS NOT NEW.bill
  OR OLD.amount_fen IS NOT NEW.amount_fen
  OR OLD.channel IS NOT NEW.channel
  OR OLD.created_at IS NOT NEW.created_at
  OR OLD.business_day IS NOT NEW.business_day
  OR (OLD.order_no IS NOT NEW.order_no AND OLD.order_no <> '~unassigned')
BEGIN
    SELECT RAISE(ABORT, 'an attempt''s bill, amount, channel, order_no and times are fixed');
END;

CREATE TRIGGER attempts_never_deleted
BEFORE DELETE ON attempts
BEGIN
    SELECT RAISE(ABORT, 'attempts are never deleted');
END;

CREATE TABLE transitions (
    id          INTEGER PRIMARY KEY,
    attempt_id  INTEGER NOT NULL REFERENCES attempts (id),
    at          TEXT    NOT NULL,
    from_state  TEXT,
    to_state    TEXT    NOT NULL,
    raw_status  TEXT    NOT NULL,
    reason      TEXT,
    actor       TEXT,
    note        TEXT
) STRICT;

CREATE INDEX transitions_attempt ON transitions (attempt_id);

-- The transitions are the audit trail a dispute is settled with: append-only.
CREATE TRIGGER transitions_no_update
BEFORE UPDATE ON transitions
BEGIN
    SELECT RAISE(ABORT, 'transitions are append-only');
END;

CREATE TRIGGER transitions_no_delete
BEFORE DELETE ON transitions
BEGIN
    SELECT RAISE(ABORT, 'transitions are append-only');
END;
"#,
    ),
    // What a POS sale bill had been paid before this attempt, as the back office said just
    // before the payment call: the bill-status poll counts only what this payment adds.
    M::up(
        r#"
ALTER TABLE attempts ADD COLUMN bill_paid_before_fen INTEGER CHECK (bill_paid_before_fen >= 0);
"#,
    ),
    // Abandoned QR codes are watched until `watch_until`; refunds come in parts, each journalled
    // before it is sent, and `refunded_fen` keeps the attempt's running total of what ended
    // refunded, so that reports need no join.
    M::up(
        r#"
ALTER TABLE attempts ADD COLUMN watch_until TEXT;
ALTER TABLE attempts ADD COLUMN refunded_fen INTEGER NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0);
CREATE INDEX attempts_watched ON attempts (id) WHERE state = 'abandoned';

CREATE TABLE refunds (
    id          INTEGER PRIMARY KEY,
    attempt_id  INTEGER NOT NULL REFERENCES attempts (id),
    part        INTEGER NOT NULL CHECK (part BETWEEN 1 AND 99),
    refund_no   TEXT    NOT NULL UNIQUE,
    amount_fen  INTEGER NOT NULL CHECK (amount_fen > 0),
    -- requested (journalled, the call may be on the wire), refunding, refunded, failed, unknown
    state       TEXT    NOT NULL,
    reason      TEXT,
    manager     TEXT    NOT NULL CHECK (length(trim(manager)) > 0),
    note        TEXT    NOT NULL CHECK (length(trim(note)) > 0),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    UNIQUE (attempt_id, part)
) STRICT;

CREATE TRIGGER refunds_identity_fixed
BEFORE UPDATE OF attempt_id, part, refund_no, amount_fen, manager, note, created_at ON refunds
BEGIN
    SELECT RAISE(ABORT, 'a refund''s order, part, number, amount and requester are fixed');
END;

CREATE TRIGGER refunds_never_deleted
BEFORE DELETE ON refunds
BEGIN
    SELECT RAISE(ABORT, 'refunds are never deleted');
END;
"#,
    ),
    // The manager's desk (docs/desk.md): manager accounts with their PIN hashes and locks,
    // the audit trail, the journal's seal chain, and the Z reports. The audit trail, the seals
    // and the Z reports are each a hash chain: every row carries the hash of the one before it,
    // so a row changed, inserted or deleted outside the app breaks the chain where it happened.
    M::up(
        r#"
CREATE TABLE managers (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    -- Argon2id PHC string, computed with the install's secret (kept outside the journal):
    -- a copy of the journal alone is not enough to try PINs offline.
    pin_hash     TEXT    NOT NULL CHECK (pin_hash GLOB '$argon2id$*'),
    -- Cloud Pay's authorization_staff_id for the refunds this manager approves.
    staff_id     TEXT,
    -- The embedded sandbox's demo manager: refused on a till with real backends.
    demo         INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- Wrong PINs since the last right one; the lock and how many times it has been set (the
    -- wait doubles each time), so that a lock survives a restart.
    failed_pins  INTEGER NOT NULL DEFAULT 0 CHECK (failed_pins >= 0),
    lockouts     INTEGER NOT NULL DEFAULT 0 CHECK (lockouts >= 0),
    locked_until TEXT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
) STRICT;

CREATE TRIGGER managers_never_deleted
BEFORE DELETE ON managers
BEGIN
    SELECT RAISE(ABORT, 'managers are disabled, never deleted');
END;

CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    till        TEXT    NOT NULL,
    -- Who asked (the operator at the till, or the manager at the desk) and who approved.
    asked_by    TEXT,
    approved_by TEXT,
    action      TEXT    NOT NULL,
    subject     TEXT,
    result      TEXT    NOT NULL,
    note        TEXT,
    -- The backend's answer, codes masked.
    answer      TEXT,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL UNIQUE
) STRICT;

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

-- The journal's sequence: one sealed line per write to attempts, transitions and refunds,
-- holding what was written (canonical JSON), in the order it was written.
CREATE TABLE seals (
    seq       INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL,
    ref_id    INTEGER NOT NULL,
    body      TEXT    NOT NULL,
    prev_hash TEXT    NOT NULL,
    -- Not UNIQUE: an index on random hashes would cost a random page per write and double the
    -- table's size on disk; the chain itself is what verification checks.
    hash      TEXT    NOT NULL
) STRICT;

CREATE INDEX seals_ref ON seals (kind, ref_id);

CREATE TRIGGER seals_no_update BEFORE UPDATE ON seals
BEGIN SELECT RAISE(ABORT, 'seals are append-only'); END;
CREATE TRIGGER seals_no_delete BEFORE DELETE ON seals
BEGIN SELECT RAISE(ABORT, 'seals are append-only'); END;

CREATE TABLE z_reports (
    -- Gap-free from 1 for this till, never reset.
    number        INTEGER PRIMARY KEY CHECK (number > 0),
    till          TEXT    NOT NULL,
    business_day  TEXT    NOT NULL UNIQUE
                  CHECK (business_day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    closed_at     TEXT    NOT NULL,
    approved_by   TEXT    NOT NULL,
    -- The journal's seals this Z covers, and the hash of the last one (the chain's anchor).
    first_seq     INTEGER NOT NULL,
    last_seq      INTEGER NOT NULL CHECK (last_seq >= first_seq - 1),
    last_seal     TEXT    NOT NULL,
    grand_total_fen INTEGER NOT NULL,
    -- The whole report as canonical JSON: what a copy reprints.
    body          TEXT    NOT NULL,
    prev_hash     TEXT    NOT NULL,
    hash          TEXT    NOT NULL UNIQUE
) STRICT;

CREATE TRIGGER z_reports_no_update BEFORE UPDATE ON z_reports
BEGIN SELECT RAISE(ABORT, 'a Z report is never changed'); END;
CREATE TRIGGER z_reports_no_delete BEFORE DELETE ON z_reports
BEGIN SELECT RAISE(ABORT, 'a Z report is never deleted'); END;
"#,
    ),
    // Receipts on paper (docs/printing.md): the print queue, and whether a slip is owed after
    // each paid payment. Print jobs are not money: they are not sealed, and verification does
    // not read them. A job's content is composed when it prints, from the rows it names.
    M::up(
        r#"
CREATE TABLE print_jobs (
    id          INTEGER PRIMARY KEY,
    -- slip, refund_slip, x_report, z_report; validated when read, like an attempt's state.
    kind        TEXT    NOT NULL,
    attempt_id  INTEGER REFERENCES attempts (id),
    refund_id   INTEGER REFERENCES refunds (id),
    z_number    INTEGER CHECK (z_number IS NULL OR z_number > 0),
    day         TEXT    CHECK (day IS NULL
                               OR day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    -- Printed marked 重印 / REPRINT: asked for again, or found half-sent after a stop.
    reprint     INTEGER NOT NULL DEFAULT 0 CHECK (reprint IN (0, 1)),
    -- waiting, printing (claimed, committed before the first byte leaves), printed, unprintable.
    state       TEXT    NOT NULL DEFAULT 'waiting',
    tries       INTEGER NOT NULL DEFAULT 0 CHECK (tries >= 0),
    last_error  TEXT,
    created_at  TEXT    NOT NULL,
    printed_at  TEXT
) STRICT;

CREATE INDEX print_jobs_waiting ON print_jobs (id) WHERE state = 'waiting';
CREATE INDEX print_jobs_attempt ON print_jobs (attempt_id);

-- One row: whether a slip is owed after each paid payment and each refund. Written by the till
-- from its configuration at open and on settings save, read by the one transition writer, so
-- that every process writing transitions (the app, `cashier recover`) agrees.
CREATE TABLE print_setup (
    one    INTEGER PRIMARY KEY CHECK (one = 1),
    slips  INTEGER NOT NULL CHECK (slips IN (0, 1))
) STRICT;
INSERT INTO print_setup (one, slips) VALUES (1, 0);
"#,
    ),
];

/// The version a migrated journal has: one per migration.
pub(crate) const VERSION: usize = MIGRATION_SLICE.len();

/// Every migration, oldest first.
pub(crate) const MIGRATIONS: Migrations<'static> = Migrations::from_slice(MIGRATION_SLICE);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AttemptState;

    #[test]
    fn live_states_are_the_live_attempt_states_and_the_index_s() {
        let listed: Vec<&str> = live_states!()
            .trim_matches(['(', ')'])
            .split(',')
            .map(|s| s.trim_matches('\''))
            .collect();
        let live: Vec<&str> = AttemptState::ALL
            .into_iter()
            .filter(|s| s.is_live())
            .map(AttemptState::as_str)
            .collect();
        assert_eq!(listed, live);
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        MIGRATIONS.to_latest(&mut conn).unwrap();
        let index: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'attempts_one_live_per_bill'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            index.ends_with(concat!("WHERE state IN ", live_states!())),
            "{index}"
        );
    }
}
