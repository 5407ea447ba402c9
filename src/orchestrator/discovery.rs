//! Discovery: what the sites say about the estate. Probes both sites at once, measures RPO from the
//! newest snapshot that has arrived at the replication target, and reads a group's instances
//! (servers, ports, volumes) at a site into the inventory plans are built from.

use super::site_runner::META_ARRAY_VOLUME;
use crate::config::{Config, GroupConfig, SiteConfig};
use crate::domain::{
    ArrayView, EstateView, GroupState, GroupStatus, GroupView, InstanceInfo, InstanceView,
    PortInfo, ServerAtSite, SiteView, VolumeInfo, VolumePairView,
};
use crate::providers::{ProviderError, SiteClient, SiteProbe};
use crate::sanitize::clean;
use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use std::collections::HashMap;

/// Probe every site concurrently; an unreachable site is reported, never an error.
pub async fn probe_sites(config: &Config, clients: &HashMap<String, SiteClient>) -> Vec<SiteView> {
    probe_with_servers(config, clients)
        .await
        .into_iter()
        .map(|(view, _)| view)
        .collect()
}

/// Each site's view with the server names its compute probe listed (an error when compute
/// refused; absent when the site was not reached).
async fn probe_with_servers(
    config: &Config,
    clients: &HashMap<String, SiteClient>,
) -> Vec<(SiteView, Option<Result<Vec<String>, String>>)> {
    let sites: Vec<(&SiteConfig, &SiteClient)> = config
        .sites
        .iter()
        .filter_map(|s| clients.get(&s.name).map(|c| (s, c)))
        .collect();
    let probes = join_all(sites.iter().map(|(_, c)| c.probe())).await;
    sites
        .iter()
        .zip(probes)
        .map(|((site, _), probe)| {
            let servers = match (&probe.servers, &probe.error) {
                (Some(list), _) => Some(Ok(list.iter().map(|s| s.name.clone()).collect())),
                (None, Some(e)) if probe.reachable => Some(Err(clean(e))),
                _ => None,
            };
            (site_view(site, probe), servers)
        })
        .collect()
}

