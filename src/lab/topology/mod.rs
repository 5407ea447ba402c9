//! The topology file (assets/lab/demo.toml or one of the operator's): sites, networks and
//! protection groups the lab's world is built from on first start.

use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

mod validate;

/// The lab's flavors at both sites: id, name, vCPUs, RAM (MB), disk (GB).
pub const FLAVORS: [(&str, &str, u32, u32, u32); 3] = [
    ("2", "m1.small", 1, 2048, 20),
    ("3", "m1.medium", 2, 4096, 40),
    ("4", "m1.large", 4, 8192, 80),
];

pub const DEMO: &str = include_str!("../../../assets/lab/demo.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    pub snapshot_interval_seconds: u64,
    #[serde(default = "default_keep")]
    pub keep_snapshots: usize,
    pub sites: Vec<TopoSite>,
    #[serde(default)]
    pub networks: Vec<TopoNetwork>,
    /// External networks (`router:external`, floating IPs' home), the same at both sites.
    #[serde(default)]
    pub external_networks: Vec<TopoExternal>,
    #[serde(default)]
    pub groups: Vec<TopoGroup>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopoExternal {
    pub name: String,
    pub cidr: String,
}

fn default_keep() -> usize {
    10
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopoSite {
    pub name: String,
    /// production | dr
    pub role: String,
    pub array: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopoNetwork {
    pub name: String,
    pub cidr: String,
    pub test_cidr: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopoGroup {
    pub name: String,
    pub network: String,
    pub flavor: String,
    pub servers: Vec<String>,
    #[serde(default)]
    pub boot_order: Vec<Vec<String>>,
    pub boot_volume_gb: u64,
    pub data_volume_gb: Option<u64>,
    /// Data volumes per server, each of `data_volume_gb` (default 1): SERVER-data, SERVER-data-2, …
    pub data_volumes: Option<u32>,
    pub rpo_target_seconds: u64,
    /// Each server gets a floating IP on this external network at the production site.
    pub floating_ip_network: Option<String>,
}

impl TopoGroup {
    /// How many data volumes each of the group's servers has.
    pub fn data_volume_count(&self) -> u32 {
        match self.data_volume_gb {
            Some(_) => self.data_volumes.unwrap_or(1),
            None => 0,
        }
    }
}

impl Topology {
    pub fn demo() -> std::io::Result<Self> {
        Self::parse(DEMO)
    }

    pub fn parse(text: &str) -> std::io::Result<Self> {
        let t: Topology = toml::from_str(text)
            .map_err(|e| std::io::Error::other(format!("lab topology is not valid: {e}")))?;
        let roles: Vec<&str> = t.sites.iter().map(|s| s.role.as_str()).collect();
        if t.sites.len() != 2 || !roles.contains(&"production") || !roles.contains(&"dr") {
            return Err(std::io::Error::other(
                "lab topology needs two sites, one role = \"production\" and one role = \"dr\"",
            ));
        }
        validate::groups(&t).map_err(std::io::Error::other)?;
        t.check_floating_ips()?;
        Ok(t)
    }

    /// A topology file: read and checked, its path in every error.
    pub fn load(path: &Path) -> std::io::Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot read the lab topology {}: {e}", path.display()),
            )
        })?;
        Self::parse(&text).map_err(|e| {
            std::io::Error::other(format!(
                "{}: {e} (see assets/lab/demo.toml for the format)",
                path.display()
            ))
        })
    }

    /// A group's floating IPs live on one of `[[external_networks]]`.
    fn check_floating_ips(&self) -> std::io::Result<()> {
        for g in &self.groups {
            if let Some(net) = &g.floating_ip_network
                && !self.external_networks.iter().any(|e| &e.name == net)
            {
                return Err(std::io::Error::other(format!(
                    "group {:?}: floating_ip_network {net:?} is not one of [[external_networks]]",
                    g.name
                )));
            }
        }
        Ok(())
    }

    pub fn snapshot_interval(&self) -> Duration {
        Duration::from_secs(self.snapshot_interval_seconds.max(1))
    }

    pub fn site(&self, role: &str) -> Option<&TopoSite> {
        self.sites.iter().find(|s| s.role == role)
    }

    pub fn array_pg(group: &str) -> String {
        format!("{group}-pg")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_parses() {
        let t = Topology::demo().unwrap();
        assert_eq!(t.groups.len(), 3);
        assert_eq!(t.snapshot_interval(), Duration::from_secs(60));
    }

    #[test]
    fn the_scale_topology_has_twenty_groups_and_a_thousand_servers() {
        let t = Topology::parse(include_str!("../../../assets/lab/scale.toml")).unwrap();
        assert_eq!(t.groups.len(), 20);
        let servers: usize = t.groups.iter().map(|g| g.servers.len()).sum();
        assert_eq!(servers, 1000);
        assert_eq!(t.groups.iter().map(|g| g.servers.len()).max(), Some(500));
        assert!(t.groups.iter().all(|g| g.data_volume_count() >= 2));
    }
}
