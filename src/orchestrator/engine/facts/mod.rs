//! Gathering the facts a precondition checklist is evaluated on, and the inventory a plan is
//! built from (kept on disk as the last known copy, for a forced failover while the source is down).

use super::{Engine, EngineError, OperationRequest};
use crate::config::GroupConfig;
use crate::domain::{
    Check, CheckOptions, Facts, GroupState, InstanceInfo, OperationType, evaluate,
};
use crate::orchestrator::discovery;
use crate::sanitize::clean;
use chrono::Utc;
use std::collections::BTreeSet;

/// The sites an operation moves from and to: from the current primary to the other site.
pub(crate) fn endpoints(group: &GroupConfig, state: &GroupState) -> (String, String) {
    let source = state.current_primary.clone();
    let target = group.other_site(&source).to_string();
    (source, target)
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
}

impl Engine {
    /// The precondition checklist for a request, changing nothing.
    pub async fn check(&self, req: &OperationRequest) -> Result<Vec<Check>, EngineError> {
        let group = self.group_config(&req.group)?.clone();
        let state = self.group_state(&req.group).await?;
        let gathered = self.gather(req, &group, &state).await;
        Ok(evaluate(
            req.operation,
            &gathered.facts,
            CheckOptions {
                force: req.force,
                stop_servers: req.stop_servers,
            },
        ))
    }

    pub(crate) async fn gather(
        &self,
        req: &OperationRequest,
        group: &GroupConfig,
        state: &GroupState,
    ) -> Gathered {
        let (source, target) = endpoints(group, state);
        let mut facts = Facts {
            source: source.clone(),
            target: target.clone(),
            rpo_target_seconds: group.rpo_target.as_secs() as i64,
            now: Some(Utc::now()),
            ..Facts::default()
        };
        let (src, dst) = match (self.clients.get(&source), self.clients.get(&target)) {
            (Some(s), Some(d)) => (s, d),
            _ => {
                facts.source_error = Some("the site is not configured".into());
                return Gathered {
                    facts,
                    inventory: Vec::new(),
                };
            }
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
        if sp.reachable {
            self.storage_facts(req, group, &inventory, &mut facts).await;
        }
        if dp.reachable {
            self.target_facts(req, group, &inventory, &mut facts).await;
        }
        Gathered { facts, inventory }
    }

    /// The group's instances at the source as discovered (and kept), or the last known copy
    /// when the source cannot be read.
    async fn source_inventory(
        &self,
        group: &GroupConfig,
        source: &str,
        src: &crate::providers::SiteClient,
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

    async fn storage_facts(
        &self,
        req: &OperationRequest,
        group: &GroupConfig,
        inventory: &[InstanceInfo],
        facts: &mut Facts,
    ) {
        let Some(src) = self.clients.get(&facts.source) else {
            return;
        };
        // Failback and reprotect set replication up themselves: pairs are not a precondition.
        if !matches!(
            req.operation,
            OperationType::Failback | OperationType::Reprotect
        ) {
            match src.array().pg_volumes(&group.array_pg).await {
                Ok(members) => {
                    let members: BTreeSet<String> = members.into_iter().map(|m| m.member).collect();
                    facts.unreplicated_volumes = inventory
                        .iter()
                        .flat_map(|i| i.volumes.iter())
                        .filter(|v| !members.contains(&v.array_volume))
                        .map(|v| v.name.clone())
                        .collect();
                }
                Err(e) => facts.unreplicated_volumes = vec![clean(&e.to_string())],
            }
        }
        if let Ok(types) = src.volume().list_volume_types().await {
            let used: BTreeSet<&str> = inventory
                .iter()
                .flat_map(|i| i.volumes.iter().map(|v| v.volume_type.as_str()))
                .collect();
            facts.unreplicable_types = types
                .iter()
                .filter(|t| used.contains(t.name.as_str()) && !t.replication_enabled)
                .map(|t| t.name.clone())
                .collect();
        }
    }

    async fn target_facts(
        &self,
        req: &OperationRequest,
        group: &GroupConfig,
        inventory: &[InstanceInfo],
        facts: &mut Facts,
    ) {
        let Some(dst) = self.clients.get(&facts.target) else {
            return;
        };
        let options = self.plan_options(req);
        let input = crate::orchestrator::plans::PlanInput {
            operation_id: "",
            operation: req.operation,
            group,
            source: &facts.source,
            target: &facts.target,
            inventory,
            options: &options,
        };
        let networks = input.network_mapping();
        let flavors = input.flavor_mapping();
        if let Ok(have) = dst.network().list_networks().await {
            let have: BTreeSet<String> = have.into_iter().map(|n| n.name).collect();
            let want: BTreeSet<String> = inventory
                .iter()
                .flat_map(|i| i.ports.iter())
                .map(|p| {
                    networks
                        .get(&p.network)
                        .cloned()
                        .unwrap_or(p.network.clone())
                })
                .collect();
            facts.missing_networks = want.difference(&have).cloned().collect();
        }
        if let Ok(have) = dst.compute().list_flavors().await {
            let have: BTreeSet<String> = have.into_iter().map(|f| f.name).collect();
            let want: BTreeSet<String> = inventory
                .iter()
                .map(|i| flavors.get(&i.flavor).cloned().unwrap_or(i.flavor.clone()))
                .collect();
            facts.missing_flavors = want.difference(&have).cloned().collect();
        }
        if let Ok(t) =
            discovery::newest_arrival(&self.clients, &facts.source, &facts.target, &group.array_pg)
                .await
        {
            facts.newest_arrival = t;
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
