//! Nova's JSON, as far as drconsole reads it.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::types::{ApiVersion, Flavor, Server, ServerAddress};
use crate::sanitize::clean;

#[derive(Deserialize)]
pub struct ServerList {
    pub servers: Vec<ServerWire>,
    #[serde(default)]
    pub servers_links: Vec<Link>,
}

#[derive(Deserialize)]
pub struct Link {
    #[serde(default)]
    pub rel: String,
    #[serde(default)]
    pub href: String,
}

#[derive(Deserialize)]
pub struct ServerOne {
    pub server: ServerWire,
}

#[derive(Deserialize)]
pub struct Created {
    pub server: CreatedServer,
}

#[derive(Deserialize)]
pub struct CreatedServer {
    pub id: String,
}

#[derive(Deserialize)]
pub struct ServerWire {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    flavor: Option<FlavorRef>,
    #[serde(default)]
    addresses: BTreeMap<String, Vec<AddressWire>>,
    #[serde(default, rename = "os-extended-volumes:volumes_attached")]
    volumes_attached: Vec<VolumeRef>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    #[serde(default)]
    fault: Option<Fault>,
    #[serde(default, rename = "OS-EXT-STS:task_state")]
    task_state: Option<String>,
}

#[derive(Deserialize)]
struct FlavorRef {
    #[serde(default)]
    original_name: Option<String>,
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct AddressWire {
    addr: String,
    #[serde(default, rename = "OS-EXT-IPS-MAC:mac_addr")]
    mac: Option<String>,
}

#[derive(Deserialize)]
struct VolumeRef {
    id: String,
}

#[derive(Deserialize)]
struct Fault {
    #[serde(default)]
    message: String,
}

impl From<ServerWire> for Server {
    fn from(w: ServerWire) -> Self {
        let flavor_name = w
            .flavor
            .and_then(|f| f.original_name.or(f.id))
            .unwrap_or_default();
        let addresses = w
            .addresses
            .into_iter()
            .flat_map(|(net, addrs)| {
                addrs.into_iter().map(move |a| ServerAddress {
                    network: clean(&net),
                    ip: clean(&a.addr),
                    mac: a.mac.map(|m| clean(&m)),
                })
            })
            .collect();
        Server {
            id: clean(&w.id),
            name: clean(&w.name),
            status: clean(&w.status),
            flavor_name: clean(&flavor_name),
            addresses,
            volume_ids: w
                .volumes_attached
                .into_iter()
                .map(|v| clean(&v.id))
                .collect(),
            metadata: w
                .metadata
                .into_iter()
                .map(|(k, v)| (clean(&k), clean(&v)))
                .collect(),
            fault: w.fault.map(|f| clean(&f.message)),
            task_state: w.task_state.map(|t| clean(&t)),
        }
    }
}

#[derive(Deserialize)]
pub struct FlavorList {
    pub flavors: Vec<FlavorWire>,
}

#[derive(Deserialize)]
pub struct FlavorWire {
    id: String,
    name: String,
    #[serde(default)]
    vcpus: u32,
    #[serde(default)]
    ram: u64,
    #[serde(default)]
    disk: u64,
}

impl From<FlavorWire> for Flavor {
    fn from(w: FlavorWire) -> Self {
        Flavor {
            id: clean(&w.id),
            name: clean(&w.name),
            vcpus: w.vcpus,
            ram_mb: w.ram,
            disk_gb: w.disk,
        }
    }
}

#[derive(Deserialize)]
pub struct VersionDoc {
    pub version: VersionWire,
}

#[derive(Deserialize)]
pub struct VersionWire {
    id: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    min_version: String,
}

impl From<VersionWire> for ApiVersion {
    fn from(w: VersionWire) -> Self {
        ApiVersion {
            id: clean(&w.id),
            max_microversion: clean(&w.version),
            min_microversion: clean(&w.min_version),
        }
    }
}
