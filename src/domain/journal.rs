//! What the journal keeps of a running operation: the entries the executor writes before and after
//! each step (write-ahead), and the events every console and `ops watch` follow. Pure data, shared
//! by the orchestrator that writes them and the store that keeps them.

use super::{OperationStatus, Phase};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::PathBuf;

/// A journal entry the executor writes before acting on it.
#[derive(Debug, Clone, PartialEq)]
pub enum JournalEntry {
    StepStarted {
        step: String,
        attempt: u32,
    },
    StepSucceeded {
        step: String,
        output: Value,
        duration_ms: u64,
    },
    StepFailed {
        step: String,
        error: String,
    },
    /// Rollback reached the step; `undo` says what it did.
    StepCompensated {
        step: String,
        undo: Undo,
    },
    Progress(u8),
    Status(OperationStatus),
}

/// What rolling back one step did, so the operator is never told "undone" for a step that had
/// nothing to undo, or for one whose effect stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Undo {
    /// Its effect was reversed: what it made is gone, what it stopped runs again.
    #[default]
    Undone,
    /// It had left nothing behind (it changed nothing, or what it made was already gone).
    NothingToUndo,
    /// Its effect stands: drconsole does not reverse it (what it deleted, the primary it set).
    Irreversible,
}

impl Undo {
    /// How the operator reads it next to the step's name.
    pub fn describe(self) -> &'static str {
        match self {
            Undo::Undone => "undone",
            Undo::NothingToUndo => "nothing to undo",
            Undo::Irreversible => "cannot be undone",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationEvent {
    pub operation_id: String,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    StepStarted {
        step: String,
        label: String,
        attempt: u32,
    },
    StepProgress {
        step: String,
        done: u32,
        total: u32,
    },
    StepSucceeded {
        step: String,
        duration_ms: u64,
    },
    StepFailed {
        step: String,
        error: String,
        will_retry: bool,
    },
    StepCompensated {
        step: String,
        /// Events journaled before this field existed said "undone" for every step.
        #[serde(default)]
        undo: Undo,
    },
    Phase {
        phase: Phase,
    },
    Progress {
        percent: u8,
    },
    Status {
        status: OperationStatus,
    },
    Log {
        line: String,
    },
    /// Someone (maybe another process) asked the operation to stop and roll back.
    CancelRequested {
        by: String,
    },
}

/// Where the journal lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// The embedded default; `None` means the data dir's `journal.sqlite`.
    Sqlite(Option<PathBuf>),
    /// `postgres://…` (the URL may hold a password: never print it).
    Postgres(crate::secret::Secret),
}
