//! What a caller asks of the engine, and how the engine says no.

use crate::domain::{OperationType, PointChoice, Rejection};
use crate::orchestrator::plan::PlanError;
use crate::orchestrator::site_runner::StateError;
use crate::store::StoreError;
use std::collections::BTreeMap;
use thiserror::Error;

/// An operation to start (or to check), as the CLI flags or the console's dialog chose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRequest {
    pub operation: OperationType,
    pub group: String,
    /// Unplanned failover while the production site is unreachable.
    pub force: bool,
    /// Planned failover: stop the production servers as a step.
    pub stop_servers: bool,
    pub network_mapping: BTreeMap<String, String>,
    pub flavor_mapping: BTreeMap<String, String>,
    /// `--to SITE`: where the operator expects the group to go; another site is refused.
    pub to: Option<String>,
    /// A drill may land on a production network.
    pub allow_production_network: bool,
    /// `--recovery-point`: the arrived snapshot an unplanned failover or a drill recovers from
    /// (`None`: the newest when it starts).
    pub recovery_point: Option<PointChoice>,
    /// A drill keeps production running (the default); `false` quiesces (stops) it for the
    /// drill's duration, and the cleanup starts it again.
    pub retain_primary: bool,
    /// A failback makes the original primary replicate to the other side again (the default);
    /// `false` leaves replication stopped (the group then needs a `sync`).
    pub reverse_replication: bool,
    /// `--floating-ip-mapping ADDR=NEW|auto`: floating IP addresses the target cannot keep.
    pub floating_ip_mapping: BTreeMap<String, String>,
}

impl OperationRequest {
    pub fn new(operation: OperationType, group: impl Into<String>) -> Self {
        Self {
            operation,
            group: group.into(),
            force: false,
            stop_servers: true,
            network_mapping: BTreeMap::new(),
            flavor_mapping: BTreeMap::new(),
            to: None,
            allow_production_network: false,
            recovery_point: None,
            retain_primary: true,
            reverse_replication: true,
            floating_ip_mapping: BTreeMap::new(),
        }
    }
}

impl OperationRequest {
    /// Refuse an option the operation has no use for: no flag is accepted that does nothing.
    pub fn validate_options(&self) -> Result<(), EngineError> {
        let op = self.operation;
        match self
            .flag_rules()
            .iter()
            .find(|(misplaced, _, _)| *misplaced)
        {
            Some((_, flag, applies)) => Err(EngineError::Rejected(format!(
                "{flag} does not apply to {} ({}); it applies to {applies}",
                op.label(),
                op.verb()
            ))),
            None => Ok(()),
        }
    }

    /// Each flag: given where it does not apply, its name, and where it applies.
    fn flag_rules(&self) -> [(bool, &'static str, &'static str); 9] {
        use OperationType as O;
        let op = self.operation;
        let moves = matches!(
            op,
            O::PlannedFailover | O::Failover | O::Failback | O::TestFailover
        );
        [
            (
                self.force && op != O::Failover,
                "--force",
                "an unplanned failover (failover --unplanned --force)",
            ),
            (
                !self.stop_servers && op != O::PlannedFailover,
                "--no-stop-servers",
                "a planned failover",
            ),
            (
                !self.network_mapping.is_empty() && !moves,
                "--network-mapping",
                "failover, failback and test-failover",
            ),
            (
                !self.flavor_mapping.is_empty() && !moves,
                "--flavor-mapping",
                "failover, failback and test-failover",
            ),
            (
                self.recovery_point.is_some() && !matches!(op, O::Failover | O::TestFailover),
                "--recovery-point",
                "an unplanned failover and a test failover (a planned move recovers from its final sync)",
            ),
            (
                !self.floating_ip_mapping.is_empty()
                    && !matches!(op, O::PlannedFailover | O::Failover | O::Failback),
                "--floating-ip-mapping",
                "planned-failover, failover and failback (a drill never takes floating IPs)",
            ),
            (
                self.allow_production_network && op != O::TestFailover,
                "--allow-production-network",
                "test-failover",
            ),
            (
                !self.retain_primary && op != O::TestFailover,
                "--retain-primary=false",
                "test-failover",
            ),
            (
                !self.reverse_replication && op != O::Failback,
                "--reverse-replication=false",
                "failback",
            ),
        ]
    }
}

impl OperationRequest {
    /// The options as the confirmation names them (CLI and console alike), for a run from
    /// `source` to `target`.
    pub fn describe_options(&self, source: &str, target: &str) -> Vec<String> {
        use OperationType as O;
        let mut out = Vec::new();
        if self.force {
            out.push(format!(
                "forced: goes on without {source} if it does not answer"
            ));
        }
        match self.operation {
            O::PlannedFailover if self.stop_servers => {
                out.push(format!("stops the servers at {source} first"))
            }
            O::PlannedFailover => out.push(format!("the servers at {source} must be stopped")),
            O::Failback if self.reverse_replication => out.push(format!(
                "reverse replication: {target} replicates to {source} afterwards"
            )),
            O::Failback => out.push(format!(
                "no reverse replication: replication stays stopped afterwards (run sync to \
                 protect {} again)",
                self.group
            )),
            O::TestFailover if self.retain_primary => out.push(format!(
                "retain primary: production keeps running at {source}"
            )),
            O::TestFailover => out.push(format!(
                "quiesce primary: production at {source} is stopped for the drill and started \
                 again by test-cleanup"
            )),
            _ => {}
        }
        if let Some(p) = &self.recovery_point {
            out.push(format!("recovery point {p}"));
        }
        let pairs = |m: &BTreeMap<String, String>| {
            m.iter()
                .map(|(a, b)| format!("{a}={b}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.network_mapping.is_empty() {
            out.push(format!("networks {}", pairs(&self.network_mapping)));
        }
        if !self.flavor_mapping.is_empty() {
            out.push(format!("flavors {}", pairs(&self.flavor_mapping)));
        }
        if !self.floating_ip_mapping.is_empty() {
            out.push(format!("floating IPs {}", pairs(&self.floating_ip_mapping)));
        }
        if self.allow_production_network {
            out.push("may land on production networks".into());
        }
        out
    }
}

#[derive(Debug, Error)]
pub enum EngineError {
    /// The operation may not start: the state machine, the lock or a precondition says no.
    #[error("{0}")]
    Rejected(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("journal: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Failed(String),
    /// A journaled plan that does not hold together (it was checked before it was journaled).
    #[error(transparent)]
    Plan(#[from] PlanError),
}

impl From<StateError> for EngineError {
    fn from(e: StateError) -> Self {
        match e {
            StateError::Journal(e) => EngineError::Store(e),
            other => EngineError::Failed(other.to_string()),
        }
    }
}

impl From<Rejection> for EngineError {
    fn from(r: Rejection) -> Self {
        EngineError::Rejected(r.to_string())
    }
}
