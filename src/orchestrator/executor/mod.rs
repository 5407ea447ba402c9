//! The executor: runs a plan's ready steps concurrently up to a limit, each with its timeout and
//! retry policy, journaling write-ahead; on a failure or a cancel it stops starting steps, lets the
//! running ones finish, then undoes completed steps in reverse back to the last point of no
//! return. On resume, steps that had started are first re-checked with their idempotent check.

mod attempt;
mod rollback;
mod state;

use super::events::{EventBus, EventKind};
use super::plan::{Plan, PlanError, StepSpec};
use super::runner::{ExecJournal, JournalEntry, StepCtx, StepRunner};
use super::step::{Outputs, StepId, Undo};
use super::steps::OfKind;
use crate::domain::OperationStatus;
use serde::Deserialize;
use serde_json::Value;
use state::Run;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// What the journal says of a step before this run (resume).
#[derive(Debug, Clone, PartialEq)]
pub enum PriorStep {
    Succeeded(Value),
    /// Started, never finished: it may or may not have had its effect.
    Started,
}

/// The end of an execution.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: OperationStatus,
    /// Why it failed, what could not be rolled back, and what the journal failed to record.
    pub error_message: Option<String>,
    pub steps_completed: Vec<StepId>,
    pub steps_failed: Vec<StepId>,
    /// The steps rollback reached, in its order, with what undoing each did.
    pub steps_compensated: Vec<(StepId, Undo)>,
    pub outputs: HashMap<StepId, Value>,
    pub durations: HashMap<StepId, Duration>,
    /// The plan that ran: what the outputs are read against.
    pub plan: Plan,
}

impl Outcome {
    /// The outputs of the steps of kind `S` that succeeded, in plan order. An output that does
    /// not read as `S`'s is logged and left out.
    pub fn outputs_of<S: OfKind>(&self) -> Vec<S::Output> {
        self.plan
            .steps_of::<S>()
            .filter_map(|(spec, _)| Some((spec, self.outputs.get(&spec.id)?)))
            .filter_map(|(spec, v)| {
                S::Output::deserialize(v)
                    .inspect_err(|e| {
                        tracing::error!("the output of {} is unreadable: {e}", spec.id)
                    })
                    .ok()
            })
            .collect()
    }
}

pub struct Executor {
    pub operation_id: String,
    pub plan: Plan,
    pub runner: Arc<dyn StepRunner>,
    pub journal: Arc<dyn ExecJournal>,
    pub events: EventBus,
    pub max_concurrency: usize,
    pub cancel: watch::Receiver<bool>,
    pub prior: HashMap<String, PriorStep>,
}

impl Executor {
    pub async fn run(self) -> Result<Outcome, PlanError> {
        let order = self.plan.validate()?;
        let mut run = Run::new(&self, &order);
        run.forward(&self).await;
        let mut undone = Vec::new();
        if let Some(reason) = run.failure.clone() {
            run.set_status(&self, OperationStatus::RollingBack).await;
            undone = run.rollback(&self, &reason).await;
        }
        let status = if run.failure.is_some() {
            OperationStatus::Failed
        } else {
            OperationStatus::Completed
        };
        run.set_status(&self, status).await;
        Ok(run.outcome(self.plan, status, undone))
    }

    fn ctx(&self, step: &StepSpec, outputs: Outputs) -> StepCtx {
        StepCtx {
            operation_id: Arc::from(self.operation_id.as_str()),
            step_id: Arc::from(step.id.as_str()),
            outputs,
            events: self.events.clone(),
            cancel: self.cancel.clone(),
        }
    }

    /// Journal `entry`; a failure is logged with `what` the journal missed, and returned for the
    /// caller to decide whether the operator must hear of it.
    async fn record(&self, entry: JournalEntry, what: impl FnOnce() -> String) -> Option<String> {
        let e = self.journal.record(&self.operation_id, entry).await.err()?;
        let what = what();
        tracing::error!(
            "operation {}: the journal did not record {what}: {e}",
            self.operation_id
        );
        Some(format!("the journal did not record {what}: {e}"))
    }

    fn publish(&self, kind: EventKind) {
        self.events.publish(&self.operation_id, kind);
    }
}

#[cfg(test)]
mod tests;
