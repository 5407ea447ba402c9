//! Compute's public types: servers, flavors, a new server's request, the API version.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub id: String,
    pub name: String,
    /// ACTIVE, SHUTOFF, BUILD, ERROR…
    pub status: String,
    /// The flavor's name (microversion 2.47+ embeds it).
    pub flavor_name: String,
    pub addresses: Vec<ServerAddress>,
    /// Attached volumes, in the order Nova lists them.
    pub volume_ids: Vec<String>,
    pub metadata: BTreeMap<String, String>,
    /// The fault message of a server in ERROR.
    pub fault: Option<String>,
    pub task_state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerAddress {
    /// The network's name.
    pub network: String,
    pub ip: String,
    pub mac: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flavor {
    pub id: String,
    pub name: String,
    pub vcpus: u32,
    pub ram_mb: u64,
    pub disk_gb: u64,
}

/// A server to boot from existing volumes on existing ports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerCreate {
    pub name: String,
    pub flavor_id: String,
    pub port_ids: Vec<String>,
    /// Volume ids; the first boots (boot_index 0), the others follow in order.
    pub volume_ids: Vec<String>,
    pub metadata: BTreeMap<String, String>,
}

/// A service's version document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiVersion {
    pub id: String,
    /// The highest microversion, empty when the service has none.
    pub max_microversion: String,
    pub min_microversion: String,
}
