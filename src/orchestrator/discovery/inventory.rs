//! A group's members as they are at one site — server, flavor, ports and volumes — read with one
//! list call per resource type whatever the group's size: the inventory plans are built from.

use crate::config::GroupConfig;
use crate::domain::{FloatingIpInfo, InstanceInfo, PortInfo, VolumeInfo};
use crate::orchestrator::site_runner::{META_ARRAY_VOLUME, META_OPERATION};
use crate::providers::compute::Server;
use crate::providers::network::{FloatingIp, Port};
use crate::providers::volume::Volume;
use crate::providers::{ProviderError, SiteClient};
use std::collections::{HashMap, HashSet};

pub async fn inventory(
    client: &SiteClient,
    group: &GroupConfig,
) -> Result<Vec<InstanceInfo>, ProviderError> {
    let servers = client.compute().list_servers().await?;
    let wanted: HashSet<&str> = group.members.iter().map(String::as_str).collect();
    let members: Vec<Server> = servers
        .into_iter()
        .filter(|s| wanted.contains(s.name.as_str()))
        .collect();
    if members.is_empty() {
        return Ok(Vec::new());
    }
    let net = client.network();
    let all_ports = Default::default();
    let vol = client.volume();
    let (networks, ports, volumes, fips) = tokio::try_join!(
        net.list_networks(),
        net.list_ports(&all_ports),
        vol.list_volumes(),
        floating_ips(client)
    )?;
    let net_name: HashMap<&str, &str> = networks
        .iter()
        .map(|n| (n.id.as_str(), n.name.as_str()))
        .collect();
    // Indexed once: a member's ports and volumes are looked up, never searched for.
    let mut ports_by_server: HashMap<&str, Vec<&Port>> = HashMap::new();
    for p in &ports {
        ports_by_server
            .entry(p.device_id.as_str())
            .or_default()
            .push(p);
    }
    let volume_by_id: HashMap<&str, &Volume> = volumes.iter().map(|v| (v.id.as_str(), v)).collect();
    let names = Names {
        network: net_name,
        fip_by_port: fips
            .iter()
            .filter_map(|f| Some((f.port_id.as_deref()?, f)))
            .collect(),
    };
    let mut out: Vec<InstanceInfo> = members
        .into_iter()
        .map(|s| InstanceInfo {
            ports: ports_of(ports_by_server.get(s.id.as_str()), &names),
            volumes: volumes_of(&s, &volume_by_id),
            made_by: s.metadata.get(META_OPERATION).cloned(),
            name: s.name,
            server_id: s.id,
            status: s.status,
            flavor: s.flavor_name,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The site's floating IPs; none where Neutron has no floating IP API (404).
async fn floating_ips(client: &SiteClient) -> Result<Vec<FloatingIp>, ProviderError> {
    match client
        .network()
        .list_floating_ips(&Default::default())
        .await
    {
        Err(e) if e.is_not_found() => Ok(Vec::new()),
        other => other,
    }
}

/// Networks by id, and floating IPs by the port they forward to.
struct Names<'a> {
    network: HashMap<&'a str, &'a str>,
    fip_by_port: HashMap<&'a str, &'a FloatingIp>,
}

impl Names<'_> {
    fn network(&self, id: &str) -> String {
        self.network
            .get(id)
            .map_or_else(|| id.to_string(), |n| n.to_string())
    }
}

/// The server's ports with their networks by name (the id when the network is not listed) and
/// their floating IPs.
fn ports_of(ports: Option<&Vec<&Port>>, names: &Names) -> Vec<PortInfo> {
    ports
        .into_iter()
        .flatten()
        .map(|p| PortInfo {
            network: names.network(&p.network_id),
            ip: p.fixed_ips.first().map(|f| f.ip.clone()),
            mac: p.mac.clone(),
            floating_ip: names
                .fip_by_port
                .get(p.id.as_str())
                .map(|f| FloatingIpInfo {
                    address: f.address.clone(),
                    network: names.network(&f.network_id),
                    id: f.id.clone(),
                    port_id: p.id.clone(),
                }),
        })
        .collect()
}

/// The server's volumes, the boot volume first, each with the array volume behind it.
fn volumes_of(server: &Server, volumes: &HashMap<&str, &Volume>) -> Vec<VolumeInfo> {
    let mut out: Vec<VolumeInfo> = Vec::new();
    for (i, id) in server.volume_ids.iter().enumerate() {
        let Some(v) = volumes.get(id.as_str()) else {
            continue;
        };
        let boots = v.bootable && !out.iter().any(|x| x.bootable);
        out.push(VolumeInfo {
            name: v.name.clone(),
            size_gb: v.size_gb,
            bootable: v.bootable,
            boot_index: if boots { 0 } else { i as u32 + 1 },
            volume_type: v.volume_type.clone().unwrap_or_default(),
            array_volume: v
                .metadata
                .get(META_ARRAY_VOLUME)
                .cloned()
                .unwrap_or_else(|| v.name.clone()),
        });
    }
    out.sort_by_key(|v| v.boot_index);
    out
}
