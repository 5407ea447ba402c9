//! The journal (ARCHITECTURE.md §6): operations, steps, events, audit, group state, RPO history
//! and locks, behind one synchronous trait (`JournalBackend`) with two engines: SQLite (embedded,
//! one host) and PostgreSQL (shared by a team). `Store` is the cheap, clonable handle the rest of
//! the crate uses: its async methods (facade.rs) run the backend on blocking threads so neither
//! the runtime nor the UI ever waits on disk or the network; `blocking()` is the same API for code
//! that already runs off the runtime.

pub mod backend;
pub mod changes;
pub mod check;
pub mod dump;
mod dump_types;
pub mod error;
mod facade;
mod journal;
mod lock_rules;
pub mod migrations;
pub mod postgres;
pub mod records;
pub mod sqlite;

pub use backend::JournalBackend;
pub use changes::JournalChanges;
pub use dump::{JournalDump, TableCounts};
pub use error::StoreError;
pub use records::{
    AuditEntry, Lock, LockHolder, LockOutcome, OperationQuery, RpoSample, SchemaStatus, StepRecord,
    StepStatus, StoredOperation, mark_of,
};

use crate::domain::StoreConfig;
use postgres::PgBackend;
use sqlite::SqliteBackend;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// Open the journal the configuration names, bringing its schema up to date: SQLite (the data
    /// dir's `journal.sqlite` unless a path is given) or PostgreSQL.
    pub fn open(config: &StoreConfig) -> Result<Store, StoreError> {
        match config {
            StoreConfig::Sqlite(Some(path)) => Self::open_sqlite(path),
            StoreConfig::Sqlite(None) => Self::open_sqlite(&default_sqlite_path()),
            StoreConfig::Postgres(url) => Ok(Self::from_backend(Arc::new(PgBackend::connect(
                url,
                postgres::Migrate::Yes,
            )?))),
        }
    }

    /// Open a journal as it is, applying no migration and creating nothing (`journal check`).
    pub fn inspect(config: &StoreConfig) -> Result<Store, StoreError> {
        let backend: Arc<dyn JournalBackend> = match config {
            StoreConfig::Sqlite(path) => {
                let path = path.clone().unwrap_or_else(default_sqlite_path);
                Arc::new(SqliteBackend::inspect(&path)?)
            }
            StoreConfig::Postgres(url) => Arc::new(PgBackend::connect(url, postgres::Migrate::No)?),
        };
        Ok(Self::from_backend(backend))
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

#[cfg(test)]
mod suite;
#[cfg(test)]
mod tests;
