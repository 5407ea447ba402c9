//! Changes of a SQLite journal, seen from a connection of its own: `PRAGMA data_version` moves
//! whenever another connection (of any process) commits, and reading it touches no table.

use super::super::changes::{ChangeHub, JournalChanges};
use super::super::error::StoreError;
use super::SqliteBackend;
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How often the watcher reads the version: well inside the second a console promises.
pub const POLL: Duration = Duration::from_millis(100);

pub fn subscribe(db: &SqliteBackend) -> Result<JournalChanges, StoreError> {
    if db.in_memory {
        // Nobody else can write to it: the local writes (bumped as they commit) are all there is.
        return db.changes.subscribe(|_| Ok(()));
    }
    let path = db.path.clone();
    db.changes.subscribe(move |hub| start(path, hub))
}

fn start(path: PathBuf, hub: Arc<ChangeHub>) -> Result<(), StoreError> {
    let conn = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::sqlite(&path, e))?;
    let version = move |c: &Connection| -> Option<i64> {
        c.query_row("PRAGMA data_version", [], |r| r.get(0)).ok()
    };
    let mut seen = version(&conn);
    std::thread::Builder::new()
        .name("journal-watch".into())
        .spawn(move || {
            while !hub.feeder_should_stop() {
                std::thread::sleep(POLL);
                let now = version(&conn);
                if now != seen {
                    seen = now;
                    hub.bump();
                }
            }
        })
        .map_err(|e| StoreError::Task(format!("cannot start the journal watcher: {e}")))?;
    Ok(())
}
