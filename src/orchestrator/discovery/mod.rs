//! Discovery: what the sites say about the estate. Probes both sites at once, measures RPO from the
//! newest snapshot that has arrived at the replication target, and reads a group's instances
//! (servers, ports, volumes) at a site into the inventory plans are built from.

mod instances;
mod inventory;
mod points;
mod split_brain;

pub use instances::instances;
pub use inventory::inventory;
use points::arrival_and_schedule;
pub use points::{arrived_points, newest_arrival};
pub use split_brain::{look_of, site_look, split_brain};

use crate::config::{Config, GroupConfig, SiteConfig};
use crate::domain::split_brain::SiteLook;
use crate::domain::{
    ArrayView, EstateView, GroupState, GroupView, PeerSync, SiteView, SplitBrainFinding,
    direction_text, replicates,
};
use crate::providers::compute::Server;
use crate::providers::{ProviderError, SiteClient, SiteProbe};
use crate::sanitize::clean;
use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Why a site could not say what discovery asked.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error("{0} is not a configured site")]
    UnknownSite(String),
    #[error(transparent)]
    Provider(#[from] ProviderError),
}

/// The servers each reachable site answered with (or why it could not), by site.
pub type SiteServers = HashMap<String, Result<Vec<Server>, DiscoveryError>>;

/// What each site shows of servers and ports, for split-brain detection, by site (only sites that
/// answered both lists).
pub type Looks = HashMap<String, SiteLook>;

/// Probe every site concurrently; an unreachable site is reported, never an error.
pub async fn probe_sites(config: &Config, clients: &HashMap<String, SiteClient>) -> Vec<SiteView> {
    probe_with_servers(config, clients)
        .await
        .into_iter()
        .map(|(view, _)| view)
        .collect()
}

/// Each site's view with the servers its compute probe listed (or why compute refused); none when
/// the site was not reached.
async fn probe_with_servers(
    config: &Config,
    clients: &HashMap<String, SiteClient>,
) -> Vec<(SiteView, Option<Result<Vec<Server>, DiscoveryError>>)> {
    let sites: Vec<(&SiteConfig, &SiteClient)> = config
        .sites
        .iter()
        .filter_map(|s| clients.get(&s.name).map(|c| (s, c)))
        .collect();
    let probes = join_all(sites.iter().map(|(_, c)| c.probe())).await;
    sites
        .iter()
        .zip(probes)
        .map(|((site, _), mut probe)| {
            let servers = probe
                .servers
                .take()
                .map(|listed| listed.map_err(DiscoveryError::from));
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

/// Each configured group's journaled state (its initial state when it was never operated).
fn in_config_order(config: &Config, states: &HashMap<String, GroupState>) -> Vec<GroupState> {
    config
        .groups
        .iter()
        .map(|g| {
            states
                .get(&g.name)
                .cloned()
                .unwrap_or_else(|| GroupState::initial(&g.name, &g.primary_site))
        })
        .collect()
}

/// What `status` found at the sites, shared by every group's line: the sites, the servers each
/// compute probe listed, and each site's servers and ports for split-brain detection.
pub struct Found<'a> {
    pub sites: &'a [SiteView],
    pub servers: &'a SiteServers,
    pub looks: &'a Looks,
}

/// One group's line in `status`: its journaled state, RPO now, how many members run and any
/// split-brain; `arrival` is the newest snapshot at the secondary.
pub fn group_view(
    group: &GroupConfig,
    state: &GroupState,
    found: &Found,
    arrival: Result<Option<DateTime<Utc>>, DiscoveryError>,
) -> GroupView {
    let (sites, servers) = (found.sites, found.servers);
    let primary = state.current_primary.clone();
    let secondary = group.other_site(&primary).to_string();
    let reachable = |name: &str| sites.iter().any(|s| s.name == name && s.reachable);
    let mut errors = Vec::new();
    let rpo_seconds = if reachable(&secondary) {
        rpo_of(group, &secondary, arrival, &mut errors)
    } else {
        errors.push(format!("{secondary} is unreachable: RPO unknown"));
        None
    };
    let (instances, missing_members) = members_at(group, servers.get(&primary), &mut errors);
    // Before `error` is made: a split-brain that could not be checked says so there.
    let split_brain = group_split_brain(group, found.looks, &mut errors);
    let rpo_target = group.rpo_target.as_secs();
    let peer_sync = PeerSync::of(
        &secondary,
        reachable(&secondary),
        state,
        (rpo_seconds, rpo_target),
    );
    GroupView {
        name: group.name.clone(),
        status: state.status,
        primary_site: group.primary_site.clone(),
        secondary_site: group.secondary_site.clone(),
        current_primary: primary.clone(),
        direction: direction_text(&primary, &secondary, replicates(state)),
        rpo_seconds,
        rpo_target_seconds: rpo_target,
        instances,
        error: (!errors.is_empty()).then(|| errors.join("; ")),
        needs_resync: state.needs_resync,
        attention: state.attention.clone(),
        last_operation: state.last_operation.clone(),
        replication_interval_seconds: None,
        fence_pending: state.fence_pending.clone(),
        split_brain,
        missing_members,
        failover_count: state.failover_count,
        peer_sync: Some(peer_sync),
    }
}

/// Members found at the primary, and those it does not have (only when it listed its servers);
/// the configured count when it cannot be asked.
fn members_at(
    group: &GroupConfig,
    listed: Option<&Result<Vec<Server>, DiscoveryError>>,
    errors: &mut Vec<String>,
) -> (usize, Vec<String>) {
    match listed {
        Some(Ok(list)) => {
            let there: HashSet<&str> = list.iter().map(|s| s.name.as_str()).collect();
            let missing: Vec<String> = group
                .members
                .iter()
                .filter(|m| !there.contains(m.as_str()))
                .cloned()
                .collect();
            (group.members.len() - missing.len(), missing)
        }
        Some(Err(e)) => {
            errors.push(clean(&e.to_string()));
            (group.members.len(), Vec::new())
        }
        None => (group.members.len(), Vec::new()),
    }
}

/// Now − the newest snapshot that has arrived at `secondary`; why not, in `errors`.
fn rpo_of(
    group: &GroupConfig,
    secondary: &str,
    arrival: Result<Option<DateTime<Utc>>, DiscoveryError>,
    errors: &mut Vec<String>,
) -> Option<i64> {
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
            errors.push(clean(&e.to_string()));
            None
        }
    }
}

