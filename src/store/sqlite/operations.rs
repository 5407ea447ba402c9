//! The `operations` table: one row per operation, its record plus the plan and options it runs with.

use super::super::error::StoreError;
use super::super::records::{OperationQuery, StoredOperation};
use super::SqliteBackend;
use super::codec::{self, get_enum, get_json, get_opt_ts, json, ts};
use crate::domain::OperationRecord;
use chrono::Utc;
use rusqlite::types::Value as Sql;
use rusqlite::{OptionalExtension, Row, params, params_from_iter};
use serde_json::Value;

/// Every column of the record, plus the owner: whoever holds a live lease for this operation.
const SELECT: &str = "
    SELECT o.*, l.console_id AS owner
    FROM operations o
    LEFT JOIN locks l
      ON l.group_name = o.protection_group AND l.operation_id = o.id AND l.expires_at_ms > ?1";

/// How many candidates an ambiguous prefix lists.
const AMBIGUOUS_SHOWN: usize = 5;

pub(super) fn record_of(row: &Row<'_>) -> rusqlite::Result<OperationRecord> {
    Ok(OperationRecord {
        id: row.get("id")?,
        operation_type: get_enum(row, "operation_type")?,
        protection_group: row.get("protection_group")?,
        status: get_enum(row, "status")?,
        progress: row.get("progress")?,
        source_site_id: row.get("source_site_id")?,
        target_site_id: row.get("target_site_id")?,
        started_at: get_opt_ts(row, "started_at")?,
        completed_at: get_opt_ts(row, "completed_at")?,
        error_message: row.get("error_message")?,
        steps_completed: get_json(row, "steps_completed")?,
        steps_failed: get_json(row, "steps_failed")?,
        result_data: get_json(row, "result_data")?,
        actor: get_json(row, "actor")?,
    })
}

pub(super) fn stored_of(row: &Row<'_>) -> rusqlite::Result<StoredOperation> {
    Ok(StoredOperation {
        record: record_of(row)?,
        plan: get_json(row, "plan")?,
        options: get_json(row, "options")?,
        owner: row.get("owner")?,
    })
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

pub fn insert(
    db: &SqliteBackend,
    op: &OperationRecord,
    plan: &Value,
    options: &Value,
) -> Result<(), StoreError> {
    db.exec(|c| {
        let now = ts(&Utc::now());
        c.prepare_cached(
            "INSERT INTO operations (
                 id, operation_type, protection_group, status, progress, source_site_id,
                 target_site_id, started_at, completed_at, error_message, steps_completed,
                 steps_failed, result_data, actor, plan, options, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17)",
        )
        .and_then(|mut s| {
            let mut values = record_columns(op)?;
            values.extend([json(plan)?.into(), json(options)?.into(), now.into()]);
            s.execute(params_from_iter(values))
        })
        .map_err(|e| db.err(e))?;
        Ok(())
    })
}

/// The record's columns in table order (`id` … `actor`, `?1` … `?14`), shared by insert and update.
pub(super) fn record_columns(op: &OperationRecord) -> rusqlite::Result<Vec<Sql>> {
    Ok(vec![
        op.id.clone().into(),
        op.operation_type.as_str().to_string().into(),
        op.protection_group.clone().into(),
        op.status.as_str().to_string().into(),
        op.progress.into(),
        op.source_site_id.clone().into(),
        op.target_site_id.clone().into(),
        codec::opt_ts(&op.started_at).into(),
        codec::opt_ts(&op.completed_at).into(),
        op.error_message.clone().into(),
        json(&op.steps_completed)?.into(),
        json(&op.steps_failed)?.into(),
        json(&op.result_data)?.into(),
        json(&op.actor)?.into(),
    ])
}

