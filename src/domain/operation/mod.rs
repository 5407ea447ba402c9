//! Operations: their types, statuses, phases and the record that the CLI prints and the journal keeps.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationType {
    /// Switchover: both sites up, no data lost, replication reversed.
    PlannedFailover,
    /// Unplanned failover from the newest snapshot that fully arrived.
    Failover,
    Reprotect,
    Failback,
    /// A drill: production untouched.
    TestFailover,
    TestCleanup,
    SyncNow,
    /// Stop the group's copies at the side that is not its primary (a forced failover's pending
    /// fence, or a split-brain).
    Fence,
}

impl OperationType {
    pub const ALL: [OperationType; 8] = [
        OperationType::PlannedFailover,
        OperationType::Failover,
        OperationType::Reprotect,
        OperationType::Failback,
        OperationType::TestFailover,
        OperationType::TestCleanup,
        OperationType::SyncNow,
        OperationType::Fence,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OperationType::PlannedFailover => "planned_failover",
            OperationType::Failover => "failover",
            OperationType::Reprotect => "reprotect",
            OperationType::Failback => "failback",
            OperationType::TestFailover => "test_failover",
            OperationType::TestCleanup => "test_cleanup",
            OperationType::SyncNow => "sync_now",
            OperationType::Fence => "fence",
        }
    }

    /// Its one name on every screen: menus, dialogs, confirmations, the CLI's messages, reports.
    pub fn label(self) -> &'static str {
        match self {
            OperationType::PlannedFailover => "Planned Failover",
            OperationType::Failover => "Unplanned Failover",
            OperationType::Reprotect => "Reprotect",
            OperationType::Failback => "Failback",
            OperationType::TestFailover => "Test Failover",
            OperationType::TestCleanup => "Test Cleanup",
            OperationType::SyncNow => "Sync Now",
            OperationType::Fence => "Fence",
        }
    }

    /// The same name in a narrow column (the operations pane at 80 columns).
    pub fn short_label(self) -> &'static str {
        match self {
            OperationType::PlannedFailover => "planned",
            OperationType::Failover => "unplanned",
            OperationType::Reprotect => "reprotect",
            OperationType::Failback => "failback",
            OperationType::TestFailover => "drill",
            OperationType::TestCleanup => "cleanup",
            OperationType::SyncNow => "sync",
            OperationType::Fence => "fence",
        }
    }

    /// The command line that starts it (`drconsole failover --unplanned GROUP`).
    pub fn verb(self) -> &'static str {
        match self {
            OperationType::PlannedFailover => "failover",
            OperationType::Failover => "failover --unplanned",
            OperationType::Reprotect => "reprotect",
            OperationType::Failback => "failback",
            OperationType::TestFailover => "test-failover",
            OperationType::TestCleanup => "test-cleanup",
            OperationType::SyncNow => "sync",
            OperationType::Fence => "fence",
        }
    }

    /// How the operator confirms it, in the console and the CLI alike: typing the group's name
    /// for anything that stops, deletes or overwrites instances or data; y/N for a drill and its
    /// cleanup; nothing for a sync.
    pub fn confirmation(self) -> Confirmation {
        match self {
            OperationType::PlannedFailover
            | OperationType::Failover
            | OperationType::Failback
            | OperationType::Reprotect
            | OperationType::Fence => Confirmation::TypeGroupName,
            OperationType::TestFailover | OperationType::TestCleanup => Confirmation::YesNo,
            OperationType::SyncNow => Confirmation::None,
        }
    }
}

/// How strongly an operation must be confirmed before it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confirmation {
    None,
    YesNo,
    TypeGroupName,
}

impl Confirmation {
    /// Does what the operator typed confirm it? (Pure, so it is tested without a terminal.)
    pub fn accepts(self, group: &str, answer: &str) -> bool {
        let answer = answer.trim();
        match self {
            Confirmation::None => true,
            Confirmation::YesNo => matches!(answer, "y" | "Y" | "yes" | "YES" | "Yes"),
            Confirmation::TypeGroupName => answer == group,
        }
    }
}

impl fmt::Display for OperationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OperationType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.replace('-', "_");
        OperationType::ALL
            .into_iter()
            .find(|o| o.as_str() == norm)
            .ok_or_else(|| {
                let names: Vec<&str> = OperationType::ALL.iter().map(|o| o.as_str()).collect();
                format!(
                    "unknown operation {s:?}; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationStatus {
    /// Journaled, not yet picked up by a runner.
    Pending,
    Running,
    RollingBack,
    Completed,
    /// It failed: rolled back (nothing it did remains), or stopped past its point of no return
    /// (what it did stands; `ops retry` continues it).
    Failed,
    /// An operator's cancel, rolled back cleanly.
    Cancelled,
    /// Some compensation could not run: the resources left behind are listed in the record.
    RollbackFailed,
}

impl OperationStatus {
    pub const ALL: [OperationStatus; 7] = [
        OperationStatus::Pending,
        OperationStatus::Running,
        OperationStatus::RollingBack,
        OperationStatus::Completed,
        OperationStatus::Failed,
        OperationStatus::Cancelled,
        OperationStatus::RollbackFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OperationStatus::Pending => "pending",
            OperationStatus::Running => "running",
            OperationStatus::RollingBack => "rolling_back",
            OperationStatus::Completed => "completed",
            OperationStatus::Failed => "failed",
            OperationStatus::Cancelled => "cancelled",
            OperationStatus::RollbackFailed => "rollback_failed",
        }
    }

    /// Nothing runs it any more: completed, failed, cancelled or rollback_failed.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            OperationStatus::Completed
                | OperationStatus::Failed
                | OperationStatus::Cancelled
                | OperationStatus::RollbackFailed
        )
    }

    /// It ended without doing what it was for (the ones `ops retry` and `ops rollback` take).
    pub fn is_unsuccessful(self) -> bool {
        self.is_finished() && self != OperationStatus::Completed
    }
}

