//! The `steps` table: the latest state of each step of an operation, written ahead of the step's
//! effects by the executor's `JournalEntry`s; `Progress` and `Status` entries update the operation.

use super::super::error::StoreError;
use super::super::records::StepRecord;
use super::SqliteBackend;
use super::codec::{
    get_enum, get_opt_enum, get_opt_json, get_opt_ts, get_opt_u64, get_ts, i64_of, json, ts,
};
use crate::domain::{JournalEntry, StepMark};
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, params};

pub(super) fn step_of(row: &Row<'_>) -> rusqlite::Result<StepRecord> {
    Ok(StepRecord {
        operation_id: row.get("operation_id")?,
        step_id: row.get("step_id")?,
        status: get_enum(row, "status")?,
        attempt: row.get("attempt")?,
        output: get_opt_json(row, "output")?,
        error: row.get("error")?,
        started_at: get_ts(row, "started_at")?,
        finished_at: get_opt_ts(row, "finished_at")?,
        duration_ms: get_opt_u64(row, "duration_ms")?,
        compensated_at: get_opt_ts(row, "compensated_at")?,
        mark: get_opt_enum(row, "mark")?,
        mark_error: row.get("mark_error")?,
    })
}

pub fn record(db: &SqliteBackend, op_id: &str, entry: &JournalEntry) -> Result<(), StoreError> {
    db.write(|tx| record_in(db, tx, op_id, entry))
}

/// Many entries in one transaction: one sync for all (the executor's group commit).
pub fn record_all(
    db: &SqliteBackend,
    entries: &[(String, JournalEntry)],
) -> Result<(), StoreError> {
    db.write(|tx| {
        for (op_id, entry) in entries {
            record_in(db, tx, op_id, entry)?;
        }
        Ok(())
    })
}

fn record_in(
    db: &SqliteBackend,
    tx: &Transaction<'_>,
    op_id: &str,
    entry: &JournalEntry,
) -> Result<(), StoreError> {
    {
        let lists: Option<(String, String)> = tx
            .query_row(
                "SELECT steps_completed, steps_failed FROM operations WHERE id = ?1",
                [op_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| db.err(e))?;
        let Some((completed, failed)) = lists else {
            return Err(StoreError::NotFound {
                what: format!("operation {op_id} (journal it before its steps)"),
            });
        };
        apply(tx, op_id, entry, &completed, &failed).map_err(|e| db.err(e))
    }
}

fn apply(
    tx: &Transaction<'_>,
    op: &str,
    entry: &JournalEntry,
    completed: &str,
    failed: &str,
) -> rusqlite::Result<()> {
    let now = Utc::now();
    match entry {
        JournalEntry::StepStarted { step, attempt } => started(tx, op, step, *attempt, &now),
        JournalEntry::StepSucceeded {
            step,
            output,
            duration_ms,
        } => {
            succeeded(tx, op, step, output, *duration_ms, &now)?;
            add_to_list(tx, op, "steps_completed", completed, step)?;
            remove_from_list(tx, op, "steps_failed", failed, step)
        }
        JournalEntry::StepFailed { step, error } => {
            tx.prepare_cached(
                "INSERT INTO steps (operation_id, step_id, status, attempt, error, started_at,
                                    finished_at)
                 VALUES (?1, ?2, 'failed', 1, ?3, ?4, ?4)
                 ON CONFLICT (operation_id, step_id) DO UPDATE SET
                     status = 'failed', error = excluded.error, finished_at = excluded.finished_at",
            )?
            .execute(params![op, step, error, ts(&now)])?;
            add_to_list(tx, op, "steps_failed", failed, step)
        }
        JournalEntry::StepCompensated { step, undo } => tx
            .prepare_cached(
                "INSERT INTO steps (operation_id, step_id, status, attempt, started_at,
                                    compensated_at, mark)
                 VALUES (?1, ?2, 'compensated', 1, ?3, ?3, ?4)
                 ON CONFLICT (operation_id, step_id) DO UPDATE SET
                     status = 'compensated', compensated_at = excluded.compensated_at,
                     mark = excluded.mark, mark_error = NULL",
            )?
            .execute(params![op, step, ts(&now), StepMark::from(*undo).as_str()])
            .map(drop),
        JournalEntry::StepLeftBehind { step, error } => left_behind(tx, op, step, error, &now),
        JournalEntry::StepVerified { step, output } => tx
            .prepare_cached(
                "UPDATE steps SET status = 'succeeded', output = ?3, error = NULL,
                                  mark = 'verified', mark_error = NULL
                 WHERE operation_id = ?1 AND step_id = ?2",
            )?
            .execute(params![op, step, json(output)?])
            .map(drop),
        JournalEntry::Progress(percent) => tx
            .prepare_cached("UPDATE operations SET progress = ?2, updated_at = ?3 WHERE id = ?1")?
            .execute(params![op, percent, ts(&now)])
            .map(drop),
        JournalEntry::Status(status) => set_status(tx, op, *status, &now),
    }
}

