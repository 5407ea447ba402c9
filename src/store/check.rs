//! `drconsole journal check`: what a journal is, as found, without changing it: its schema version
//! against this drconsole's, the migrations a console would apply, the rows it holds, and the
//! locks held and by whom. An error means the journal cannot be used, and says why.

use super::{JournalBackend, Lock, SchemaStatus, Store, StoreError, TableCounts};
use crate::domain::StoreConfig;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct JournalReport {
    /// Which journal (the URL without its password, or the file).
    pub journal: String,
    pub schema: SchemaStatus,
    /// The rows per table (`None` until the pending migrations have run).
    pub counts: Option<TableCounts>,
    pub locks: Vec<LockReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LockReport {
    #[serde(flatten)]
    pub lock: Lock,
    /// Whether its lease still runs (else another console may take the operation over).
    pub live: bool,
}

/// Inspect the journal `config` names; `Err` when it cannot be used.
pub fn check(config: &StoreConfig) -> Result<JournalReport, StoreError> {
    let store = Store::inspect(config)?;
    report(store.blocking(), Utc::now())
}

pub fn report(db: &dyn JournalBackend, now: DateTime<Utc>) -> Result<JournalReport, StoreError> {
    let schema = db.schema_status()?;
    if schema.version > schema.latest {
        return Err(StoreError::SchemaTooNew {
            journal: db.describe(),
            found: schema.version,
            supported: schema.latest,
        });
    }
    let (counts, locks) = if schema.pending.is_empty() {
        (Some(db.counts()?), db.all_locks()?)
    } else if schema.version >= 1 {
        (None, db.all_locks()?)
    } else {
        (None, Vec::new())
    };
    Ok(JournalReport {
        journal: db.describe(),
        schema,
        counts,
        locks: locks
            .into_iter()
            .map(|lock| LockReport {
                live: !lock.is_expired(now),
                lock,
            })
            .collect(),
    })
}
