//! What a caller asks of the engine, and how the engine says no.

use crate::domain::{OperationType, Rejection};
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
        }
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
