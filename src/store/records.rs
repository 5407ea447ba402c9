//! The rows the journal hands back: stored operations, step records, audit entries and locks.

use crate::domain::{Actor, OperationRecord, OperationType, StepMark};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// Which operations a listing asks for (`ops list --group --type --status --since`): each given
/// filter narrows it, an empty one does not; newest first, at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationQuery {
    pub group: Option<String>,
    /// Any of these types.
    pub types: Vec<OperationType>,
    /// Any of these statuses.
    pub statuses: Vec<crate::domain::OperationStatus>,
    /// Started at or after.
    pub since: Option<DateTime<Utc>>,
    pub limit: usize,
}

impl OperationQuery {
    /// The newest `limit` operations, of every group, type and status.
    pub fn newest(limit: usize) -> Self {
        Self {
            group: None,
            types: Vec::new(),
            statuses: Vec::new(),
            since: None,
            limit,
        }
    }

    /// `,a,b,` of the internal names, as the SQLite query matches them (empty: any).
    pub(crate) fn type_names(&self) -> Vec<String> {
        self.types.iter().map(|t| t.as_str().to_string()).collect()
    }

    pub(crate) fn status_names(&self) -> Vec<String> {
        self.statuses
            .iter()
            .map(|s| s.as_str().to_string())
            .collect()
    }
}

/// An operation as journaled: the record, the plan and options it was started with, and who runs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredOperation {
    pub record: OperationRecord,
    pub plan: Value,
    pub options: Value,
    /// The console holding an unexpired lease on the group for this operation; `None` means
    /// nobody is running it now (finished, or orphaned by a crash and ready to resume).
    pub owner: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Started,
    Succeeded,
    Failed,
    Compensated,
}

impl StepStatus {
    pub const ALL: [StepStatus; 4] = [
        StepStatus::Started,
        StepStatus::Succeeded,
        StepStatus::Failed,
        StepStatus::Compensated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Started => "started",
            StepStatus::Succeeded => "succeeded",
            StepStatus::Failed => "failed",
            StepStatus::Compensated => "compensated",
        }
    }
}

impl fmt::Display for StepStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StepStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StepStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown step status {s:?}"))
    }
}

/// The latest state of one step of an operation (one row per step, updated as it moves).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub operation_id: String,
    pub step_id: String,
    pub status: StepStatus,
    /// The attempt of the latest start (1-based).
    pub attempt: u32,
    /// What the step made (`None` until it succeeded).
    pub output: Option<Value>,
    pub error: Option<String>,
    /// When the first attempt of the latest run of the step started.
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<u64>,
    pub compensated_at: Option<DateTime<Utc>>,
    /// What rollback or a retry made of it, beyond its status: undone, nothing_to_undo,
    /// irreversible, left_behind or verified (`None`: nothing yet).
    #[serde(default)]
    pub mark: Option<StepMark>,
    /// Why its undo failed, when it was left behind.
    #[serde(default)]
    pub mark_error: Option<String>,
}

impl StepRecord {
    /// How the step stands on screen. A step still journaled as started in an operation that
    /// has ended was cut short: failed. A compensated row journaled before marks existed reads
    /// as undone, which is what it then meant.
    pub fn mark_in(&self, operation_finished: bool) -> StepMark {
        if let Some(mark) = self.mark {
            return mark;
        }
        match self.status {
            StepStatus::Started if operation_finished => StepMark::Failed,
            StepStatus::Started => StepMark::Running,
            StepStatus::Succeeded => StepMark::Succeeded,
            StepStatus::Failed => StepMark::Failed,
            StepStatus::Compensated => StepMark::Undone,
        }
    }
}

/// A plan step's mark when the journal may have no row for it (never run).
pub fn mark_of(record: Option<&StepRecord>, operation_finished: bool) -> StepMark {
    record.map_or(StepMark::NeverRun, |r| r.mark_in(operation_finished))
}

/// One line of the append-only audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    /// What was done, e.g. `operation.start`, `lock.takeover`.
    pub action: String,
    pub group: Option<String>,
    pub operation_id: Option<String>,
    pub detail: String,
}

/// Who holds (or asks for) the lock of a protection group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockHolder {
    pub operation_id: String,
    pub operation_type: OperationType,
    pub actor: Actor,
    /// Identifies the drconsole process, e.g. `host:pid:random`.
    pub console_id: String,
}

/// The lock of one protection group; only one operation runs per group at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    pub group: String,
    pub holder: LockHolder,
    pub acquired_at: DateTime<Utc>,
    /// After this instant another console may take the lock over.
    pub expires_at: DateTime<Utc>,
}

impl Lock {
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at <= now
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockOutcome {
    /// The lock was free (or already ours: then the lease was extended).
    Acquired(Lock),
    /// The previous holder's lease had expired; it is ours now. `from` is the lock we replaced.
    TakenOver { lock: Lock, from: Lock },
    /// Someone else holds an unexpired lease.
    Held(Lock),
}

impl LockOutcome {
    /// Our lock, if we got it (fresh or taken over).
    pub fn acquired(self) -> Option<Lock> {
        match self {
            LockOutcome::Acquired(lock) | LockOutcome::TakenOver { lock, .. } => Some(lock),
            LockOutcome::Held(_) => None,
        }
    }
}

/// One measurement of a group's RPO (now − the newest fully replicated snapshot), kept so the
/// console can draw how it moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RpoSample {
    pub group: String,
    pub at: DateTime<Utc>,
    pub rpo_seconds: i64,
}

/// The schema of a journal as found, against what this drconsole knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaStatus {
    /// The newest migration applied (0: an empty database).
    pub version: u32,
    /// The newest migration this drconsole has.
    pub latest: u32,
    /// The migrations that opening the journal would apply: (version, what it adds).
    pub pending: Vec<(u32, String)>,
}

/// The `kind` column of an event row: its tag, so a reader can pick one kind by index.
pub fn event_kind(body: &Value) -> &str {
    body.get("kind")
        .and_then(|k| k.get("event"))
        .and_then(|k| k.as_str())
        .unwrap_or("unknown")
}