impl fmt::Display for OperationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The four phases of a failover-class operation and their progress ranges (ARCHITECTURE.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Preparation,
    Storage,
    Instances,
    Finalization,
}

impl Phase {
    pub const ALL: [Phase; 4] = [
        Phase::Preparation,
        Phase::Storage,
        Phase::Instances,
        Phase::Finalization,
    ];

    /// Progress at the start and end of the phase, in percent.
    pub fn range(self) -> (u8, u8) {
        match self {
            Phase::Preparation => (0, 20),
            Phase::Storage => (20, 60),
            Phase::Instances => (60, 90),
            Phase::Finalization => (90, 100),
        }
    }

    /// Overall progress when `done` of `total` steps of this phase have finished.
    pub fn progress(self, done: usize, total: usize) -> u8 {
        let (lo, hi) = self.range();
        if total == 0 {
            return hi;
        }
        let span = u32::from(hi - lo);
        let part = span * done.min(total) as u32 / total as u32;
        lo + part as u8
    }

    pub fn label(self) -> &'static str {
        match self {
            Phase::Preparation => "Preparation",
            Phase::Storage => "Storage",
            Phase::Instances => "Instances",
            Phase::Finalization => "Finalize",
        }
    }
}

/// Who ran an operation: OS user, host, and the SSH client if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Actor {
    pub user: String,
    pub host: String,
    pub ssh_client: Option<String>,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.user, self.host)
    }
}

/// What a finished operation produced (the seed's `result_data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ResultData {
    pub instances_created: u32,
    pub volumes_managed: u32,
    pub current_primary_site: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_loss_seconds: Option<i64>,
    /// What a rollback could not remove (the operation ended rollback_failed), as last seen:
    /// what `ops cleanup` removes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leftovers: Vec<super::Resource>,
    /// Every resource the operation made that stands (`{"site", "kind", "id", "name"}`): a
    /// drill's servers, ports and volumes, a move's at its new primary.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources_created: Vec<super::Resource>,
    /// The snapshot recovered from (a move's or a drill's), when the operation got that far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_point: Option<UsedPoint>,
    /// The floating IPs a move took to its new primary and that stand there
    /// (`{"site", "server", "address", "id"}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub floating_ips: Vec<FloatingIpHeld>,
    /// A drill's: the failover that removed its copies while it was active (a real outage does
    /// not wait for a drill's cleanup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
}

/// A floating IP that a move associated to a recovered server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloatingIpHeld {
    pub site: String,
    pub server: String,
    pub address: String,
    pub id: String,
}

/// The recovery point an operation used, and when it was chosen (the moment its data loss is
/// measured at: `data_loss_seconds` = `chosen_at` − `created`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsedPoint {
    pub name: String,
    pub created: Option<DateTime<Utc>>,
    pub chosen_at: Option<DateTime<Utc>>,
}

/// The operation record, as the seed's API returns it and `--json` prints it (its wire form:
/// `wire.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "wire::RecordWire", try_from = "wire::RecordWire")]
pub struct OperationRecord {
    pub id: String,
    pub operation_type: OperationType,
    pub protection_group: String,
    pub status: OperationStatus,
    pub progress: u8,
    pub source_site_id: String,
    pub target_site_id: String,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub error_message: Option<String>,
    pub steps_completed: Vec<String>,
    pub steps_failed: Vec<String>,
    pub result_data: ResultData,
    pub actor: Actor,
}

impl OperationRecord {
    /// Which way it goes, as every screen names it: `site-a → site-b`; a fence names the side it
    /// stops and the primary it protects.
    pub fn direction(&self) -> String {
        direction(
            self.operation_type,
            &self.source_site_id,
            &self.target_site_id,
        )
    }
}

/// `site-a → site-b`, or for a fence `stops site-b (primary site-a)`.
pub fn direction(op: OperationType, source: &str, target: &str) -> String {
    match op {
        OperationType::Fence => format!("stops {target} (primary {source})"),
        _ => format!("{source} → {target}"),
    }
}

#[cfg(test)]
mod tests;
mod wire;

pub use wire::UnknownOperationType;
