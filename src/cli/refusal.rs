//! A refusal as `--json` prints it, on stdout where a script reads the answer:
//! `{"error": {"code", "message", "group_status", "allowed_statuses"}}`, and exit 2 as always.

use super::status::print_json;
use crate::domain::{GroupStatus, OperationType, Rejection, allowed_from};
use crate::orchestrator::engine::EngineError;
use serde::Serialize;

/// Why an operation command did not start, as a stable code and the sentence the operator reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// The state machine's no.
    pub fn of_rejection(r: &Rejection) -> Self {
        let code = match r {
            Rejection::WrongStatus { .. } => "invalid_status",
            Rejection::NeedsResync { .. } => "needs_resync",
            Rejection::NeedsAttention { .. } => "needs_attention",
            Rejection::FencePending { .. } => "fence_pending",
        };
        Self::new(code, r.to_string())
    }

    /// The engine's no at the start: the group's lock, a failed precondition, the configuration;
    /// `None` for an error that is not a refusal (it exits 1, not 2).
    pub fn of_start(e: &EngineError) -> Option<Self> {
        match e {
            EngineError::Rejected(m) if m.contains(" is locked by operation ") => {
                Some(Self::new("locked", m.clone()))
            }
            EngineError::Rejected(m) => Some(Self::new("precondition_failed", m.clone())),
            EngineError::Config(m) => Some(Self::new("configuration", m.clone())),
            _ => None,
        }
    }

    /// Print it with the group's status and the statuses `op` may start from.
    pub fn print(&self, op: OperationType, status: GroupStatus) -> Result<(), super::CliError> {
        let allowed: Vec<&str> = allowed_from(op).iter().map(|s| s.as_str()).collect();
        print_json(&serde_json::json!({"error": {
            "code": self.code,
            "message": self.message,
            "group_status": status.as_str(),
            "allowed_statuses": allowed,
        }}))
    }
}
