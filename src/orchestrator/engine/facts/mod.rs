//! Gathering the facts a precondition checklist is evaluated on, and the inventory a plan is
//! built from (kept on disk as the last known copy, for a forced failover while the source is
//! down). What could not be looked at is recorded as not checked, never as fine.

mod floating;
mod mappings;
mod source;
mod standing;
mod target;

pub(crate) use mappings::Resolved;

use super::{Engine, EngineError, OperationRequest};
use crate::config::GroupConfig;
use crate::domain::{
    Check, CheckOptions, CheckReport, Facts, GroupState, InstanceInfo, Observed, OperationType,
    RecoveryPoints, evaluate,
};
use crate::orchestrator::discovery;
use crate::orchestrator::plans::OperationOptions;
use crate::providers::SiteClient;
use crate::sanitize::clean;
use chrono::Utc;
use std::collections::BTreeSet;

/// The sites an operation moves from and to: from the current primary to the other site.
pub(crate) fn endpoints(group: &GroupConfig, state: &GroupState) -> (String, String) {
    let source = state.current_primary.clone();
    let target = group.other_site(&source).to_string();
    (source, target)
}

/// Does the operation recover from an arrived snapshot the operator may choose?
pub(crate) fn recovers_from_point(op: OperationType) -> bool {
    matches!(op, OperationType::Failover | OperationType::TestFailover)
}

/// The options of a request that change which checks apply.
pub(crate) fn check_options(req: &OperationRequest) -> CheckOptions {
    CheckOptions {
        force: req.force,
        stop_servers: req.stop_servers,
        allow_production_network: req.allow_production_network,
    }
}

/// Members missing at the source (or no inventory at all for a forced failover), and the ones
/// still running.
fn member_facts(
    req: &OperationRequest,
    group: &GroupConfig,
    source_reachable: bool,
    inventory: &[InstanceInfo],
    facts: &mut Facts,
) {
    let found: BTreeSet<&str> = inventory.iter().map(|i| i.name.as_str()).collect();
    if source_reachable {
        facts.missing_members = group
            .members
            .iter()
            .filter(|m| !found.contains(m.as_str()))
            .cloned()
            .collect();
    } else if inventory.is_empty() && req.operation == OperationType::Failover {
        facts.missing_members = vec![format!(
            "no inventory of {} is known from an earlier look at {}",
            group.name, facts.source
        )];
    }
    facts.members_found = inventory.len();
    facts.running_servers = inventory
        .iter()
        .filter(|i| i.status != "SHUTOFF")
        .map(|i| i.name.clone())
        .collect();
}

/// What discovery found for one request: the checklist's facts and the source inventory.
pub(crate) struct Gathered {
    pub facts: Facts,
    pub inventory: Vec<InstanceInfo>,
    /// The request's mappings resolved to names (the plan's), unknown keys dropped (and failed
    /// in the checklist).
    pub mappings: Resolved,
}

impl Engine {
    /// The precondition checklist for a request, changing nothing.
    pub async fn check(&self, req: &OperationRequest) -> Result<Vec<Check>, EngineError> {
        Ok(self.check_report(req).await?.checks)
    }

    /// The checklist and, for a recovery from a replicated snapshot, the arrived points with the
    /// chosen one: what `check` and the console's dialog show. Changes nothing.
    pub async fn check_report(&self, req: &OperationRequest) -> Result<CheckReport, EngineError> {
        req.validate_options()?;
        let group = self.group_config(&req.group)?.clone();
        let state = self.group_state(&req.group).await?;
        let gathered = self.gather(req, &group, &state).await;
        let facts = &gathered.facts;
        let recovery_points = recovers_from_point(req.operation).then(|| {
            RecoveryPoints::new(
                (&group.name, &facts.source, &facts.target),
                &facts.points,
                facts.now.unwrap_or_else(Utc::now),
                &facts.point_choice,
            )
        });
        Ok(CheckReport {
            checks: evaluate(req.operation, facts, check_options(req)),
            recovery_points,
        })
    }

