//! Group state (compare-and-set on `metadata_version`), locks with leases on the server's clock,
//! and RPO samples. A lock is decided under `SELECT … FOR UPDATE` of its row (or, for a free
//! group, by the insert that wins the primary key), with the rule both engines share.

use super::PgBackend;
use super::codec::{
    get, get_enum, get_json, get_opt_json, get_u32, get_u64, i64_of, json, lease_ms, text,
};
use super::errors::PgErr;
use crate::domain::GroupState;
use crate::store::error::StoreError;
use crate::store::lock_rules::{Decision, decide};
use crate::store::records::{Lock, LockHolder, LockOutcome, RpoSample};
use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use std::time::Duration;
use tokio_postgres::{GenericClient, Row};

pub fn state_of(row: &Row) -> Result<GroupState, PgErr> {
    Ok(GroupState {
        name: get(row, "name")?,
        status: get_enum(row, "status")?,
        current_primary: get(row, "current_primary")?,
        failover_count: get_u32(row, "failover_count")?,
        metadata_version: get_u64(row, "metadata_version")?,
        needs_resync: get(row, "needs_resync")?,
        last_operation: get(row, "last_operation")?,
        fence_pending: get_opt_json(row, "fence_pending")?,
        attention: get_opt_json(row, "attention")?,
    })
}

pub fn group_state(db: &PgBackend, name: &str) -> Result<Option<GroupState>, StoreError> {
    let name = name.to_string();
    db.with(move |c| async move {
        c.query_opt("SELECT * FROM group_states WHERE name = $1", &[&name])
            .await?
            .as_ref()
            .map(state_of)
            .transpose()
    })
}

pub fn all_group_states(db: &PgBackend) -> Result<Vec<GroupState>, StoreError> {
    db.with(move |c| async move {
        let rows = c
            .query("SELECT * FROM group_states ORDER BY name", &[])
            .await?;
        rows.iter().map(state_of).collect()
    })
}

pub async fn write_state(
    c: &impl GenericClient,
    s: &GroupState,
    version: u64,
    at: Option<DateTime<Utc>>,
) -> Result<(), PgErr> {
    let fence = s.fence_pending.as_ref().map(json).transpose()?;
    c.execute(
        "INSERT INTO group_states (name, status, current_primary, failover_count,
                                   metadata_version, needs_resync, last_operation, updated_at,
                                   fence_pending, attention)
         VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8, clock_timestamp()), $9, $10)
         ON CONFLICT (name) DO UPDATE SET
             status = excluded.status, current_primary = excluded.current_primary,
             failover_count = excluded.failover_count,
             metadata_version = excluded.metadata_version,
             needs_resync = excluded.needs_resync, last_operation = excluded.last_operation,
             updated_at = excluded.updated_at, fence_pending = excluded.fence_pending,
             attention = excluded.attention",
        &[
            &text(&s.name).as_ref(),
            &s.status.as_str(),
            &text(&s.current_primary).as_ref(),
            &i64::from(s.failover_count),
            &i64_of(version),
            &s.needs_resync,
            &s.last_operation,
            &at,
            &fence,
            &s.attention.as_ref().map(json).transpose()?,
        ],
    )
    .await?;
    Ok(())
}

pub fn put_group_state(
    db: &PgBackend,
    state: &GroupState,
    expected: Option<u64>,
) -> Result<(), StoreError> {
    let state = state.clone();
    db.with(move |mut c| async move {
        let tx = c.transaction().await?;
        // A row that does not exist yet cannot be locked: claim the name first, so two
        // consoles inserting one group's first state still serialise on its row.
        let current = tx
            .query_opt(
                "SELECT * FROM group_states WHERE name = $1 FOR UPDATE",
                &[&state.name],
            )
            .await?
            .as_ref()
            .map(state_of)
            .transpose()?;
        let version = match (expected, &current) {
            (None, None) => state.metadata_version,
            (Some(v), Some(cur)) if cur.metadata_version == v => v.saturating_add(1),
            _ => return Err(conflict(&state, expected, current)),
        };
        if current.is_none() {
            let won = tx
                .execute(
                    "INSERT INTO group_states (name, status, current_primary, failover_count,
                         metadata_version, needs_resync, updated_at)
                     VALUES ($1, 'protected', '', 0, 0, false, clock_timestamp())
                     ON CONFLICT (name) DO NOTHING",
                    &[&state.name],
                )
                .await?;
            if won == 0 {
                let now = tx
                    .query_opt("SELECT * FROM group_states WHERE name = $1", &[&state.name])
                    .await?;
                let now = now.as_ref().map(state_of).transpose()?;
                return Err(conflict(&state, expected, now));
            }
        }
        write_state(&*tx, &state, version, None).await?;
        tx.commit().await?;
        Ok(())
    })
}

