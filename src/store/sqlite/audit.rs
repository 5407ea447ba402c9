//! The `audit` table: who did what to which group, append-only (triggers refuse UPDATE and DELETE,
//! and this module offers neither).

use super::super::error::StoreError;
use super::super::records::AuditEntry;
use super::SqliteBackend;
use super::codec::{get_json, get_ts, json, ts};
use rusqlite::{Row, params};

pub(super) fn entry_of(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        at: get_ts(row, "at")?,
        actor: get_json(row, "actor")?,
        action: row.get("action")?,
        group: row.get("group_name")?,
        operation_id: row.get("operation_id")?,
        detail: row.get("detail")?,
    })
}

pub fn append(db: &SqliteBackend, entry: &AuditEntry) -> Result<(), StoreError> {
    db.exec(|c| {
        c.prepare_cached(
            "INSERT INTO audit (at, actor, action, group_name, operation_id, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .and_then(|mut s| {
            s.execute(params![
                ts(&entry.at),
                json(&entry.actor)?,
                entry.action,
                entry.group,
                entry.operation_id,
                entry.detail
            ])
        })
        .map(|_| ())
        .map_err(|e| db.err(e))
    })
}

pub fn newest(db: &SqliteBackend, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    db.read(|c| {
        c.prepare_cached("SELECT * FROM audit ORDER BY seq DESC LIMIT ?1")
            .and_then(|mut s| s.query_map([limit], entry_of)?.collect())
            .map_err(|e| db.err(e))
    })
}
