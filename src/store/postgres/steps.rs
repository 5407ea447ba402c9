//! The `steps` table and the executor's write-ahead entries: the same rules as SQLite's
//! (sqlite/steps.rs), on the server's clock; a group commit is one transaction.

use super::PgBackend;
use super::codec::{get, get_enum, get_opt_enum, get_opt_json, i64_of, json, text};
use super::errors::PgErr;
use crate::domain::{JournalEntry, OperationStatus, StepMark};
use crate::store::error::StoreError;
use crate::store::records::StepRecord;
use deadpool_postgres::Transaction;
use tokio_postgres::Row;

fn step_of(row: &Row) -> Result<StepRecord, PgErr> {
    let attempt: i32 = get(row, "attempt")?;
    let duration: Option<i64> = get(row, "duration_ms")?;
    Ok(StepRecord {
        operation_id: get(row, "operation_id")?,
        step_id: get(row, "step_id")?,
        status: get_enum(row, "status")?,
        attempt: u32::try_from(attempt)
            .map_err(|_| PgErr::Decode(format!("column attempt: bad value {attempt}")))?,
        output: get_opt_json(row, "output")?,
        error: get(row, "error")?,
        started_at: get(row, "started_at")?,
        finished_at: get(row, "finished_at")?,
        duration_ms: duration.map(|d| d.max(0) as u64),
        compensated_at: get(row, "compensated_at")?,
        mark: get_opt_enum(row, "mark")?,
        mark_error: get(row, "mark_error")?,
    })
}

pub fn step_row(row: &Row) -> Result<(i64, StepRecord), PgErr> {
    Ok((get(row, "seq")?, step_of(row)?))
}

pub fn record_all(db: &PgBackend, entries: &[(String, JournalEntry)]) -> Result<(), StoreError> {
    let entries = entries.to_vec();
    db.with(move |mut c| async move {
        let tx = c.transaction().await?;
        for (op, entry) in &entries {
            let exists = tx
                .query_opt("SELECT 1 FROM operations WHERE id = $1", &[op])
                .await?
                .is_some();
            if !exists {
                return Err(PgErr::Store(StoreError::NotFound {
                    what: format!("operation {op} (journal it before its steps)"),
                }));
            }
            apply(&tx, op, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    })
}

async fn apply(tx: &Transaction<'_>, op: &str, entry: &JournalEntry) -> Result<(), PgErr> {
    let run = |sql: &'static str| async move { tx.prepare_cached(sql).await };
    match entry {
        JournalEntry::StepStarted { step, attempt } => started(tx, op, step, *attempt).await?,
        JournalEntry::StepSucceeded {
            step,
            output,
            duration_ms,
        } => {
            let s = run("INSERT INTO steps (operation_id, step_id, status, attempt, output,
                                    started_at, finished_at, duration_ms)
                 VALUES ($1, $2, 'succeeded', 1, $3,
                         clock_timestamp() - $4::bigint * interval '1 millisecond', clock_timestamp(), $4)
                 ON CONFLICT (operation_id, step_id) DO UPDATE SET
                     status = 'succeeded', output = excluded.output, error = NULL,
                     finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
                     compensated_at = NULL, mark = NULL, mark_error = NULL")
            .await?;
            let (step, ms) = (text(step), i64_of(*duration_ms));
            tx.execute(&s, &[&op, &step.as_ref(), &json(output)?, &ms])
                .await?;
            add_to_list(tx, op, "steps_completed", &step).await?;
            remove_from_list(tx, op, "steps_failed", &step).await?;
        }
        JournalEntry::StepFailed { step, error } => {
            let s = run(
                "INSERT INTO steps (operation_id, step_id, status, attempt, error,
                                    started_at, finished_at)
                 VALUES ($1, $2, 'failed', 1, $3, clock_timestamp(), clock_timestamp())
                 ON CONFLICT (operation_id, step_id) DO UPDATE SET
                     status = 'failed', error = excluded.error, finished_at = excluded.finished_at",
            )
            .await?;
            let step = text(step);
            tx.execute(&s, &[&op, &step.as_ref(), &text(error).as_ref()])
                .await?;
            add_to_list(tx, op, "steps_failed", &step).await?;
        }
        JournalEntry::StepCompensated { .. }
        | JournalEntry::StepLeftBehind { .. }
        | JournalEntry::StepVerified { .. } => mark(tx, op, entry).await?,
        JournalEntry::Progress(percent) => {
            let s = run(
                "UPDATE operations SET progress = $2, updated_at = clock_timestamp()
                 WHERE id = $1",
            )
            .await?;
            tx.execute(&s, &[&op, &i32::from(*percent)]).await?;
        }
        JournalEntry::Status(status) => set_status(tx, op, *status).await?,
    }
    Ok(())
}

/// What a rollback or a retry made of a step: undone (or nothing to undo, irreversible), left
/// behind with why, or verified still done.
async fn mark(tx: &Transaction<'_>, op: &str, entry: &JournalEntry) -> Result<(), PgErr> {
    let run = |sql: &'static str| async move { tx.prepare_cached(sql).await };
    match entry {
        JournalEntry::StepCompensated { step, undo } => {
            let s = run(
                "INSERT INTO steps (operation_id, step_id, status, attempt, started_at,
                                    compensated_at, mark)
                 VALUES ($1, $2, 'compensated', 1, clock_timestamp(), clock_timestamp(), $3)
                 ON CONFLICT (operation_id, step_id) DO UPDATE SET
                     status = 'compensated', compensated_at = excluded.compensated_at,
                     mark = excluded.mark, mark_error = NULL",
            )
            .await?;
            let mark = StepMark::from(*undo).as_str();
            tx.execute(&s, &[&op, &text(step).as_ref(), &mark]).await?;
        }
        JournalEntry::StepLeftBehind { step, error } => {
            let s = run(
                "INSERT INTO steps (operation_id, step_id, status, attempt, started_at, mark,
                                    mark_error)
                 VALUES ($1, $2, 'failed', 1, clock_timestamp(), 'left_behind', $3)
                 ON CONFLICT (operation_id, step_id) DO UPDATE SET
                     mark = 'left_behind', mark_error = excluded.mark_error",
            )
            .await?;
            tx.execute(&s, &[&op, &text(step).as_ref(), &text(error).as_ref()])
                .await?;
        }
        JournalEntry::StepVerified { step, output } => {
            let s = run(
                "UPDATE steps SET status = 'succeeded', output = $3, error = NULL,
                                  mark = 'verified', mark_error = NULL
                 WHERE operation_id = $1 AND step_id = $2",
            )
            .await?;
            tx.execute(&s, &[&op, &text(step).as_ref(), &json(output)?])
                .await?;
        }
        _ => {}
    }
    Ok(())
}

