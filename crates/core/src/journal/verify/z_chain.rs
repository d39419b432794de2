//! The Z reports' chain.

use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;

use super::{Break, Chain, brk, seal_hash};
use crate::journal::JournalError;
use crate::journal::chain::{GENESIS, link};

/// The Z chain: numbers from 1 without a gap, each linked to the one before, each hash over
/// its stored body, the columns as the body says, and each Z's last seal still in the chain.
pub(super) fn walk_z(conn: &Connection) -> Result<(u64, Option<Break>), JournalError> {
    let mut stmt = conn.prepare("SELECT number FROM z_reports ORDER BY number")?;
    let numbers = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut prev = GENESIS.to_string();
    let mut broken = None;
    for (i, number) in numbers.iter().enumerate() {
        let expected = i as i64 + 1;
        if broken.is_some() {
            break;
        }
        if *number != expected {
            broken = Some(brk(Chain::Z, expected, format!("Z {expected} is missing")));
            break;
        }
        let (prev_hash, hash): (String, String) = conn.query_row(
            "SELECT prev_hash, hash FROM z_reports WHERE number = ?1",
            [number],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if prev_hash != prev {
            broken = Some(brk(Chain::Z, *number, "does not link to the Z before it"));
            break;
        }
        broken = z_intact(conn, *number as u64)?;
        prev = hash;
    }
    Ok((numbers.len() as u64, broken))
}

/// One Z: its hash over its body, its columns as its body says, its last seal in the chain.
pub(crate) fn z_intact(conn: &Connection, number: u64) -> Result<Option<Break>, JournalError> {
    let n = number as i64;
    let row: Option<StoredZ> = conn
        .prepare_cached(
            "SELECT business_day, first_seq, last_seq, last_seal, grand_total_fen, body,
                 prev_hash, hash FROM z_reports WHERE number = ?1",
        )?
        .query_row([n], |r| {
            Ok(StoredZ {
                day: r.get(0)?,
                first_seq: r.get(1)?,
                last_seq: r.get(2)?,
                last_seal: r.get(3)?,
                grand: r.get(4)?,
                body: r.get(5)?,
                prev_hash: r.get(6)?,
                hash: r.get(7)?,
            })
        })
        .optional()?;
    let Some(StoredZ {
        day,
        first_seq,
        last_seq,
        last_seal,
        grand,
        body,
        prev_hash,
        hash,
    }) = row
    else {
        return Ok(Some(brk(Chain::Z, n, format!("Z {number} is missing"))));
    };
    if link(&prev_hash, &body) != hash {
        return Ok(Some(brk(
            Chain::Z,
            n,
            "its hash does not match what it holds",
        )));
    }
    let Ok(Value::Object(b)) = serde_json::from_str::<Value>(&body) else {
        return Ok(Some(brk(Chain::Z, n, "its body is not a JSON object")));
    };
    let same = b.get("number") == Some(&Value::from(n))
        && b.get("day") == Some(&Value::from(day))
        && b.get("first_seq") == Some(&Value::from(first_seq))
        && b.get("last_seq") == Some(&Value::from(last_seq))
        && b.get("last_seal") == Some(&Value::from(last_seal.clone()))
        && b.get("grand_total") == Some(&Value::from(grand))
        && b.get("prev_hash") == Some(&Value::from(prev_hash));
    if !same {
        return Ok(Some(brk(
            Chain::Z,
            n,
            "its columns differ from what it holds",
        )));
    }
    let sealed = if last_seq == 0 {
        Some(GENESIS.to_string())
    } else {
        seal_hash(conn, last_seq)?
    };
    if sealed.as_deref() != Some(last_seal.as_str()) {
        return Ok(Some(brk(
            Chain::Seals,
            last_seq,
            format!("the seal Z {number} ends with is not the one it names"),
        )));
    }
    Ok(None)
}

/// A Z row as stored.
struct StoredZ {
    day: String,
    first_seq: i64,
    last_seq: i64,
    last_seal: String,
    grand: i64,
    body: String,
    prev_hash: String,
    hash: String,
}
