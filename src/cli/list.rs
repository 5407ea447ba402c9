//! `ops list`: the journal's operations newest first, narrowed by group, type, status and start
//! (the seed's operation listing filters), as a table or the records' JSON.

use super::args::ListArgs;
use super::status::{engine_err, print_json};
use super::table::render;
use super::{CliError, out};
use crate::domain::{OperationRecord, OperationStatus, OperationType};
use crate::orchestrator::engine::Engine;
use crate::store::OperationQuery;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use std::sync::Arc;

pub async fn list(engine: &Arc<Engine>, args: &ListArgs) -> Result<(), CliError> {
    let query = query_of(engine, args, Utc::now())?;
    let ops = engine
        .store()
        .query_operations(&query)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    if args.json.json {
        return print_json(&serde_json::json!({ "operations": ops }));
    }
    let rows: Vec<Vec<String>> = ops.iter().map(row).collect();
    let header = [
        "ID",
        "OPERATION",
        "GROUP",
        "DIRECTION",
        "STATUS",
        "PROGRESS",
        "STARTED (UTC)",
        "BY",
    ];
    out::line(render(&header, &rows));
    Ok(())
}

fn row(o: &OperationRecord) -> Vec<String> {
    let kind = o.operation_type;
    vec![
        o.id[..8.min(o.id.len())].to_string(),
        if kind.planned() {
            format!("{} (planned)", kind.wire_name())
        } else {
            kind.wire_name().to_string()
        },
        o.protection_group.clone(),
        o.direction(),
        o.status.as_str().to_string(),
        format!("{}%", o.progress),
        o.started_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default(),
        o.actor.to_string(),
    ]
}

/// The flags as a journal query; a name that is not a group, type or status is refused, naming
/// the valid ones.
fn query_of(
    engine: &Engine,
    args: &ListArgs,
    now: DateTime<Utc>,
) -> Result<OperationQuery, CliError> {
    if let Some(g) = &args.group {
        engine.group_config(g).map_err(engine_err)?;
    }
    let mut types = Vec::new();
    for t in &args.types {
        types.extend(OperationType::named(t).ok_or_else(|| {
            CliError::rejected(format!(
                "--type {t:?} is not an operation type; use failover, planned_failover, \
                 unplanned_failover, failback, test_failover, test_cleanup, sync_volumes, \
                 reprotect or fence"
            ))
        })?);
    }
    let statuses = args
        .statuses
        .iter()
        .map(|s| status_named(s))
        .collect::<Result<Vec<_>, _>>()?;
    let since = args.since.as_deref().map(|w| since(w, now)).transpose()?;
    Ok(OperationQuery {
        group: args.group.clone(),
        types,
        statuses,
        since,
        limit: args.limit,
    })
}

fn status_named(name: &str) -> Result<OperationStatus, CliError> {
    let norm = name.trim().replace('-', "_");
    OperationStatus::ALL
        .into_iter()
        .find(|s| s.as_str() == norm)
        .ok_or_else(|| {
            let names: Vec<&str> = OperationStatus::ALL.iter().map(|s| s.as_str()).collect();
            CliError::rejected(format!(
                "--status {name:?} is not an operation status; use {}",
                names.join(", ")
            ))
        })
}

/// `2026-11-25`, `2026-11-25 13:00[:00]`, RFC 3339 (UTC unless it says), or an age before `now`:
/// `90s`, `30m`, `2h`, `7d`.
pub fn since(when: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, CliError> {
    let w = when.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(w) {
        return Ok(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(w, fmt) {
            return Ok(t.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(w, "%Y-%m-%d") {
        return Ok(d.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    let unit = w.chars().last().unwrap_or(' ');
    let amount: Option<i64> = w[..w.len().saturating_sub(unit.len_utf8())].parse().ok();
    let secs = match (amount, unit) {
        (Some(n), 's') => Some(n),
        (Some(n), 'm') => n.checked_mul(60),
        (Some(n), 'h') => n.checked_mul(3600),
        (Some(n), 'd') => n.checked_mul(86_400),
        _ => None,
    };
    secs.and_then(chrono::Duration::try_seconds)
        .and_then(|d| now.checked_sub_signed(d))
        .ok_or_else(|| {
            CliError::rejected(format!(
                "--since {when:?} is not a time (2026-11-25, 2026-11-25 13:00, RFC 3339) or an \
                 age (90s, 30m, 2h, 7d)"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn since_takes_times_dates_and_ages() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 13, 0, 0).unwrap();
        let at = |s| since(s, now).unwrap();
        assert_eq!(at("2h"), now - chrono::Duration::hours(2));
        assert_eq!(at("90s"), now - chrono::Duration::seconds(90));
        assert_eq!(at("7d"), now - chrono::Duration::days(7));
        assert_eq!(
            at("2026-11-25"),
            Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap()
        );
        assert_eq!(
            at("2026-11-25 12:30"),
            Utc.with_ymd_and_hms(2026, 11, 25, 12, 30, 0).unwrap()
        );
        assert_eq!(
            at("2026-11-25T12:00:00+01:00"),
            Utc.with_ymd_and_hms(2026, 11, 25, 11, 0, 0).unwrap()
        );
        for bad in ["yesterday", "h", "-", "99999999999999999d"] {
            assert!(since(bad, now).is_err(), "{bad}");
        }
    }

    #[test]
    fn type_names_are_the_seeds_with_planned_and_unplanned_apart() {
        use OperationType as O;
        assert_eq!(
            O::named("failover"),
            Some(vec![O::PlannedFailover, O::Failover])
        );
        assert_eq!(O::named("planned-failover"), Some(vec![O::PlannedFailover]));
        assert_eq!(O::named("unplanned_failover"), Some(vec![O::Failover]));
        assert_eq!(O::named("sync_volumes"), Some(vec![O::SyncNow]));
        assert_eq!(O::named("test_failover"), Some(vec![O::TestFailover]));
        assert_eq!(O::named("explode"), None);
    }
}
