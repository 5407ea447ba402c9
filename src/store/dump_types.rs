//! What a journal holds, as one value (`JournalDump`) and its row counts (`TableCounts`): the shape
//! `journal copy` reads from one engine and writes to the other.

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
