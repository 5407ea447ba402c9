//! The journal's tables and their ordered migrations (one per entry of `store::migrations`).
//! `schema_version` records each migration applied; opening runs the missing ones in one immediate
//! transaction (so two processes opening a new file at once apply them once) and refuses a file
//! from a newer drconsole.

use super::super::error::StoreError;
use super::super::migrations;
use super::codec;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;

/// Migration `i` brings the schema from version `i` to `i + 1`. Append only; never edit one.
pub(super) const MIGRATIONS: &[&str] = &[V1, V2, V3, V4];

pub const LATEST: u32 = migrations::LATEST;
const _: () = assert!(MIGRATIONS.len() as u32 == migrations::LATEST);

const V2: &str = r#"
CREATE TABLE rpo_samples (
    group_name  TEXT NOT NULL,
    at_us       INTEGER NOT NULL,    -- Unix microseconds
    rpo_seconds INTEGER NOT NULL
);
CREATE INDEX rpo_samples_by_group ON rpo_samples (group_name, at_us);
"#;

/// What a rollback or a retry made of a step (its own mark on every screen), why its undo failed
/// when it was left behind, and a group's need for the operator (JSON of `domain::Attention`).
const V4: &str = r#"
ALTER TABLE steps ADD COLUMN mark TEXT
    CHECK (mark IS NULL OR mark IN ('undone', 'nothing_to_undo', 'irreversible',
                                    'left_behind', 'verified'));
ALTER TABLE steps ADD COLUMN mark_error TEXT;
ALTER TABLE group_states ADD COLUMN attention TEXT;
"#;

const V1: &str = r#"
CREATE TABLE operations (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    operation_type   TEXT NOT NULL,
    protection_group TEXT NOT NULL,
    status           TEXT NOT NULL,
    progress         INTEGER NOT NULL,
    source_site_id   TEXT NOT NULL,
    target_site_id   TEXT NOT NULL,
    started_at       TEXT,
    completed_at     TEXT,
    error_message    TEXT,
    steps_completed  TEXT NOT NULL,  -- JSON array of step ids
    steps_failed     TEXT NOT NULL,  -- JSON array of step ids
    result_data      TEXT NOT NULL,  -- JSON
    actor            TEXT NOT NULL,  -- JSON
    plan             TEXT NOT NULL,  -- JSON
    options          TEXT NOT NULL,  -- JSON
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX operations_by_group ON operations (protection_group, seq);
CREATE INDEX operations_by_status ON operations (status);

CREATE TABLE steps (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    operation_id   TEXT NOT NULL REFERENCES operations (id),
    step_id        TEXT NOT NULL,
    status         TEXT NOT NULL
                   CHECK (status IN ('started', 'succeeded', 'failed', 'compensated')),
    attempt        INTEGER NOT NULL,
    output         TEXT,             -- JSON
    error          TEXT,
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    duration_ms    INTEGER,
    compensated_at TEXT,
    UNIQUE (operation_id, step_id)
);

CREATE TABLE events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    operation_id TEXT NOT NULL,
    at           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    body         TEXT NOT NULL       -- JSON of the whole event
);
CREATE INDEX events_by_operation ON events (operation_id, seq);

CREATE TABLE audit (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,      -- JSON
    action       TEXT NOT NULL,
    group_name   TEXT,
    operation_id TEXT,
    detail       TEXT NOT NULL
);
CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TABLE group_states (
    name             TEXT PRIMARY KEY,
    status           TEXT NOT NULL,
    current_primary  TEXT NOT NULL,
    failover_count   INTEGER NOT NULL,
    metadata_version INTEGER NOT NULL,
    needs_resync     INTEGER NOT NULL,
    last_operation   TEXT,
    updated_at       TEXT NOT NULL
);

CREATE TABLE locks (
    group_name     TEXT PRIMARY KEY,
    operation_id   TEXT NOT NULL,
    operation_type TEXT NOT NULL,
    actor          TEXT NOT NULL,    -- JSON
    console_id     TEXT NOT NULL,
    acquired_at_ms INTEGER NOT NULL, -- Unix milliseconds
    expires_at_ms  INTEGER NOT NULL  -- Unix milliseconds
);
"#;

/// A forced failover's pending fence (JSON of `FencePending`, NULL when none).
const V3: &str = r#"
ALTER TABLE group_states ADD COLUMN fence_pending TEXT;
"#;

/// Bring the schema of `conn` to `LATEST`, or refuse a newer one.
pub fn migrate(path: &Path, conn: &mut Connection) -> Result<(), StoreError> {
    let e = |err| StoreError::sqlite(path, err);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(e)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_version (
             version    INTEGER PRIMARY KEY,
             applied_at TEXT NOT NULL
         )",
    )
    .map_err(e)?;
    let current: u32 = tx
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version",
            [],
            |r| r.get(0),
        )
        .map_err(e)?;
    if current > LATEST {
        return Err(StoreError::SchemaTooNew {
            journal: path.display().to_string(),
            found: current,
            supported: LATEST,
        });
    }
    for (done, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = done as u32 + 1;
        tx.execute_batch(sql).map_err(e)?;
        tx.execute(
            "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)",
            rusqlite::params![version, codec::ts(&chrono::Utc::now())],
        )
        .map_err(e)?;
        tracing::info!(path = %path.display(), version, "journal schema migrated");
    }
    tx.commit().map_err(e)
}

/// The schema version recorded in `conn` (0 when no migration ever ran).
pub fn version(path: &Path, conn: &Connection) -> Result<u32, StoreError> {
    let e = |err| StoreError::sqlite(path, err);
    let has_table: Option<String> = conn
        .query_row(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(e)?;
    if has_table.is_none() {
        return Ok(0);
    }
    conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_version",
        [],
        |r| r.get(0),
    )
    .map_err(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::StepMark;
    use crate::store::JournalBackend;
    use crate::store::sqlite::SqliteBackend;

    /// A journal written before step marks existed opens, and its compensated steps read as
    /// undone (what they then meant); its groups need no attention.
    #[test]
    fn a_version_1_journal_is_migrated_and_keeps_its_meaning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(V1).unwrap();
            conn.execute_batch(
                "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT);
                 INSERT INTO schema_version VALUES (1, '2026-01-01T00:00:00Z');
                 INSERT INTO operations (id, operation_type, protection_group, status, progress,
                     source_site_id, target_site_id, steps_completed, steps_failed, result_data,
                     actor, plan, options, created_at, updated_at)
                 VALUES ('op', 'failover', 'pg', 'failed', 40, 'site-a', 'site-b', '[\"s\"]',
                     '[]', '{\"instances_created\":0,\"volumes_managed\":0,\
                     \"current_primary_site\":null}', '{\"user\":\"u\",\"host\":\"h\",\
                     \"ssh_client\":null}', '{}', '{}', '2026-01-01T00:00:00Z',
                     '2026-01-01T00:00:00Z');
                 INSERT INTO steps (operation_id, step_id, status, attempt, started_at)
                 VALUES ('op', 's', 'compensated', 1, '2026-01-01T00:00:00Z');
                 INSERT INTO group_states VALUES ('pg', 'failover_failed', 'site-a', 0, 3, 0,
                     'op', '2026-01-01T00:00:00Z');",
            )
            .unwrap();
        }
        let db = SqliteBackend::open(&path).unwrap();
        assert_eq!(db.schema_version().unwrap(), LATEST);
        let steps = db.steps("op").unwrap();
        assert_eq!(steps[0].mark_in(true), StepMark::Undone);
        assert_eq!(db.group_state("pg").unwrap().unwrap().attention, None);
    }
}
