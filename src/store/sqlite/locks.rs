//! The `locks` table: one row per protection group that an operation holds, with a lease. Taking a
//! lock reads and writes in one immediate transaction, so two consoles never both get it.

use super::super::error::StoreError;
use super::super::records::{Lock, LockHolder, LockOutcome};
use super::SqliteBackend;
use super::codec::{get_enum, get_json, get_ms, json, ms, now_ms};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::time::Duration;

fn lock_of(row: &Row<'_>) -> rusqlite::Result<Lock> {
    Ok(Lock {
        group: row.get("group_name")?,
        holder: LockHolder {
            operation_id: row.get("operation_id")?,
            operation_type: get_enum(row, "operation_type")?,
            actor: get_json(row, "actor")?,
            console_id: row.get("console_id")?,
        },
        acquired_at: get_ms(row, "acquired_at_ms")?,
        expires_at: get_ms(row, "expires_at_ms")?,
    })
}

fn select(c: &Connection, group: &str) -> rusqlite::Result<Option<Lock>> {
    c.prepare_cached("SELECT * FROM locks WHERE group_name = ?1")?
        .query_row([group], lock_of)
        .optional()
}

fn expiry(now: DateTime<Utc>, lease: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(lease)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn store(c: &Connection, lock: &Lock) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT OR REPLACE INTO locks (group_name, operation_id, operation_type, actor, console_id,
                                       acquired_at_ms, expires_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        lock.group,
        lock.holder.operation_id,
        lock.holder.operation_type.as_str(),
        json(&lock.holder.actor)?,
        lock.holder.console_id,
        ms(&lock.acquired_at),
        ms(&lock.expires_at),
    ])?;
    Ok(())
}

/// Take the lock (see `JournalBackend::acquire_lock`); a lock held by `dead_console` counts as
/// expired.
pub fn acquire(
    db: &SqliteBackend,
    group: &str,
    holder: &LockHolder,
    lease: Duration,
    dead_console: Option<&str>,
) -> Result<LockOutcome, StoreError> {
    db.write(|tx| {
        let now = now_ms();
        let existing = select(tx, group).map_err(|e| db.err(e))?;
        let mine = Lock {
            group: group.to_string(),
            holder: holder.clone(),
            acquired_at: now,
            expires_at: expiry(now, lease),
        };
        let outcome = match existing {
            None => LockOutcome::Acquired(mine),
            // Re-entrant only for the same operation in the same console: the same operation in
            // another live console is that console's to run.
            Some(old)
                if old.holder.operation_id == holder.operation_id
                    && old.holder.console_id == holder.console_id =>
            {
                LockOutcome::Acquired(Lock {
                    acquired_at: old.acquired_at,
                    ..mine
                })
            }
            Some(old)
                if old.is_expired(now) || Some(old.holder.console_id.as_str()) == dead_console =>
            {
                LockOutcome::TakenOver {
                    lock: mine,
                    from: old,
                }
            }
            Some(old) => return Ok(LockOutcome::Held(old)),
        };
        if let LockOutcome::Acquired(lock) | LockOutcome::TakenOver { lock, .. } = &outcome {
            store(tx, lock).map_err(|e| db.err(e))?;
        }
        Ok(outcome)
    })
}

pub fn renew(
    db: &SqliteBackend,
    group: &str,
    operation_id: &str,
    console_id: &str,
    lease: Duration,
) -> Result<bool, StoreError> {
    let expires = expiry(now_ms(), lease);
    db.read(|c| {
        c.prepare_cached(
            "UPDATE locks SET expires_at_ms = ?4
             WHERE group_name = ?1 AND operation_id = ?2 AND console_id = ?3",
        )
        .and_then(|mut s| s.execute(params![group, operation_id, console_id, ms(&expires)]))
        .map(|n| n > 0)
        .map_err(|e| db.err(e))
    })
}

pub fn release(
    db: &SqliteBackend,
    group: &str,
    operation_id: &str,
    console_id: &str,
) -> Result<bool, StoreError> {
    db.read(|c| {
        c.prepare_cached(
            "DELETE FROM locks WHERE group_name = ?1 AND operation_id = ?2 AND console_id = ?3",
        )
        .and_then(|mut s| s.execute(params![group, operation_id, console_id]))
        .map(|n| n > 0)
        .map_err(|e| db.err(e))
    })
}

pub fn get(db: &SqliteBackend, group: &str) -> Result<Option<Lock>, StoreError> {
    db.read(|c| select(c, group).map_err(|e| db.err(e)))
}

pub fn all(db: &SqliteBackend) -> Result<Vec<Lock>, StoreError> {
    db.read(|c| {
        c.prepare_cached("SELECT * FROM locks ORDER BY group_name")
            .and_then(|mut s| s.query_map([], lock_of)?.collect())
            .map_err(|e| db.err(e))
    })
}
