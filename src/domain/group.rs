//! Protection groups, their status, and the instances and replication pairs they protect.

use super::Resource;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The status of a protection group (ARCHITECTURE.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupStatus {
    Protected,
    FailingOver,
    FailedOver,
    PlannedFailoverFailed,
    FailoverFailed,
    Reprotecting,
    FailingBack,
    Testing,
    TestActive,
    CleaningUp,
}

impl GroupStatus {
    pub const ALL: [GroupStatus; 10] = [
        GroupStatus::Protected,
        GroupStatus::FailingOver,
        GroupStatus::FailedOver,
        GroupStatus::PlannedFailoverFailed,
        GroupStatus::FailoverFailed,
        GroupStatus::Reprotecting,
        GroupStatus::FailingBack,
        GroupStatus::Testing,
        GroupStatus::TestActive,
        GroupStatus::CleaningUp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupStatus::Protected => "protected",
            GroupStatus::FailingOver => "failing_over",
            GroupStatus::FailedOver => "failed_over",
            GroupStatus::PlannedFailoverFailed => "planned_failover_failed",
            GroupStatus::FailoverFailed => "failover_failed",
            GroupStatus::Reprotecting => "reprotecting",
            GroupStatus::FailingBack => "failing_back",
            GroupStatus::Testing => "testing",
            GroupStatus::TestActive => "test_active",
            GroupStatus::CleaningUp => "cleaning_up",
        }
    }

    /// An operation is running on the group.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            GroupStatus::FailingOver
                | GroupStatus::Reprotecting
                | GroupStatus::FailingBack
                | GroupStatus::Testing
                | GroupStatus::CleaningUp
        )
    }

    /// The last operation failed and the operator must act.
    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            GroupStatus::PlannedFailoverFailed | GroupStatus::FailoverFailed
        )
    }
}

impl fmt::Display for GroupStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for GroupStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GroupStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown protection group status {s:?}"))
    }
}

/// The persistent state of a group (its definition comes from the configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupState {
    pub name: String,
    pub status: GroupStatus,
    /// The site that runs the workloads now.
    pub current_primary: String,
    pub failover_count: u32,
    pub metadata_version: u64,
    /// Set by a failover that could not stop replication at the side it left (unreachable): the
    /// other site must be re-synced before anything else.
    pub needs_resync: bool,
    pub last_operation: Option<String>,
    /// An operation left the group needing the operator (leftovers, or a failure past its point
    /// of no return): new operations are refused, naming the one way forward, until it is cleared.
    #[serde(default)]
    pub attention: Option<Attention>,
    /// A forced failover left the old side unfenced (it was unreachable): its servers may still
    /// run. Cleared by a fence (`drconsole fence GROUP`, or by itself once that side answers).
    #[serde(default)]
    pub fence_pending: Option<FencePending>,
}

/// Which side still has to be fenced, since which operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FencePending {
    /// The side whose servers were not stopped (the old primary).
    pub site: String,
    /// The forced failover that could not fence it.
    pub operation_id: String,
    pub since: DateTime<Utc>,
}

impl GroupState {
    pub fn initial(name: &str, primary_site: &str) -> Self {
        Self {
            name: name.to_string(),
            status: GroupStatus::Protected,
            current_primary: primary_site.to_string(),
            failover_count: 0,
            metadata_version: 1,
            needs_resync: false,
            last_operation: None,
            attention: None,
            fence_pending: None,
        }
    }
}

/// Why a group needs the operator before anything else runs on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttentionKind {
    /// A rollback could not undo every step: resources are left behind.
    RollbackFailed,
    /// The operation failed after its point of no return: what it did stands.
    PastPointOfNoReturn,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attention {
    pub operation_id: String,
    pub kind: AttentionKind,
    /// What happened, in the operator's words.
    pub reason: String,
    /// The operation's direction (`ops retry` keeps it).
    pub source: String,
    pub target: String,
    /// What is left behind (rollback_failed), as last seen.
    #[serde(default)]
    pub leftovers: Vec<Resource>,
}

impl Attention {
    /// The one way forward, as a command line.
    pub fn way_out(&self) -> String {
        let id = short_id(&self.operation_id);
        match self.kind {
            AttentionKind::RollbackFailed => format!(
                "run `drconsole ops cleanup {id}` to remove what is left behind (or `drconsole \
                 ops rollback {id}` to try its undo again)"
            ),
            AttentionKind::PastPointOfNoReturn => format!(
                "run `drconsole ops retry {id}` (continues {} → {})",
                self.source, self.target
            ),
        }
    }

