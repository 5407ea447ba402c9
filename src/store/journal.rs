//! The executor's write-ahead path into the store: each `JournalEntry` is committed (and synced)
//! before `commit` returns, so a step is on disk as started before it acts. Entries that arrive while a
//! commit is under way are committed together by one writer (a group commit): many steps running
//! at once share one sync instead of queueing for one each.

use super::{JournalBackend, Store, StoreError};
use crate::domain::JournalEntry;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Entries written in one transaction at the most.
const MAX_BATCH: usize = 512;

/// A write the committer runs on the backend, off the async threads.
type Write = Box<dyn FnOnce(&dyn JournalBackend) -> Result<(), StoreError> + Send>;

type Pending = (
    String,
    JournalEntry,
    oneshot::Sender<Result<(), StoreError>>,
);

pub(crate) struct Committer {
    tx: mpsc::UnboundedSender<Pending>,
}

impl Store {
    fn committer(&self) -> &Committer {
        self.committer.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(commit_loop(self.backend.clone(), rx));
            Committer { tx }
        })
    }
}

/// Holds the backend only (not the `Store`), so dropping every `Store` ends the loop.
async fn commit_loop(backend: Arc<dyn JournalBackend>, mut rx: mpsc::UnboundedReceiver<Pending>) {
    let run = |f: Write| {
        let backend = backend.clone();
        async move {
            tokio::task::spawn_blocking(move || f(&*backend))
                .await
                .map_err(|e| StoreError::Task(e.to_string()))?
        }
    };
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        let entries: Vec<(String, JournalEntry)> = batch
            .iter()
            .map(|(o, e, _)| (o.clone(), e.clone()))
            .collect();
        let together = run(Box::new(move |b| b.record_steps(&entries))).await;
        if together.is_ok() {
            for (_, _, done) in batch {
                let _ = done.send(Ok(()));
            }
            continue;
        }
        // One bad entry must not fail its neighbours: each on its own, with its own answer.
        for (op, entry, done) in batch {
            let r = run(Box::new(move |b| b.record_step(&op, &entry))).await;
            let _ = done.send(r);
        }
    }
}

impl Store {
    /// Journal one executor entry durably, sharing a commit with entries that arrive with it.
    pub async fn commit(&self, operation_id: &str, entry: JournalEntry) -> Result<(), StoreError> {
        let (done, answer) = oneshot::channel();
        self.committer()
            .tx
            .send((operation_id.to_string(), entry, done))
            .map_err(|_| StoreError::Task("the journal writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Task("the journal writer has stopped".into()))?
    }
}
