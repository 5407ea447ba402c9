//! What the target tells the checklist: whether every network and flavor the plan uses exists
//! there, the newest snapshot that has arrived, and for a drill the networks it lands on and
//! which of them are production's.

use super::super::{Engine, OperationRequest};
use crate::config::GroupConfig;
use crate::domain::{
    DrillNetworks, Facts, InstanceInfo, Listed, ManagePolicy, Observed, OperationType,
};
use crate::orchestrator::discovery;
use crate::orchestrator::plans::{OperationOptions, PlanInput};
use crate::providers::SiteClient;
use crate::sanitize::clean;
use std::collections::{BTreeMap, BTreeSet};

/// The target network each port of the inventory lands on under `mapping` (unmapped: its name).
fn landing(inventory: &[InstanceInfo], mapping: &BTreeMap<String, String>) -> BTreeSet<String> {
    inventory
        .iter()
        .flat_map(|i| i.ports.iter())
        .map(|p| {
            mapping
                .get(&p.network)
                .cloned()
                .unwrap_or(p.network.clone())
        })
        .collect()
}

/// The external networks a move's floating IPs land on (none for other operations).
fn floating_landing(input: &PlanInput) -> BTreeSet<String> {
    if !super::floating::moves_floating_ips(input.operation) {
        return BTreeSet::new();
    }
    let moves = crate::orchestrator::plans::floating_ip_moves(input);
    moves.into_iter().map(|m| m.network).collect()
}

/// The drill's networks and, of them, those a failover of the group lands on.
fn drill_networks(input: &PlanInput, inventory: &[InstanceInfo]) -> DrillNetworks {
    let used = landing(inventory, &input.network_mapping());
    let production = landing(inventory, &input.failover_network_mapping());
    DrillNetworks {
        production: used.intersection(&production).cloned().collect(),
        used: used.into_iter().collect(),
    }
}

/// Does the operation manage replicas into Cinder volumes at the target?
fn manages_volumes(op: OperationType) -> bool {
    use OperationType as O;
    matches!(
        op,
        O::PlannedFailover | O::Failover | O::Failback | O::TestFailover
    )
}

/// Ask the target's Cinder for its manageable volumes: the manage API answers, or its policy
/// refuses this project (403), or it could not be asked.
async fn manage_policy(dst: &SiteClient) -> Observed<ManagePolicy> {
    let host = dst.cinder_host().to_string();
    match dst.volume().list_manageable_volumes(&host).await {
        Ok(_) => Observed::Seen(ManagePolicy::Allowed { host: clean(&host) }),
        Err(e) if e.is_forbidden() => Observed::Seen(ManagePolicy::Forbidden {
            message: format!("403 on GET /manageable_volumes: {}", clean(&e.message)),
        }),
        Err(e) => Observed::NotChecked(clean(&e.to_string())),
    }
}

impl Engine {
    pub(super) async fn target_facts(
        &self,
        req: &OperationRequest,
        group: &GroupConfig,
        (inventory, options): (&[InstanceInfo], &OperationOptions),
        dst: &SiteClient,
        facts: &mut Facts,
    ) {
        let input = PlanInput {
            operation_id: "",
            operation: req.operation,
            group,
            source: &facts.source,
            target: &facts.target,
            inventory,
            options,
            final_sync_timeout: self.config.operations.final_sync_timeout,
        };
        let mut networks = landing(inventory, &input.network_mapping());
        networks.extend(floating_landing(&input));
        facts.missing_networks = match dst.network().list_networks().await {
            Ok(have) => {
                let have: BTreeSet<String> = have.into_iter().map(|n| n.name).collect();
                Observed::Seen(Listed {
                    bad: networks.difference(&have).cloned().collect(),
                    of: networks.len(),
                })
            }
            Err(e) => Observed::NotChecked(clean(&e.to_string())),
        };
        let flavors = input.flavor_mapping();
        facts.missing_flavors = match dst.compute().list_flavors().await {
            Ok(have) => {
                let have: BTreeSet<String> = have.into_iter().map(|f| f.name).collect();
                let want: BTreeSet<String> = inventory
                    .iter()
                    .map(|i| flavors.get(&i.flavor).cloned().unwrap_or(i.flavor.clone()))
                    .collect();
                Observed::Seen(Listed {
                    bad: want.difference(&have).cloned().collect(),
                    of: want.len(),
                })
            }
            Err(e) => Observed::NotChecked(clean(&e.to_string())),
        };
        facts.drill_networks = Observed::Seen(drill_networks(&input, inventory));
        facts.floating_ips = super::floating::plan(&input, dst).await;
        if manages_volumes(req.operation) {
            facts.manage_policy = manage_policy(dst).await;
        }
        if let Ok(points) =
            discovery::arrived_points(&self.clients, &facts.source, &facts.target, &group.array_pg)
                .await
        {
            facts.newest_arrival = points.last().map(|p| p.created);
            facts.points = points;
        }
        facts.point_choice = req.recovery_point.clone().unwrap_or_default();
    }
}
