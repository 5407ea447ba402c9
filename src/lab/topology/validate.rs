//! What a topology must hold before the lab builds a world from it: every group's network and
//! flavor known, server names unique (their volumes are named after them), a boot order of
//! members only, and room on each network for its servers' addresses.

use super::{FLAVORS, TopoGroup, Topology};
use std::collections::{HashMap, HashSet};

/// Data volumes a server may have (vdb … vdp).
const MAX_DATA_VOLUMES: u32 = 15;

/// A mistake in a topology file, named so the author can fix it.
#[derive(Debug, thiserror::Error)]
pub enum TopologyError {
    #[error("network {name:?}: cidr {cidr:?} is not an IPv4 CIDR like 10.0.1.0/24")]
    BadCidr { name: String, cidr: String },
    #[error("network {name:?}: cidr {cidr:?} must be /8 to /28")]
    CidrSize { name: String, cidr: String },
    #[error("group {0:?} is defined twice")]
    GroupTwice(String),
    #[error("group {group:?}: network {network:?} is not one of [[networks]]")]
    UnknownNetwork { group: String, network: String },
    #[error("group {group:?}: flavor {flavor:?} is not one of {known}")]
    UnknownFlavor {
        group: String,
        flavor: String,
        known: String,
    },
    #[error("group {0:?} has no servers")]
    NoServers(String),
    #[error("group {group:?}: server {server:?} is named twice in the topology")]
    ServerTwice { group: String, server: String },
    #[error("group {group:?}: boot_order names {server:?}, not one of its servers")]
    BootOrder { group: String, server: String },
    #[error(
        "group {group:?}: data_volumes = {count} must be 1 to {MAX_DATA_VOLUMES}, with data_volume_gb set"
    )]
    DataVolumes { group: String, count: u32 },
    #[error(
        "network {network:?} has addresses for {room} servers, its groups have {servers}: widen its cidr"
    )]
    NetworkFull {
        network: String,
        room: u64,
        servers: u64,
    },
}

pub fn groups(t: &Topology) -> Result<(), TopologyError> {
    let networks: HashMap<&str, u64> = t
        .networks
        .iter()
        .map(|n| Ok((n.name.as_str(), capacity(&n.name, &n.cidr)?)))
        .collect::<Result<_, TopologyError>>()?;
    let mut group_names = HashSet::new();
    let mut server_names = HashSet::new();
    let mut used: HashMap<&str, u64> = HashMap::new();
    for g in &t.groups {
        if !group_names.insert(g.name.as_str()) {
            return Err(TopologyError::GroupTwice(g.name.clone()));
        }
        if !networks.contains_key(g.network.as_str()) {
            return Err(TopologyError::UnknownNetwork {
                group: g.name.clone(),
                network: g.network.clone(),
            });
        }
        group(g, &mut server_names)?;
        *used.entry(g.network.as_str()).or_default() += g.servers.len() as u64;
    }
    for (net, n) in used {
        let room = networks.get(net).copied().unwrap_or(0);
        if n > room {
            return Err(TopologyError::NetworkFull {
                network: net.to_string(),
                room,
                servers: n,
            });
        }
    }
    Ok(())
}

/// One group on its own: a known flavor, servers named once in the whole topology, a boot order
/// of its members, a sane number of data volumes.
fn group<'t>(g: &'t TopoGroup, seen: &mut HashSet<&'t str>) -> Result<(), TopologyError> {
    let name = || g.name.clone();
    if !FLAVORS.iter().any(|f| f.1 == g.flavor) {
        let known: Vec<&str> = FLAVORS.iter().map(|f| f.1).collect();
        return Err(TopologyError::UnknownFlavor {
            group: name(),
            flavor: g.flavor.clone(),
            known: known.join(", "),
        });
    }
    if g.servers.is_empty() {
        return Err(TopologyError::NoServers(name()));
    }
    if let Some(s) = g.servers.iter().find(|s| !seen.insert(s.as_str())) {
        return Err(TopologyError::ServerTwice {
            group: name(),
            server: s.clone(),
        });
    }
    let members: HashSet<&str> = g.servers.iter().map(String::as_str).collect();
    if let Some(s) = g
        .boot_order
        .iter()
        .flatten()
        .find(|s| !members.contains(s.as_str()))
    {
        return Err(TopologyError::BootOrder {
            group: name(),
            server: s.clone(),
        });
    }
    let count = g.data_volume_count();
    if !(1..=MAX_DATA_VOLUMES).contains(&count) && g.data_volumes.is_some() {
        return Err(TopologyError::DataVolumes {
            group: name(),
            count,
        });
    }
    Ok(())
}

/// Addresses the lab hands out on a network (see `Site::add_port`).
fn capacity(name: &str, cidr: &str) -> Result<u64, TopologyError> {
    let bad = || TopologyError::BadCidr {
        name: name.to_string(),
        cidr: cidr.to_string(),
    };
    let (addr, len) = cidr.split_once('/').ok_or_else(bad)?;
    addr.parse::<std::net::Ipv4Addr>().map_err(|_| bad())?;
    let len: u32 = len.parse().map_err(|_| bad())?;
    if !(8..=28).contains(&len) {
        return Err(TopologyError::CidrSize {
            name: name.to_string(),
            cidr: cidr.to_string(),
        });
    }
    Ok(crate::lab::world::ops::host_range(len).len() as u64)
}

#[cfg(test)]
mod tests {
    use super::super::Topology;

    fn with_group(group: &str) -> String {
        format!(
            "snapshot_interval_seconds = 60\n\
             [[sites]]\nname = \"a\"\nrole = \"production\"\narray = \"aa\"\n\
             [[sites]]\nname = \"b\"\nrole = \"dr\"\narray = \"ab\"\n\
             [[networks]]\nname = \"n\"\ncidr = \"10.0.1.0/24\"\ntest_cidr = \"10.100.1.0/24\"\n\
             [[groups]]\nname = \"g\"\nnetwork = \"n\"\nboot_volume_gb = 20\n\
             rpo_target_seconds = 300\n{group}"
        )
    }

    fn error(group: &str) -> String {
        Topology::parse(&with_group(group)).unwrap_err().to_string()
    }

    #[test]
    fn a_good_group_parses() {
        let t = Topology::parse(&with_group(
            "flavor = \"m1.small\"\nservers = [\"x\"]\ndata_volume_gb = 5\ndata_volumes = 3",
        ))
        .unwrap();
        assert_eq!(t.groups[0].data_volume_count(), 3);
    }

    #[test]
    fn mistakes_are_named() {
        assert!(error("flavor = \"m9\"\nservers = [\"x\"]").contains("flavor \"m9\""));
        assert!(error("flavor = \"m1.small\"\nservers = [\"x\", \"x\"]").contains("twice"));
        assert!(error("flavor = \"m1.small\"\nservers = []").contains("no servers"));
        assert!(
            error("flavor = \"m1.small\"\nservers = [\"x\"]\nboot_order = [[\"y\"]]")
                .contains("boot_order names \"y\"")
        );
        let many: Vec<String> = (0..300).map(|i| format!("\"s{i}\"")).collect();
        let crowded = format!("flavor = \"m1.small\"\nservers = [{}]", many.join(","));
        assert!(error(&crowded).contains("widen its cidr"));
        assert!(
            error("flavor = \"m1.small\"\nservers = [\"x\"]\ndata_volumes = 2")
                .contains("data_volume_gb")
        );
    }
}
