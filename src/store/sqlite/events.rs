//! The `events` table: every `OperationEvent`, numbered, so another process can follow an operation
//! (`ops watch`) by asking for the events after the last number it saw.

use super::super::error::StoreError;
use super::super::records::event_kind;
use super::SqliteBackend;
use super::codec::{get_json, json, ts};
use crate::domain::OperationEvent;
use rusqlite::{OptionalExtension, params};

pub fn append(db: &SqliteBackend, ev: &OperationEvent) -> Result<i64, StoreError> {
    db.exec(|c| insert(c, ev).map_err(|e| db.err(e)))
}

/// A burst of events in one transaction: one sync for all.
pub fn append_all(db: &SqliteBackend, evs: &[OperationEvent]) -> Result<(), StoreError> {
    db.write(|tx| {
        for ev in evs {
            insert(tx, ev).map_err(|e| db.err(e))?;
        }
        Ok(())
    })
}

fn insert(c: &rusqlite::Connection, ev: &OperationEvent) -> rusqlite::Result<i64> {
    let mut s = c.prepare_cached(
        "INSERT INTO events (operation_id, at, kind, body) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let body = serde_json::to_value(ev)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    s.execute(params![
        ev.operation_id,
        ts(&ev.at),
        event_kind(&body),
        json(&body)?
    ])?;
    Ok(c.last_insert_rowid())
}

pub fn after(
    db: &SqliteBackend,
    op_id: &str,
    after_seq: i64,
) -> Result<Vec<(i64, OperationEvent)>, StoreError> {
    db.read(|c| {
        c.prepare_cached(
            "SELECT seq, body FROM events WHERE operation_id = ?1 AND seq > ?2 ORDER BY seq",
        )
        .and_then(|mut s| {
            s.query_map(params![op_id, after_seq], |r| {
                Ok((r.get("seq")?, get_json(r, "body")?))
            })?
            .collect()
        })
        .map_err(|e| db.err(e))
    })
}

/// The newest `limit` log events, oldest first, without reading the rest of the operation's events.
pub fn log_tail(
    db: &SqliteBackend,
    op_id: &str,
    limit: usize,
) -> Result<Vec<OperationEvent>, StoreError> {
    let mut newest: Vec<OperationEvent> = db.read(|c| {
        c.prepare_cached(
            "SELECT body FROM events WHERE operation_id = ?1 AND kind = 'log'
             ORDER BY seq DESC LIMIT ?2",
        )
        .and_then(|mut s| {
            s.query_map(params![op_id, limit as i64], |r| get_json(r, "body"))?
                .collect()
        })
        .map_err(|e| db.err(e))
    })?;
    newest.reverse();
    Ok(newest)
}

/// The first cancel request after `after_seq` (the `kind` column keeps this to one indexed row).
pub fn cancel_request(
    db: &SqliteBackend,
    op_id: &str,
    after_seq: i64,
) -> Result<Option<(i64, String)>, StoreError> {
    let found: Option<(i64, OperationEvent)> = db.read(|c| {
        c.prepare_cached(
            "SELECT seq, body FROM events
             WHERE operation_id = ?1 AND seq > ?2 AND kind = 'cancel_requested'
             ORDER BY seq LIMIT 1",
        )
        .and_then(|mut s| {
            s.query_row(params![op_id, after_seq], |r| {
                Ok((r.get("seq")?, get_json(r, "body")?))
            })
            .optional()
        })
        .map_err(|e| db.err(e))
    })?;
    Ok(found.and_then(|(seq, e)| match e.kind {
        crate::domain::EventKind::CancelRequested { by } => Some((seq, by)),
        _ => None,
    }))
}
