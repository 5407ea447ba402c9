//! The executor's journal is the store: each `JournalEntry` is committed (and synced) before
//! `record` returns, so a step is on disk as started before it acts.

use super::Store;
use crate::orchestrator::{ExecJournal, JournalEntry};
use futures_util::future::BoxFuture;

impl ExecJournal for Store {
    fn record<'a>(
        &'a self,
        operation_id: &'a str,
        entry: JournalEntry,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let op = operation_id.to_string();
            self.run(move |b| b.record_step(&op, &entry))
                .await
                .map_err(|e| e.to_string())
        })
    }
}
