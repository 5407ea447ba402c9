//! Neutron's JSON, as far as drconsole reads it.

use serde::Deserialize;

use super::types::{FixedIp, Network, Port, Subnet};
use crate::sanitize::clean;

#[derive(Deserialize)]
pub struct NetworkList {
    pub networks: Vec<NetworkWire>,
}

#[derive(Deserialize)]
pub struct NetworkWire {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    subnets: Vec<String>,
    #[serde(default, rename = "router:external")]
    external: bool,
}

impl From<NetworkWire> for Network {
    fn from(w: NetworkWire) -> Self {
        Network {
            id: clean(&w.id),
            name: clean(&w.name),
            status: clean(&w.status),
            subnet_ids: w.subnets.iter().map(|s| clean(s)).collect(),
            external: w.external,
        }
    }
}

#[derive(Deserialize)]
pub struct SubnetList {
    pub subnets: Vec<SubnetWire>,
}

#[derive(Deserialize)]
pub struct SubnetWire {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    network_id: String,
    #[serde(default)]
    cidr: String,
    #[serde(default)]
    ip_version: u8,
}

impl From<SubnetWire> for Subnet {
    fn from(w: SubnetWire) -> Self {
        Subnet {
            id: clean(&w.id),
            name: clean(&w.name),
            network_id: clean(&w.network_id),
            cidr: clean(&w.cidr),
            ip_version: w.ip_version,
        }
    }
}

#[derive(Deserialize)]
pub struct PortList {
    pub ports: Vec<PortWire>,
}

#[derive(Deserialize)]
pub struct PortOne {
    pub port: PortWire,
}

#[derive(Deserialize)]
pub struct PortWire {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    network_id: String,
    #[serde(default)]
    mac_address: String,
    #[serde(default)]
    fixed_ips: Vec<FixedIpWire>,
    #[serde(default)]
    device_id: String,
    #[serde(default)]
    device_owner: String,
    #[serde(default)]
    status: String,
}

#[derive(Deserialize)]
struct FixedIpWire {
    #[serde(default)]
    subnet_id: String,
    #[serde(default)]
    ip_address: String,
}

impl From<PortWire> for Port {
    fn from(w: PortWire) -> Self {
        Port {
            id: clean(&w.id),
            name: clean(&w.name),
            network_id: clean(&w.network_id),
            mac: clean(&w.mac_address),
            fixed_ips: w
                .fixed_ips
                .iter()
                .map(|f| FixedIp {
                    subnet_id: clean(&f.subnet_id),
                    ip: clean(&f.ip_address),
                })
                .collect(),
            device_id: clean(&w.device_id),
            device_owner: clean(&w.device_owner),
            status: clean(&w.status),
        }
    }
}