/// The group's split-brain when both its sites answered; else why it was not checked.
fn group_split_brain(
    group: &GroupConfig,
    looks: &Looks,
    errors: &mut Vec<String>,
) -> Vec<SplitBrainFinding> {
    for site in [&group.primary_site, &group.secondary_site] {
        if !looks.contains_key(site) {
            errors.push(format!("split-brain not checked: {site} does not answer"));
            return Vec::new();
        }
    }
    split_brain::of_group(group, looks).unwrap_or_default()
}

/// Each site's ports (one list call a site, asked while the sites are probed).
async fn site_ports(
    config: &Config,
    clients: &HashMap<String, SiteClient>,
) -> HashMap<String, Vec<crate::providers::network::Port>> {
    let all = Default::default();
    let listed = join_all(config.sites.iter().filter_map(|s| {
        let client = clients.get(&s.name)?;
        let all = &all;
        Some(async move {
            let network = client.network();
            (s.name.clone(), network.list_ports(all).await)
        })
    }))
    .await;
    listed
        .into_iter()
        .filter_map(|(site, ports)| Some((site, ports.ok()?)))
        .collect()
}

/// Probe the sites and describe every group. The groups' snapshot lists and the sites' ports are
/// asked for while the sites are probed, and the probes' server lists are reused: no call waits
/// for another that it does not need. `drills` are the journal's drills, whose servers are
/// isolated copies and never split-brain.
pub async fn estate(
    config: &Config,
    clients: &HashMap<String, SiteClient>,
    states: &HashMap<String, GroupState>,
    drills: &BTreeSet<String>,
) -> EstateView {
    let states = in_config_order(config, states);
    let arrivals = join_all(
        config
            .groups
            .iter()
            .zip(&states)
            .map(|(g, state)| arrival_and_schedule(clients, g, state)),
    );
    let (probed, arrivals, mut ports) = tokio::join!(
        probe_with_servers(config, clients),
        arrivals,
        site_ports(config, clients)
    );
    let (mut servers, mut looks) = (SiteServers::new(), Looks::new());
    let mut sites = Vec::new();
    for (view, listed) in probed {
        if let (Some(Ok(list)), Some(p)) = (&listed, ports.remove(&view.name)) {
            looks.insert(view.name.clone(), look_of(&view.name, list, &p, drills));
        }
        if let Some(listed) = listed {
            servers.insert(view.name.clone(), listed);
        }
        sites.push(view);
    }
    let found = Found {
        sites: &sites,
        servers: &servers,
        looks: &looks,
    };
    let views = config
        .groups
        .iter()
        .zip(states)
        .zip(arrivals)
        .map(|((g, state), (arrival, every))| {
            let mut view = group_view(g, &state, &found, arrival);
            view.replication_interval_seconds = every;
            view
        })
        .collect();
    EstateView {
        sites,
        protection_groups: views,
        refreshed_at: Utc::now(),
    }
}