    pub(crate) async fn gather(
        &self,
        req: &OperationRequest,
        group: &GroupConfig,
        state: &GroupState,
    ) -> Gathered {
        let (source, target) = endpoints(group, state);
        let mut facts = Facts {
            group: group.name.clone(),
            source: source.clone(),
            target: target.clone(),
            rpo_target_seconds: group.rpo_target.as_secs() as i64,
            now: Some(Utc::now()),
            final_sync_timeout_seconds: self.config.operations.final_sync_timeout.as_secs(),
            requested_target: req.to.clone(),
            attention: state.attention.clone(),
            ..Facts::default()
        };
        let (Some(src), Some(dst)) = (self.clients.get(&source), self.clients.get(&target)) else {
            facts.source_error = Some("the site is not configured".into());
            return Gathered {
                facts,
                inventory: Vec::new(),
                mappings: Resolved::default(),
            };
        };
        let (sp, dp) = tokio::join!(src.probe(), dst.probe());
        if !sp.reachable {
            facts.source_error = Some(clean(&sp.error.unwrap_or_else(|| "no answer".into())));
        }
        if !dp.reachable {
            facts.target_error = Some(clean(&dp.error.unwrap_or_else(|| "no answer".into())));
        }
        let inventory = self
            .source_inventory(group, &source, src, sp.reachable, &mut facts)
            .await;
        member_facts(req, group, sp.reachable, &inventory, &mut facts);
        let sites = Sites { src, dst };
        let mappings = self
            .resolve_mappings(req, &inventory, sites, &mut facts)
            .await;
        let mut options = self.plan_options(req);
        options.network_mapping = mappings.network.clone();
        options.flavor_mapping = mappings.flavor.clone();
        self.site_facts(req, group, (&inventory, &options), sites, &mut facts)
            .await;
        facts.split_brain = self.split_brain_of(group, &facts).await;
        Gathered {
            facts,
            inventory,
            mappings,
        }
    }

    /// What each side can tell, when it answers; what it cannot is recorded as not checked.
    async fn site_facts(
        &self,
        req: &OperationRequest,
        group: &GroupConfig,
        (inventory, options): (&[InstanceInfo], &OperationOptions),
        sites: Sites<'_>,
        facts: &mut Facts,
    ) {
        if req.operation == OperationType::Fence {
            return;
        }
        if facts.source_error.is_none() {
            self.storage_facts(req, group, inventory, sites.src, facts)
                .await;
            if matches!(
                req.operation,
                OperationType::PlannedFailover | OperationType::Failback
            ) {
                facts.replication = self
                    .replication_health(sites.src, sites.dst, &group.array_pg)
                    .await;
            }
        } else {
            let why = format!("{} does not answer", facts.source);
            facts.unreplicated_volumes = Observed::NotChecked(why.clone());
            facts.unreplicable_types = Observed::NotChecked(why.clone());
            facts.replication = Observed::NotChecked(why);
        }
        if facts.target_error.is_none() {
            self.target_facts(req, group, (inventory, options), sites.dst, facts)
                .await;
        } else {
            let why = format!("{} does not answer", facts.target);
            facts.missing_networks = Observed::NotChecked(why.clone());
            facts.missing_flavors = Observed::NotChecked(why.clone());
            facts.manage_policy = Observed::NotChecked(why.clone());
            if floating::moves_floating_ips(req.operation)
                && inventory
                    .iter()
                    .flat_map(|i| &i.ports)
                    .any(|p| p.floating_ip.is_some())
            {
                facts.floating_ips = Some(Observed::NotChecked(why.clone()));
            }
            facts.drill_networks = Observed::NotChecked(why);
        }
    }

    /// The group's instances at the source as discovered (and kept), or the last known copy
    /// when the source cannot be read.
    async fn source_inventory(
        &self,
        group: &GroupConfig,
        source: &str,
        src: &SiteClient,
        reachable: bool,
        facts: &mut Facts,
    ) -> Vec<InstanceInfo> {
        if !reachable {
            return self.load_inventory(&group.name, source);
        }
        match discovery::inventory(src, group).await {
            Ok(inv) => {
                self.save_inventory(&group.name, source, &inv);
                inv
            }
            Err(e) => {
                facts.source_error = Some(clean(&e.to_string()));
                self.load_inventory(&group.name, source)
            }
        }
    }

    fn inventory_path(&self, group: &str, site: &str) -> Option<std::path::PathBuf> {
        self.opts
            .cache_dir
            .as_ref()
            .map(|d| d.join("inventory").join(format!("{group}@{site}.json")))
    }

    /// Keep the last known inventory (atomically: write a temporary file, then rename).
    fn save_inventory(&self, group: &str, site: &str, inv: &[InstanceInfo]) {
        let Some(path) = self.inventory_path(group, site) else {
            return;
        };
        let Ok(json) = serde_json::to_vec_pretty(inv) else {
            return;
        };
        let tmp = path.with_extension("json.tmp");
        let result = path
            .parent()
            .map(std::fs::create_dir_all)
            .transpose()
            .and_then(|_| std::fs::write(&tmp, json))
            .and_then(|_| std::fs::rename(&tmp, &path));
        if let Err(e) = result {
            tracing::warn!(
                "could not keep the inventory of {group} at {}: {e}",
                path.display()
            );
        }
    }

    fn load_inventory(&self, group: &str, site: &str) -> Vec<InstanceInfo> {
        self.inventory_path(group, site)
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }
}

/// The two sites of a request: the one it leaves and the one it goes to.
#[derive(Clone, Copy)]
struct Sites<'a> {
    src: &'a SiteClient,
    dst: &'a SiteClient,
}