fn conflict(state: &GroupState, expected: Option<u64>, current: Option<GroupState>) -> PgErr {
    PgErr::Store(StoreError::Conflict {
        group: state.name.clone(),
        expected,
        current: current.map(Box::new),
    })
}

pub fn lock_of(row: &Row) -> Result<Lock, PgErr> {
    Ok(Lock {
        group: get(row, "group_name")?,
        holder: LockHolder {
            operation_id: get(row, "operation_id")?,
            operation_type: get_enum(row, "operation_type")?,
            actor: get_json(row, "actor")?,
            console_id: get(row, "console_id")?,
        },
        acquired_at: get(row, "acquired_at")?,
        expires_at: get(row, "expires_at")?,
    })
}

pub async fn store_lock(c: &impl GenericClient, l: &Lock) -> Result<(), PgErr> {
    c.execute(
        "INSERT INTO locks (group_name, operation_id, operation_type, actor, console_id,
                            acquired_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (group_name) DO UPDATE SET
             operation_id = excluded.operation_id, operation_type = excluded.operation_type,
             actor = excluded.actor, console_id = excluded.console_id,
             acquired_at = excluded.acquired_at, expires_at = excluded.expires_at",
        &[
            &text(&l.group).as_ref(),
            &text(&l.holder.operation_id).as_ref(),
            &l.holder.operation_type.as_str(),
            &json(&l.holder.actor)?,
            &text(&l.holder.console_id).as_ref(),
            &l.acquired_at,
            &l.expires_at,
        ],
    )
    .await?;
    Ok(())
}

pub fn acquire(
    db: &PgBackend,
    group: &str,
    holder: &LockHolder,
    lease: Duration,
    dead_console: Option<&str>,
) -> Result<LockOutcome, StoreError> {
    let (group, holder, dead) = (
        group.to_string(),
        holder.clone(),
        dead_console.map(str::to_string),
    );
    db.with(move |mut c| async move {
        let tx = c.transaction().await?;
        let outcome = decide_locked(&tx, &group, &holder, lease, dead.as_deref()).await?;
        tx.commit().await?;
        Ok(outcome)
    })
}

async fn decide_locked(
    tx: &Transaction<'_>,
    group: &str,
    holder: &LockHolder,
    lease: Duration,
    dead: Option<&str>,
) -> Result<LockOutcome, PgErr> {
    // Make sure a row exists to lock: a free group gets a placeholder that is already expired,
    // then everyone decides on the locked row alike. A release may delete the row between the
    // two statements: then try again.
    let mut tries = 0;
    let row = loop {
        tx.execute(
            "INSERT INTO locks (group_name, operation_id, operation_type, actor, console_id,
                                acquired_at, expires_at)
             VALUES ($1, '', $2, 'null', '', '-infinity', '-infinity')
             ON CONFLICT (group_name) DO NOTHING",
            &[&group, &holder.operation_type.as_str()],
        )
        .await?;
        let row = tx
            .query_opt(
                "SELECT *, clock_timestamp() AS now FROM locks WHERE group_name = $1 FOR UPDATE",
                &[&group],
            )
            .await?;
        match row {
            Some(row) => break row,
            None if tries < 10 => tries += 1,
            None => {
                return Err(PgErr::Decode(format!(
                    "the lock of {group} keeps vanishing under contention"
                )));
            }
        }
    };
    let now: DateTime<Utc> = get(&row, "now")?;
    let placeholder = get::<String>(&row, "operation_id")?.is_empty();
    let existing = if placeholder {
        None
    } else {
        Some(lock_of(&row)?)
    };
    match decide(existing, group, holder, now, lease, dead) {
        Decision::Held(old) => Ok(LockOutcome::Held(old)),
        Decision::Write(outcome) => {
            if let LockOutcome::Acquired(l) | LockOutcome::TakenOver { lock: l, .. } = &outcome {
                store_lock(&**tx, l).await?;
            }
            Ok(outcome)
        }
    }
}

