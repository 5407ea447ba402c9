//! What the source tells the checklist: whether every volume is replicated and of a
//! replication-enabled type, and whether replication can deliver a final sync now (its transfers
//! looked at twice, a poll interval apart: a stall is a transfer that does not move).

use super::super::{Engine, OperationRequest};
use crate::config::GroupConfig;
use crate::domain::Facts;
use crate::domain::{InstanceInfo, Listed, Observed, OperationType, ReplicationHealth};
use crate::providers::SiteClient;
use crate::providers::array::Transfer;
use crate::sanitize::clean;
use chrono::Utc;
use std::collections::BTreeSet;

impl Engine {
    pub(super) async fn storage_facts(
        &self,
        req: &OperationRequest,
        group: &GroupConfig,
        inventory: &[InstanceInfo],
        src: &SiteClient,
        facts: &mut Facts,
    ) {
        let volumes: Vec<&crate::domain::VolumeInfo> =
            inventory.iter().flat_map(|i| i.volumes.iter()).collect();
        // Failback and reprotect set replication up themselves: pairs are not a precondition.
        if !matches!(
            req.operation,
            OperationType::Failback | OperationType::Reprotect
        ) {
            facts.unreplicated_volumes = match src.array().pg_volumes(&group.array_pg).await {
                Ok(members) => {
                    let members: BTreeSet<String> = members.into_iter().map(|m| m.member).collect();
                    Observed::Seen(Listed {
                        bad: volumes
                            .iter()
                            .filter(|v| !members.contains(&v.array_volume))
                            .map(|v| v.name.clone())
                            .collect(),
                        of: volumes.len(),
                    })
                }
                // The array's own answer blocks: a group it cannot show is not a safe one.
                Err(e) => Observed::Seen(Listed {
                    bad: vec![clean(&e.to_string())],
                    of: volumes.len(),
                }),
            };
        }
        facts.unreplicable_types = match src.volume().list_volume_types().await {
            Ok(types) => {
                let used: BTreeSet<&str> = volumes.iter().map(|v| v.volume_type.as_str()).collect();
                Observed::Seen(Listed {
                    bad: types
                        .iter()
                        .filter(|t| used.contains(t.name.as_str()) && !t.replication_enabled)
                        .map(|t| t.name.clone())
                        .collect(),
                    of: used.len(),
                })
            }
            Err(e) => Observed::NotChecked(clean(&e.to_string())),
        };
    }

    /// Does the source's array group replicate to the target, and do its transfers move?
    pub(super) async fn replication_health(
        &self,
        src: &SiteClient,
        dst: &SiteClient,
        array_pg: &str,
    ) -> Observed<ReplicationHealth> {
        let array = src.array();
        let targets = match array.pg_targets(array_pg).await {
            Ok(t) => t,
            Err(e) if e.is_not_found() => Vec::new(),
            Err(e) => return Observed::NotChecked(clean(&e.to_string())),
        };
        let running = targets
            .iter()
            .any(|t| t.target == dst.array_name() && t.allowed);
        if !running {
            return Observed::Seen(ReplicationHealth::default());
        }
        match in_flight_health(src, array_pg, self.opts.poll_interval).await {
            Ok(h) => Observed::Seen(h),
            Err(e) => Observed::NotChecked(clean(&e.to_string())),
        }
    }
}

/// The group's transfers not yet complete, read twice `gap` apart: moving, or stalled.
async fn in_flight_health(
    src: &SiteClient,
    array_pg: &str,
    gap: std::time::Duration,
) -> Result<ReplicationHealth, crate::providers::ProviderError> {
    let array = src.array();
    let snaps = array.pg_snapshots(array_pg).await?;
    let names: Vec<&str> = snaps
        .iter()
        .filter(|s| !s.destroyed)
        .map(|s| s.name.as_str())
        .collect();
    let first: Vec<Transfer> = if names.is_empty() {
        Vec::new()
    } else {
        array.transfers(&names).await?
    };
    let in_flight: Vec<&Transfer> = first.iter().filter(|t| t.completed.is_none()).collect();
    let mut health = ReplicationHealth {
        running: true,
        in_flight: in_flight.len(),
        progressing: true,
        oldest_in_flight_seconds: in_flight
            .iter()
            .filter_map(|t| t.started)
            .min()
            .map(|s| (Utc::now() - s).num_seconds().max(0)),
    };
    if in_flight.is_empty() {
        return Ok(health);
    }
    tokio::time::sleep(gap).await;
    let again_names: Vec<&str> = in_flight.iter().map(|t| t.name.as_str()).collect();
    let again = array.transfers(&again_names).await?;
    health.progressing = again.iter().any(|now| {
        in_flight.iter().any(|before| {
            before.name == now.name
                && (now.completed.is_some()
                    || now.progress > before.progress
                    || now.data_transferred > before.data_transferred)
        })
    });
    Ok(health)
}
