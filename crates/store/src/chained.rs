//! What the shipping needs of a chain's row: its place, its links, its own check, and how a
//! batch of them is written.

use cashier_core::journal::{ShippedAudit, ShippedSeal};
use chrono::{DateTime, NaiveDate, Utc};
use tokio_postgres::types::ToSql;

use crate::ship::{Chain, TillKey};

/// Statement parameters, owned.
pub(crate) type Params = Vec<Box<dyn ToSql + Sync + Send>>;

pub(crate) trait Chained: Sync {
    const CHAIN: Chain;
    fn seq(&self) -> i64;
    fn prev_hash(&self) -> &str;
    fn hash(&self) -> &str;
    fn body(&self) -> &str;
    /// Whether the row's hash is the chain rule's over its content.
    fn hash_holds(&self) -> bool;
    /// One statement writing `rows` (`ON CONFLICT DO NOTHING`: a row another shipper of the same
    /// till wrote meanwhile, which the head's lock prevents, but the key says so too).
    fn insert(till: &TillKey, rows: &[&Self]) -> (&'static str, Params);
}

impl Chained for ShippedSeal {
    const CHAIN: Chain = Chain::Seals;
    fn seq(&self) -> i64 {
        self.seq
    }
    fn prev_hash(&self) -> &str {
        &self.prev_hash
    }
    fn hash(&self) -> &str {
        &self.hash
    }
    fn body(&self) -> &str {
        &self.body
    }
    fn hash_holds(&self) -> bool {
        ShippedSeal::hash_holds(self)
    }
    fn insert(till: &TillKey, rows: &[&Self]) -> (&'static str, Params) {
        let days: Vec<NaiveDate> = rows.iter().map(|s| s.business_day).collect();
        let seqs: Vec<i64> = rows.iter().map(|s| s.seq).collect();
        let kinds: Vec<String> = rows.iter().map(|s| s.kind.clone()).collect();
        let refs: Vec<i64> = rows.iter().map(|s| s.ref_id).collect();
        let bodies: Vec<String> = rows.iter().map(|s| s.body.clone()).collect();
        let prevs: Vec<String> = rows.iter().map(|s| s.prev_hash.clone()).collect();
        let hashes: Vec<String> = rows.iter().map(|s| s.hash.clone()).collect();
        (
            "INSERT INTO cashier.seals
                 (merchant, till, business_day, seq, kind, ref_id, body, prev_hash, hash)
             SELECT $1, $2, d, q, k, r, b, p, h
             FROM unnest($3::date[], $4::int8[], $5::text[], $6::int8[], $7::text[], $8::text[],
                         $9::text[]) AS u (d, q, k, r, b, p, h)
             ON CONFLICT DO NOTHING",
            vec![
                Box::new(till.merchant.clone()),
                Box::new(till.till.clone()),
                Box::new(days),
                Box::new(seqs),
                Box::new(kinds),
                Box::new(refs),
                Box::new(bodies),
                Box::new(prevs),
                Box::new(hashes),
            ],
        )
    }
}

impl Chained for ShippedAudit {
    const CHAIN: Chain = Chain::Audit;
    fn seq(&self) -> i64 {
        self.seq
    }
    fn prev_hash(&self) -> &str {
        &self.prev_hash
    }
    fn hash(&self) -> &str {
        &self.hash
    }
    fn body(&self) -> &str {
        &self.body
    }
    fn hash_holds(&self) -> bool {
        ShippedAudit::hash_holds(self)
    }
    fn insert(till: &TillKey, rows: &[&Self]) -> (&'static str, Params) {
        let seqs: Vec<i64> = rows.iter().map(|s| s.seq).collect();
        let ats: Vec<DateTime<Utc>> = rows.iter().map(|s| s.at).collect();
        let bodies: Vec<String> = rows.iter().map(|s| s.body.clone()).collect();
        let prevs: Vec<String> = rows.iter().map(|s| s.prev_hash.clone()).collect();
        let hashes: Vec<String> = rows.iter().map(|s| s.hash.clone()).collect();
        (
            "INSERT INTO cashier.audit (merchant, till, seq, at, body, prev_hash, hash)
             SELECT $1, $2, q, a, b, p, h
             FROM unnest($3::int8[], $4::timestamptz[], $5::text[], $6::text[], $7::text[])
                  AS u (q, a, b, p, h)
             ON CONFLICT DO NOTHING",
            vec![
                Box::new(till.merchant.clone()),
                Box::new(till.till.clone()),
                Box::new(seqs),
                Box::new(ats),
                Box::new(bodies),
                Box::new(prevs),
                Box::new(hashes),
            ],
        )
    }
}
