//! Plan builders: from a group's definition, what was discovered at the source, and the operator's
//! options, the DAG of steps for each operation type. Pure functions, unit-tested on their shape.

mod builder;
#[cfg(test)]
mod tests;

pub use builder::build_plan;

use crate::config::GroupConfig;
use crate::domain::{InstanceInfo, OperationType};
use std::collections::BTreeMap;

/// What the operator chose for this run.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
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

    pub fn flavor_mapping(&self) -> BTreeMap<String, String> {
        self.mapping(&self.group.flavor_mapping, &self.options.flavor_mapping)
    }
}
