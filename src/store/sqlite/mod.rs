//! The embedded SQLite journal: one connection per `SqliteBackend`, WAL so readers never block the
//! writer, a busy timeout so processes sharing the file wait instead of failing, and `BEGIN
//! IMMEDIATE` for every read-modify-write so two processes never interleave one.

mod audit;
mod codec;
mod dump;
mod events;
mod groups;
mod journal;
mod locks;
mod operations;
mod rpo;
pub(crate) mod schema;
mod steps;
mod watch;

use super::changes::ChangeHub;
use super::error::StoreError;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a statement waits for another process's write lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const OPEN_RETRY_FIRST_PAUSE: Duration = Duration::from_millis(5);
const OPEN_RETRY_MAX_PAUSE: Duration = Duration::from_millis(200);

pub struct SqliteBackend {
    /// For error messages; `:memory:` for an in-memory journal.
    path: PathBuf,
    conn: Mutex<Connection>,
    /// In memory: no other connection can see it, so local writes are the only changes.
    in_memory: bool,
    changes: Arc<ChangeHub>,
}

impl SqliteBackend {
    /// Open (creating if needed) the journal at `path` and bring its schema up to date.
    ///
    /// Switching a new file to WAL, or recovering a WAL after a crash, can report "busy" without
    /// waiting for the busy timeout when several processes open the file at once; opening is
    /// idempotent, so it is retried with a short backoff until `BUSY_TIMEOUT` has passed.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, true)
    }

    /// Open an existing journal as it is, applying no migration (`journal check`).
    pub fn inspect(path: &Path) -> Result<Self, StoreError> {
        if !path.exists() {
            return Err(StoreError::Refused(format!(
                "no journal at {}: check the path (a console creates it on first use)",
                path.display()
            )));
        }
        Self::open_with(path, false)
    }

    fn open_with(path: &Path, migrate: bool) -> Result<Self, StoreError> {
        let deadline = Instant::now() + BUSY_TIMEOUT;
        let mut pause = OPEN_RETRY_FIRST_PAUSE;
        loop {
            let attempt = Connection::open(path)
                .map_err(|e| StoreError::sqlite(path, e))
                .and_then(|conn| Self::setup(path.to_path_buf(), conn, true, migrate));
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
        Self::setup(path, conn, false, true)
    }

    fn setup(
        path: PathBuf,
        mut conn: Connection,
        wal: bool,
        migrate: bool,
    ) -> Result<Self, StoreError> {
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
        if migrate {
            schema::migrate(&path, &mut conn)?;
        }
        Ok(Self {
            path,
            conn: Mutex::new(conn),
            in_memory: !wal,
            changes: Arc::default(),
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

    /// Run one writing statement (atomic on its own) and tell subscribers.
    fn exec<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let out = f(&self.conn())?;
        self.changes.bump();
        Ok(out)
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
        self.changes.bump();
        Ok(out)
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::sqlite(&self.path, e)
    }
}

#[cfg(test)]
mod tests;
