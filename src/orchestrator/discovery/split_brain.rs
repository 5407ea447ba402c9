//! What each site shows of servers and ports, as split-brain detection reads it (one list call of
//! each a site), and the split-brain of a group between its two sites.

use super::DiscoveryError;
use crate::config::GroupConfig;
use crate::domain::SplitBrainFinding;
use crate::domain::split_brain::{SeenPort, SeenServer, SiteLook, detect};
use crate::orchestrator::site_runner::META_OPERATION;
use crate::providers::SiteClient;
use crate::providers::compute::Server;
use crate::providers::network::Port;
use std::collections::{BTreeSet, HashMap};

/// A site's servers and ports; servers made by a drill in `drills` are marked as drill copies.
pub async fn site_look(
    client: &SiteClient,
    site: &str,
    drills: &BTreeSet<String>,
) -> Result<SiteLook, DiscoveryError> {
    let (compute, network) = (client.compute(), client.network());
    let all_ports = Default::default();
    let (servers, ports) =
        tokio::try_join!(compute.list_servers(), network.list_ports(&all_ports))?;
    Ok(look_of(site, &servers, &ports, drills))
}

pub fn look_of(
    site: &str,
    servers: &[Server],
    ports: &[Port],
    drills: &BTreeSet<String>,
) -> SiteLook {
    SiteLook {
        site: site.to_string(),
        servers: servers
            .iter()
            .map(|s| SeenServer {
                id: s.id.clone(),
                name: s.name.clone(),
                status: s.status.clone(),
                drill: s
                    .metadata
                    .get(META_OPERATION)
                    .is_some_and(|op| drills.contains(op)),
            })
            .collect(),
        ports: ports
            .iter()
            .map(|p| SeenPort {
                ips: p.fixed_ips.iter().map(|f| f.ip.clone()).collect(),
                device_id: p.device_id.clone(),
                active: p.status == "ACTIVE",
            })
            .collect(),
    }
}

/// The group's split-brain from looks already taken at its two sites.
pub fn of_group(
    group: &GroupConfig,
    looks: &HashMap<String, SiteLook>,
) -> Option<Vec<SplitBrainFinding>> {
    let a = looks.get(&group.primary_site)?;
    let b = looks.get(&group.secondary_site)?;
    Some(detect(&group.members, a, b))
}

/// The group's split-brain as both its sites show it now.
pub async fn split_brain(
    clients: &HashMap<String, SiteClient>,
    group: &GroupConfig,
    drills: &BTreeSet<String>,
) -> Result<Vec<SplitBrainFinding>, DiscoveryError> {
    let client = |site: &str| {
        clients
            .get(site)
            .ok_or_else(|| DiscoveryError::UnknownSite(site.to_string()))
    };
    let (a, b) = (client(&group.primary_site)?, client(&group.secondary_site)?);
    let (la, lb) = tokio::try_join!(
        site_look(a, &group.primary_site, drills),
        site_look(b, &group.secondary_site, drills)
    )?;
    Ok(detect(&group.members, &la, &lb))
}
