//! Rollback: undo the failed steps (they may have half-acted), then the completed ones in reverse
//! back to the last point of no return, journaling what undoing each did — undone, nothing to
//! undo, or cannot be undone. A compensation that fails in a way that may pass is tried again
//! (capped exponential backoff, full jitter) until the rollback's budget is spent; one that still
//! fails is left behind, and so is every step it came after (undoing those could make things
//! worse: production restarted while its copy may still run at the other site).

use super::ready::State;
use super::state::Run;
use super::{EventKind, Executor};
use crate::orchestrator::plan::{Plan, StepSpec};
use crate::orchestrator::runner::{JournalEntry, StepError};
use crate::orchestrator::step::{StepId, Undo};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

type ToUndo = (usize, Option<Arc<Value>>);

impl Run {
    /// Undo what can be undone; the steps reached, with what undoing each did.
    pub(super) async fn rollback(&mut self, ex: &Executor, reason: &str) -> Vec<(StepId, Undo)> {
        self.ponr = self.point_of_no_return(&ex.plan);
        ex.publish(EventKind::Log {
            line: format!("rolling back: {reason}"),
        });
        let deadline = Instant::now() + ex.rollback.budget;
        let mut undone = Vec::new();
        for (i, output) in self.undo_order(ex) {
            let step = &ex.plan.steps[i];
            if step.no_rollback {
                continue;
            }
            let blocked = if step.kind.undo_changes_nothing() {
                None
            } else {
                self.blocked_by(&ex.plan, i)
            };
            if let Some(j) = blocked {
                let why = format!(
                    "not undone because {} (after it) could not be",
                    ex.plan.steps[j].label()
                );
                self.leave(ex, i, output, why).await;
                continue;
            }
            match self.undo_one(ex, step, output.clone(), deadline).await {
                Ok(undo) => {
                    self.states[i] = State::Compensated;
                    undone.push((step.id.clone(), undo));
                }
                Err(e) => self.leave(ex, i, output, e.message).await,
            }
        }
        if let (Some(f), Some((_, first, _))) = (self.failure.as_mut(), self.left_behind.first()) {
            let n = self.left_behind.len();
            f.push_str(&format!(
                "; the rollback could not undo {n} step{} (first: {first})",
                if n == 1 { "" } else { "s" }
            ));
        }
        undone
    }

    /// The failed and earlier left-behind steps (newest in the plan first), then the completed
    /// ones newest first, up to the last point of no return.
    fn undo_order(&self, ex: &Executor) -> Vec<ToUndo> {
        let topo = topo_positions(&ex.plan);
        let mut first: Vec<ToUndo> = self.failed.iter().map(|&i| (i, None)).collect();
        first.extend(self.left_before.iter().cloned());
        first.sort_by_key(|(i, _)| std::cmp::Reverse(topo[*i]));
        let mut order = first;
        for &i in self.finished.iter().rev() {
            let step = &ex.plan.steps[i];
            if step.no_rollback {
                break;
            }
            order.push((i, self.outputs.get(&step.id).cloned()));
        }
        order
    }

    /// A step left behind in this rollback that comes after step `i` (waits for it, directly or
    /// not): `i` must stay as it is.
    fn blocked_by(&self, plan: &Plan, i: usize) -> Option<usize> {
        self.left_behind
            .iter()
            .map(|(j, _, _)| *j)
            .find(|&j| waits_for(plan, j, i))
    }

