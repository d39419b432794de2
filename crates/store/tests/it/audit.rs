//! The audit trail ships beside the seals, on its own chain, checked the same way.

use cashier_core::audit::{AuditAction, AuditEntry, AuditResult};
use cashier_store::StoreError;
use chrono::Utc;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_ships_beside_the_seals_and_is_checked_the_same_way() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_with(dir.path(), "01", 2);
    for i in 0..3 {
        journal
            .append_audit(
                "01",
                Utc::now(),
                &AuditEntry {
                    action: Some(AuditAction::Settings),
                    result: Some(AuditResult::Done),
                    note: Some(format!("change {i}")),
                    ..AuditEntry::default()
                },
            )
            .unwrap();
    }
    let (store, key) = db.till("01").await;
    let r = store.sync(&key, &journal, 2).await.unwrap();
    assert_eq!((r.audit_inserted, r.audit_head, r.audit_journal), (3, 3, 3));
    assert!(r.caught_up(), "{r:?}");
    let again = store.sync(&key, &journal, 2).await.unwrap();
    assert_eq!(again.audit_inserted, 0);
    assert_eq!(db.count("SELECT count(*) FROM cashier.audit").await, 3);
    assert_eq!(store.head(&key).await.unwrap().audit_seq, 3);
    assert_eq!(store.verify(None).await.unwrap(), vec![]);

    // Sent again with other content: a conflict, the stored row kept.
    let mut rows = journal.audit_after(0, 10).unwrap();
    rows[1].body = rows[1].body.replace("change 1", "change 9");
    rows[1].hash = cashier_core::journal::seal_hash("x", 0, "", 0, "") /* any other hash */;
    let shipped = store.ship_audit(&key, &rows).await.unwrap();
    assert_eq!(shipped.conflicts.len(), 1);
    assert_eq!(shipped.conflicts[0].seq, 2);

    // Changed at the store: verify finds it.
    db.sql("UPDATE cashier.audit SET body = replace(body, 'change 1', 'change 8')")
        .await;
    let breaks = store.verify(None).await.unwrap();
    assert!(
        breaks
            .iter()
            .any(|b| b.seq == 2 && b.what.starts_with("audit row")),
        "{breaks:?}"
    );

    // Changed in the journal before shipping: refused.
    journal
        .append_audit("01", Utc::now(), &AuditEntry::default())
        .unwrap();
    let mut fourth = journal.audit_after(3, 10).unwrap();
    fourth[0].body = fourth[0].body.replace("01", "02");
    match store.ship_audit(&key, &fourth).await {
        Err(StoreError::Diverged { seq: 4, what, .. }) => {
            assert!(what.starts_with("audit"), "{what}")
        }
        other => panic!("{other:?}"),
    }
}
