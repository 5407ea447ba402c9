//! What a running step may see and say: the outputs of the steps before it (typed on read), its
//! progress and log lines, the operator's cancel; and how a step says it failed.

use super::{Step, StepId};
use crate::orchestrator::events::{EventBus, EventKind};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::watch;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StepError {
    pub message: String,
    /// A transient fault (timeout, 5xx, a busy resource): the step's retry policy may try again.
    pub retryable: bool,
    /// The site that failed to answer, when a site did (what a rollback waits for).
    pub site: Option<String>,
}

impl StepError {
    pub fn fatal(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retryable: false,
            site: None,
        }
    }

    pub fn transient(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retryable: true,
            site: None,
        }
    }

    /// The same error, said to come from `site`.
    pub fn at(mut self, site: impl Into<String>) -> Self {
        self.site = Some(site.into());
        self
    }
}

/// The outputs of finished steps by id, shared (not copied) between the steps that read them.
pub type Outputs = Arc<HashMap<StepId, Arc<Value>>>;

#[derive(Clone)]
pub struct StepCtx {
    pub operation_id: Arc<str>,
    pub step_id: Arc<str>,
    /// Outputs of the steps that finished before this one started.
    /// Shared, not copied: a step of a 1,000-instance plan starts without cloning the rest.
    pub outputs: Outputs,
    pub events: EventBus,
    pub cancel: watch::Receiver<bool>,
}

impl StepCtx {
    /// The output of the upstream step `id`, a step of kind `S`; an error when it has none (it
    /// has not finished, or the plan does not hold it) or it does not read as `S`'s output.
    pub fn output<S: Step>(&self, id: &StepId) -> Result<S::Output, StepError> {
        self.maybe_output::<S>(id)?.ok_or_else(|| {
            StepError::fatal(format!(
                "{} needs what {id} made, and {id} has not finished",
                self.step_id
            ))
        })
    }

    /// Like `output`, for an upstream step the plan may not hold (`None` then).
    pub fn maybe_output<S: Step>(&self, id: &StepId) -> Result<Option<S::Output>, StepError> {
        let Some(value) = self.outputs.get(id) else {
            return Ok(None);
        };
        S::Output::deserialize(value.as_ref())
            .map(Some)
            .map_err(|e| {
                StepError::fatal(format!("the recorded output of {id} is unreadable: {e}"))
            })
    }

    pub fn progress(&self, done: u32, total: u32) {
        self.events.publish(
            &self.operation_id,
            EventKind::StepProgress {
                step: self.step_id.to_string(),
                done,
                total,
            },
        );
    }

    pub fn log(&self, line: impl Into<String>) {
        self.events
            .publish(&self.operation_id, EventKind::Log { line: line.into() });
    }

    pub fn is_cancelled(&self) -> bool {
        *self.cancel.borrow()
    }
}
