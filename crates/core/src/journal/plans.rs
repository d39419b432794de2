//! How SQLite answers the journal's queries: from an index, never by reading the whole table
//! (which costs 100+ ms at a million attempts). Run with `--nocapture` to see the plans.

use rusqlite::Connection;

use super::{read, schema, write};

fn plan(conn: &Connection, sql: &str) -> Vec<String> {
    let params = sql.matches('?').count();
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let values: Vec<String> = (0..params).map(|_| "x".to_string()).collect();
    let mut rows = stmt
        .query(rusqlite::params_from_iter(
            values.iter().take(stmt.parameter_count()),
        ))
        .unwrap();
    let mut lines = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        lines.push(row.get::<_, String>(3).unwrap());
    }
    lines
}

#[test]
fn every_query_but_the_scan_fallback_is_answered_from_an_index() {
    let mut conn = Connection::open_in_memory().unwrap();
    schema::MIGRATIONS.to_latest(&mut conn).unwrap();
    let queries = [
        ("get", read::BY_ID),
        ("by_order_no", read::BY_ORDER_NO),
        ("by_bill", read::BY_BILL),
        ("live", read::LIVE),
        ("watched", read::WATCHED),
        ("day", read::BY_DAY),
        ("search", read::BY_PREFIX),
        ("transitions", read::TRANSITIONS),
        ("last raw status", read::LAST_RAW_STATUS),
        ("bill_collected", read::COLLECTED),
        ("paid on the bill", write::PAID_ON_BILL),
        ("live on the bill", write::LIVE_ON_BILL),
    ];
    for (name, sql) in queries {
        let lines = plan(&conn, sql);
        println!("{name}: {lines:?}");
        for line in &lines {
            let full_scan = line.starts_with("SCAN")
                && !line.contains("USING INDEX attempts_one_live_per_bill")
                && !line.contains("USING INDEX attempts_watched")
                && !line.contains("CONSTANT ROW");
            assert!(!full_scan, "{name} reads a whole table: {lines:?}");
        }
    }
    // The fallback for a query whose last character cannot be raised does read the table.
    let lines = plan(&conn, read::BY_PREFIX_SCAN);
    println!("search (scan fallback): {lines:?}");
    assert!(lines.iter().any(|l| l == "SCAN attempts"), "{lines:?}");
}
