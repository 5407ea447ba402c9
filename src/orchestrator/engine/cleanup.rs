//! `ops cleanup ID`: remove exactly what a failed rollback left behind. Each left-behind step's
//! resources are removed by id (one already gone counts as removed); a step whose resources are
//! not known by id (it failed before saying what it made), or that made none (a stop), is undone
//! by its own undo. What still stands is looked for at the sites and listed again, in the
//! record and the group's attention, which is cleared when nothing remains. Idempotent.

use super::start::short;
use super::{Engine, EngineError};
use crate::domain::{AttentionKind, JournalEntry, Resource, StepMark, Undo};
use crate::orchestrator::plan::{Plan, StepSpec};
use crate::orchestrator::site_runner::SiteRunner;
use crate::orchestrator::step::{StepCtx, StepError};
use crate::store::StepRecord;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::watch;

/// What a cleanup did and what it found still standing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CleanupReport {
    pub operation_id: String,
    /// Resources removed now (or found already gone).
    pub removed: Vec<Resource>,
    /// Steps undone by their own undo (what they made was not known by id, or was no
    /// resource), with what undoing each did.
    pub undone_steps: Vec<(String, Undo)>,
    /// What is still left behind, as found at the sites now.
    pub remaining: Vec<Resource>,
    /// Steps still left behind, with why.
    pub failures: Vec<(String, String)>,
}

impl Engine {
    pub async fn cleanup(self: &Arc<Self>, id: &str) -> Result<CleanupReport, EngineError> {
        let op = self.find(id).await?;
        let rec = op.record.clone();
        if !rec.status.is_finished() {
            return Err(EngineError::Rejected(format!(
                "operation {} is {}: nothing is left behind while it runs; `drconsole ops watch \
                 {}` follows it",
                short(&rec.id),
                rec.status,
                short(&rec.id)
            )));
        }
        let plan: Plan = serde_json::from_value(op.plan).map_err(|e| {
            EngineError::Failed(format!(
                "the journaled plan of {} cannot be read: {e}",
                rec.id
            ))
        })?;
        self.lock_for(&rec).await?;
        let result = self.clean(&rec.id, &plan).await;
        self.release_lock(&rec.protection_group, &rec.id).await;
        let report = result?;
        self.record_remaining(&report).await?;
        let detail = format!(
            "cleanup: {} removed, {} steps undone, {} remaining",
            report.removed.len(),
            report.undone_steps.len(),
            report.remaining.len()
        );
        self.audit(
            "operation.cleanup",
            Some(&rec.protection_group),
            Some(&rec.id),
            detail,
        )
        .await;
        Ok(report)
    }

    /// Work through the left-behind steps, newest in the plan first; a step that still fails
    /// keeps every step it came after as it is.
    async fn clean(&self, id: &str, plan: &Plan) -> Result<CleanupReport, EngineError> {
        let rec = self.find(id).await?.record;
        let runner = self.site_runner(&rec)?;
        let steps = self.store.steps(id).await?;
        let left = left_behind_in_order(plan, &steps);
        let (keep_alive, cancel) = watch::channel(false);
        let mut report = CleanupReport {
            operation_id: id.to_string(),
            removed: Vec::new(),
            undone_steps: Vec::new(),
            remaining: Vec::new(),
            failures: Vec::new(),
        };
        let mut still: Vec<(&StepSpec, Option<Value>)> = Vec::new();
        for (spec, output) in left {
            let ctx = self.cleanup_ctx(id, spec, cancel.clone());
            let blocker = still.iter().find(|(s, _)| waits_for(plan, s, spec));
            let outcome = match blocker {
                Some((s, _)) => Err(StepError::fatal(format!(
                    "kept because {} (after it) is still left behind",
                    s.label()
                ))),
                None => clean_step(&runner, spec, output.as_ref(), &ctx, &mut report).await,
            };
            self.journal_cleaned(id, spec, outcome, &mut report).await?;
            if report.failures.iter().any(|(s, _)| s == spec.id.as_str()) {
                still.push((spec, output));
            }
        }
        drop(keep_alive);
        report.remaining = remaining(&runner, &still).await;
        Ok(report)
    }

    fn cleanup_ctx(&self, id: &str, spec: &StepSpec, cancel: watch::Receiver<bool>) -> StepCtx {
        StepCtx {
            operation_id: Arc::from(id),
            step_id: Arc::from(spec.id.as_str()),
            outputs: Arc::new(HashMap::new()),
            events: self.events.clone(),
            cancel,
        }
    }

