//! Plan builders: from a group's definition, what was discovered at the source, and the operator's
//! options, the DAG of steps for each operation type, one file per operation family, sharing the
//! recovery fragment (volumes, ports, servers in boot-order waves). Pure functions, unit-tested on
//! their shape.

mod drill;
mod failback;
mod failover;
mod fence;
mod floating;
#[cfg(test)]
mod floating_tests;
#[cfg(test)]
mod outage_tests;
mod recovery;
mod reprotect;
mod sync;
#[cfg(test)]
mod tests;

pub use floating::{AUTO as FLOATING_IP_AUTO, moves as floating_ip_moves};

use crate::config::GroupConfig;
use crate::domain::{InstanceInfo, OperationType, Phase, PointChoice};
use crate::orchestrator::plan::{Plan, RetryPolicy, StepSpec};
use crate::orchestrator::step::StepId;
use crate::orchestrator::steps::{RetireInstances, SelectSnapshot, SwapPrimary, ValidateSites};
use std::collections::BTreeMap;
use std::time::Duration;

/// Array copies and Cinder manages of a whole group.
const STORAGE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// A wave's boots, and a drill's cleanup.
const BOOT_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// What the operator chose for this run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OperationOptions {
    /// Unplanned failover while the source is unreachable.
    pub force: bool,
    /// Planned failover: stop the production servers as a step (else they must already be stopped).
    pub stop_servers: bool,
    /// Extra network mappings (source name → target name), over the group's own.
    pub network_mapping: BTreeMap<String, String>,
    /// Extra flavor mappings (source name → target name), over the group's own.
    pub flavor_mapping: BTreeMap<String, String>,
    /// Test cleanup: the drill whose resources to remove.
    pub test_operation: Option<String>,
    /// Sync now after a forced failover: first make the running side replicate to the other.
    #[serde(default)]
    pub resync: bool,
    /// A drill may land on a production network (asked for explicitly).
    #[serde(default)]
    pub allow_production_network: bool,
    /// The arrived snapshot an unplanned failover or a drill recovers from (`None`: the newest).
    #[serde(default)]
    pub recovery_point: Option<PointChoice>,
    /// A drill keeps production running; `false` quiesces it (and its cleanup restarts it).
    #[serde(default = "yes")]
    pub retain_primary: bool,
    /// A failback restores replication from the original primary; `false` leaves it stopped.
    #[serde(default = "yes")]
    pub reverse_replication: bool,
    /// Floating IP addresses the target cannot hold (source address → target address, or
    /// `auto`: Neutron picks one).
    #[serde(default)]
    pub floating_ip_mapping: BTreeMap<String, String>,
}

/// Options journaled before a default-true option existed read as its default.
fn yes() -> bool {
    true
}

impl Default for OperationOptions {
    fn default() -> Self {
        Self {
            force: false,
            stop_servers: false,
            network_mapping: BTreeMap::new(),
            flavor_mapping: BTreeMap::new(),
            test_operation: None,
            resync: false,
            allow_production_network: false,
            recovery_point: None,
            retain_primary: true,
            reverse_replication: true,
            floating_ip_mapping: BTreeMap::new(),
        }
    }
}

/// Everything a plan is built from.
pub struct PlanInput<'a> {
    pub operation_id: &'a str,
    pub operation: OperationType,
    pub group: &'a GroupConfig,
    /// The site the workloads run on now, and the one they move to.
    pub source: &'a str,
    pub target: &'a str,
    /// The group's instances at the source (from discovery, or the last known copy when forced).
    pub inventory: &'a [InstanceInfo],
    pub options: &'a OperationOptions,
    /// How long a planned move's final sync may take (`[operations]
    /// final_sync_timeout_seconds`): past it the move fails and rolls back.
    pub final_sync_timeout: Duration,
}