pub fn update(db: &SqliteBackend, op: &OperationRecord) -> Result<(), StoreError> {
    let changed = db.exec(|c| {
        c.prepare_cached(
            "UPDATE operations SET
                 operation_type = ?2, protection_group = ?3, status = ?4, progress = ?5,
                 source_site_id = ?6, target_site_id = ?7, started_at = ?8, completed_at = ?9,
                 error_message = ?10, steps_completed = ?11, steps_failed = ?12,
                 result_data = ?13, actor = ?14, updated_at = ?15
             WHERE id = ?1",
        )
        .and_then(|mut s| {
            let mut values = record_columns(op)?;
            values.push(ts(&Utc::now()).into());
            s.execute(params_from_iter(values))
        })
        .map_err(|e| db.err(e))
    })?;
    if changed == 0 {
        return Err(StoreError::NotFound {
            what: format!("operation {}", op.id),
        });
    }
    Ok(())
}

pub fn get(db: &SqliteBackend, id: &str) -> Result<Option<StoredOperation>, StoreError> {
    db.read(|c| {
        c.prepare_cached(&format!("{SELECT} WHERE o.id = ?2"))
            .and_then(|mut s| s.query_row(params![now_ms(), id], stored_of).optional())
            .map_err(|e| db.err(e))
    })
}

pub fn find(db: &SqliteBackend, prefix: &str) -> Result<Option<StoredOperation>, StoreError> {
    if prefix.is_empty() {
        return Ok(None);
    }
    if let Some(op) = get(db, prefix)? {
        return Ok(Some(op));
    }
    let ids: Vec<String> = db.read(|c| {
        c.prepare_cached(
            "SELECT id FROM operations WHERE substr(id, 1, length(?1)) = ?1 ORDER BY seq LIMIT ?2",
        )
        .and_then(|mut s| {
            s.query_map(params![prefix, AMBIGUOUS_SHOWN as i64 + 1], |r| r.get(0))?
                .collect()
        })
        .map_err(|e| db.err(e))
    })?;
    match ids.as_slice() {
        [] => Ok(None),
        [id] => get(db, id),
        _ => Err(StoreError::Ambiguous {
            prefix: prefix.to_string(),
            matches: ids.into_iter().take(AMBIGUOUS_SHOWN).collect(),
        }),
    }
}

pub fn list(
    db: &SqliteBackend,
    limit: usize,
    group: Option<&str>,
) -> Result<Vec<OperationRecord>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    db.read(|c| {
        c.prepare_cached(
            "SELECT * FROM operations WHERE (?1 IS NULL OR protection_group = ?1)
             ORDER BY seq DESC LIMIT ?2",
        )
        .and_then(|mut s| s.query_map(params![group, limit], record_of)?.collect())
        .map_err(|e| db.err(e))
    })
}

/// `ops list`'s filters in one query: a set given as `,a,b,` (empty: any), a time as the
/// journal's sortable text.
pub fn query(db: &SqliteBackend, q: &OperationQuery) -> Result<Vec<OperationRecord>, StoreError> {
    let set = |names: Vec<String>| match names.is_empty() {
        true => String::new(),
        false => format!(",{},", names.join(",")),
    };
    let (types, statuses) = (set(q.type_names()), set(q.status_names()));
    let since = q.since.as_ref().map(ts);
    let limit = i64::try_from(q.limit).unwrap_or(i64::MAX);
    db.read(|c| {
        c.prepare_cached(
            "SELECT * FROM operations
             WHERE (?1 IS NULL OR protection_group = ?1)
               AND (?2 = '' OR instr(?2, ',' || operation_type || ',') > 0)
               AND (?3 = '' OR instr(?3, ',' || status || ',') > 0)
               AND (?4 IS NULL OR started_at >= ?4)
             ORDER BY seq DESC LIMIT ?5",
        )
        .and_then(|mut s| {
            s.query_map(params![q.group, types, statuses, since, limit], record_of)?
                .collect()
        })
        .map_err(|e| db.err(e))
    })
}

pub fn unfinished(db: &SqliteBackend) -> Result<Vec<StoredOperation>, StoreError> {
    db.read(|c| {
        c.prepare_cached(&format!(
            "{SELECT} WHERE o.status IN ('pending', 'running', 'rolling_back') ORDER BY o.seq"
        ))
        .and_then(|mut s| s.query_map(params![now_ms()], stored_of)?.collect())
        .map_err(|e| db.err(e))
    })
}
