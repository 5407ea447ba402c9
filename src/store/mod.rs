//! The journal (ARCHITECTURE.md §6): operations, steps, events, audit, group state and locks, behind
//! one synchronous trait (`JournalBackend`) with an embedded SQLite engine. `Store` is the cheap,
//! clonable handle the rest of the crate uses: its async methods run the backend on blocking
//! threads so neither the runtime nor the UI ever waits on disk; `blocking()` is the same API for
//! code that already runs off the runtime.

pub mod backend;
pub mod error;
mod journal;
pub mod records;
pub mod sqlite;

pub use backend::JournalBackend;
pub use error::StoreError;
pub use records::{
    AuditEntry, Lock, LockHolder, LockOutcome, StepRecord, StepStatus, StoredOperation, mark_of,
};

use crate::domain::StoreConfig;
use crate::domain::{GroupState, OperationRecord};
use crate::domain::{JournalEntry, OperationEvent};
use serde_json::Value;
use sqlite::SqliteBackend;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The journal's file name inside the data dir.
pub const SQLITE_FILE_NAME: &str = "journal.sqlite";

#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn JournalBackend>,
    /// The executor's group committer, started on first use (see journal.rs).
    committer: Arc<std::sync::OnceLock<journal::Committer>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Store {
    /// Open the journal the configuration names: SQLite (the data dir's `journal.sqlite` unless a
    /// path is given) or PostgreSQL (not built yet).
    pub fn open(config: &StoreConfig) -> Result<Store, StoreError> {
        match config {
            StoreConfig::Sqlite(Some(path)) => Self::open_sqlite(path),
            StoreConfig::Sqlite(None) => Self::open_sqlite(&default_sqlite_path()),
            StoreConfig::Postgres(_) => Err(StoreError::Unsupported(
                "the PostgreSQL journal is not built yet; use the SQLite journal for now \
                 ([store] url = \"sqlite://journal.sqlite\", or no [store] section)"
                    .to_string(),
            )),
        }
    }

    /// Open (creating it and its directory if needed) the SQLite journal at `path`.
    pub fn open_sqlite(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        Ok(Self::from_backend(Arc::new(SqliteBackend::open(path)?)))
    }

    /// A private in-memory journal (tests, dry runs).
    pub fn in_memory() -> Result<Store, StoreError> {
        Ok(Self::from_backend(Arc::new(
            SqliteBackend::open_in_memory()?
        )))
    }

    pub fn from_backend(backend: Arc<dyn JournalBackend>) -> Store {
        Store {
            backend,
            committer: Arc::new(std::sync::OnceLock::new()),
        }
    }

    /// The synchronous API, for code already off the async runtime (it blocks on disk).
    pub fn blocking(&self) -> &dyn JournalBackend {
        &*self.backend
    }

    async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn JournalBackend) -> Result<T, StoreError> + Send + 'static,
    {
        let backend = self.backend.clone();
        tokio::task::spawn_blocking(move || f(&*backend))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
    }
}

/// `<data dir>/journal.sqlite`.
pub fn default_sqlite_path() -> PathBuf {
    crate::paths::data_dir().join(SQLITE_FILE_NAME)
}

/// The async face of `JournalBackend`: same names, same meaning (see the trait's docs).
impl Store {
    pub async fn insert_operation(
        &self,
        op: &OperationRecord,
        plan: &Value,
        options: &Value,
    ) -> Result<(), StoreError> {
        let (op, plan, options) = (op.clone(), plan.clone(), options.clone());
        self.run(move |b| b.insert_operation(&op, &plan, &options))
            .await
    }

    pub async fn update_operation(&self, op: &OperationRecord) -> Result<(), StoreError> {
        let op = op.clone();
        self.run(move |b| b.update_operation(&op)).await
    }

    pub async fn get_operation(&self, id: &str) -> Result<Option<StoredOperation>, StoreError> {
        let id = id.to_string();
        self.run(move |b| b.get_operation(&id)).await
    }

    pub async fn find_operation(
        &self,
        prefix: &str,
    ) -> Result<Option<StoredOperation>, StoreError> {
        let prefix = prefix.to_string();
        self.run(move |b| b.find_operation(&prefix)).await
    }

    pub async fn list_operations(
        &self,
        limit: usize,
        group: Option<&str>,
    ) -> Result<Vec<OperationRecord>, StoreError> {
        let group = group.map(str::to_string);
        self.run(move |b| b.list_operations(limit, group.as_deref()))
            .await
    }