pub fn build_plan(input: &PlanInput) -> Plan {
    match input.operation {
        OperationType::PlannedFailover => failover::planned(input),
        OperationType::Failover => failover::unplanned(input),
        OperationType::Failback => failback::plan(input),
        OperationType::Reprotect => reprotect::plan(input),
        OperationType::TestFailover => drill::test_failover(input),
        OperationType::TestCleanup => drill::test_cleanup(input),
        OperationType::SyncNow => sync::plan(input),
        OperationType::Fence => fence::plan(input),
    }
}

impl PlanInput<'_> {
    /// Mappings go primary → secondary in the config; moving back to the primary reverses them.
    fn mapping(
        &self,
        configured: &BTreeMap<String, String>,
        extra: &BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
        let mut map: BTreeMap<String, String> = if self.source == self.group.primary_site {
            configured.clone()
        } else {
            configured
                .iter()
                .map(|(a, b)| (b.clone(), a.clone()))
                .collect()
        };
        map.extend(extra.iter().map(|(a, b)| (a.clone(), b.clone())));
        map
    }

    pub fn network_mapping(&self) -> BTreeMap<String, String> {
        let configured = if self.operation == OperationType::TestFailover {
            &self.group.test_network_mapping
        } else {
            &self.group.network_mapping
        };
        self.mapping(configured, &self.options.network_mapping)
    }

    /// Where a failover (never a drill) lands each source network: the group's own mapping in
    /// this direction. Its targets are production networks.
    pub fn failover_network_mapping(&self) -> BTreeMap<String, String> {
        self.mapping(&self.group.network_mapping, &BTreeMap::new())
    }

    pub fn flavor_mapping(&self) -> BTreeMap<String, String> {
        self.mapping(&self.group.flavor_mapping, &self.options.flavor_mapping)
    }

    /// The group's servers, by name.
    fn servers(&self) -> Vec<String> {
        self.inventory.iter().map(|i| i.name.clone()).collect()
    }
}

/// Every plan starts here: both sites answer (only the target, for a forced failover and for a
/// fence, whose target is the side it stops).
fn validate(input: &PlanInput) -> StepSpec {
    let force = (input.operation == OperationType::Failover && input.options.force)
        || input.operation == OperationType::Fence;
    let step = ValidateSites {
        source: input.source.into(),
        target: input.target.into(),
        force,
    };
    StepSpec::new(StepId::validate_sites(), step, Phase::Preparation)
        .timeout(Duration::from_secs(120))
}

fn select_snapshot(input: &PlanInput, after: StepId) -> StepSpec {
    let step = SelectSnapshot {
        source: input.source.into(),
        target: input.target.into(),
        array_pg: input.group.array_pg.clone(),
        point: input.options.recovery_point.clone(),
    };
    StepSpec::new(StepId::select_snapshot(), step, Phase::Storage).after([after])
}

/// The new primary recorded: the point of no return of every move.
fn swap_primary(new_primary: &str, after: impl IntoIterator<Item = StepId>) -> StepSpec {
    let step = SwapPrimary {
        new_primary: new_primary.into(),
    };
    StepSpec::new(StepId::swap_primary(), step, Phase::Finalization)
        .after(after)
        .retry(RetryPolicy::DEFAULT)
        .point_of_no_return()
}

/// The old primary's copies deleted once the new side runs (after the swap: never undone).
fn retire_source(input: &PlanInput) -> StepSpec {
    let step = RetireInstances {
        site: input.source.into(),
        servers: input.servers(),
    };
    StepSpec::new(StepId::retire_source_instances(), step, Phase::Finalization)
        .after([StepId::swap_primary()])
}

/// Stale copies at the target deleted before anything is made there: a point of no return.
fn retire_stale(input: &PlanInput) -> StepSpec {
    let step = RetireInstances {
        site: input.target.into(),
        servers: input.servers(),
    };
    StepSpec::new(StepId::retire_stale_copies(), step, Phase::Preparation)
        .after([StepId::validate_sites()])
        .point_of_no_return()
}

/// A short, stable tag of the operation for names it creates (so a retry finds its own).
pub fn short_id(operation_id: &str) -> String {
    let clean: String = operation_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    clean[clean.len().saturating_sub(8)..].to_string()
}
