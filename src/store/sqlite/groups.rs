//! The `group_states` table: each protection group's persistent state, changed only by
//! compare-and-set on `metadata_version` inside an immediate transaction.

use super::super::error::StoreError;
use super::SqliteBackend;
use super::codec::{get_enum, get_opt_json, get_u64, i64_of, json, ts};
use crate::domain::GroupState;
use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, Row, params};

pub(super) fn state_of(row: &Row<'_>) -> rusqlite::Result<GroupState> {
    Ok(GroupState {
        name: row.get("name")?,
        status: get_enum(row, "status")?,
        current_primary: row.get("current_primary")?,
        failover_count: row.get("failover_count")?,
        metadata_version: get_u64(row, "metadata_version")?,
        needs_resync: row.get("needs_resync")?,
        last_operation: row.get("last_operation")?,
        fence_pending: get_opt_json(row, "fence_pending")?,
        attention: get_opt_json(row, "attention")?,
    })
}

fn select(c: &Connection, name: &str) -> rusqlite::Result<Option<GroupState>> {
    c.prepare_cached("SELECT * FROM group_states WHERE name = ?1")?
        .query_row([name], state_of)
        .optional()
}

pub fn get(db: &SqliteBackend, name: &str) -> Result<Option<GroupState>, StoreError> {
    db.read(|c| select(c, name).map_err(|e| db.err(e)))
}

pub fn all(db: &SqliteBackend) -> Result<Vec<GroupState>, StoreError> {
    db.read(|c| {
        c.prepare_cached("SELECT * FROM group_states ORDER BY name")
            .and_then(|mut s| s.query_map([], state_of)?.collect())
            .map_err(|e| db.err(e))
    })
}

pub fn put(
    db: &SqliteBackend,
    state: &GroupState,
    expected: Option<u64>,
) -> Result<(), StoreError> {
    db.write(|tx| {
        let current = select(tx, &state.name).map_err(|e| db.err(e))?;
        let version = match (expected, &current) {
            (None, None) => state.metadata_version,
            (Some(v), Some(cur)) if cur.metadata_version == v => v.saturating_add(1),
            _ => {
                return Err(StoreError::Conflict {
                    group: state.name.clone(),
                    expected,
                    current: current.map(Box::new),
                });
            }
        };
        tx.prepare_cached(
            "INSERT INTO group_states (name, status, current_primary, failover_count,
                                       metadata_version, needs_resync, last_operation, updated_at,
                                       fence_pending, attention)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (name) DO UPDATE SET
                 status = excluded.status, current_primary = excluded.current_primary,
                 failover_count = excluded.failover_count,
                 metadata_version = excluded.metadata_version,
                 needs_resync = excluded.needs_resync, last_operation = excluded.last_operation,
                 updated_at = excluded.updated_at, fence_pending = excluded.fence_pending,
                 attention = excluded.attention",
        )
        .and_then(|mut s| {
            let fence = state.fence_pending.as_ref().map(json).transpose()?;
            s.execute(params![
                state.name,
                state.status.as_str(),
                state.current_primary,
                state.failover_count,
                i64_of(version),
                state.needs_resync,
                state.last_operation,
                ts(&Utc::now()),
                fence,
                state.attention.as_ref().map(json).transpose()?,
            ])
        })
        .map_err(|e| db.err(e))?;
        Ok(())
    })
}
