//! Networking's public types: networks, subnets, ports and the requests that make them.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub id: String,
    pub name: String,
    pub status: String,
    pub subnet_ids: Vec<String>,
    /// `router:external`: floating IPs are allocated on it.
    pub external: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    pub id: String,
    pub name: String,
    pub network_id: String,
    pub cidr: String,
    pub ip_version: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub id: String,
    pub name: String,
    pub network_id: String,
    pub mac: String,
    pub fixed_ips: Vec<FixedIp>,
    pub device_id: String,
    pub device_owner: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedIp {
    pub subnet_id: String,
    pub ip: String,
}

/// `GET /v2.0/ports` filters; `None` filters nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PortFilter {
    pub device_id: Option<String>,
    pub network_id: Option<String>,
    pub name: Option<String>,
}

/// A port to create, keeping the address of the instance it replaces when given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PortCreate {
    pub network_id: String,
    pub name: String,
    pub ip: Option<String>,
    pub mac: Option<String>,
}
