//! `drconsole report --drills --since DATE`: every drill since a date in one table for an audit —
//! when, group, direction, result, data loss, RTO, time to cleanup, and the verdict.

use super::ReportError;
use super::facts::Facts;
use crate::domain::{OperationDetail, human_seconds};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::fmt::Write;

/// `YYYY-MM-DD` (midnight UTC) or a full RFC 3339 time.
pub fn parse_since(s: &str) -> Result<DateTime<Utc>, ReportError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| ReportError::Date(s.to_string()))
}

#[derive(Debug, Serialize)]
struct Summary<'a> {
    since: DateTime<Utc>,
    drills: usize,
    passed: usize,
    rows: Vec<&'a Facts>,
}

/// The drills in `details` as a Markdown table (`json`: as JSON), oldest first.
pub fn drills_summary(
    details: &[OperationDetail],
    since: DateTime<Utc>,
    json: bool,
) -> Result<String, ReportError> {
    let mut facts: Vec<Facts> = details.iter().map(Facts::of).collect();
    facts.sort_by_key(|f| f.started_at);
    let passed = facts.iter().filter(|f| f.passed).count();
    if json {
        let s = Summary {
            since,
            drills: facts.len(),
            passed,
            rows: facts.iter().collect(),
        };
        return Ok(serde_json::to_string_pretty(&s)? + "\n");
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Drills since {}\n\n{} drills, {passed} passed.\n",
        since.format("%Y-%m-%d %H:%M UTC"),
        facts.len()
    );
    if facts.is_empty() {
        out.push_str("No drill was run in this period.\n");
        return Ok(out);
    }
    let _ = writeln!(
        out,
        "| Started | Group | Direction | Status | Data loss | RTO | To cleanup | Verdict | Operation |\n|---|---|---|---|---|---|---|---|---|"
    );
    for f in &facts {
        let started = f
            .started_at
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "—".into());
        let _ = writeln!(
            out,
            "| {started} | {} | {} | {} | {} | {} | {} | {} | `{}` |",
            f.group,
            f.direction(),
            f.status,
            Facts::seconds(f.data_loss_seconds),
            Facts::seconds(f.rto_seconds),
            f.to_cleanup_seconds
                .map(human_seconds)
                .unwrap_or_else(|| "not cleaned up".into()),
            f.verdict.replace('|', "/"),
            f.operation_id
        );
    }
    Ok(out)
}
