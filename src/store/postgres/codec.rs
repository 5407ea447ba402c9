//! How values become PostgreSQL columns and back: instants as `timestamptz` (microseconds),
//! structures as `jsonb`, enums as their snake_case names. PostgreSQL text cannot hold a NUL
//! character, which a site's error message might carry: NULs become U+FFFD on the way in, so a
//! journal write never fails on one. A column that does not decode is a damaged row.

use super::errors::PgErr;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::borrow::Cow;
use tokio_postgres::Row;
use tokio_postgres::types::FromSql;

pub fn get<'a, T: FromSql<'a>>(row: &'a Row, column: &str) -> Result<T, PgErr> {
    row.try_get(column)
        .map_err(|e| PgErr::Decode(format!("column {column}: {e}")))
}

/// A `jsonb` column as a typed value.
pub fn get_json<T: DeserializeOwned>(row: &Row, column: &str) -> Result<T, PgErr> {
    let v: Value = get(row, column)?;
    serde_json::from_value(v).map_err(|e| PgErr::Decode(format!("column {column}: bad JSON: {e}")))
}

pub fn get_opt_json<T: DeserializeOwned>(row: &Row, column: &str) -> Result<Option<T>, PgErr> {
    let v: Option<Value> = get(row, column)?;
    v.map(|v| {
        serde_json::from_value(v)
            .map_err(|e| PgErr::Decode(format!("column {column}: bad JSON: {e}")))
    })
    .transpose()
}

/// An enum stored as its serde (snake_case) name.
pub fn get_enum<T: DeserializeOwned>(row: &Row, column: &str) -> Result<T, PgErr> {
    let s: String = get(row, column)?;
    serde_json::from_value(Value::String(s.clone()))
        .map_err(|_| PgErr::Decode(format!("column {column}: unknown value {s:?}")))
}

/// An optional enum stored as its serde (snake_case) name, or NULL.
pub fn get_opt_enum<T: DeserializeOwned>(row: &Row, column: &str) -> Result<Option<T>, PgErr> {
    let s: Option<String> = get(row, column)?;
    s.map(|s| {
        serde_json::from_value(Value::String(s.clone()))
            .map_err(|_| PgErr::Decode(format!("column {column}: unknown value {s:?}")))
    })
    .transpose()
}

pub fn get_u64(row: &Row, column: &str) -> Result<u64, PgErr> {
    let v: i64 = get(row, column)?;
    u64::try_from(v).map_err(|_| PgErr::Decode(format!("column {column}: negative value {v}")))
}

pub fn get_u32(row: &Row, column: &str) -> Result<u32, PgErr> {
    let v: i64 = get(row, column)?;
    u32::try_from(v).map_err(|_| PgErr::Decode(format!("column {column}: bad value {v}")))
}

/// A typed value as `jsonb`, NULs replaced.
pub fn json<T: Serialize + ?Sized>(v: &T) -> Result<Value, PgErr> {
    let v = serde_json::to_value(v).map_err(|e| PgErr::Decode(format!("cannot encode: {e}")))?;
    Ok(without_nul(v))
}

fn without_nul(v: Value) -> Value {
    match v {
        Value::String(s) if s.contains('\0') => Value::String(s.replace('\0', "\u{fffd}")),
        Value::Array(a) => Value::Array(a.into_iter().map(without_nul).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| (k.replace('\0', "\u{fffd}"), without_nul(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Text as PostgreSQL can hold it.
pub fn text(s: &str) -> Cow<'_, str> {
    if s.contains('\0') {
        Cow::Owned(s.replace('\0', "\u{fffd}"))
    } else {
        Cow::Borrowed(s)
    }
}

pub fn opt_text(s: &Option<String>) -> Option<String> {
    s.as_deref().map(|s| text(s).into_owned())
}

/// Counters and versions are far below `i64::MAX`; saturate rather than wrap if one is not.
pub fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A lease as milliseconds, for `clock_timestamp() + $n * interval '1 millisecond'`.
pub fn lease_ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 1000)
}
