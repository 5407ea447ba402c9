//! What only the SQLite engine does: its file, WAL mode, migrations of an existing file, and the
//! triggers that keep the audit trail append-only. The behaviour both engines share is tested in
//! `store::suite`, once per engine.

use super::super::JournalBackend;
use super::super::error::StoreError;
use super::super::records::AuditEntry;
use super::super::suite::{actor, op};
use super::{SqliteBackend, schema};
use chrono::Utc;
use serde_json::json;
use std::path::PathBuf;

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    (dir, path)
}

/// A journal a drconsole with only the first migration wrote: inspecting it reports the later ones
/// as pending and changes nothing; opening it applies them, keeping the rows.
#[test]
fn an_older_journal_is_reported_then_migrated() {
    let (_dir, path) = temp();
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute_batch(schema::MIGRATIONS[0]).unwrap();
        raw.execute_batch(
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
             INSERT INTO schema_version VALUES (1, 'then')",
        )
        .unwrap();
    }
    let old = SqliteBackend::inspect(&path).unwrap();
    let status = old.schema_status().unwrap();
    assert_eq!(status.version, 1);
    assert_eq!(
        status.pending,
        vec![
            (2, "RPO history".to_string()),
            (3, "a forced failover's pending fence".to_string()),
            (
                4,
                "step marks (undone, left behind, verified…) and a group's need for attention"
                    .to_string()
            )
        ]
    );
    old.insert_operation(&op("op-1", "pg"), &json!(null), &json!(null))
        .unwrap();
    assert!(
        old.rpo_history("pg", Utc::now(), 1).is_err(),
        "no RPO table yet"
    );
    drop(old);
    let db = SqliteBackend::open(&path).unwrap();
    assert_eq!(db.schema_status().unwrap().pending, vec![]);
    assert!(db.get_operation("op-1").unwrap().is_some());
    assert!(db.rpo_history("pg", Utc::now(), 1).unwrap().is_empty());
}

#[test]
fn migrations_are_idempotent_on_reopen() {
    let (_dir, path) = temp();
    let db = SqliteBackend::open(&path).unwrap();
    db.insert_operation(&op("op-1", "pg"), &json!({}), &json!({}))
        .unwrap();
    drop(db);
    for _ in 0..2 {
        let db = SqliteBackend::open(&path).unwrap();
        assert_eq!(db.schema_version().unwrap(), schema::LATEST);
        let conn = db.conn();
        let rows: u32 = conn
            .query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, schema::LATEST);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(conn);
        assert!(db.get_operation("op-1").unwrap().is_some());
    }
}

#[test]
fn a_newer_schema_is_refused_with_a_clear_error() {
    let (_dir, path) = temp();
    drop(SqliteBackend::open(&path).unwrap());
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute(
        "INSERT INTO schema_version (version, applied_at) VALUES (?1, 'later')",
        [schema::LATEST + 1],
    )
    .unwrap();
    drop(raw);
    let err = SqliteBackend::open(&path).err().unwrap();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found, .. } if found == schema::LATEST + 1),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("newer than this drconsole understands"),
        "{msg}"
    );
    assert!(msg.contains(&path.display().to_string()), "{msg}");
}

#[test]
fn a_file_that_is_not_a_journal_is_named() {
    let (_dir, path) = temp();
    std::fs::write(&path, vec![b'x'; 4096]).unwrap();
    let msg = SqliteBackend::open(&path).err().unwrap().to_string();
    assert!(msg.contains("not a drconsole journal"), "{msg}");
    assert!(msg.contains("journal.sqlite"), "{msg}");
}

#[test]
fn audit_is_append_only() {
    let (_dir, path) = temp();
    let db = SqliteBackend::open(&path).unwrap();
    for (i, action) in ["operation.start", "lock.takeover"].iter().enumerate() {
        db.append_audit(&AuditEntry {
            at: Utc::now(),
            actor: actor(),
            action: (*action).into(),
            group: Some("pg".into()),
            operation_id: (i == 0).then(|| "op-1".to_string()),
            detail: format!("entry {i}"),
        })
        .unwrap();
    }
    let newest = db.audit(10).unwrap();
    assert_eq!(newest.len(), 2);
    assert_eq!(newest[0].action, "lock.takeover");
    assert_eq!(newest[1].operation_id.as_deref(), Some("op-1"));
    assert_eq!(db.audit(1).unwrap().len(), 1);

    let raw = rusqlite::Connection::open(&path).unwrap();
    let update = raw.execute("UPDATE audit SET detail = 'forged'", []);
    assert!(
        update.unwrap_err().to_string().contains("append-only"),
        "UPDATE must fail"
    );
    assert!(raw.execute("DELETE FROM audit", []).is_err());
    assert_eq!(db.audit(10).unwrap(), newest);
}
