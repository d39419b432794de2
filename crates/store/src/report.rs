//! The store's day: per till, channel and outcome, the attempts still open at every till, and
//! where each till's shipping stands. The sums are core's own ([`DayTotals::add_counted`]), the
//! one rule of the single till's report, fed from the store instead of a journal.

use std::collections::BTreeMap;
use std::time::Duration;

use cashier_core::Fen;
use cashier_core::receipts::{Counted, DayTotals};
use cashier_core::store_day::{OpenAttempt, StoreDay, TillDay, TillLink};
use chrono::{DateTime, NaiveDate, Utc};

use crate::{Store, StoreError};

/// Each attempt of the day with its last state and what ended refunded of it, grouped. An
/// attempt whose own seal a hole keeps away is left out (the hole is shown).
const DAY: &str = r#"
WITH refunded AS (
    SELECT till, attempt_id, sum(amount_fen)::bigint AS fen FROM cashier.refunds
    WHERE merchant = $1 AND business_day = $2 AND state = 'refunded'
    GROUP BY till, attempt_id)
SELECT a.till, a.channel, coalesce(a.state, 'sending'), count(*)::bigint,
       sum(a.amount_fen)::bigint, sum(coalesce(r.fen, 0))::bigint,
       sum(greatest(a.amount_fen - coalesce(r.fen, 0), 0))::bigint
FROM cashier.attempts a LEFT JOIN refunded r USING (till, attempt_id)
WHERE a.merchant = $1 AND a.business_day = $2 AND a.channel IS NOT NULL
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"#;

/// The states `attempts_open` indexes: not ended, or abandoned (a late payment may still come).
const OPEN: &str = r#"
SELECT till, order_no, bill, channel, amount_fen, state, created_at
FROM cashier.attempts
WHERE merchant = $1 AND business_day = $2 AND channel IS NOT NULL
  AND state IN ('sending', 'pending', 'issuing', 'shown', 'unknown', 'abandoned')
ORDER BY till, attempt_id"#;

/// For the report's transaction only (`SET LOCAL`): sorting a day's groups in memory.
const REPORT_SETTINGS: &str = "SET LOCAL work_mem = '64MB'";

const TILLS: &str = r#"
SELECT t.till, coalesce(h.seq, 0), coalesce(h.journal_seq, 0), h.seen_at,
       (SELECT z.z_number FROM cashier.closed_days z
        WHERE z.merchant = t.merchant AND z.till = t.till AND z.business_day = $2),
       (SELECT min(s.seq) FROM cashier.seals s WHERE s.merchant = t.merchant AND s.till = t.till
          AND s.seq > coalesce(h.seq, 0)),
       (SELECT count(*) FROM cashier.conflicts c WHERE c.merchant = t.merchant AND c.till = t.till)
FROM cashier.tills t LEFT JOIN cashier.heads h ON h.merchant = t.merchant AND h.till = t.till
WHERE t.merchant = $1 ORDER BY t.till"#;

impl Store {
    /// `merchant`'s business day `day`: tills not heard from for `silent_after` are silent.
    pub async fn day(
        &self,
        merchant: &str,
        day: NaiveDate,
        silent_after: Duration,
    ) -> Result<StoreDay, StoreError> {
        let mut conn = self.client().await?;
        let pg = |e| self.pg(e);
        let bad =
            |what: String| StoreError::Database(format!("a row the report cannot read: {what}"));
        // One snapshot for the three reads, so the totals, the open attempts and the tills agree
        // with each other while tills ship; and room to group a big merchant's day in memory
        // (at the default 4 MB, 1,000 tills × 1,000 attempts sorted on disk: 0.9 s, not 0.5 s).
        let client = conn
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(pg)?;
        client.batch_execute(REPORT_SETTINGS).await.map_err(pg)?;
        let count = |r: &tokio_postgres::Row, i: usize| -> Result<u64, StoreError> {
            let n: i64 = r.try_get(i).map_err(|e| bad(format!("figure {i}: {e}")))?;
            u64::try_from(n).map_err(|_| bad(format!("a negative figure {n}")))
        };
        let fen = |r: &tokio_postgres::Row, i: usize| count(r, i).map(Fen);
        let mut totals = DayTotals::default();
        let mut per_till: BTreeMap<String, DayTotals> = BTreeMap::new();
        for r in client.query(DAY, &[&merchant, &day]).await.map_err(pg)? {
            let till: String = r.get(0);
            let channel: String = r.get(1);
            let state: String = r.get(2);
            let counted = Counted {
                channel: channel
                    .parse()
                    .map_err(|_| bad(format!("channel {channel:?}")))?,
                state: state.parse().map_err(|_| bad(format!("state {state:?}")))?,
                count: count(&r, 3)?,
                amount: fen(&r, 4)?,
                refunded: fen(&r, 5)?,
                kept: fen(&r, 6)?,
            };
            totals.add_counted(&counted);
            per_till.entry(till).or_default().add_counted(&counted);
        }
        let mut open = Vec::new();
        for r in client.query(OPEN, &[&merchant, &day]).await.map_err(pg)? {
            let channel: String = r.get(3);
            let state: String = r.get(5);
            open.push(OpenAttempt {
                till: r.get(0),
                order_no: r.get::<_, Option<String>>(1).unwrap_or_default(),
                bill: r.get::<_, Option<String>>(2).unwrap_or_default(),
                channel: channel
                    .parse()
                    .map_err(|_| bad(format!("channel {channel:?}")))?,
                amount: fen(&r, 4)?,
                state: state.parse().map_err(|_| bad(format!("state {state:?}")))?,
                created_at: r.get::<_, Option<String>>(6).unwrap_or_default(),
            });
        }
        let now = Utc::now();
        let silent = chrono::Duration::from_std(silent_after).unwrap_or(chrono::Duration::MAX);
        let mut tills = Vec::new();
        for r in client.query(TILLS, &[&merchant, &day]).await.map_err(pg)? {
            let till: String = r.get(0);
            let head: i64 = r.get(1);
            let journal_seq: i64 = r.get(2);
            let seen_at: Option<DateTime<Utc>> = r.get(3);
            let beyond: Option<i64> = r.get(5);
            let link = match seen_at {
                None => TillLink::Never,
                Some(at) if now.signed_duration_since(at) > silent => TillLink::Silent,
                Some(_) if journal_seq > head => TillLink::Behind,
                Some(_) => TillLink::CaughtUp,
            };
            tills.push(TillDay {
                totals: per_till.remove(&till).unwrap_or_default(),
                till,
                head,
                journal_seq,
                seen_at,
                link,
                z: r.get(4),
                gap: beyond.map(|b| (head + 1, b - 1)),
                conflicts: r.get(6),
            });
        }
        client.commit().await.map_err(pg)?;
        Ok(StoreDay {
            merchant: merchant.to_string(),
            day,
            totals,
            tills,
            open,
        })
    }
}
