//! What a step does, with its parameters, in the seeds' vocabulary. Pure data: a plan of these is
//! journaled, and on resume the same steps are rebuilt from it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepKind {
    /// Both sites answer and the preconditions still hold.
    ValidateSites,
    /// A step that does nothing but succeed (tests, and joins in a DAG).
    Noop { name: String },
}

impl StepKind {
    /// The step's name in the seeds' vocabulary (`final_sync`, `create_server`, …).
    pub fn name(&self) -> &str {
        match self {
            StepKind::ValidateSites => "validate_sites",
            StepKind::Noop { name } => name,
        }
    }

    /// What the operator reads in the steps list.
    pub fn label(&self) -> String {
        self.name().to_string()
    }
}
