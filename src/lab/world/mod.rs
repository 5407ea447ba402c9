//! The lab's world: both sites' clouds and arrays, serialisable as a whole to world.json.
//! Mutated only under the lab's lock; `settle` advances it to "now" before each request.

mod build;
mod floating;
pub mod ids;
pub mod ops;
mod replication;
mod settle;
pub use settle::Pace;

use super::clock::Time;
use super::faults::Fault;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use build::build;
pub use floating::{FipError, FloatingIp, NewFip};

pub const FORMAT: u32 = 1;
pub const CINDER_HOST: &str = "cinder@array#array";
pub const GIB: u64 = 1 << 30;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct World {
    pub format: u32,
    pub keep_snapshots: usize,
    pub sites: Vec<Site>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Site {
    pub name: String,
    pub role: String,
    /// The listener's port, preferred again on restart.
    pub port: u16,
    pub identity: Identity,
    #[serde(default)]
    pub tokens: Vec<Token>,
    pub flavors: Vec<Flavor>,
    pub networks: Vec<Network>,
    pub subnets: Vec<Subnet>,
    pub ports: Vec<Port>,
    pub servers: Vec<Server>,
    pub volume_types: Vec<VolumeType>,
    pub volumes: Vec<Volume>,
    /// Floating IPs on the site's external networks (worlds saved before them have none).
    #[serde(default)]
    pub floating_ips: Vec<FloatingIp>,
    pub array: Array,
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Requests per service and method since start (not persisted).
    #[serde(skip)]
    pub requests: BTreeMap<String, BTreeMap<String, u64>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Identity {
    pub project_id: String,
    pub project_name: String,
    pub user_id: String,
    pub user_name: String,
    pub password: String,
    pub app_cred_id: String,
    pub app_cred_name: String,
    pub app_cred_secret: String,
    pub role_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Token {
    pub id: String,
    pub methods: Vec<String>,
    pub issued_at: Time,
    pub expires_at: Time,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flavor {
    pub id: String,
    pub name: String,
    pub vcpus: u32,
    pub ram: u32,
    pub disk: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Network {
    pub id: String,
    pub name: String,
    pub subnet_ids: Vec<String>,
    /// `router:external`: floating IPs are allocated on it.
    #[serde(default)]
    pub external: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Subnet {
    pub id: String,
    pub name: String,
    pub network_id: String,
    pub cidr: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Port {
    pub id: String,
    pub name: String,
    pub network_id: String,
    pub mac_address: String,
    pub fixed_ips: Vec<FixedIp>,
    pub device_id: String,
    pub device_owner: String,
    pub created_at: Time,
    /// Nova made it for a server (`networks: [{"uuid"}]`): it goes with the server.
    #[serde(default)]
    pub nova_owned: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FixedIp {
    pub subnet_id: String,
    pub ip_address: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Server {
    pub id: String,
    pub name: String,
    /// ACTIVE | SHUTOFF | BUILD | ERROR
    pub status: String,
    pub flavor_id: String,
    pub metadata: BTreeMap<String, String>,
    pub volumes: Vec<AttachedVolume>,
    pub created: Time,
    pub updated: Time,
    /// A change under way: the status it reaches and when.
    pub pending: Option<Pending>,
    pub fault: Option<ServerFault>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttachedVolume {
    pub id: String,
    pub delete_on_termination: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub to: String,
    pub at: Time,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerFault {
    pub code: u16,
    pub message: String,
    pub created: Time,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VolumeType {
    pub id: String,
    pub name: String,
    pub extra_specs: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Volume {
    pub id: String,
    pub name: String,
    pub status: String,
    pub size_gb: u64,
    pub volume_type: String,
    pub bootable: bool,
    pub attachments: Vec<Attachment>,
    pub metadata: BTreeMap<String, String>,
    pub created_at: Time,
    /// The array volume behind it (its name when created by Cinder; the managed one's name
    /// when managed: the lab does not rename array volumes).
    pub backing: String,
    /// When `creating` becomes `available`.
    pub ready_at: Option<Time>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attachment {
    pub id: String,
    pub server_id: String,
    pub device: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Array {
    pub name: String,
    pub api_token: String,
    #[serde(default)]
    pub sessions: Vec<Token>,
    /// Names of the connected peer arrays.
    pub connections: Vec<String>,
    pub volumes: Vec<ArrayVolume>,
    pub groups: Vec<ProtectionGroup>,
    pub snapshots: Vec<PgSnapshot>,
    pub next_suffix: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArrayVolume {
    pub id: String,
    pub name: String,
    pub provisioned: u64,
    pub created: Time,
    pub source: Option<String>,
    pub destroyed: bool,
    pub serial: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProtectionGroup {
    /// `web-app-pg` locally, `array-a:web-app-pg` for one replicated here from array-a.
    pub name: String,
    /// The array the group's snapshots come from.
    pub source: String,
    pub members: Vec<String>,
    pub targets: Vec<String>,
    /// The last schedule boundary a snapshot was taken at.
    pub last_scheduled: Time,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PgSnapshot {
    /// `web-app-pg.12` locally, `array-a:web-app-pg.12` on a target.
    pub name: String,
    /// The group's name as seen on this array.
    pub group: String,
    pub suffix: String,
    pub created: Time,
    pub volumes: Vec<SnapVolume>,
    /// Transfers to target arrays (on the source side only).
    #[serde(default)]
    pub transfers: Vec<Transfer>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapVolume {
    pub name: String,
    pub provisioned: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transfer {
    pub target: String,
    pub started: Time,
    /// Lab seconds of transfer needed and done so far.
    pub needed_secs: f64,
    pub done_secs: f64,
    /// Real time up to which progress has been accounted.
    pub progressed_to: Time,
    pub completed: Option<Time>,
    pub bytes: u64,
}

impl World {
    pub fn site_index(&self, name: &str) -> Option<usize> {
        self.sites.iter().position(|s| s.name == name)
    }

    pub fn array_index(&self, name: &str) -> Option<usize> {
        self.sites.iter().position(|s| s.array.name == name)
    }
}

impl Site {
    pub fn token_valid(&self, token: &str, now: Time) -> bool {
        self.tokens
            .iter()
            .any(|t| t.id == token && t.expires_at > now)
    }

    pub fn flavor(&self, id: &str) -> Option<&Flavor> {
        self.flavors.iter().find(|f| f.id == id || f.name == id)
    }

    pub fn network(&self, id: &str) -> Option<&Network> {
        self.networks.iter().find(|n| n.id == id)
    }

    pub fn volume_type(&self, name: &str) -> Option<&VolumeType> {
        self.volume_types
            .iter()
            .find(|t| t.name == name || t.id == name)
    }

    pub fn fault_active(&self, kind: &str, now: Time) -> bool {
        self.faults.iter().any(|f| f.kind == kind && f.active(now))
    }
}

impl Array {
    pub fn session_valid(&self, token: &str, now: Time) -> bool {
        self.sessions
            .iter()
            .any(|t| t.id == token && t.expires_at > now)
    }

    pub fn volume(&self, name: &str) -> Option<&ArrayVolume> {
        self.volumes.iter().find(|v| v.name == name)
    }

    pub fn group(&self, name: &str) -> Option<&ProtectionGroup> {
        self.groups.iter().find(|g| g.name == name)
    }

    pub fn group_mut(&mut self, name: &str) -> Option<&mut ProtectionGroup> {
        self.groups.iter_mut().find(|g| g.name == name)
    }
}
