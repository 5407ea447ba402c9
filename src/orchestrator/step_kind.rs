//! What a step does, with its parameters, in the seeds' vocabulary. Pure data: a plan of these is
//! journaled, and on resume the same steps are rebuilt from it. Steps read the outputs of the
//! steps they wait for (ids of what those made) from the executor's context.

use crate::domain::{PortInfo, VolumeInfo};
use serde::{Deserialize, Serialize};

/// A volume to bring up at the target: from which replicated array volume, under which names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeCopy {
    /// The server it belongs to.
    pub server: String,
    pub source: VolumeInfo,
    /// The new array volume's name at the target (unique per operation, so a retry finds it).
    pub target_array_volume: String,
}

/// A server to create at the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerPlan {
    pub name: String,
    /// The flavor's name at the target (mapped).
    pub flavor: String,
    /// Ports with their networks already mapped to the target's network names.
    pub ports: Vec<PortInfo>,
    /// Volume names in boot order (index 0 boots).
    pub volumes: Vec<String>,
    pub wave: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepKind {
    /// Both sites answer (or, forced, the target does) and the preconditions still hold.
    ValidateSites {
        source: String,
        target: String,
        force: bool,
    },
    /// Stop the group's servers at a site and wait for SHUTOFF; undone by starting them.
    StopServers { site: String, servers: Vec<String> },
    /// Snapshot the array group, replicate it now, and wait until it has arrived: no data lost.
    FinalSync {
        source: String,
        target: String,
        array_pg: String,
    },
    /// Choose the newest snapshot that has fully arrived at the target (unplanned failover, drill).
    SelectSnapshot {
        source: String,
        target: String,
        array_pg: String,
    },
    /// Create array volumes at the target from the chosen snapshot.
    CreateVolumesFromSnapshot {
        site: String,
        volumes: Vec<VolumeCopy>,
    },
    /// Manage those array volumes into Cinder at the target.
    ManageVolumes {
        site: String,
        volumes: Vec<VolumeCopy>,
    },
    /// Create one server's ports at the target, keeping IP and MAC.
    CreatePorts {
        site: String,
        server: String,
        ports: Vec<PortInfo>,
    },
    /// Create one server at the target from its ports and volumes.
    CreateServer { site: String, server: ServerPlan },
    /// Wait until every server of a boot wave is ACTIVE (one list call a poll, not one per server).
    WaitActive {
        site: String,
        wave: usize,
        servers: Vec<String>,
    },
    /// Make the new primary's array replicate the group back to the old one.
    ReverseReplication {
        new_source: String,
        new_target: String,
        array_pg: String,
    },
    /// Stop replication from the old primary (unplanned failover: the old site may be down).
    StopReplication { source: String, array_pg: String },
    /// Record the new current primary in the group's state.
    SwapPrimary { new_primary: String },
    /// Delete the old primary's stopped copies (servers and ports) once the new side runs.
    RetireInstances { site: String, servers: Vec<String> },
    /// Remove exactly what a drill created, recorded by its operation.
    CleanupTestResources {
        site: String,
        test_operation: String,
    },
    /// Replicate the group now and wait for the snapshot to arrive.
    ReplicateNow {
        source: String,
        target: String,
        array_pg: String,
    },
    /// A step that does nothing but succeed (tests, and joins in a DAG).
    Noop { name: String },
}

impl StepKind {
    /// The step's name in the seeds' vocabulary (`final_sync`, `create_server`, …).
    pub fn name(&self) -> &str {
        match self {
            StepKind::ValidateSites { .. } => "validate_sites",
            StepKind::StopServers { .. } => "stop_source_servers",
            StepKind::FinalSync { .. } => "final_sync",
            StepKind::SelectSnapshot { .. } => "select_snapshot",
            StepKind::CreateVolumesFromSnapshot { .. } => "create_volumes_from_snapshot",
            StepKind::ManageVolumes { .. } => "manage_volumes",
            StepKind::CreatePorts { .. } => "create_ports",
            StepKind::CreateServer { .. } => "create_server",
            StepKind::WaitActive { .. } => "wait_active",
            StepKind::ReverseReplication { .. } => "reverse_replication",
            StepKind::StopReplication { .. } => "stop_replication",
            StepKind::SwapPrimary { .. } => "swap_primary",
            StepKind::RetireInstances { .. } => "retire_instances",
            StepKind::CleanupTestResources { .. } => "cleanup_test_resources",
            StepKind::ReplicateNow { .. } => "replicate_now",
            StepKind::Noop { name } => name,
        }
    }

    /// What the operator reads in the steps list: the name and its subject.
    pub fn label(&self) -> String {
        match self {
            StepKind::CreatePorts { server, .. } => format!("create_ports {server}"),
            StepKind::CreateServer { server, .. } => {
                format!("create_server {} (wave {})", server.name, server.wave + 1)
            }
            StepKind::WaitActive { wave, .. } => format!("wait_active (wave {})", wave + 1),
            StepKind::RetireInstances { site, .. } => format!("retire_instances at {site}"),
            StepKind::StopServers { site, .. } => format!("stop_source_servers at {site}"),
            other => other.name().to_string(),
        }
    }
}
