//! How values become SQLite columns and back: timestamps as fixed-width RFC 3339 text (microseconds),
//! lease instants as integer milliseconds, enums as their snake_case names, structures as JSON.
//! A column that does not decode becomes a conversion error, reported as a damaged row.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Row;
use rusqlite::types::Type;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn bad(column: &str, message: impl std::fmt::Display) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        Type::Text,
        format!("column {column}: {message}").into(),
    )
}

/// Microseconds, as PostgreSQL keeps them, so a journal moved between the engines is unchanged.
pub fn ts(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn opt_ts(at: &Option<DateTime<Utc>>) -> Option<String> {
    at.as_ref().map(ts)
}

fn parse_ts(column: &str, s: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| bad(column, format!("bad timestamp {s:?}: {e}")))
}

pub fn get_ts(row: &Row<'_>, column: &str) -> rusqlite::Result<DateTime<Utc>> {
    let s: String = row.get(column)?;
    parse_ts(column, &s)
}

pub fn get_opt_ts(row: &Row<'_>, column: &str) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let s: Option<String> = row.get(column)?;
    s.map(|s| parse_ts(column, &s)).transpose()
}

pub fn ms(at: &DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub fn get_ms(row: &Row<'_>, column: &str) -> rusqlite::Result<DateTime<Utc>> {
    let v: i64 = row.get(column)?;
    DateTime::from_timestamp_millis(v).ok_or_else(|| bad(column, format!("bad instant {v}")))
}

pub fn us(at: &DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

pub fn get_us(row: &Row<'_>, column: &str) -> rusqlite::Result<DateTime<Utc>> {
    let v: i64 = row.get(column)?;
    DateTime::from_timestamp_micros(v).ok_or_else(|| bad(column, format!("bad instant {v}")))
}

/// Now, to the millisecond (what a lease column can hold).
pub fn now_ms() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}

pub fn json<T: Serialize + ?Sized>(v: &T) -> rusqlite::Result<String> {
    serde_json::to_string(v).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

pub fn get_json<T: DeserializeOwned>(row: &Row<'_>, column: &str) -> rusqlite::Result<T> {
    let s: String = row.get(column)?;
    serde_json::from_str(&s).map_err(|e| bad(column, format!("bad JSON: {e}")))
}

pub fn get_opt_json<T: DeserializeOwned>(
    row: &Row<'_>,
    column: &str,
) -> rusqlite::Result<Option<T>> {
    let s: Option<String> = row.get(column)?;
    s.map(|s| serde_json::from_str(&s).map_err(|e| bad(column, format!("bad JSON: {e}"))))
        .transpose()
}

/// An enum stored as its serde (snake_case) name.
pub fn get_enum<T: DeserializeOwned>(row: &Row<'_>, column: &str) -> rusqlite::Result<T> {
    let s: String = row.get(column)?;
    serde_json::from_value(serde_json::Value::String(s.clone()))
        .map_err(|_| bad(column, format!("unknown value {s:?}")))
}

/// An optional enum stored as its serde (snake_case) name, or NULL.
pub fn get_opt_enum<T: DeserializeOwned>(
    row: &Row<'_>,
    column: &str,
) -> rusqlite::Result<Option<T>> {
    let s: Option<String> = row.get(column)?;
    s.map(|s| {
        serde_json::from_value(serde_json::Value::String(s.clone()))
            .map_err(|_| bad(column, format!("unknown value {s:?}")))
    })
    .transpose()
}

pub fn get_u64(row: &Row<'_>, column: &str) -> rusqlite::Result<u64> {
    let v: i64 = row.get(column)?;
    u64::try_from(v).map_err(|_| bad(column, format!("negative value {v}")))
}

pub fn get_opt_u64(row: &Row<'_>, column: &str) -> rusqlite::Result<Option<u64>> {
    let v: Option<i64> = row.get(column)?;
    v.map(|v| u64::try_from(v).map_err(|_| bad(column, format!("negative value {v}"))))
        .transpose()
}

/// Counters and versions are far below `i64::MAX`; saturate rather than wrap if one is not.
pub fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
