//! What the operator sees of the estate: sites, protection groups and protected instances as
//! discovered at the sites and reconciled with the journal. `status --json`, `instances --json` and
//! the console's panes all render these; the JSON field names are a stable, documented contract.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{FencePending, GroupState, GroupStatus, SiteRole, SplitBrainFinding};

/// Everything `status` shows, taken at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstateView {
    pub sites: Vec<SiteView>,
    pub protection_groups: Vec<GroupView>,
    /// When the discovery finished.
    pub refreshed_at: DateTime<Utc>,
}

impl EstateView {
    pub fn site(&self, name: &str) -> Option<&SiteView> {
        self.sites.iter().find(|s| s.name == name)
    }

    pub fn group(&self, name: &str) -> Option<&GroupView> {
        self.protection_groups.iter().find(|g| g.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteView {
    pub name: String,
    pub role: SiteRole,
    pub reachable: bool,
    /// The compute round trip: what an operator feels. `None` while unreachable.
    pub latency_ms: Option<u64>,
    pub identity_ms: Option<u64>,
    pub compute_ms: Option<u64>,
    /// Why the site is unreachable or degraded, already sanitised.
    pub error: Option<String>,
    pub array: ArrayView,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArrayView {
    pub name: String,
    pub reachable: bool,
    /// The replication link to the peer array, e.g. `connected`; `None` when unknown.
    pub replication: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupView {
    pub name: String,
    pub status: GroupStatus,
    pub primary_site: String,
    pub secondary_site: String,
    pub current_primary: String,
    /// `site-a ⇢ site-b` while replicating, `site-a ⇸ site-b` when replication is stopped.
    pub direction: String,
    /// Now − the newest snapshot that has fully arrived at the replication target.
    pub rpo_seconds: Option<i64>,
    pub rpo_target_seconds: u64,
    /// Protected instances (members of the group).
    pub instances: usize,
    /// What could not be discovered for this group, already sanitised.
    pub error: Option<String>,
    #[serde(default)]
    pub needs_resync: bool,
    #[serde(default)]
    pub last_operation: Option<String>,
    /// How often the array sends a snapshot (its replication schedule), when it said.
    #[serde(default)]
    pub replication_interval_seconds: Option<u64>,
    /// An earlier operation left the group needing the operator: what, and the way out.
    #[serde(default)]
    pub attention: Option<super::Attention>,
    /// A forced failover could not fence this side: its servers may still run.
    #[serde(default)]
    pub fence_pending: Option<FencePending>,
    /// Members whose copies collide across the sites (detected now, never stored). Empty when
    /// none, or when a site could not be asked (then `error` says so).
    #[serde(default)]
    pub split_brain: Vec<SplitBrainFinding>,
    /// Members of the group's definition that the current primary does not have (deleted or
    /// renamed there): a move would leave them behind. Empty when the primary could not be asked.
    #[serde(default)]
    pub missing_members: Vec<String>,
    /// Moves that swapped the group's primary (the seed's `failover_count`).
    #[serde(default)]
    pub failover_count: u32,
    /// How the other site stands as the group's copy (the seed's peer sync status).
    #[serde(default)]
    pub peer_sync: Option<PeerSync>,
}

/// The peer of a group: the site that holds its copy, how that copy stands, and the journal's
/// version of the group's state (bumped by every change, compare-and-set across consoles).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerSync {
    pub site: String,
    pub state: PeerSyncState,
    pub metadata_version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerSyncState {
    /// Replicating, the newest arrived snapshot within the RPO target.
    InSync,
    /// Replicating, but the newest arrived snapshot is older than the target (or none arrived).
    Behind,
    /// Replication stopped by a failover: nothing is sent to the peer until a reprotect.
    Stopped,
    /// The peer must be re-synced (`sync`) before anything else runs on the group.
    NeedsResync,
    /// The peer does not answer: its copy cannot be known.
    Unreachable,
}

impl PeerSync {
    /// From what status found: whether the peer answered, the group's state, and RPO now.
    pub fn of(
        site: &str,
        reachable: bool,
        state: &super::GroupState,
        rpo: (Option<i64>, u64),
    ) -> Self {
        let (rpo_seconds, target) = rpo;
        let sync = if !reachable {
            PeerSyncState::Unreachable
        } else if state.needs_resync {
            PeerSyncState::NeedsResync
        } else if state.status == GroupStatus::FailedOver {
            PeerSyncState::Stopped
        } else if rpo_seconds.is_some_and(|s| s <= target as i64) {
            PeerSyncState::InSync
        } else {
            PeerSyncState::Behind
        };
        PeerSync {
            site: site.to_string(),
            state: sync,
            metadata_version: state.metadata_version,
        }
    }
}

/// `site-a ⇢ site-b` while the group replicates from its primary, `site-a ⇸ site-b` when
/// replication is stopped (failed over, or awaiting a re-sync).
pub fn direction_text(primary: &str, secondary: &str, replicating: bool) -> String {
    let arrow = if replicating { "⇢" } else { "⇸" };
    format!("{primary} {arrow} {secondary}")
}

/// Whether a group in this state replicates from its current primary.
pub fn replicates(state: &GroupState) -> bool {
    !matches!(state.status, GroupStatus::FailedOver) && !state.needs_resync
}

impl GroupView {
    /// Take the journal's word for what the group is doing and where it runs (it moves the
    /// moment an operation changes it; the sites are probed less often). True when anything
    /// shown changed. A group that moved has no RPO until its new target is asked.
    pub fn apply_state(&mut self, state: &GroupState) -> bool {
        let moved = self.current_primary != state.current_primary;
        let secondary = if state.current_primary == self.primary_site {
            self.secondary_site.clone()
        } else {
            self.primary_site.clone()
        };
        let direction = direction_text(&state.current_primary, &secondary, replicates(state));
        let changed = moved
            || self.status != state.status
            || self.needs_resync != state.needs_resync
            || self.last_operation != state.last_operation
            || self.attention != state.attention
            || self.fence_pending != state.fence_pending
            || self.direction != direction;
        self.status = state.status;
        self.current_primary = state.current_primary.clone();
        self.needs_resync = state.needs_resync;
        self.last_operation = state.last_operation.clone();
        self.attention = state.attention.clone();
        self.fence_pending = state.fence_pending.clone();
        self.direction = direction;
        if moved {
            self.rpo_seconds = None;
        }
        changed
    }

    /// The replication target: the site that is not the current primary.
    pub fn current_secondary(&self) -> &str {
        if self.current_primary == self.primary_site {
            &self.secondary_site
        } else {
            &self.primary_site
        }
    }

    /// Replication should run but nothing has arrived for over two of its intervals (and at
    /// least a minute): stalled, not merely behind.
    pub fn replication_stalled(&self) -> bool {
        let running = !self.direction.contains('⇸');
        match (self.rpo_seconds, self.replication_interval_seconds) {
            (Some(age), Some(every)) => running && age > (2 * every as i64).max(60),
            _ => false,
        }
    }

    /// The status word an operator reads: `split_brain` and `fence_pending` stand over the stored
    /// status while they hold (the state machine's status stays what it is).
    pub fn status_word(&self) -> &'static str {
        if !self.split_brain.is_empty() {
            "split_brain"
        } else if self.fence_pending.is_some() {
            "fence_pending"
        } else {
            self.status.as_str()
        }
    }

    /// RPO now is over its target (or unknown while replication should be running).
    pub fn rpo_breached(&self) -> bool {
        match self.rpo_seconds {
            Some(s) => s > self.rpo_target_seconds as i64,
            None => false,
        }
    }
}

/// One protected instance with its server at each site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceView {
    pub name: String,
    pub group: String,
    /// One entry per site, in configuration order.
    pub servers: Vec<ServerAtSite>,
    pub volumes: Vec<VolumePairView>,
    /// Set when this instance's copies collide across the sites.
    #[serde(default)]
    pub split_brain: Option<SplitBrainFinding>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerAtSite {
    pub site: String,
    /// `None`: no such server at this site (normal at the DR site before a failover).
    pub server_id: Option<String>,
    /// Nova status, or `unknown` when the site could not be asked.
    pub status: String,
    pub flavor: Option<String>,
    pub addresses: Vec<String>,
    pub error: Option<String>,
    /// Its ports: network, fixed IP, the MAC a failover keeps, and the floating IP on it.
    #[serde(default)]
    pub ports: Vec<super::PortInfo>,
    /// The operation that created it, when one did.
    #[serde(default)]
    pub made_by: Option<String>,
    /// A drill made it: a test copy in the test networks, not production.
    #[serde(default)]
    pub drill_copy: bool,
}

/// A volume of the instance and its replication pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolumePairView {
    pub name: String,
    pub size_gb: u64,
    pub bootable: bool,
    pub volume_type: String,
    /// The array volume at the current primary.
    pub source_array_volume: String,
    /// Where it is replicated: `array-b` holds it as `array-a:web-app-pg.N.web-1-boot`.
    pub target: Option<String>,
    /// `replicating`, `not in protection group`, `replication stopped`…
    pub replication: String,
}