    /// Journal what the cleanup made of one step: undone (or nothing to undo), or still left
    /// behind with the new reason.
    async fn journal_cleaned(
        &self,
        id: &str,
        spec: &StepSpec,
        outcome: Result<Undo, StepError>,
        report: &mut CleanupReport,
    ) -> Result<(), EngineError> {
        let step = spec.id.to_string();
        let entry = match outcome {
            Ok(undo) => JournalEntry::StepCompensated { step, undo },
            Err(e) => {
                report.failures.push((step.clone(), e.message.clone()));
                JournalEntry::StepLeftBehind {
                    step,
                    error: e.message,
                }
            }
        };
        Ok(self.store.commit(id, entry).await?)
    }

    /// The record lists what remains; the group's attention does too, and goes when nothing
    /// of the operation remains.
    async fn record_remaining(&self, report: &CleanupReport) -> Result<(), EngineError> {
        let mut rec = self.find(&report.operation_id).await?.record;
        rec.result_data.leftovers = report.remaining.clone();
        self.store.update_operation(&rec).await?;
        let done = report.failures.is_empty() && report.remaining.is_empty();
        let remaining = report.remaining.clone();
        self.update_group(&rec.protection_group, |s| {
            let ours = s.attention.as_ref().is_some_and(|a| {
                a.operation_id == rec.id && a.kind == AttentionKind::RollbackFailed
            });
            if !ours {
                return;
            }
            if done {
                s.attention = None;
            } else if let Some(a) = s.attention.as_mut() {
                a.leftovers = remaining.clone();
            }
        })
        .await?;
        Ok(())
    }
}

/// Remove one step's resources by id, or run its undo when they are not known by id.
async fn clean_step(
    runner: &SiteRunner,
    spec: &StepSpec,
    output: Option<&Value>,
    ctx: &StepCtx,
    report: &mut CleanupReport,
) -> Result<Undo, StepError> {
    let resources = spec.kind.resources(output);
    let by_id = !resources.is_empty() && resources.iter().all(|r| r.id.is_some());
    if !by_id {
        let undo = spec.kind.undo(runner, output, ctx).await?;
        report.undone_steps.push((spec.id.to_string(), undo));
        return Ok(undo);
    }
    let mut any = false;
    for r in resources {
        any |= runner.remove(&r, ctx).await?;
        report.removed.push(r);
    }
    Ok(if any {
        Undo::Undone
    } else {
        Undo::NothingToUndo
    })
}

/// What the steps still left behind made, as found now: a resource known by id that is gone is
/// not listed; one that cannot be looked for is (it may be there).
async fn remaining(runner: &SiteRunner, still: &[(&StepSpec, Option<Value>)]) -> Vec<Resource> {
    let mut out = Vec::new();
    for (spec, output) in still {
        for r in spec.kind.resources(output.as_ref()) {
            if r.id.is_none() || runner.exists(&r).await.unwrap_or(true) {
                out.push(r);
            }
        }
    }
    out
}

/// The steps journaled as left behind, with their outputs, newest in the plan first.
fn left_behind_in_order<'a>(
    plan: &'a Plan,
    steps: &[StepRecord],
) -> Vec<(&'a StepSpec, Option<Value>)> {
    let order = plan.validate().unwrap_or_default();
    order
        .into_iter()
        .rev()
        .map(|i| &plan.steps[i])
        .filter_map(|spec| {
            let rec = steps.iter().find(|s| s.step_id == spec.id.as_str())?;
            (rec.mark_in(true) == StepMark::LeftBehind).then(|| (spec, rec.output.clone()))
        })
        .collect()
}

/// Does `later` wait for `earlier` in the plan, directly or not?
fn waits_for(plan: &Plan, later: &StepSpec, earlier: &StepSpec) -> bool {
    let mut stack: Vec<&StepSpec> = vec![later];
    let mut seen = std::collections::HashSet::new();
    while let Some(s) = stack.pop() {
        for dep in &s.deps {
            if dep == &earlier.id {
                return true;
            }
            if seen.insert(dep.clone())
                && let Some(d) = plan.get(dep)
            {
                stack.push(d);
            }
        }
    }
    false
}
