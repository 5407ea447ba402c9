//! The `rpo_samples` table: each group's RPO over time, instants as Unix microseconds.

use super::super::error::StoreError;
use super::super::records::RpoSample;
use super::SqliteBackend;
use super::codec::{get_us, us};
use chrono::{DateTime, Utc};
use rusqlite::{Row, params};
use std::time::Duration;

pub(super) fn sample_of(row: &Row<'_>) -> rusqlite::Result<RpoSample> {
    Ok(RpoSample {
        group: row.get("group_name")?,
        at: get_us(row, "at_us")?,
        rpo_seconds: row.get("rpo_seconds")?,
    })
}

pub fn record(
    db: &SqliteBackend,
    sample: &RpoSample,
    min_spacing: Duration,
) -> Result<bool, StoreError> {
    let spacing = i64::try_from(min_spacing.as_micros()).unwrap_or(i64::MAX);
    let at = us(&sample.at);
    db.exec(|c| {
        c.prepare_cached(
            "INSERT INTO rpo_samples (group_name, at_us, rpo_seconds)
             SELECT ?1, ?2, ?3
             WHERE NOT EXISTS (SELECT 1 FROM rpo_samples
                               WHERE group_name = ?1 AND at_us > ?2 - ?4 AND at_us <= ?2)",
        )
        .and_then(|mut s| s.execute(params![sample.group, at, sample.rpo_seconds, spacing]))
        .map(|n| n > 0)
        .map_err(|e| db.err(e))
    })
}

pub fn history(
    db: &SqliteBackend,
    group: &str,
    since: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<RpoSample>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut newest: Vec<RpoSample> = db.read(|c| {
        c.prepare_cached(
            "SELECT * FROM rpo_samples WHERE group_name = ?1 AND at_us >= ?2
             ORDER BY at_us DESC LIMIT ?3",
        )
        .and_then(|mut s| {
            s.query_map(params![group, us(&since), limit], sample_of)?
                .collect()
        })
        .map_err(|e| db.err(e))
    })?;
    newest.reverse();
    Ok(newest)
}

pub fn prune(db: &SqliteBackend, before: DateTime<Utc>) -> Result<u64, StoreError> {
    db.exec(|c| {
        c.prepare_cached("DELETE FROM rpo_samples WHERE at_us < ?1")
            .and_then(|mut s| s.execute([us(&before)]))
            .map(|n| n as u64)
            .map_err(|e| db.err(e))
    })
}
