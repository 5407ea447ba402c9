//! The embedded SQLite journal: one connection per `SqliteBackend`, WAL so readers never block the
//! writer, a busy timeout so processes sharing the file wait instead of failing, and `BEGIN
//! IMMEDIATE` for every read-modify-write so two processes never interleave one.

mod audit;
mod codec;
mod events;
mod groups;
mod locks;
mod operations;
pub(crate) mod schema;
mod steps;

use super::backend::JournalBackend;
use super::error::StoreError;
use super::records::{AuditEntry, Lock, LockHolder, LockOutcome, StepRecord, StoredOperation};
use crate::domain::{GroupState, OperationRecord};
use crate::domain::{JournalEntry, OperationEvent};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a statement waits for another process's write lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const OPEN_RETRY_FIRST_PAUSE: Duration = Duration::from_millis(5);
const OPEN_RETRY_MAX_PAUSE: Duration = Duration::from_millis(200);

pub struct SqliteBackend {
    /// For error messages; `:memory:` for an in-memory journal.
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl SqliteBackend {
    /// Open (creating if needed) the journal at `path` and bring its schema up to date.
    ///
    /// Switching a new file to WAL, or recovering a WAL after a crash, can report "busy" without
    /// waiting for the busy timeout when several processes open the file at once; opening is
    /// idempotent, so it is retried with a short backoff until `BUSY_TIMEOUT` has passed.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let deadline = Instant::now() + BUSY_TIMEOUT;
        let mut pause = OPEN_RETRY_FIRST_PAUSE;
        loop {
            let attempt = Connection::open(path)
                .map_err(|e| StoreError::sqlite(path, e))
                .and_then(|conn| Self::setup(path.to_path_buf(), conn, true));
            match attempt {
                Err(e) if e.is_busy() && Instant::now() + pause < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(OPEN_RETRY_MAX_PAUSE);
                }
                other => return other,
            }
        }
    }

    /// A private journal that vanishes with the process (tests, dry runs).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| StoreError::sqlite(&path, e))?;
        Self::setup(path, conn, false)
    }

    fn setup(path: PathBuf, mut conn: Connection, wal: bool) -> Result<Self, StoreError> {
        let e = |err| StoreError::sqlite(&path, err);
        conn.busy_timeout(BUSY_TIMEOUT).map_err(e)?;
        if wal {
            // Persistent in the file; the first process to open it switches it.
            let mode: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(e)?;
            if !mode.eq_ignore_ascii_case("wal") {
                tracing::warn!(path = %path.display(), mode, "journal is not in WAL mode");
            }
        }
        // Write-ahead means durable before the step acts: sync the WAL on every commit.
        conn.pragma_update(None, "synchronous", "FULL").map_err(e)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(e)?;
        schema::migrate(&path, &mut conn)?;
        Ok(Self {
            path,
            conn: Mutex::new(conn),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open journal (`schema::LATEST` once opened).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        schema::version(&self.path, &self.conn())
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the guard leaves no half transaction: `Transaction` rolls back on
        // drop, so the connection is still sound.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Run `f` on the connection (single statements: atomic on their own).
    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        f(&self.conn())
    }

    /// Run `f` in a `BEGIN IMMEDIATE` transaction: the write lock is taken before the first read,
    /// so a read-modify-write cannot lose a concurrent update. Commits if `f` returns `Ok`.
    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))?;
        let out = f(&tx)?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::sqlite(&self.path, e)
    }
}

impl JournalBackend for SqliteBackend {
    fn insert_operation(
        &self,
        op: &OperationRecord,
        plan: &Value,
        options: &Value,
    ) -> Result<(), StoreError> {
        operations::insert(self, op, plan, options)
    }

    fn update_operation(&self, op: &OperationRecord) -> Result<(), StoreError> {
        operations::update(self, op)
    }

    fn get_operation(&self, id: &str) -> Result<Option<StoredOperation>, StoreError> {
        operations::get(self, id)
    }

    fn find_operation(&self, prefix: &str) -> Result<Option<StoredOperation>, StoreError> {
        operations::find(self, prefix)
    }

    fn list_operations(
        &self,
        limit: usize,
        group: Option<&str>,
    ) -> Result<Vec<OperationRecord>, StoreError> {
        operations::list(self, limit, group)
    }

    fn unfinished_operations(&self) -> Result<Vec<StoredOperation>, StoreError> {
        operations::unfinished(self)
    }

    fn record_step(&self, op_id: &str, entry: &JournalEntry) -> Result<(), StoreError> {
        steps::record(self, op_id, entry)
    }

    fn record_steps(&self, entries: &[(String, JournalEntry)]) -> Result<(), StoreError> {
        steps::record_all(self, entries)
    }

    fn steps(&self, op_id: &str) -> Result<Vec<StepRecord>, StoreError> {
        steps::list(self, op_id)
    }

    fn append_event(&self, ev: &OperationEvent) -> Result<i64, StoreError> {
        events::append(self, ev)
    }

    fn append_events(&self, evs: &[OperationEvent]) -> Result<(), StoreError> {
        events::append_all(self, evs)
    }

    fn cancel_request(
        &self,
        op_id: &str,
        after_seq: i64,
    ) -> Result<Option<(i64, String)>, StoreError> {
        events::cancel_request(self, op_id, after_seq)
    }

    fn log_tail(&self, op_id: &str, limit: usize) -> Result<Vec<OperationEvent>, StoreError> {
        events::log_tail(self, op_id, limit)
    }

    fn events(
        &self,
        op_id: &str,
        after_seq: i64,
    ) -> Result<Vec<(i64, OperationEvent)>, StoreError> {
        events::after(self, op_id, after_seq)
    }

    fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        audit::append(self, entry)
    }

    fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        audit::newest(self, limit)
    }

    fn group_state(&self, name: &str) -> Result<Option<GroupState>, StoreError> {
        groups::get(self, name)
    }

    fn all_group_states(&self) -> Result<Vec<GroupState>, StoreError> {
        groups::all(self)
    }

    fn put_group_state(
        &self,
        state: &GroupState,
        expected_version: Option<u64>,
    ) -> Result<(), StoreError> {
        groups::put(self, state, expected_version)
    }

    fn acquire_lock(
        &self,
        group: &str,
        holder: &LockHolder,
        lease: Duration,
    ) -> Result<LockOutcome, StoreError> {
        locks::acquire(self, group, holder, lease, None)
    }

    fn take_over_lock(
        &self,
        group: &str,
        holder: &LockHolder,
        lease: Duration,
        dead_console: &str,
    ) -> Result<LockOutcome, StoreError> {
        locks::acquire(self, group, holder, lease, Some(dead_console))
    }

    fn renew_lock(
        &self,
        group: &str,
        operation_id: &str,
        console_id: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        locks::renew(self, group, operation_id, console_id, lease)
    }

    fn release_lock(
        &self,
        group: &str,
        operation_id: &str,
        console_id: &str,
    ) -> Result<bool, StoreError> {
        locks::release(self, group, operation_id, console_id)
    }

    fn get_lock(&self, group: &str) -> Result<Option<Lock>, StoreError> {
        locks::get(self, group)
    }

    fn all_locks(&self) -> Result<Vec<Lock>, StoreError> {
        locks::all(self)
    }
}

#[cfg(test)]
mod tests;
