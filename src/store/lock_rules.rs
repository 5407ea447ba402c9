//! Who gets a group's lock: one rule for both engines, applied inside each engine's transaction to
//! the row it read. The holder is an operation *and* the console running it: the same operation
//! asked for by another live console is held, so two `ops resume` of one operation never both run.

use super::records::{Lock, LockHolder, LockOutcome};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// What to write after reading the group's lock row.
#[derive(Debug)]
pub enum Decision {
    /// Store this lock (insert or replace the row) and answer with the outcome.
    Write(LockOutcome),
    /// Leave the row as it is: someone else holds it.
    Held(Lock),
}

/// The lock's expiry: `now + lease`, saturating.
pub fn expiry(now: DateTime<Utc>, lease: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(lease)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Decide on `existing` (the row as read) for `holder` at `now` (the journal's clock). A lock held
/// by `dead_console` (a process known to be gone) counts as expired.
pub fn decide(
    existing: Option<Lock>,
    group: &str,
    holder: &LockHolder,
    now: DateTime<Utc>,
    lease: Duration,
    dead_console: Option<&str>,
) -> Decision {
    let mine = Lock {
        group: group.to_string(),
        holder: holder.clone(),
        acquired_at: now,
        expires_at: expiry(now, lease),
    };
    match existing {
        None => Decision::Write(LockOutcome::Acquired(mine)),
        Some(old) if is_ours(&old, holder) => Decision::Write(LockOutcome::Acquired(Lock {
            acquired_at: old.acquired_at,
            ..mine
        })),
        Some(old)
            if old.is_expired(now) || Some(old.holder.console_id.as_str()) == dead_console =>
        {
            Decision::Write(LockOutcome::TakenOver {
                lock: mine,
                from: old,
            })
        }
        Some(old) => Decision::Held(old),
    }
}

/// The same operation run by the same console: a re-entrant acquire.
fn is_ours(lock: &Lock, holder: &LockHolder) -> bool {
    lock.holder.operation_id == holder.operation_id && lock.holder.console_id == holder.console_id
}
