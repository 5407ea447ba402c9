//! Rollback: undo the failed steps (they may have half-acted), then the completed ones in reverse
//! back to the last point of no return, journaling what undoing each did — undone, nothing to
//! undo, or cannot be undone — so the operator is told which.

use super::state::Run;
use super::{EventKind, Executor};
use crate::orchestrator::plan::StepSpec;
use crate::orchestrator::runner::JournalEntry;
use crate::orchestrator::step::{StepId, Undo};
use serde_json::Value;
use std::sync::Arc;

impl Run {
    /// Undo what can be undone; the steps reached, with what undoing each did.
    pub(super) async fn rollback(&mut self, ex: &Executor, reason: &str) -> Vec<(StepId, Undo)> {
        ex.publish(EventKind::Log {
            line: format!("rolling back: {reason}"),
        });
        let mut undone = Vec::new();
        for (i, output) in self.undo_order(ex) {
            let step = &ex.plan.steps[i];
            if step.no_rollback {
                continue;
            }
            if let Some(undo) = self.undo_one(ex, step, output).await {
                undone.push((step.id.clone(), undo));
            }
        }
        undone
    }

    /// The failed steps (no output), then the completed ones newest first, up to the last point
    /// of no return.
    fn undo_order(&self, ex: &Executor) -> Vec<(usize, Option<Arc<Value>>)> {
        let mut order: Vec<(usize, Option<Arc<Value>>)> =
            self.failed.iter().map(|&i| (i, None)).collect();
        for &i in self.finished.iter().rev() {
            let step = &ex.plan.steps[i];
            if step.no_rollback {
                break;
            }
            order.push((i, self.outputs.get(&step.id).cloned()));
        }
        order
    }

    /// Undo one step. A failure to undo is added to the run's failure (the operator cleans it up
    /// by hand); an undo the journal missed is added to what the operator must be told.
    async fn undo_one(
        &mut self,
        ex: &Executor,
        step: &StepSpec,
        output: Option<Arc<Value>>,
    ) -> Option<Undo> {
        let ctx = ex.ctx(step, self.shared_outputs());
        match ex.runner.undo(step, output.as_deref(), &ctx).await {
            Ok(undo) => {
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
                Some(undo)
            }
            Err(e) => {
                let msg = format!(
                    "rollback of {} failed: {}; clean it up by hand",
                    step.label(),
                    e.message
                );
                ex.publish(EventKind::Log { line: msg.clone() });
                if let Some(f) = self.failure.as_mut() {
                    f.push_str("; ");
                    f.push_str(&msg);
                }
                None
            }
        }
    }
}