    /// Undo one step, riding out a site that does not answer until `deadline`.
    async fn undo_one(
        &mut self,
        ex: &Executor,
        step: &StepSpec,
        output: Option<Arc<Value>>,
        deadline: Instant,
    ) -> Result<Undo, StepError> {
        let ctx = ex.ctx_with(
            step,
            self.shared_outputs(),
            self.never_cancelled.subscribe(),
        );
        let limit = Duration::from_millis(step.timeout_ms);
        let mut attempt = 1;
        loop {
            let tried = tokio::time::timeout(limit, ex.runner.undo(step, output.as_deref(), &ctx));
            let result = tried.await.unwrap_or_else(|_| {
                Err(StepError::transient(format!(
                    "its undo did not finish within {} s",
                    limit.as_secs()
                )))
            });
            let e = match result {
                Ok(undo) => {
                    self.compensated(ex, step, undo).await;
                    return Ok(undo);
                }
                Err(e) => e,
            };
            let now = Instant::now();
            if !e.retryable || now >= deadline {
                return Err(e);
            }
            let pause = ex
                .rollback
                .pause(attempt, rand::random())
                .min(deadline - now);
            wait_notice(ex, step, &e, attempt, pause);
            tokio::time::sleep(pause).await;
            attempt += 1;
        }
    }

    async fn compensated(&mut self, ex: &Executor, step: &StepSpec, undo: Undo) {
        let entry = JournalEntry::StepCompensated {
            step: step.id.to_string(),
            undo,
        };
        let what = || format!("the rollback of {} ({})", step.label(), undo.describe());
        if let Some(missed) = ex.record(entry, what).await {
            self.unjournaled.push(missed);
        }
        ex.publish(EventKind::StepCompensated {
            step: step.id.to_string(),
            undo,
        });
    }

    /// Step `i` could not be undone: journal it left behind, with what it made.
    async fn leave(&mut self, ex: &Executor, i: usize, output: Option<Arc<Value>>, why: String) {
        let step = &ex.plan.steps[i];
        let resources = step.kind.resources(output.as_deref());
        let msg = format!("could not undo {}: {why}", step.label());
        tracing::error!("operation {}: {msg}", ex.operation_id);
        ex.publish(EventKind::Log { line: msg.clone() });
        let entry = JournalEntry::StepLeftBehind {
            step: step.id.to_string(),
            error: why.clone(),
        };
        let what = || format!("that {} was left behind", step.label());
        if let Some(missed) = ex.record(entry, what).await {
            self.unjournaled.push(missed);
        }
        ex.publish(EventKind::StepLeftBehind {
            step: step.id.to_string(),
            error: why,
            resources: resources.clone(),
        });
        self.left_behind.push((i, msg, resources));
    }
}

/// "waiting for site-b (attempt 4, next in 20 s)", in the log and as an event.
fn wait_notice(ex: &Executor, step: &StepSpec, e: &StepError, attempt: u32, pause: Duration) {
    let site = e.site.clone();
    let secs = pause.as_millis().div_ceil(1000);
    let line = format!(
        "waiting for {} (attempt {attempt}, next in {secs} s) to undo {}: {}",
        site.as_deref().unwrap_or("the sites"),
        step.label(),
        e.message
    );
    tracing::warn!("operation {}: {line}", ex.operation_id);
    ex.publish(EventKind::Log { line });
    ex.publish(EventKind::RollbackWaiting {
        step: step.id.to_string(),
        site,
        attempt,
        next_in_ms: pause.as_millis() as u64,
        error: e.message.clone(),
    });
}

/// Each step's position in a topological order of the plan.
fn topo_positions(plan: &Plan) -> Vec<usize> {
    let mut pos = vec![0; plan.steps.len()];
    for (p, i) in plan.validate().unwrap_or_default().into_iter().enumerate() {
        pos[i] = p;
    }
    pos
}

/// Does step `later` wait for step `earlier`, directly or through other steps?
fn waits_for(plan: &Plan, later: usize, earlier: usize) -> bool {
    let mut stack = vec![later];
    let mut seen = vec![false; plan.steps.len()];
    while let Some(k) = stack.pop() {
        for dep in &plan.steps[k].deps {
            let Some(d) = plan.steps.iter().position(|s| &s.id == dep) else {
                continue;
            };
            if d == earlier {
                return true;
            }
            if !seen[d] {
                seen[d] = true;
                stack.push(d);
            }
        }
    }
    false
}
