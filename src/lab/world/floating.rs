//! Floating IPs at a site: allocated on an external network (`router:external`), an address
//! kept when asked for, associated to a port or released, deleted. A port that goes away takes
//! its association with it, as in Neutron.

use super::ops::{host_range, in_cidr, parse_cidr};
use super::*;
use crate::lab::clock::Time;
use std::net::Ipv4Addr;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FloatingIp {
    pub id: String,
    pub address: String,
    /// The external network it is allocated on.
    pub network_id: String,
    pub port_id: Option<String>,
    /// Free text the client set (drconsole marks the ones it makes with its operation).
    #[serde(default)]
    pub description: String,
    pub created_at: Time,
}

/// What a client asks for when it allocates a floating IP.
#[derive(Debug, Clone, Default)]
pub struct NewFip {
    pub network_id: String,
    /// The address to keep; `None`: the first free one.
    pub address: Option<String>,
    pub port_id: Option<String>,
    pub description: String,
}

/// Why a floating IP cannot be allocated or associated.
#[derive(Debug, PartialEq)]
pub enum FipError {
    NetworkNotFound,
    NotExternal,
    AddressInUse(String),
    BadAddress(String),
    NoAddress,
    NotFound,
    PortNotFound(String),
    /// The port already has a floating IP (Neutron allows one per fixed address).
    PortTaken {
        port: String,
        by: String,
    },
}

impl Site {
    /// The floating IP's port, when it still exists.
    pub fn fip_port(&self, f: &FloatingIp) -> Option<&Port> {
        let id = f.port_id.as_deref()?;
        self.ports.iter().find(|p| p.id == id)
    }

    fn check_port(&self, port_id: &str, fip_id: &str) -> Result<(), FipError> {
        if !self.ports.iter().any(|p| p.id == port_id) {
            return Err(FipError::PortNotFound(port_id.to_string()));
        }
        match self.floating_ips.iter().find(|f| {
            f.id != fip_id && f.port_id.as_deref() == Some(port_id) && self.fip_port(f).is_some()
        }) {
            Some(other) => Err(FipError::PortTaken {
                port: port_id.to_string(),
                by: other.address.clone(),
            }),
            None => Ok(()),
        }
    }

    pub fn allocate_fip(&mut self, new: NewFip, now: Time) -> Result<FloatingIp, FipError> {
        let NewFip {
            network_id,
            address,
            port_id,
            description,
        } = new;
        let network_id = network_id.as_str();
        let net = self.network(network_id).ok_or(FipError::NetworkNotFound)?;
        if !net.external {
            return Err(FipError::NotExternal);
        }
        let cidr = self
            .subnets
            .iter()
            .find(|s| net.subnet_ids.contains(&s.id))
            .map(|s| s.cidr.clone())
            .ok_or(FipError::NoAddress)?;
        let taken: Vec<&str> = self
            .floating_ips
            .iter()
            .filter(|f| f.network_id == network_id)
            .map(|f| f.address.as_str())
            .collect();
        let address = match address {
            Some(a) if !in_cidr(&a, &cidr) => return Err(FipError::BadAddress(a)),
            Some(a) if taken.contains(&a.as_str()) => return Err(FipError::AddressInUse(a)),
            Some(a) => a,
            None => {
                let (base, mask) = parse_cidr(&cidr).ok_or(FipError::NoAddress)?;
                host_range(mask.count_ones())
                    .map(|h| Ipv4Addr::from(base + h).to_string())
                    .find(|ip| !taken.contains(&ip.as_str()))
                    .ok_or(FipError::NoAddress)?
            }
        };
        if let Some(p) = &port_id {
            self.check_port(p, "")?;
        }
        let fip = FloatingIp {
            id: ids::uuid(),
            address,
            network_id: network_id.to_string(),
            port_id,
            description,
            created_at: now,
        };
        self.floating_ips.push(fip.clone());
        Ok(fip)
    }

    /// Associate (`Some`) or release (`None`).
    pub fn set_fip_port(
        &mut self,
        id: &str,
        port_id: Option<String>,
    ) -> Result<FloatingIp, FipError> {
        if let Some(p) = &port_id {
            self.check_port(p, id)?;
        }
        let fip = self
            .floating_ips
            .iter_mut()
            .find(|f| f.id == id)
            .ok_or(FipError::NotFound)?;
        fip.port_id = port_id;
        Ok(fip.clone())
    }

    pub fn delete_fip(&mut self, id: &str) -> bool {
        let before = self.floating_ips.len();
        self.floating_ips.retain(|f| f.id != id);
        self.floating_ips.len() < before
    }
}