    /// One line: what happened, what is left, and the way out.
    pub fn summary(&self) -> String {
        let id = short_id(&self.operation_id);
        let mut out = format!("operation {id} {}", self.reason);
        if !self.leftovers.is_empty() {
            out.push_str(&format!(
                "; left behind: {} (`drconsole ops show {id}` lists them)",
                count_by_site_and_kind(&self.leftovers)
            ));
        }
        out.push_str("; ");
        out.push_str(&self.way_out());
        out
    }
}

/// "2 ports, 2 servers at site-b; 1 array_volume at site-a".
fn count_by_site_and_kind(list: &[Resource]) -> String {
    use std::collections::BTreeMap;
    let mut counts: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    for r in list {
        *counts
            .entry(r.site.as_str())
            .or_default()
            .entry(r.kind.to_string())
            .or_default() += 1;
    }
    let per_site: Vec<String> = counts
        .into_iter()
        .map(|(site, kinds)| {
            let parts: Vec<String> = kinds
                .into_iter()
                .map(|(k, n)| format!("{n} {k}{}", if n == 1 { "" } else { "s" }))
                .collect();
            format!("{} at {site}", parts.join(", "))
        })
        .collect();
    per_site.join("; ")
}

/// The first 8 characters of an operation id: what the operator types.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// A source volume and its replicated target on the peer array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicationPair {
    pub source_volume: String,
    /// The array volume name at the source site.
    pub source_array_volume: String,
    /// The replicated group snapshot's volume at the target, if one has arrived.
    pub target_snapshot_volume: Option<String>,
}

/// How far behind replication is: now − the newest fully arrived snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rpo {
    pub newest_arrived: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

impl Rpo {
    /// Seconds of writes that would be lost if the production site died now; `None` when nothing
    /// has ever arrived (everything would be lost).
    pub fn seconds(&self) -> Option<i64> {
        self.newest_arrived
            .map(|t| (self.now - t).num_seconds().max(0))
    }
}

/// Render a duration in seconds the way an operator reads it: `42 s`, `3 m 10 s`, `2 h 5 m`.
/// The shortest form that keeps the meaning, for narrow cells: `42s`, `3m10s`, `12h21m`, `3d4h`.
pub fn short_seconds(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => match s % 60 {
            0 => format!("{}m", s / 60),
            r => format!("{}m{r:02}s", s / 60),
        },
        s if s < 86_400 => match (s % 3600) / 60 {
            0 => format!("{}h", s / 3600),
            m => format!("{}h{m:02}m", s / 3600),
        },
        s => match (s % 86_400) / 3600 {
            0 => format!("{}d", s / 86_400),
            h => format!("{}d{h}h", s / 86_400),
        },
    }
}

pub fn human_seconds(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => match s % 60 {
            0 => format!("{} m", s / 60),
            r => format!("{} m {r} s", s / 60),
        },
        s => match (s % 3600) / 60 {
            0 => format!("{} h", s / 3600),
            m => format!("{} h {m} m", s / 3600),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_seconds_keep_their_meaning_in_six_columns() {
        assert_eq!(short_seconds(42), "42s");
        assert_eq!(short_seconds(190), "3m10s");
        assert_eq!(short_seconds(600), "10m");
        assert_eq!(short_seconds(44_460), "12h21m");
        assert_eq!(short_seconds(273_600), "3d4h");
        assert_eq!(short_seconds(-5), "0s");
    }

    #[test]
    fn status_names_round_trip() {
        for st in GroupStatus::ALL {
            assert_eq!(st.as_str().parse::<GroupStatus>(), Ok(st));
            assert_eq!(
                serde_json::to_string(&st).ok(),
                Some(format!("\"{}\"", st.as_str()))
            );
        }
        assert!("active".parse::<GroupStatus>().is_err());
    }

    #[test]
    fn human_durations() {
        assert_eq!(human_seconds(42), "42 s");
        assert_eq!(human_seconds(190), "3 m 10 s");
        assert_eq!(human_seconds(300), "5 m");
        assert_eq!(human_seconds(7500), "2 h 5 m");
        assert_eq!(human_seconds(-3), "0 s");
    }

    #[test]
    fn rpo_is_age_of_newest_arrival() {
        let now = Utc::now();
        let rpo = Rpo {
            newest_arrived: Some(now - chrono::Duration::seconds(42)),
            now,
        };
        assert_eq!(rpo.seconds(), Some(42));
        assert_eq!(
            Rpo {
                newest_arrived: None,
                now
            }
            .seconds(),
            None
        );
    }
}