/// A (re)start: a retry keeps the first attempt's start; everything the last run left is cleared.
async fn started(tx: &Transaction<'_>, op: &str, step: &str, attempt: u32) -> Result<(), PgErr> {
    let s = tx
        .prepare_cached(
            "INSERT INTO steps (operation_id, step_id, status, attempt, started_at)
             VALUES ($1, $2, 'started', $3, clock_timestamp())
             ON CONFLICT (operation_id, step_id) DO UPDATE SET
                 status = 'started', attempt = excluded.attempt,
                 started_at = CASE WHEN excluded.attempt <= 1
                                   THEN excluded.started_at ELSE steps.started_at END,
                 output = NULL, error = NULL, finished_at = NULL, duration_ms = NULL,
                 compensated_at = NULL, mark = NULL, mark_error = NULL",
        )
        .await?;
    let attempt = i32::try_from(attempt).unwrap_or(i32::MAX);
    tx.execute(&s, &[&op, &text(step).as_ref(), &attempt])
        .await?;
    Ok(())
}

/// `Running` sets `started_at` once; a finished status sets `completed_at` once, and an
/// unfinished one (a retried operation, pending or running again) clears it.
async fn set_status(tx: &Transaction<'_>, op: &str, status: OperationStatus) -> Result<(), PgErr> {
    let s = tx
        .prepare_cached(
            "UPDATE operations SET
                 status = $2,
                 started_at = CASE WHEN $3 AND started_at IS NULL
                                   THEN clock_timestamp() ELSE started_at END,
                 completed_at = CASE WHEN $4 THEN COALESCE(completed_at, clock_timestamp())
                                     ELSE NULL END,
                 updated_at = clock_timestamp()
             WHERE id = $1",
        )
        .await?;
    let running = matches!(status, OperationStatus::Running);
    tx.execute(
        &s,
        &[&op, &status.as_str(), &running, &status.is_finished()],
    )
    .await?;
    Ok(())
}

/// Add `step` to the operation's JSON list `column` once (re-checked under the row lock).
async fn add_to_list(
    tx: &Transaction<'_>,
    op: &str,
    column: &'static str,
    step: &str,
) -> Result<(), PgErr> {
    // `column` is one of two names fixed above, never operator input.
    let sql = format!(
        "UPDATE operations SET {column} = {column} || to_jsonb($2::text)
         WHERE id = $1 AND NOT {column} ? $2"
    );
    let s = tx.prepare_cached(&sql).await?;
    tx.execute(&s, &[&op, &step]).await?;
    Ok(())
}

/// Take `step` out of the operation's JSON list `column` (a failed step a retry ran again).
async fn remove_from_list(
    tx: &Transaction<'_>,
    op: &str,
    column: &'static str,
    step: &str,
) -> Result<(), PgErr> {
    // `column` is one of two names fixed above, never operator input.
    let sql = format!(
        "UPDATE operations SET {column} = {column} - $2::text WHERE id = $1 AND {column} ? $2"
    );
    let s = tx.prepare_cached(&sql).await?;
    tx.execute(&s, &[&op, &step]).await?;
    Ok(())
}

pub fn list(db: &PgBackend, op_id: &str) -> Result<Vec<StepRecord>, StoreError> {
    let op = op_id.to_string();
    db.with(move |c| async move {
        let rows = c
            .query(
                "SELECT * FROM steps WHERE operation_id = $1 ORDER BY seq",
                &[&op],
            )
            .await?;
        rows.iter().map(step_of).collect()
    })
}
