//! Discovery: what the sites say about the estate. Probes both sites at once, measures RPO from the
//! newest snapshot that has arrived at the replication target, and reads a group's instances
//! (servers, ports, volumes) at a site into the inventory plans are built from.

mod instances;
mod inventory;
mod split_brain;

pub use instances::instances;
pub use inventory::inventory;
pub use split_brain::{look_of, site_look, split_brain};

use crate::config::{Config, GroupConfig, SiteConfig};
use crate::domain::split_brain::SiteLook;
use crate::domain::{ArrayView, EstateView, GroupState, GroupStatus, GroupView, SiteView};
use crate::providers::{ProviderError, SiteClient, SiteProbe};
use crate::sanitize::clean;
use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use std::collections::{BTreeSet, HashMap};

/// Why a site could not say what discovery asked.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error("{0} is not a configured site")]
    UnknownSite(String),
    #[error(transparent)]
    Provider(#[from] ProviderError),
}

/// What each reachable site answered with of servers and ports (or why it could not), by site.
pub type Looks = HashMap<String, Result<SiteLook, DiscoveryError>>;

/// Probe every site concurrently; an unreachable site is reported, never an error.
pub async fn probe_sites(config: &Config, clients: &HashMap<String, SiteClient>) -> Vec<SiteView> {
    let sites: Vec<(&SiteConfig, &SiteClient)> = config
        .sites
        .iter()
        .filter_map(|s| clients.get(&s.name).map(|c| (s, c)))
        .collect();
    let probes = join_all(sites.iter().map(|(_, c)| c.probe())).await;
    sites
        .iter()
        .zip(probes)
        .map(|((site, _), probe)| site_view(site, probe))
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
) -> Result<Option<DateTime<Utc>>, DiscoveryError> {
    let src = clients
        .get(source)
        .ok_or_else(|| DiscoveryError::UnknownSite(source.to_string()))?;
    let client = clients
        .get(target)
        .ok_or_else(|| DiscoveryError::UnknownSite(target.to_string()))?;
    let src_array = src.array_name();
    let snaps = match client
        .array()
        .pg_snapshots(&format!("{src_array}:{array_pg}"))
        .await
    {
        Ok(s) => s,
        // Nothing of the group has arrived yet: the replicated group does not exist there.
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    Ok(snaps
        .iter()
        .filter(|s| !s.destroyed)
        .filter_map(|s| s.created)
        .max())
}

/// One group's line in `status`: its journaled state, RPO now, how many members run, and any
/// split-brain. `looks` holds what each reachable site answered with (one list call of servers
/// and one of ports a site, shared by every group).
pub async fn group_view(
    clients: &HashMap<String, SiteClient>,
    group: &GroupConfig,
    state: &GroupState,
    sites: &[SiteView],
    looks: &Looks,
) -> GroupView {
    let primary = state.current_primary.clone();
    let secondary = group.other_site(&primary).to_string();
    let replicating = !matches!(state.status, GroupStatus::FailedOver) && !state.needs_resync;
    let arrow = if replicating { "⇢" } else { "⇸" };
    let reachable = sites.iter().any(|s| s.name == secondary && s.reachable);
    let mut errors = Vec::new();
    let rpo_seconds = if reachable {
        rpo_now(clients, group, (&primary, &secondary), &mut errors).await
    } else {
        errors.push(format!("{secondary} is unreachable: RPO unknown"));
        None
    };
    // Members running at the primary; the configured count when it cannot be asked.
    let instances = match looks.get(&primary) {
        Some(Ok(look)) => look
            .servers
            .iter()
            .filter(|s| !s.drill && group.members.contains(&s.name))
            .count(),
        Some(Err(e)) => {
            errors.push(clean(&e.to_string()));
            group.members.len()
        }
        None => group.members.len(),
    };
    let split_brain = group_split_brain(group, looks, &mut errors);
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
        fence_pending: state.fence_pending.clone(),
        split_brain,
    }
}

/// Now − the newest snapshot arrived at the secondary; why it is unknown goes to `errors`.
async fn rpo_now(
    clients: &HashMap<String, SiteClient>,
    group: &GroupConfig,
    (primary, secondary): (&str, &str),
    errors: &mut Vec<String>,
) -> Option<i64> {
    match newest_arrival(clients, primary, secondary, &group.array_pg).await {
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
) -> Vec<crate::domain::SplitBrainFinding> {
    let mut seen = HashMap::new();
    for site in [&group.primary_site, &group.secondary_site] {
        match looks.get(site) {
            Some(Ok(look)) => {
                seen.insert(site.clone(), look.clone());
            }
            _ => {
                errors.push(format!("split-brain not checked: {site} does not answer"));
                return Vec::new();
            }
        }
    }
    split_brain::of_group(group, &seen).unwrap_or_default()
}

/// Probe the sites and describe every group. `drills` are the journal's drills, whose servers
/// are isolated copies and never split-brain.
pub async fn estate(
    config: &Config,
    clients: &HashMap<String, SiteClient>,
    states: &HashMap<String, GroupState>,
    drills: &BTreeSet<String>,
) -> EstateView {
    let sites = probe_sites(config, clients).await;
    let reachable: Vec<&str> = sites
        .iter()
        .filter(|s| s.reachable)
        .map(|s| s.name.as_str())
        .collect();
    let listed = join_all(reachable.iter().filter_map(|name| {
        let client = clients.get(*name)?;
        Some(async move { (name.to_string(), site_look(client, name, drills).await) })
    }))
    .await;
    let looks: Looks = listed.into_iter().collect();
    let views = join_all(config.groups.iter().map(|g| {
        let state = states
            .get(&g.name)
            .cloned()
            .unwrap_or_else(|| GroupState::initial(&g.name, &g.primary_site));
        let (sites, looks) = (&sites, &looks);
        async move { group_view(clients, g, &state, sites, looks).await }
    }))
    .await;
    EstateView {
        sites,
        protection_groups: views,
        refreshed_at: Utc::now(),
    }
}