pub fn renew(
    db: &PgBackend,
    group: &str,
    op: &str,
    console: &str,
    lease: Duration,
) -> Result<bool, StoreError> {
    let (g, o, c2, ms) = (
        group.to_string(),
        op.to_string(),
        console.to_string(),
        lease_ms(lease),
    );
    db.with(move |c| async move {
        let n = c
            .execute(
                "UPDATE locks SET expires_at = clock_timestamp() + $4::bigint * interval '1 millisecond'
                 WHERE group_name = $1 AND operation_id = $2 AND console_id = $3",
                &[&g, &o, &c2, &ms],
            )
            .await?;
        Ok(n > 0)
    })
}

pub fn release(db: &PgBackend, group: &str, op: &str, console: &str) -> Result<bool, StoreError> {
    let (g, o, c2) = (group.to_string(), op.to_string(), console.to_string());
    db.with(move |c| async move {
        let n = c
            .execute(
                "DELETE FROM locks WHERE group_name = $1 AND operation_id = $2 AND console_id = $3",
                &[&g, &o, &c2],
            )
            .await?;
        Ok(n > 0)
    })
}

/// Locks, without the placeholders of free groups.
pub fn locks(db: &PgBackend, group: Option<&str>) -> Result<Vec<Lock>, StoreError> {
    let group = group.map(str::to_string);
    db.with(move |c| async move {
        let rows = c
            .query(
                "SELECT * FROM locks WHERE operation_id <> ''
                   AND ($1::text IS NULL OR group_name = $1) ORDER BY group_name",
                &[&group],
            )
            .await?;
        rows.iter().map(lock_of).collect()
    })
}

pub fn sample_of(row: &Row) -> Result<RpoSample, PgErr> {
    Ok(RpoSample {
        group: get(row, "group_name")?,
        at: get(row, "at")?,
        rpo_seconds: get(row, "rpo_seconds")?,
    })
}

pub fn record_rpo(db: &PgBackend, s: &RpoSample, spacing: Duration) -> Result<bool, StoreError> {
    let (s, ms) = (s.clone(), lease_ms(spacing));
    db.with(move |c| async move {
        let n = c
            .execute(
                "INSERT INTO rpo_samples (group_name, at, rpo_seconds)
                 SELECT $1, $2, $3
                 WHERE NOT EXISTS (
                     SELECT 1 FROM rpo_samples WHERE group_name = $1 AND at <= $2
                       AND at > $2 - $4::bigint * interval '1 millisecond')",
                &[&text(&s.group).as_ref(), &s.at, &s.rpo_seconds, &ms],
            )
            .await?;
        Ok(n > 0)
    })
}

pub fn rpo_history(
    db: &PgBackend,
    group: &str,
    since: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<RpoSample>, StoreError> {
    let (g, limit) = (group.to_string(), i64::try_from(limit).unwrap_or(i64::MAX));
    let mut newest: Vec<RpoSample> = db.with(move |c| async move {
        let rows = c
            .query(
                "SELECT * FROM rpo_samples WHERE group_name = $1 AND at >= $2
                 ORDER BY at DESC LIMIT $3",
                &[&g, &since, &limit],
            )
            .await?;
        rows.iter().map(sample_of).collect()
    })?;
    newest.reverse();
    Ok(newest)
}

pub fn prune_rpo(db: &PgBackend, before: DateTime<Utc>) -> Result<u64, StoreError> {
    db.with(move |c| async move {
        Ok(
            c.execute("DELETE FROM rpo_samples WHERE at < $1", &[&before])
                .await?,
        )
    })
}
