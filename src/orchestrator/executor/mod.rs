//! The executor: runs a plan's ready steps concurrently up to a limit, each with its timeout and
//! retry policy, journaling write-ahead; on a failure or a cancel it stops starting steps, lets the
//! running ones finish, then undoes completed steps in reverse back to the last point of no
//! return. On resume, steps that had started are first re-checked with their idempotent check.

mod attempt;
mod policy;
mod ready;
mod rollback;
mod state;

pub use policy::RollbackPolicy;

use super::events::{EventBus, EventKind};
use super::plan::{Plan, PlanError, StepSpec};
use super::runner::{ExecJournal, JournalEntry, StepCtx, StepRunner};
use super::step::{Outputs, StepId, Undo};
use super::steps::OfKind;
use crate::domain::{OperationStatus, Resource};
use serde::Deserialize;
use serde_json::Value;
use state::Run;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// What the journal says of a step before this run (resume, retry, rollback on demand).
#[derive(Debug, Clone, PartialEq)]
pub enum PriorStep {
    /// Finished in this run before a restart: its output stands, it is not run again.
    Succeeded(Value),
    /// Finished by an earlier run of an operation now retried: re-checked before it is kept
    /// (found → verified; not done any more → run again).
    Finished(Value),
    /// Started (or failed) and never finished: it may or may not have had its effect. Going
    /// forward it is re-checked, then run; rolling back it is undone without an output.
    Started,
    /// Rollback reached it already: it is not undone again.
    Compensated,
    /// Its undo could not run before: rolling back tries again (with its output, if any).
    LeftBehind(Option<Value>),
}

/// Which way the executor goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Run the plan; on a failure or a cancel, roll back.
    Forward,
    /// Undo what stands (a resumed rollback, `ops rollback`): nothing new starts. `then` is the
    /// status when every step is undone.
    Rollback {
        reason: String,
        then: OperationStatus,
    },
}

/// A step rollback could not undo, why, and what it made (as its output names it, or by name
/// when it failed before saying).
#[derive(Debug, Clone, PartialEq)]
pub struct LeftBehind {
    pub step: StepId,
    pub error: String,
    pub resources: Vec<Resource>,
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
    /// Steps whose undo could not run: what they made is left behind.
    pub left_behind: Vec<LeftBehind>,
    /// The point of no return that stands (it succeeded, so what came before it is kept).
    pub point_of_no_return: Option<StepId>,
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

    /// The outputs of the steps of kind `S` whose effect stands: succeeded and not undone (one
    /// whose undo could not run stands: it is left behind, and its resources are leftovers).
    pub fn standing<S: OfKind>(&self) -> Vec<S::Output> {
        let undone = |id: &StepId| {
            self.steps_compensated
                .iter()
                .any(|(s, u)| s == id && *u != Undo::Irreversible)
        };
        self.plan
            .steps_of::<S>()
            .filter(|(spec, _)| !undone(&spec.id))
            .filter_map(|(spec, _)| self.outputs.get(&spec.id))
            .filter_map(|v| S::Output::deserialize(v).ok())
            .collect()
    }

    /// Every resource the operation made that stands: the resources of each step that succeeded
    /// and was not undone (what a failed rollback left behind included).
    pub fn resources_standing(&self) -> Vec<Resource> {
        let undone = |id: &StepId| {
            self.steps_compensated
                .iter()
                .any(|(s, u)| s == id && *u != Undo::Irreversible)
        };
        self.plan
            .steps
            .iter()
            .filter(|spec| !undone(&spec.id))
            .filter_map(|spec| Some(spec.kind.resources(Some(self.outputs.get(&spec.id)?))))
            .flatten()
            .collect()
    }

    /// What stands that should not: the resources of every step left behind.
    pub fn leftovers(&self) -> Vec<Resource> {
        self.left_behind
            .iter()
            .flat_map(|l| l.resources.iter().cloned())
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
    pub mode: Mode,
    pub rollback: RollbackPolicy,
}

impl Executor {
    pub async fn run(self) -> Result<Outcome, PlanError> {
        let order = self.plan.validate()?;
        let mut run = Run::new(&self, &order);
        let mut undone = Vec::new();
        match self.mode.clone() {
            Mode::Forward => {
                run.set_status(&self, OperationStatus::Running).await;
                run.forward(&self).await;
                if let Some(reason) = run.failure.clone() {
                    run.set_status(&self, OperationStatus::RollingBack).await;
                    undone = run.rollback(&self, &reason).await;
                }
            }
            Mode::Rollback { reason, .. } => {
                run.failure = Some(reason.clone());
                run.set_status(&self, OperationStatus::RollingBack).await;
                undone = run.rollback(&self, &reason).await;
            }
        }
        // The final status is the caller's to journal, once the group's state agrees with it:
        // whoever reads "completed" in the journal finds the group failed over.
        let status = run.end_status(&self.mode);
        Ok(run.outcome(self.plan, status, undone))
    }

    fn ctx(&self, step: &StepSpec, outputs: Outputs) -> StepCtx {
        self.ctx_with(step, outputs, self.cancel.clone())
    }

    /// A context whose cancel is `cancel` (a compensation must not stop because the operation
    /// was cancelled: that cancel is why it runs).
    fn ctx_with(
        &self,
        step: &StepSpec,
        outputs: Outputs,
        cancel: watch::Receiver<bool>,
    ) -> StepCtx {
        StepCtx {
            operation_id: Arc::from(self.operation_id.as_str()),
            step_id: Arc::from(step.id.as_str()),
            outputs,
            events: self.events.clone(),
            cancel,
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