    pub async fn unfinished_operations(&self) -> Result<Vec<StoredOperation>, StoreError> {
        self.run(|b| b.unfinished_operations()).await
    }

    pub async fn record_step(&self, op_id: &str, entry: &JournalEntry) -> Result<(), StoreError> {
        let (op_id, entry) = (op_id.to_string(), entry.clone());
        self.run(move |b| b.record_step(&op_id, &entry)).await
    }

    pub async fn steps(&self, op_id: &str) -> Result<Vec<StepRecord>, StoreError> {
        let op_id = op_id.to_string();
        self.run(move |b| b.steps(&op_id)).await
    }

    pub async fn cancel_request(
        &self,
        op_id: &str,
        after_seq: i64,
    ) -> Result<Option<(i64, String)>, StoreError> {
        let op_id = op_id.to_string();
        self.run(move |b| b.cancel_request(&op_id, after_seq)).await
    }

    pub async fn log_tail(
        &self,
        op_id: &str,
        limit: usize,
    ) -> Result<Vec<OperationEvent>, StoreError> {
        let op_id = op_id.to_string();
        self.run(move |b| b.log_tail(&op_id, limit)).await
    }

    pub async fn append_events(&self, evs: Vec<OperationEvent>) -> Result<(), StoreError> {
        self.run(move |b| b.append_events(&evs)).await
    }

    pub async fn append_event(&self, ev: &OperationEvent) -> Result<i64, StoreError> {
        let ev = ev.clone();
        self.run(move |b| b.append_event(&ev)).await
    }

    pub async fn events(
        &self,
        op_id: &str,
        after_seq: i64,
    ) -> Result<Vec<(i64, OperationEvent)>, StoreError> {
        let op_id = op_id.to_string();
        self.run(move |b| b.events(&op_id, after_seq)).await
    }

    pub async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let entry = entry.clone();
        self.run(move |b| b.append_audit(&entry)).await
    }

    pub async fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        self.run(move |b| b.audit(limit)).await
    }

    pub async fn group_state(&self, name: &str) -> Result<Option<GroupState>, StoreError> {
        let name = name.to_string();
        self.run(move |b| b.group_state(&name)).await
    }

    pub async fn all_group_states(&self) -> Result<Vec<GroupState>, StoreError> {
        self.run(|b| b.all_group_states()).await
    }

    pub async fn put_group_state(
        &self,
        state: &GroupState,
        expected_version: Option<u64>,
    ) -> Result<(), StoreError> {
        let state = state.clone();
        self.run(move |b| b.put_group_state(&state, expected_version))
            .await
    }

    pub async fn acquire_lock(
        &self,
        group: &str,
        holder: &LockHolder,
        lease: Duration,
    ) -> Result<LockOutcome, StoreError> {
        let (group, holder) = (group.to_string(), holder.clone());
        self.run(move |b| b.acquire_lock(&group, &holder, lease))
            .await
    }

    pub async fn take_over_lock(
        &self,
        group: &str,
        holder: &LockHolder,
        lease: Duration,
        dead_console: &str,
    ) -> Result<LockOutcome, StoreError> {
        let (group, holder, dead) = (group.to_string(), holder.clone(), dead_console.to_string());
        self.run(move |b| b.take_over_lock(&group, &holder, lease, &dead))
            .await
    }

    pub async fn renew_lock(
        &self,
        group: &str,
        operation_id: &str,
        console_id: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let (group, op, console) = (
            group.to_string(),
            operation_id.to_string(),
            console_id.to_string(),
        );
        self.run(move |b| b.renew_lock(&group, &op, &console, lease))
            .await
    }

    pub async fn release_lock(
        &self,
        group: &str,
        operation_id: &str,
        console_id: &str,
    ) -> Result<bool, StoreError> {
        let (group, op, console) = (
            group.to_string(),
            operation_id.to_string(),
            console_id.to_string(),
        );
        self.run(move |b| b.release_lock(&group, &op, &console))
            .await
    }

    pub async fn get_lock(&self, group: &str) -> Result<Option<Lock>, StoreError> {
        let group = group.to_string();
        self.run(move |b| b.get_lock(&group)).await
    }

    pub async fn all_locks(&self) -> Result<Vec<Lock>, StoreError> {
        self.run(|b| b.all_locks()).await
    }
}

#[cfg(test)]
mod tests;
