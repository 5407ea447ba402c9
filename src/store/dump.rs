//! Moving a journal between engines (`drconsole journal copy`): every row of every table, read in
//! journal order from one backend and written to the other in one transaction, with the sequence
//! numbers kept, then the row counts of both compared.

use super::backend::JournalBackend;
use super::error::StoreError;
use super::records::{AuditEntry, Lock, RpoSample, StepRecord, StoredOperation};
use crate::domain::{GroupState, OperationEvent};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;

/// One operation as stored, with its journal order and row times.
#[derive(Debug, Clone, PartialEq)]
pub struct DumpedOperation {
    pub seq: i64,
    pub stored: StoredOperation,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Everything a journal holds, in journal order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JournalDump {
    pub operations: Vec<DumpedOperation>,
    pub steps: Vec<(i64, StepRecord)>,
    pub events: Vec<(i64, OperationEvent)>,
    pub audit: Vec<(i64, AuditEntry)>,
    pub group_states: Vec<(GroupState, DateTime<Utc>)>,
    pub locks: Vec<Lock>,
    pub rpo: Vec<RpoSample>,
}

impl JournalDump {
    pub fn counts(&self) -> TableCounts {
        TableCounts {
            operations: self.operations.len() as u64,
            steps: self.steps.len() as u64,
            events: self.events.len() as u64,
            audit: self.audit.len() as u64,
            group_states: self.group_states.len() as u64,
            locks: self.locks.len() as u64,
            rpo_samples: self.rpo.len() as u64,
        }
    }
}

/// Rows per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TableCounts {
    pub operations: u64,
    pub steps: u64,
    pub events: u64,
    pub audit: u64,
    pub group_states: u64,
    pub locks: u64,
    pub rpo_samples: u64,
}

impl TableCounts {
    pub fn total(&self) -> u64 {
        self.operations
            + self.steps
            + self.events
            + self.audit
            + self.group_states
            + self.locks
            + self.rpo_samples
    }
}

impl fmt::Display for TableCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} operations, {} steps, {} events, {} audit entries, {} group states, {} locks, \
             {} RPO samples",
            self.operations,
            self.steps,
            self.events,
            self.audit,
            self.group_states,
            self.locks,
            self.rpo_samples
        )
    }
}

/// Copy every row of `from` into `to`. Refuses while an operation holds a live lock in `from`
/// (its journal would move under it), and refuses a `to` that has rows unless `replace`. Returns
/// the counts copied, verified equal in both journals.
pub fn copy(
    from: &dyn JournalBackend,
    to: &dyn JournalBackend,
    replace: bool,
) -> Result<TableCounts, StoreError> {
    let now = Utc::now();
    let live: Vec<String> = from
        .all_locks()?
        .into_iter()
        .filter(|l| !l.is_expired(now))
        .map(|l| {
            format!(
                "{} ({} by {})",
                l.group, l.holder.operation_id, l.holder.console_id
            )
        })
        .collect();
    if !live.is_empty() {
        return Err(StoreError::Refused(format!(
            "{} is in use: operations hold live locks on {}; let them finish (or stop those \
             consoles and wait for their leases to expire), then copy again",
            from.describe(),
            live.join(", ")
        )));
    }
    let target = to.counts()?;
    if target.total() > 0 && !replace {
        return Err(StoreError::Refused(format!(
            "{} is not empty ({target}); copy into an empty journal, or add --replace to \
             replace what it holds",
            to.describe()
        )));
    }
    let dump = from.export()?;
    let expected = dump.counts();
    to.import(&dump, replace)?;
    let found = to.counts()?;
    if found != expected {
        return Err(StoreError::Refused(format!(
            "the copy in {} does not match its source: expected {expected}, found {found}; \
             do not use it, and copy again with --replace",
            to.describe()
        )));
    }
    Ok(found)
}
