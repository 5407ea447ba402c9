//! What the journal keeps of a running operation: the entries the executor writes before and after
//! each step (write-ahead), and the events every console and `ops watch` follow. Pure data, shared
//! by the orchestrator that writes them and the store that keeps them.

use super::{OperationStatus, Phase, Resource};
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
    /// Rollback could not undo the step (its compensation kept failing): what it made is left
    /// behind, for `ops cleanup`.
    StepLeftBehind {
        step: String,
        error: String,
    },
    /// A retry re-checked a step an earlier run finished: it still holds, with this output.
    StepVerified {
        step: String,
        output: Value,
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

/// How one step of an operation stands: its own mark on every screen and in the journal, so a
/// step undone, left behind or never run never shows as a plain ✓.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepMark {
    /// In the plan, never started (no journal row).
    NeverRun,
    Running,
    Succeeded,
    /// Finished by an earlier run and found still done when the operation was retried.
    Verified,
    Failed,
    /// Rollback reversed its effect.
    Undone,
    /// Rollback reached it and it had left nothing to reverse.
    NothingToUndo,
    /// Rollback reached it and its effect stands by design (what it deleted, the primary it set).
    Irreversible,
    /// Its compensation could not run: what it made is left behind (listed in the record).
    LeftBehind,
}

impl StepMark {
    pub fn as_str(self) -> &'static str {
        match self {
            StepMark::NeverRun => "never_run",
            StepMark::Running => "running",
            StepMark::Succeeded => "succeeded",
            StepMark::Verified => "verified",
            StepMark::Failed => "failed",
            StepMark::Undone => "undone",
            StepMark::NothingToUndo => "nothing_to_undo",
            StepMark::Irreversible => "irreversible",
            StepMark::LeftBehind => "left_behind",
        }
    }

    /// Its symbol in the CLI's step lists.
    pub fn symbol(self) -> &'static str {
        match self {
            StepMark::NeverRun => "·",
            StepMark::Running => "⟳",
            StepMark::Succeeded => "✔",
            StepMark::Verified => "✔",
            StepMark::Failed => "✖",
            StepMark::Undone => "↶",
            StepMark::NothingToUndo => "∅",
            StepMark::Irreversible => "⊘",
            StepMark::LeftBehind => "⚠",
        }
    }

    /// How the operator reads the mark next to a step's name: `nothing to undo`, `left behind`.
    pub fn words(self) -> &'static str {
        match self {
            StepMark::NeverRun => "never run",
            StepMark::NothingToUndo => "nothing to undo",
            StepMark::Irreversible => "stands (cannot be undone)",
            StepMark::LeftBehind => "left behind",
            m => m.as_str(),
        }
    }

    /// Its effect is in place at the sites now (what a retry keeps and rollback would undo).
    pub fn stands(self) -> bool {
        matches!(
            self,
            StepMark::Succeeded | StepMark::Verified | StepMark::Irreversible
        )
    }
}

impl From<Undo> for StepMark {
    fn from(u: Undo) -> Self {
        match u {
            Undo::Undone => StepMark::Undone,
            Undo::NothingToUndo => StepMark::NothingToUndo,
            Undo::Irreversible => StepMark::Irreversible,
        }
    }
}

impl std::fmt::Display for StepMark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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
    /// Its compensation could not run: these resources are left behind.
    StepLeftBehind {
        step: String,
        error: String,
        resources: Vec<Resource>,
    },
    /// A retry found a step an earlier run finished still done: it is not run again.
    StepVerified {
        step: String,
    },
    /// A compensation waits for a site to answer again (rollback rides out a short outage).
    RollbackWaiting {
        step: String,
        site: Option<String>,
        attempt: u32,
        next_in_ms: u64,
        error: String,
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
    /// `ops retry`: the failed operation runs again from where it stopped; steps finished before
    /// this are re-checked, not repeated.
    Retried {
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
