//! Mutations shared by the world builder and the HTTP handlers: ports, volumes, servers.

use super::ids;
use super::*;
use crate::lab::clock::Time;
use std::collections::HashSet;
use std::net::Ipv4Addr;

/// Why a port cannot be made.
#[derive(Debug, PartialEq)]
pub enum PortError {
    NetworkNotFound,
    IpInUse(String),
    MacInUse(String),
    NoAddress,
    BadAddress(String),
}

pub struct NewPort {
    pub network_id: String,
    pub name: String,
    pub ip: Option<String>,
    pub mac: Option<String>,
    pub device_id: String,
    pub device_owner: String,
}

pub(super) fn parse_cidr(cidr: &str) -> Option<(u32, u32)> {
    let (addr, len) = cidr.split_once('/')?;
    let addr: Ipv4Addr = addr.parse().ok()?;
    let len: u32 = len.parse().ok()?;
    let mask = if len == 0 {
        0
    } else {
        u32::MAX << (32 - len.min(32))
    };
    Some((u32::from(addr) & mask, mask))
}

pub(super) fn in_cidr(ip: &str, cidr: &str) -> bool {
    match (ip.parse::<Ipv4Addr>(), parse_cidr(cidr)) {
        (Ok(ip), Some((net, mask))) => u32::from(ip) & mask == net,
        _ => false,
    }
}

/// The host numbers the lab hands out on a network of prefix length `len`: from .10 (below are
/// the router and DHCP's) to six short of the broadcast address.
pub fn host_range(len: u32) -> std::ops::Range<u32> {
    let size = 1u64 << (32 - len.min(32));
    10..(size.saturating_sub(6).min(u64::from(u32::MAX)) as u32).max(10)
}

impl Site {
    /// The addresses in use on a network: built once per new port, so a port costs one pass
    /// over the ports whatever the network's size.
    fn ips_taken(&self, network_id: &str) -> HashSet<&str> {
        self.ports
            .iter()
            .filter(|p| p.network_id == network_id)
            .flat_map(|p| p.fixed_ips.iter().map(|f| f.ip_address.as_str()))
            .collect()
    }

    pub fn add_port(&mut self, new: NewPort, now: Time) -> Result<Port, PortError> {
        let net = self
            .network(&new.network_id)
            .ok_or(PortError::NetworkNotFound)?;
        let subnet = self
            .subnets
            .iter()
            .find(|s| net.subnet_ids.contains(&s.id))
            .ok_or(PortError::NoAddress)?
            .clone();
        let ip = match new.ip {
            Some(ip) => {
                if !in_cidr(&ip, &subnet.cidr) {
                    return Err(PortError::BadAddress(ip));
                }
                if self.ips_taken(&new.network_id).contains(ip.as_str()) {
                    return Err(PortError::IpInUse(ip));
                }
                ip
            }
            None => {
                let (base, mask) = parse_cidr(&subnet.cidr).ok_or(PortError::NoAddress)?;
                let taken = self.ips_taken(&new.network_id);
                host_range(mask.count_ones())
                    .map(|h| Ipv4Addr::from(base + h).to_string())
                    .find(|ip| !taken.contains(ip.as_str()))
                    .ok_or(PortError::NoAddress)?
            }
        };
        let mac = new.mac.unwrap_or_else(ids::mac).to_lowercase();
        if self
            .ports
            .iter()
            .any(|p| p.network_id == new.network_id && p.mac_address == mac)
        {
            return Err(PortError::MacInUse(mac));
        }
        let port = Port {
            id: ids::uuid(),
            name: new.name,
            network_id: new.network_id,
            mac_address: mac,
            fixed_ips: vec![FixedIp {
                subnet_id: subnet.id,
                ip_address: ip,
            }],
            device_id: new.device_id,
            device_owner: new.device_owner,
            created_at: now,
            nova_owned: false,
        };
        self.ports.push(port.clone());
        Ok(port)
    }

    /// A Cinder volume and the array volume of the same name behind it.
    pub fn add_volume(
        &mut self,
        name: &str,
        size_gb: u64,
        volume_type: &str,
        bootable: bool,
        now: Time,
    ) -> Volume {
        self.array.volumes.push(ArrayVolume {
            id: ids::uuid(),
            name: name.to_string(),
            provisioned: size_gb * GIB,
            created: now,
            source: None,
            destroyed: false,
            serial: ids::hex(12).to_uppercase(),
        });
        let v = Volume {
            id: ids::uuid(),
            name: name.to_string(),
            status: "available".into(),
            size_gb,
            volume_type: volume_type.to_string(),
            bootable,
            attachments: Vec::new(),
            metadata: BTreeMap::new(),
            created_at: now,
            backing: name.to_string(),
            ready_at: None,
        };
        self.volumes.push(v.clone());
        v
    }

    /// Attaches volumes (in order: vda, vdb, …) and ports to a server.
    pub fn attach(&mut self, server_id: &str, volume_ids: &[String], port_ids: &[String]) {
        for (i, vid) in volume_ids.iter().enumerate() {
            if let Some(v) = self.volumes.iter_mut().find(|v| &v.id == vid) {
                v.status = "in-use".into();
                v.attachments.push(Attachment {
                    id: ids::uuid(),
                    server_id: server_id.to_string(),
                    device: format!("/dev/vd{}", (b'a' + i as u8) as char),
                });
            }
        }
        for p in self.ports.iter_mut().filter(|p| port_ids.contains(&p.id)) {
            p.device_id = server_id.to_string();
            p.device_owner = "compute:nova".into();
        }
    }

    /// Deletes a server: volumes detach (or go, if delete_on_termination); the ports Nova made
    /// for it are deleted (their addresses freed), the ones it was given are unbound.
    pub fn delete_server(&mut self, server_id: &str) -> bool {
        let Some(pos) = self.servers.iter().position(|s| s.id == server_id) else {
            return false;
        };
        let server = self.servers.remove(pos);
        for v in self.volumes.iter_mut() {
            v.attachments.retain(|a| a.server_id != server_id);
            if v.status == "in-use" && v.attachments.is_empty() {
                v.status = "available".into();
            }
        }
        for a in server.volumes.iter().filter(|a| a.delete_on_termination) {
            self.delete_volume(&a.id);
        }
        self.ports
            .retain(|p| !(p.device_id == server_id && p.nova_owned));
        for p in self.ports.iter_mut().filter(|p| p.device_id == server_id) {
            p.device_id.clear();
            p.device_owner.clear();
        }
        true
    }

    /// Deletes a Cinder volume and destroys the array volume behind it.
    pub fn delete_volume(&mut self, volume_id: &str) {
        if let Some(pos) = self.volumes.iter().position(|v| v.id == volume_id) {
            let v = self.volumes.remove(pos);
            self.array.volumes.retain(|a| a.name != v.backing);
            for g in self.array.groups.iter_mut() {
                g.members.retain(|m| m != &v.backing);
            }
        }
    }
}
