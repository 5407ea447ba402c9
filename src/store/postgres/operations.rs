//! The `operations` table: one row per operation, its record plus the plan and options it runs
//! with; the owner is whoever holds a live lease for it (on the server's clock).

use super::PgBackend;
use super::codec::{get, get_enum, get_json, json, opt_text, text};
use super::errors::PgErr;
use crate::domain::OperationRecord;
use crate::store::error::StoreError;
use crate::store::records::{OperationQuery, StoredOperation};
use serde_json::Value;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

const SELECT: &str = "
    SELECT o.*, l.console_id AS owner
    FROM operations o
    LEFT JOIN locks l
      ON l.group_name = o.protection_group AND l.operation_id = o.id
     AND l.expires_at > clock_timestamp()";

const AMBIGUOUS_SHOWN: i64 = 5;

pub type Params = Vec<Box<dyn ToSql + Sync + Send>>;

pub fn refs(p: &Params) -> Vec<&(dyn ToSql + Sync)> {
    p.iter()
        .map(|b| b.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

pub fn record_of(row: &Row) -> Result<OperationRecord, PgErr> {
    let progress: i32 = get(row, "progress")?;
    Ok(OperationRecord {
        id: get(row, "id")?,
        operation_type: get_enum(row, "operation_type")?,
        protection_group: get(row, "protection_group")?,
        status: get_enum(row, "status")?,
        progress: u8::try_from(progress)
            .map_err(|_| PgErr::Decode(format!("column progress: bad value {progress}")))?,
        source_site_id: get(row, "source_site_id")?,
        target_site_id: get(row, "target_site_id")?,
        started_at: get(row, "started_at")?,
        completed_at: get(row, "completed_at")?,
        error_message: get(row, "error_message")?,
        steps_completed: get_json(row, "steps_completed")?,
        steps_failed: get_json(row, "steps_failed")?,
        result_data: get_json(row, "result_data")?,
        actor: get_json(row, "actor")?,
    })
}

pub fn stored_of(row: &Row) -> Result<StoredOperation, PgErr> {
    Ok(StoredOperation {
        record: record_of(row)?,
        plan: get(row, "plan")?,
        options: get(row, "options")?,
        owner: get(row, "owner")?,
    })
}

/// The record's columns in table order (`id` … `actor`, `$1` … `$14`).
pub fn record_params(op: &OperationRecord) -> Result<Params, PgErr> {
    Ok(vec![
        Box::new(text(&op.id).into_owned()),
        Box::new(op.operation_type.as_str().to_string()),
        Box::new(text(&op.protection_group).into_owned()),
        Box::new(op.status.as_str().to_string()),
        Box::new(i32::from(op.progress)),
        Box::new(text(&op.source_site_id).into_owned()),
        Box::new(text(&op.target_site_id).into_owned()),
        Box::new(op.started_at),
        Box::new(op.completed_at),
        Box::new(opt_text(&op.error_message)),
        Box::new(json(&op.steps_completed)?),
        Box::new(json(&op.steps_failed)?),
        Box::new(json(&op.result_data)?),
        Box::new(json(&op.actor)?),
    ])
}

pub const COLUMNS: &str = "id, operation_type, protection_group, status, progress, source_site_id,
    target_site_id, started_at, completed_at, error_message, steps_completed, steps_failed,
    result_data, actor, plan, options";

pub fn insert(
    db: &PgBackend,
    op: &OperationRecord,
    plan: &Value,
    options: &Value,
) -> Result<(), StoreError> {
    let mut p = record_params(op).map_err(|e| e.into_store(db.shown()))?;
    let (plan, options) = (json(plan), json(options));
    db.with(move |c| async move {
        p.push(Box::new(plan?));
        p.push(Box::new(options?));
        let sql = format!(
            "INSERT INTO operations ({COLUMNS}, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                     clock_timestamp(), clock_timestamp())"
        );
        c.execute(sql.as_str(), &refs(&p)).await?;
        Ok(())
    })
}

pub fn update(db: &PgBackend, op: &OperationRecord) -> Result<(), StoreError> {
    let p = record_params(op).map_err(|e| e.into_store(db.shown()))?;
    let id = op.id.clone();
    let n = db.with(move |c| async move {
        Ok(c.execute(
            "UPDATE operations SET
                 operation_type = $2, protection_group = $3, status = $4, progress = $5,
                 source_site_id = $6, target_site_id = $7, started_at = $8, completed_at = $9,
                 error_message = $10, steps_completed = $11, steps_failed = $12,
                 result_data = $13, actor = $14, updated_at = clock_timestamp()
             WHERE id = $1",
            &refs(&p),
        )
        .await?)
    })?;
    if n == 0 {
        return Err(StoreError::NotFound {
            what: format!("operation {id}"),
        });
    }
    Ok(())
}

pub fn get_one(db: &PgBackend, id: &str) -> Result<Option<StoredOperation>, StoreError> {
    let id = id.to_string();
    db.with(move |c| async move {
        c.query_opt(&format!("{SELECT} WHERE o.id = $1"), &[&id])
            .await?
            .as_ref()
            .map(stored_of)
            .transpose()
    })
}

pub fn find(db: &PgBackend, prefix: &str) -> Result<Option<StoredOperation>, StoreError> {
    if prefix.is_empty() {
        return Ok(None);
    }
    if let Some(op) = get_one(db, prefix)? {
        return Ok(Some(op));
    }
    let p = prefix.to_string();
    let ids: Vec<String> = db.with(move |c| async move {
        let rows = c
            .query(
                "SELECT id FROM operations WHERE left(id, length($1)) = $1 ORDER BY seq LIMIT $2",
                &[&p, &(AMBIGUOUS_SHOWN + 1)],
            )
            .await?;
        rows.iter().map(|r| get(r, "id")).collect()
    })?;
    match ids.as_slice() {
        [] => Ok(None),
        [id] => get_one(db, id),
        _ => Err(StoreError::Ambiguous {
            prefix: prefix.to_string(),
            matches: ids.into_iter().take(AMBIGUOUS_SHOWN as usize).collect(),
        }),
    }
}

pub fn list(
    db: &PgBackend,
    limit: usize,
    group: Option<&str>,
) -> Result<Vec<OperationRecord>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let group = group.map(str::to_string);
    db.with(move |c| async move {
        let rows = c
            .query(
                "SELECT * FROM operations WHERE ($1::text IS NULL OR protection_group = $1)
                 ORDER BY seq DESC LIMIT $2",
                &[&group, &limit],
            )
            .await?;
        rows.iter().map(record_of).collect()
    })
}

/// `ops list`'s filters in one query (an empty set: any).
pub fn query(db: &PgBackend, q: &OperationQuery) -> Result<Vec<OperationRecord>, StoreError> {
    let limit = i64::try_from(q.limit).unwrap_or(i64::MAX);
    let (group, types, statuses, since) =
        (q.group.clone(), q.type_names(), q.status_names(), q.since);
    db.with(move |c| async move {
        let rows = c
            .query(
                "SELECT * FROM operations
                 WHERE ($1::text IS NULL OR protection_group = $1)
                   AND (cardinality($2::text[]) = 0 OR operation_type = ANY($2))
                   AND (cardinality($3::text[]) = 0 OR status = ANY($3))
                   AND ($4::timestamptz IS NULL OR started_at >= $4)
                 ORDER BY seq DESC LIMIT $5",
                &[&group, &types, &statuses, &since, &limit],
            )
            .await?;
        rows.iter().map(record_of).collect()
    })
}

pub fn unfinished(db: &PgBackend) -> Result<Vec<StoredOperation>, StoreError> {
    db.with(move |c| async move {
        let rows = c
            .query(
                &format!(
                    "{SELECT} WHERE o.status IN ('pending', 'running', 'rolling_back') \
                     ORDER BY o.seq"
                ),
                &[],
            )
            .await?;
        rows.iter().map(stored_of).collect()
    })
}
