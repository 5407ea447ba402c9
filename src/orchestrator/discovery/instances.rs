//! `instances GROUP`: each member with its server at both sites, its volumes' replication and any
//! split-brain, from one inventory a site, one look at the array group and one at each site's
//! servers and ports.

use super::{DiscoveryError, inventory, split_brain};
use crate::config::{Config, GroupConfig};
use crate::domain::{
    GroupState, GroupStatus, InstanceInfo, InstanceView, PortInfo, ServerAtSite, VolumePairView,
};
use crate::providers::SiteClient;
use crate::sanitize::clean;
use futures_util::future::join_all;
use std::collections::{BTreeSet, HashMap, HashSet};

type Inventory = Result<Vec<InstanceInfo>, DiscoveryError>;

pub async fn instances(
    config: &Config,
    clients: &HashMap<String, SiteClient>,
    group: &GroupConfig,
    state: &GroupState,
    drills: &BTreeSet<String>,
) -> Vec<InstanceView> {
    let sites: Vec<&str> = config.sites.iter().map(|s| s.name.as_str()).collect();
    let per_site = inventories(&sites, clients, group).await;
    let primary = state.current_primary.as_str();
    let secondary = sites.iter().copied().find(|s| *s != primary).unwrap_or("");
    let pairs = Pairs {
        members: replicated_members(clients, group, primary).await,
        target_array: config.site(secondary).map(|s| s.array.name.clone()),
        stopped: state.status == GroupStatus::FailedOver || state.needs_resync,
    };
    // Not checked when a site does not answer: its column already says `unknown` and why.
    let collisions = split_brain(clients, group, drills)
        .await
        .unwrap_or_default();
    // Each site's inventory by member name, so a member is looked up, never searched for.
    let by_name: Vec<Result<HashMap<&str, &InstanceInfo>, &DiscoveryError>> = per_site
        .iter()
        .map(|inv| {
            inv.as_ref()
                .map(|l| l.iter().map(|i| (i.name.as_str(), i)).collect())
        })
        .collect();
    let at_primary = sites
        .iter()
        .position(|s| *s == primary)
        .and_then(|i| by_name[i].as_ref().ok());
    let collision: HashMap<&str, _> = collisions
        .iter()
        .rev()
        .map(|f| (f.instance.as_str(), f))
        .collect();
    group
        .members
        .iter()
        .map(|name| InstanceView {
            name: name.clone(),
            group: group.name.clone(),
            servers: sites
                .iter()
                .zip(&by_name)
                .map(|(site, inv)| server_at(site, inv, name, drills))
                .collect(),
            volumes: at_primary
                .and_then(|m| m.get(name.as_str()))
                .map(|i| pairs.of(i))
                .unwrap_or_default(),
            split_brain: collision.get(name.as_str()).map(|f| (*f).clone()),
        })
        .collect()
}

/// The group's members at each of `sites` (or why a site could not say), asked at once.
async fn inventories(
    sites: &[&str],
    clients: &HashMap<String, SiteClient>,
    group: &GroupConfig,
) -> Vec<Inventory> {
    join_all(sites.iter().map(|site| async move {
        let client = clients
            .get(*site)
            .ok_or_else(|| DiscoveryError::UnknownSite(site.to_string()))?;
        Ok(inventory(client, group).await?)
    }))
    .await
}

/// The array volumes the group's array protection group holds at the primary.
async fn replicated_members(
    clients: &HashMap<String, SiteClient>,
    group: &GroupConfig,
    primary: &str,
) -> Result<HashSet<String>, DiscoveryError> {
    let client = clients
        .get(primary)
        .ok_or_else(|| DiscoveryError::UnknownSite(primary.to_string()))?;
    let members = client.array().pg_volumes(&group.array_pg).await?;
    Ok(members.into_iter().map(|m| m.member).collect())
}

type ByName<'a> = Result<HashMap<&'a str, &'a InstanceInfo>, &'a DiscoveryError>;

/// The member `name` at `site`: its server, absent, or unknown when the site did not answer.
/// A server made by one of `drills` is that drill's test copy.
fn server_at(site: &str, inv: &ByName, name: &str, drills: &BTreeSet<String>) -> ServerAtSite {
    let mut view = ServerAtSite {
        site: site.to_string(),
        server_id: None,
        status: "absent".into(),
        flavor: None,
        addresses: Vec::new(),
        error: None,
        ports: Vec::new(),
        made_by: None,
        drill_copy: false,
    };
    match inv {
        Ok(list) => {
            if let Some(i) = list.get(name) {
                view.server_id = Some(i.server_id.clone());
                view.status = clean(&i.status);
                view.flavor = Some(clean(&i.flavor));
                view.addresses = i.ports.iter().filter_map(|p| p.ip.clone()).collect();
                view.ports = i
                    .ports
                    .iter()
                    .map(|p| PortInfo {
                        network: clean(&p.network),
                        ip: p.ip.as_deref().map(clean),
                        mac: clean(&p.mac),
                        floating_ip: p.floating_ip.clone(),
                    })
                    .collect();
                view.made_by = i.made_by.as_deref().map(clean);
                view.drill_copy = i.made_by.as_ref().is_some_and(|op| drills.contains(op));
            }
        }
        Err(e) => {
            view.status = "unknown".into();
            view.error = Some(clean(&e.to_string()));
        }
    }
    view
}

/// How a member's volumes replicate.
struct Pairs {
    members: Result<HashSet<String>, DiscoveryError>,
    target_array: Option<String>,
    /// The group is failed over or awaits a re-sync: its pairs do not replicate now.
    stopped: bool,
}

impl Pairs {
    fn of(&self, instance: &InstanceInfo) -> Vec<VolumePairView> {
        instance
            .volumes
            .iter()
            .map(|v| VolumePairView {
                name: clean(&v.name),
                size_gb: v.size_gb,
                bootable: v.bootable,
                volume_type: clean(&v.volume_type),
                source_array_volume: clean(&v.array_volume),
                target: self.target_array.clone(),
                replication: self.replication(&v.array_volume),
            })
            .collect()
    }

    fn replication(&self, array_volume: &str) -> String {
        match &self.members {
            Ok(m) if m.contains(array_volume) => if self.stopped {
                "replication stopped"
            } else {
                "replicating"
            }
            .to_string(),
            Ok(_) => "not in protection group".to_string(),
            Err(e) => format!("unknown: {}", clean(&e.to_string())),
        }
    }
}
