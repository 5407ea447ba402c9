//! The storage array's public types: connections, volumes, protection groups, their snapshots
//! and the transfers that replicate them.

use chrono::{DateTime, Utc};

/// The array as the console shows it: its name and its replication links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrayState {
    /// The configured array name.
    pub name: Option<String>,
    pub connections: Vec<ArrayConnection>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrayConnection {
    /// The peer array's name.
    pub name: String,
    /// `connected`, `connecting`, `partially_connected`, `unhealthy`…
    pub status: String,
    /// `async-replication`, `sync-replication`…
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrayVolume {
    pub id: String,
    pub name: String,
    pub provisioned_bytes: u64,
    pub created: Option<DateTime<Utc>>,
    /// The snapshot or volume it was copied from.
    pub source: Option<String>,
    pub destroyed: bool,
    pub serial: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectionGroup {
    pub name: String,
    /// The array that owns the group (for a replicated group, the peer).
    pub source: Option<String>,
    pub target_count: u32,
    pub volume_count: u32,
    pub replication_enabled: bool,
    pub replication_frequency_ms: Option<u64>,
}

/// A group's member volume, or a group's replication target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgMember {
    pub group: String,
    pub member: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgTarget {
    pub group: String,
    /// The target array's name.
    pub target: String,
    pub allowed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgSnapshot {
    /// `web-app-pg.2291`, or `array-a:web-app-pg.2291` on the target.
    pub name: String,
    pub source: String,
    pub suffix: String,
    pub created: Option<DateTime<Utc>>,
    pub destroyed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transfer {
    pub name: String,
    pub started: Option<DateTime<Utc>>,
    pub completed: Option<DateTime<Utc>>,
    /// 0.0 to 1.0.
    pub progress: f64,
    /// Bytes sent so far.
    pub data_transferred: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeSnapshot {
    /// `array-a:web-app-pg.2291.web-1-boot` on the target.
    pub name: String,
    pub source: Option<String>,
    pub suffix: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub destroyed: bool,
}