fn site_view(site: &SiteConfig, p: SiteProbe) -> SiteView {
    let array = match &p.array {
        Ok(state) => ArrayView {
            name: site.array.name.clone(),
            reachable: true,
            // `connected` when every link to a peer is; else each link with its state.
            replication: Some(if state.connections.is_empty() {
                "no peer array".to_string()
            } else if state.connections.iter().all(|c| c.status == "connected") {
                "connected".to_string()
            } else {
                state
                    .connections
                    .iter()
                    .map(|c| format!("{} {}", clean(&c.name), clean(&c.status)))
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
            error: None,
        },
        Err(e) => ArrayView {
            name: site.array.name.clone(),
            reachable: false,
            replication: None,
            error: Some(clean(&e.to_string())),
        },
    };
    SiteView {
        name: site.name.clone(),
        role: site.role,
        reachable: p.reachable,
        latency_ms: p.compute_ms,
        identity_ms: p.identity_ms,
        compute_ms: p.compute_ms,
        error: p.error.as_deref().map(clean),
        array,
    }
}

/// The newest snapshot of `array_pg` (replicated from `source`) that has arrived at `target`.
pub async fn newest_arrival(
    clients: &HashMap<String, SiteClient>,
    source: &str,
    target: &str,
    array_pg: &str,
) -> Result<Option<DateTime<Utc>>, String> {
    let (Some(src), Some(client)) = (clients.get(source), clients.get(target)) else {
        return Err(format!("{source} or {target} is not a configured site"));
    };
    let src_array = src.array_name();
    let snaps = match client
        .array()
        .pg_snapshots(&format!("{src_array}:{array_pg}"))
        .await
    {
        Ok(s) => s,
        // Nothing of the group has arrived yet: the replicated group does not exist there.
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    Ok(snaps
        .iter()
        .filter(|s| !s.destroyed)
        .filter_map(|s| s.created)
        .max())
}

/// One group's line in `status`: its journaled state, RPO now and how many members run.
/// `servers` holds the server names each reachable site answered with (one list call a site,
/// shared by every group).
pub fn group_view(
    group: &GroupConfig,
    state: &GroupState,
    sites: &[SiteView],
    servers: &HashMap<String, Result<Vec<String>, String>>,
    arrival: Result<Option<DateTime<Utc>>, String>,
) -> GroupView {
    let primary = state.current_primary.clone();
    let secondary = group.other_site(&primary).to_string();
    let replicating = !matches!(state.status, GroupStatus::FailedOver) && !state.needs_resync;
    let arrow = if replicating { "⇢" } else { "⇸" };
    let reachable = |name: &str| sites.iter().any(|s| s.name == name && s.reachable);
    let mut errors = Vec::new();
    let rpo_seconds = if reachable(&secondary) {
        match arrival {
            Ok(Some(t)) => Some((Utc::now() - t).num_seconds().max(0)),
            Ok(None) => {
                errors.push(format!(
                    "no snapshot of {} has arrived at {secondary}",
                    group.array_pg
                ));
                None
            }
            Err(e) => {
                errors.push(clean(&e));
                None
            }
        }
    } else {
        errors.push(format!("{secondary} is unreachable: RPO unknown"));
        None
    };
    // Members running at the primary; the configured count when it cannot be asked.
    let instances = match servers.get(&primary) {
        Some(Ok(names)) => names.iter().filter(|n| group.members.contains(n)).count(),
        Some(Err(e)) => {
            errors.push(e.clone());
            group.members.len()
        }
        None => group.members.len(),
    };
    GroupView {
        name: group.name.clone(),
        status: state.status,
        primary_site: group.primary_site.clone(),
        secondary_site: group.secondary_site.clone(),
        current_primary: primary.clone(),
        direction: format!("{primary} {arrow} {secondary}"),
        rpo_seconds,
        rpo_target_seconds: group.rpo_target.as_secs(),
        instances,
        error: (!errors.is_empty()).then(|| errors.join("; ")),
        needs_resync: state.needs_resync,
        last_operation: state.last_operation.clone(),
    }
}

/// Probe the sites and describe every group. The groups' snapshot lists are asked for while the
/// sites are probed, and the probes' server lists are reused: no call waits for another that
/// it does not need.
pub async fn estate(
    config: &Config,
    clients: &HashMap<String, SiteClient>,
    states: &HashMap<String, GroupState>,
) -> EstateView {
    let states: Vec<GroupState> = config
        .groups
        .iter()
        .map(|g| {
            states
                .get(&g.name)
                .cloned()
                .unwrap_or_else(|| GroupState::initial(&g.name, &g.primary_site))
        })
        .collect();
    let arrivals = join_all(config.groups.iter().zip(&states).map(|(g, state)| {
        let primary = state.current_primary.clone();
        let secondary = g.other_site(&primary).to_string();
        async move { newest_arrival(clients, &primary, &secondary, &g.array_pg).await }
    }));
    let (probed, arrivals) = tokio::join!(probe_with_servers(config, clients), arrivals);
    let mut servers = HashMap::new();
    let mut sites = Vec::new();
    for (view, listed) in probed {
        if let Some(listed) = listed {
            servers.insert(view.name.clone(), listed);
        }
        sites.push(view);
    }
    let views = config
        .groups
        .iter()
        .zip(states)
        .zip(arrivals)
        .map(|((g, state), arrival)| group_view(g, &state, &sites, &servers, arrival))
        .collect();
    EstateView {
        sites,
        protection_groups: views,
        refreshed_at: Utc::now(),
    }
}

/// The group's members as they are at `site`: server, flavor, ports and volumes (one list call
/// per resource type, whatever the group's size).
pub async fn inventory(
    client: &SiteClient,
    group: &GroupConfig,
) -> Result<Vec<InstanceInfo>, ProviderError> {
    let servers = client.compute().list_servers().await?;
    let members: Vec<_> = servers
        .into_iter()
        .filter(|s| group.members.contains(&s.name))
        .collect();
    if members.is_empty() {
        return Ok(Vec::new());
    }
    let net = client.network();
    let all_ports = Default::default();
    let vol = client.volume();
    let (networks, ports, volumes) = tokio::try_join!(
        net.list_networks(),
        net.list_ports(&all_ports),
        vol.list_volumes()
    )?;
    let net_name: HashMap<&str, &str> = networks
        .iter()
        .map(|n| (n.id.as_str(), n.name.as_str()))
        .collect();
    let mut out = Vec::new();
    for s in members {
        let ports: Vec<PortInfo> = ports
            .iter()
            .filter(|p| p.device_id == s.id)
            .map(|p| PortInfo {
                network: net_name
                    .get(p.network_id.as_str())
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| p.network_id.clone()),
                ip: p.fixed_ips.first().map(|f| f.ip.clone()),
                mac: p.mac.clone(),
            })
            .collect();
        let mut vols: Vec<VolumeInfo> = Vec::new();
        for (i, id) in s.volume_ids.iter().enumerate() {
            let Some(v) = volumes.iter().find(|v| &v.id == id) else {
                continue;
            };
            vols.push(VolumeInfo {
                name: v.name.clone(),
                size_gb: v.size_gb,
                bootable: v.bootable,
                boot_index: if v.bootable && !vols.iter().any(|x| x.bootable) {
                    0
                } else {
                    i as u32 + 1
                },
                volume_type: v.volume_type.clone().unwrap_or_default(),
                array_volume: v
                    .metadata
                    .get(META_ARRAY_VOLUME)
                    .cloned()
                    .unwrap_or_else(|| v.name.clone()),
            });
        }
        vols.sort_by_key(|v| v.boot_index);
        out.push(InstanceInfo {
            name: s.name.clone(),
            server_id: s.id.clone(),
            status: s.status.clone(),
            flavor: s.flavor_name.clone(),
            ports,
            volumes: vols,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// `instances GROUP`: each member with its server at both sites and its volumes' replication.
pub async fn instances(
    config: &Config,
    clients: &HashMap<String, SiteClient>,
    group: &GroupConfig,
    state: &GroupState,
) -> Vec<InstanceView> {
    let sites: Vec<&str> = config.sites.iter().map(|s| s.name.as_str()).collect();
    let per_site = join_all(sites.iter().map(|site| async move {
        match clients.get(*site) {
            Some(c) => inventory(c, group).await.map_err(|e| clean(&e.to_string())),
            None => Err("no client".to_string()),
        }
    }))
    .await;
    let primary = state.current_primary.as_str();
    let secondary = sites.iter().copied().find(|s| *s != primary).unwrap_or("");
    let members_pg: Result<Vec<String>, String> = match clients.get(primary) {
        Some(c) => c
            .array()
            .pg_volumes(&group.array_pg)
            .await
            .map(|m| m.into_iter().map(|x| x.member).collect())
            .map_err(|e| clean(&e.to_string())),
        None => Err("no client".into()),
    };
    let target_array = config.site(secondary).map(|s| s.array.name.clone());
    let mut out = Vec::new();
    for name in &group.members {
        let servers = sites
            .iter()
            .zip(&per_site)
            .map(|(site, inv)| match inv {
                Ok(list) => match list.iter().find(|i| &i.name == name) {
                    Some(i) => ServerAtSite {
                        site: site.to_string(),
                        server_id: Some(i.server_id.clone()),
                        status: clean(&i.status),
                        flavor: Some(clean(&i.flavor)),
                        addresses: i.ports.iter().filter_map(|p| p.ip.clone()).collect(),
                        error: None,
                    },
                    None => ServerAtSite {
                        site: site.to_string(),
                        server_id: None,
                        status: "absent".into(),
                        flavor: None,
                        addresses: Vec::new(),
                        error: None,
                    },
                },
                Err(e) => ServerAtSite {
                    site: site.to_string(),
                    server_id: None,
                    status: "unknown".into(),
                    flavor: None,
                    addresses: Vec::new(),
                    error: Some(e.clone()),
                },
            })
            .collect();
        let at_primary = sites
            .iter()
            .position(|s| *s == primary)
            .and_then(|i| per_site[i].as_ref().ok())
            .and_then(|l| l.iter().find(|i| &i.name == name));
        let volumes = at_primary
            .map(|i| {
                i.volumes
                    .iter()
                    .map(|v| {
                        let replication = match &members_pg {
                            Ok(m) if m.contains(&v.array_volume) => {
                                if state.status == GroupStatus::FailedOver || state.needs_resync {
                                    "replication stopped".to_string()
                                } else {
                                    "replicating".to_string()
                                }
                            }
                            Ok(_) => "not in protection group".to_string(),
                            Err(e) => format!("unknown: {e}"),
                        };
                        VolumePairView {
                            name: clean(&v.name),
                            size_gb: v.size_gb,
                            bootable: v.bootable,
                            volume_type: clean(&v.volume_type),
                            source_array_volume: clean(&v.array_volume),
                            target: target_array.clone(),
                            replication,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(InstanceView {
            name: name.clone(),
            group: group.name.clone(),
            servers,
            volumes,
        });
    }
    out
}
