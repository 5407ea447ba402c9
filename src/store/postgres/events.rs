//! The `events` table (numbered, so another console follows an operation by asking for what came
//! after the last number it saw) and the append-only `audit` table.

use super::PgBackend;
use super::codec::{get, get_json, json, opt_text, text};
use super::errors::PgErr;
use crate::domain::{EventKind, OperationEvent};
use crate::store::error::StoreError;
use crate::store::records::AuditEntry;
use tokio_postgres::{GenericClient, Row};

pub async fn insert(c: &impl GenericClient, ev: &OperationEvent) -> Result<i64, PgErr> {
    let body = json(ev)?;
    let kind = crate::store::records::event_kind(&body).to_string();
    let row = c
        .query_one(
            "INSERT INTO events (operation_id, at, kind, body) VALUES ($1, $2, $3, $4)
             RETURNING seq",
            &[&text(&ev.operation_id).as_ref(), &ev.at, &kind, &body],
        )
        .await?;
    get(&row, "seq")
}

pub fn append(db: &PgBackend, ev: &OperationEvent) -> Result<i64, StoreError> {
    let ev = ev.clone();
    db.with(move |c| async move { insert(&**c, &ev).await })
}

pub fn append_all(db: &PgBackend, evs: &[OperationEvent]) -> Result<(), StoreError> {
    let evs = evs.to_vec();
    db.with(move |mut c| async move {
        let tx = c.transaction().await?;
        for ev in &evs {
            insert(&*tx, ev).await?;
        }
        tx.commit().await?;
        Ok(())
    })
}

pub fn event_row(row: &Row) -> Result<(i64, OperationEvent), PgErr> {
    Ok((get(row, "seq")?, get_json(row, "body")?))
}

pub fn after(
    db: &PgBackend,
    op_id: &str,
    after_seq: i64,
) -> Result<Vec<(i64, OperationEvent)>, StoreError> {
    let op = op_id.to_string();
    db.with(move |c| async move {
        let rows = c
            .query(
                "SELECT seq, body FROM events WHERE operation_id = $1 AND seq > $2 ORDER BY seq",
                &[&op, &after_seq],
            )
            .await?;
        rows.iter().map(event_row).collect()
    })
}

pub fn log_tail(
    db: &PgBackend,
    op_id: &str,
    limit: usize,
) -> Result<Vec<OperationEvent>, StoreError> {
    let (op, limit) = (op_id.to_string(), i64::try_from(limit).unwrap_or(i64::MAX));
    let mut newest: Vec<OperationEvent> = db.with(move |c| async move {
        let rows = c
            .query(
                "SELECT body FROM events WHERE operation_id = $1 AND kind = 'log'
                 ORDER BY seq DESC LIMIT $2",
                &[&op, &limit],
            )
            .await?;
        rows.iter().map(|r| get_json(r, "body")).collect()
    })?;
    newest.reverse();
    Ok(newest)
}

pub fn cancel_request(
    db: &PgBackend,
    op_id: &str,
    after_seq: i64,
) -> Result<Option<(i64, String)>, StoreError> {
    let op = op_id.to_string();
    let found = db.with(move |c| async move {
        c.query_opt(
            "SELECT seq, body FROM events
             WHERE operation_id = $1 AND seq > $2 AND kind = 'cancel_requested'
             ORDER BY seq LIMIT 1",
            &[&op, &after_seq],
        )
        .await?
        .as_ref()
        .map(event_row)
        .transpose()
    })?;
    Ok(found.and_then(|(seq, e)| match e.kind {
        EventKind::CancelRequested { by } => Some((seq, by)),
        _ => None,
    }))
}

pub fn audit_row(row: &Row) -> Result<(i64, AuditEntry), PgErr> {
    Ok((
        get(row, "seq")?,
        AuditEntry {
            at: get(row, "at")?,
            actor: get_json(row, "actor")?,
            action: get(row, "action")?,
            group: get(row, "group_name")?,
            operation_id: get(row, "operation_id")?,
            detail: get(row, "detail")?,
        },
    ))
}

pub async fn insert_audit(
    c: &impl GenericClient,
    seq: Option<i64>,
    e: &AuditEntry,
) -> Result<(), PgErr> {
    c.execute(
        "INSERT INTO audit (seq, at, actor, action, group_name, operation_id, detail)
         VALUES (COALESCE($1, nextval(pg_get_serial_sequence('audit', 'seq'))),
                 $2, $3, $4, $5, $6, $7)",
        &[
            &seq,
            &e.at,
            &json(&e.actor)?,
            &text(&e.action).as_ref(),
            &opt_text(&e.group),
            &opt_text(&e.operation_id),
            &text(&e.detail).as_ref(),
        ],
    )
    .await?;
    Ok(())
}

pub fn append_audit(db: &PgBackend, entry: &AuditEntry) -> Result<(), StoreError> {
    let entry = entry.clone();
    db.with(move |c| async move { insert_audit(&**c, None, &entry).await })
}

pub fn audit(db: &PgBackend, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    db.with(move |c| async move {
        let rows = c
            .query("SELECT * FROM audit ORDER BY seq DESC LIMIT $1", &[&limit])
            .await?;
        rows.iter().map(|r| audit_row(r).map(|(_, e)| e)).collect()
    })
}
