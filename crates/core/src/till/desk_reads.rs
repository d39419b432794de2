//! The desk's reads on the till (docs/desk.md, "The day's receipts, the worklist, refunds"):
//! the receipts' pages and summary, an attempt's timeline, the worklist and the CSV export.
//! Each needs the desk open; each runs on tokio's blocking threads.

use std::path::Path;

use super::Till;
use crate::audit::{AuditAction, AuditEntry, AuditResult};
use crate::receipts::page::{self, ReceiptsPage, ReceiptsQuery, ReceiptsSummary};
use crate::receipts::timeline::{self, AttemptDetail};
use crate::receipts::worklist::{self, WorkItem, WorkKind};
use crate::{AttemptId, Error};

impl Till {
    /// One page of the receipts.
    pub async fn receipts_page(&self, query: ReceiptsQuery) -> Result<ReceiptsPage, Error> {
        self.desk_manager()?;
        self.blocking(move |t| {
            page::page(&t.inner.journal, &query, t.day(None)?, t.zone()?, t.lang())
        })
        .await
    }

    /// The receipts' totals, hourly series and the filters' choices.
    pub async fn receipts_summary(&self, query: ReceiptsQuery) -> Result<ReceiptsSummary, Error> {
        self.desk_manager()?;
        self.blocking(move |t| {
            page::summary(&t.inner.journal, &query, t.day(None)?, t.zone()?, t.lang())
        })
        .await
    }

    /// An attempt's whole timeline and its refunds.
    pub async fn attempt_detail(&self, id: AttemptId) -> Result<AttemptDetail, Error> {
        self.desk_manager()?;
        self.blocking(move |t| {
            timeline::detail(&t.inner.journal, id, t.zone()?, t.lang(), |a| {
                t.view(a, None)
            })
        })
        .await
    }

    /// What a manager must look into, oldest first.
    pub async fn worklist(&self) -> Result<Vec<WorkItem>, Error> {
        self.desk_manager()?;
        self.blocking(|t| t.worklist_now()).await
    }

    fn worklist_now(&self) -> Result<Vec<WorkItem>, Error> {
        let now = self.inner.clock.now();
        worklist::items(&self.inner.journal, now, self.lang(), |a| {
            self.view(a, None)
        })
    }

    /// Asks the backend again about every Unknown and abandoned attempt of the worklist, one
    /// after the other; one that cannot be asked does not stop the others. Then the worklist.
    pub async fn query_all(&self) -> Result<Vec<WorkItem>, Error> {
        self.desk_manager()?;
        let items = self.blocking(|t| t.worklist_now()).await?;
        for item in items {
            if !matches!(item.kind, WorkKind::Unknown | WorkKind::Abandoned) {
                continue;
            }
            let id = AttemptId(item.attempt.id);
            if let Err(e) = self.query_again(id).await {
                tracing::info!(attempt = %id, error = %e, "query all: not asked again");
            }
        }
        self.blocking(|t| t.worklist_now()).await
    }

    /// Writes the query's receipts (all pages) as CSV to `path`, through a file beside it
    /// that takes its place only when complete. Returns the rows written.
    /// The export is a line of the audit trail, done or failed.
    pub async fn export_receipts(&self, query: ReceiptsQuery, path: String) -> Result<u64, Error> {
        let manager = self.desk_manager()?;
        let subject = format!(
            "{}..{}",
            query.from.as_deref().unwrap_or("today"),
            query.to.as_deref().unwrap_or("today")
        );
        let written = self
            .blocking(move |t| t.export_receipts_now(&query, Path::new(&path)))
            .await;
        let (result, note) = match &written {
            Ok(rows) => (AuditResult::Done, format!("{rows} rows")),
            Err(e) => (AuditResult::Failed, e.to_string()),
        };
        self.audit(AuditEntry {
            asked_by: Some(manager.name),
            action: Some(AuditAction::Export),
            subject: Some(subject),
            result: Some(result),
            note: Some(note),
            ..AuditEntry::default()
        })?;
        written
    }

    fn export_receipts_now(&self, query: &ReceiptsQuery, path: &Path) -> Result<u64, Error> {
        let failed = |e: std::io::Error| Error::Export(format!("{}: {e}", path.display()));
        let dir = crate::files::replace::folder_of(path);
        // Dropped unpersisted on any error: the temporary file goes, no half file is left.
        let mut file = tempfile::Builder::new()
            .prefix(".receipts-")
            .suffix(".csv.part")
            .tempfile_in(dir)
            .map_err(failed)?;
        let rows = crate::receipts::to_csv_for(
            &self.inner.journal,
            query,
            self.day(None)?,
            self.zone()?,
            self.lang(),
            file.as_file_mut(),
        )?;
        file.as_file().sync_all().map_err(failed)?;
        // Over an earlier export the cashier may still have open in a spreadsheet (Windows).
        crate::files::replace::persist(file, path).map_err(|e| Error::Export(e.to_string()))?;
        Ok(rows)
    }
}