/// A (re)start: a retry keeps the first attempt's start; everything the last run left is cleared.
fn started(
    tx: &Transaction<'_>,
    op: &str,
    step: &str,
    attempt: u32,
    now: &DateTime<Utc>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO steps (operation_id, step_id, status, attempt, started_at)
         VALUES (?1, ?2, 'started', ?3, ?4)
         ON CONFLICT (operation_id, step_id) DO UPDATE SET
             status = 'started', attempt = excluded.attempt,
             started_at = CASE WHEN excluded.attempt <= 1
                               THEN excluded.started_at ELSE steps.started_at END,
             output = NULL, error = NULL, finished_at = NULL, duration_ms = NULL,
             compensated_at = NULL, mark = NULL, mark_error = NULL",
    )?
    .execute(params![op, step, attempt, ts(now)])
    .map(drop)
}

/// Left behind: its status stays what it was (it ran, or failed part way); the mark says its
/// undo could not run, and why.
fn left_behind(
    tx: &Transaction<'_>,
    op: &str,
    step: &str,
    error: &str,
    now: &DateTime<Utc>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO steps (operation_id, step_id, status, attempt, started_at, mark, mark_error)
         VALUES (?1, ?2, 'failed', 1, ?3, 'left_behind', ?4)
         ON CONFLICT (operation_id, step_id) DO UPDATE SET
             mark = 'left_behind', mark_error = excluded.mark_error",
    )?
    .execute(params![op, step, ts(now), error])
    .map(drop)
}

fn succeeded(
    tx: &Transaction<'_>,
    op: &str,
    step: &str,
    output: &serde_json::Value,
    duration_ms: u64,
    now: &DateTime<Utc>,
) -> rusqlite::Result<()> {
    let began = *now - ChronoDuration::milliseconds(i64_of(duration_ms));
    tx.prepare_cached(
        "INSERT INTO steps (operation_id, step_id, status, attempt, output, started_at,
                            finished_at, duration_ms)
         VALUES (?1, ?2, 'succeeded', 1, ?3, ?4, ?5, ?6)
         ON CONFLICT (operation_id, step_id) DO UPDATE SET
             status = 'succeeded', output = excluded.output, error = NULL,
             finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
             compensated_at = NULL, mark = NULL, mark_error = NULL",
    )?
    .execute(params![
        op,
        step,
        json(output)?,
        ts(&began),
        ts(now),
        i64_of(duration_ms)
    ])
    .map(drop)
}

/// `Running` sets `started_at` once; a finished status sets `completed_at` once, and an
/// unfinished one (a retried operation, pending or running again) clears it.
fn set_status(
    tx: &Transaction<'_>,
    op: &str,
    status: crate::domain::OperationStatus,
    now: &DateTime<Utc>,
) -> rusqlite::Result<()> {
    let running = matches!(status, crate::domain::OperationStatus::Running);
    tx.prepare_cached(
        "UPDATE operations SET
             status = ?2,
             started_at = CASE WHEN ?3 AND started_at IS NULL THEN ?5 ELSE started_at END,
             completed_at = CASE WHEN ?4 THEN COALESCE(completed_at, ?5) ELSE NULL END,
             updated_at = ?5
         WHERE id = ?1",
    )?
    .execute(params![
        op,
        status.as_str(),
        running,
        status.is_finished(),
        ts(now)
    ])
    .map(drop)
}

/// Add `step` to the operation's JSON list `column` (whose current text is `current`) once.
fn add_to_list(
    tx: &Transaction<'_>,
    op: &str,
    column: &str,
    current: &str,
    step: &str,
) -> rusqlite::Result<()> {
    let mut ids = parse_list(column, current)?;
    if ids.iter().any(|s| s == step) {
        return Ok(());
    }
    ids.push(step.to_string());
    // `column` is one of two names fixed above, never operator input.
    tx.execute(
        &format!("UPDATE operations SET {column} = ?2 WHERE id = ?1"),
        params![op, json(&ids)?],
    )?;
    Ok(())
}

/// Take `step` out of the operation's JSON list `column` (a failed step that a retry ran again).
fn remove_from_list(
    tx: &Transaction<'_>,
    op: &str,
    column: &str,
    current: &str,
    step: &str,
) -> rusqlite::Result<()> {
    let mut ids = parse_list(column, current)?;
    let before = ids.len();
    ids.retain(|s| s != step);
    if ids.len() == before {
        return Ok(());
    }
    // `column` is one of two names fixed above, never operator input.
    tx.execute(
        &format!("UPDATE operations SET {column} = ?2 WHERE id = ?1"),
        params![op, json(&ids)?],
    )?;
    Ok(())
}

fn parse_list(column: &str, current: &str) -> rusqlite::Result<Vec<String>> {
    serde_json::from_str(current).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("column {column}: bad JSON: {e}").into(),
        )
    })
}

pub fn list(db: &SqliteBackend, op_id: &str) -> Result<Vec<StepRecord>, StoreError> {
    db.read(|c| {
        c.prepare_cached("SELECT * FROM steps WHERE operation_id = ?1 ORDER BY seq")
            .and_then(|mut s| s.query_map([op_id], step_of)?.collect())
            .map_err(|e| db.err(e))
    })
}
