//! The `locks` table: one row per protection group that an operation holds, with a lease. Taking a
//! lock reads and writes in one immediate transaction, so two consoles never both get it.

use super::super::error::StoreError;
use super::super::lock_rules::{Decision, decide, expiry};
use super::super::records::{Lock, LockHolder, LockOutcome};
use super::SqliteBackend;
use super::codec::{get_enum, get_json, get_ms, json, ms, now_ms};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::time::Duration;

pub(super) fn lock_of(row: &Row<'_>) -> rusqlite::Result<Lock> {
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

pub(super) fn store(c: &Connection, lock: &Lock) -> rusqlite::Result<()> {
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

pub fn acquire(
    db: &SqliteBackend,
    group: &str,
    holder: &LockHolder,
    lease: Duration,
    dead_console: Option<&str>,
) -> Result<LockOutcome, StoreError> {
    db.write(|tx| {
        let existing = select(tx, group).map_err(|e| db.err(e))?;
        match decide(existing, group, holder, now_ms(), lease, dead_console) {
            Decision::Held(old) => Ok(LockOutcome::Held(old)),
            Decision::Write(outcome) => {
                if let LockOutcome::Acquired(lock) | LockOutcome::TakenOver { lock, .. } = &outcome
                {
                    store(tx, lock).map_err(|e| db.err(e))?;
                }
                Ok(outcome)
            }
        }
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
    db.exec(|c| {
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
    db.exec(|c| {
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
