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
pub(super) const MIGRATIONS: &[&str] = &[V1, V2];

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
