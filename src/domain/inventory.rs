//! What a protection group holds at a site, as discovered through the providers: each member
//! server with its flavor, ports and volumes. Plans are built from this, and `instances` shows it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortInfo {
    /// The network's name (mappings are by name).
    pub network: String,
    pub ip: Option<String>,
    pub mac: String,
    /// The floating IP that forwards to this port, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floating_ip: Option<FloatingIpInfo>,
}

/// A floating IP of a protected server: its address, the external network it is on, and the
/// ids a move needs to release it and to give it back (undo, failback).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloatingIpInfo {
    pub address: String,
    /// The external network's name (mappings are by name).
    pub network: String,
    /// The floating IP's id at the site it was found at.
    #[serde(default)]
    pub id: String,
    /// The port it forwards to there.
    #[serde(default)]
    pub port_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeInfo {
    /// The Cinder volume's name.
    pub name: String,
    pub size_gb: u64,
    pub bootable: bool,
    /// 0 for the boot disk; others in attachment order.
    pub boot_index: u32,
    pub volume_type: String,
    /// The array volume behind it (metadata `drconsole:array_volume`, else the Cinder name).
    pub array_volume: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceInfo {
    pub name: String,
    pub server_id: String,
    /// Nova status: ACTIVE, SHUTOFF, BUILD, ERROR.
    pub status: String,
    pub flavor: String,
    pub ports: Vec<PortInfo>,
    pub volumes: Vec<VolumeInfo>,
    /// The operation that created the server (its `drconsole:operation` metadata), if one did.
    #[serde(default)]
    pub made_by: Option<String>,
}
