//! What the console's operation view, `ops show` and reports read about operations: the recent
//! list, and one operation's detail (its record, every step of its plan with its mark from the
//! journal, times, timeout, error and what it made, removed or left behind, the checklist it
//! started with, its recovery point, the retries seen, and the tail of its log), built once here
//! from the journal so every screen and report tells the same story — a step undone, with
//! nothing to undo, left behind or never run never shows as a plain ✓.

use super::detail_facts::{Facts, checks_at_start, recovery_point, removed_by};
use super::{Engine, EngineError};
use crate::domain::{EventKind, OperationRecord, Phase, StepMark, Targets};
use crate::orchestrator::{Plan, StepSpec};
use crate::sanitize::clean;
use crate::store::{StepRecord, StoredOperation, mark_of};
use std::collections::HashMap;

pub use crate::domain::{OperationDetail, StepState, StepView};

impl Engine {
    /// Recent operations, newest first.
    pub async fn recent_operations(
        &self,
        limit: usize,
    ) -> Result<Vec<OperationRecord>, EngineError> {
        Ok(self.store.list_operations(limit, None).await?)
    }

    /// An operation's detail by id (or an unambiguous prefix of it), with its last `log_lines`
    /// log lines.
    pub async fn operation_detail(
        &self,
        id: &str,
        log_lines: usize,
    ) -> Result<OperationDetail, EngineError> {
        let op = self.store.find_operation(id).await?.ok_or_else(|| {
            EngineError::Rejected(format!(
                "no operation {id} in the journal; `drconsole ops list` shows the recent ones"
            ))
        })?;
        let journaled = self.store.steps(&op.record.id).await?;
        let events = self.store.events(&op.record.id, 0).await?;
        let facts = Facts::of(&events);
        let log: Vec<String> = events
            .iter()
            .filter_map(|(_, e)| match &e.kind {
                EventKind::Log { line } => {
                    Some(format!("{} {}", e.at.format("%H:%M:%S"), clean(line)))
                }
                _ => None,
            })
            .collect();
        let log = log[log.len().saturating_sub(log_lines)..].to_vec();
        let steps = step_views(&op, &journaled);
        let cleanup = self.cleanup_of(&op.record).await;
        let targets = self
            .group_config(&op.record.protection_group)
            .map(|g| Targets {
                rpo_target_seconds: g.rpo_target.as_secs(),
                rto_target_seconds: g.rto_target.map(|t| t.as_secs()),
            })
            .unwrap_or_default();
        Ok(OperationDetail {
            checks: checks_at_start(&op.options),
            recovery_point: recovery_point(&op.record, &journaled),
            record: op.record,
            steps,
            log,
            log_path: None,
            targets,
            retries: facts.retries,
            cleanup,
        })
    }
}

/// Every step of the plan in plan order, with its journaled state; a plan the journal cannot
/// read back still shows the steps that ran.
fn step_views(op: &StoredOperation, journaled: &[StepRecord]) -> Vec<StepView> {
    let finished = op.record.status.is_finished();
    let by_id: HashMap<&str, &StepRecord> =
        journaled.iter().map(|s| (s.step_id.as_str(), s)).collect();
    match serde_json::from_value::<Plan>(op.plan.clone()) {
        Ok(plan) => plan
            .steps
            .iter()
            .map(|spec| {
                let rec = by_id.get(spec.id.as_str()).copied();
                let mut v = view(spec.id.as_str(), &spec.label(), spec.phase, rec, finished);
                v.kind = spec.kind.name().to_string();
                v.timeout_ms = Some(spec.timeout_ms);
                v.attempt_limit = Some(spec.retry.attempts);
                v.upstream = spec.deps.iter().map(|d| d.to_string()).collect();
                v.point_of_no_return = spec.no_rollback;
                fill_resources(&mut v, spec, rec);
                v
            })
            .collect(),
        Err(e) => {
            tracing::warn!(
                "operation {}: its journaled plan is unreadable: {e}",
                op.record.id
            );
            journaled
                .iter()
                .map(|r| {
                    view(
                        &r.step_id,
                        &r.step_id,
                        Phase::Preparation,
                        Some(r),
                        finished,
                    )
                })
                .collect()
        }
    }
}

fn view(
    id: &str,
    label: &str,
    phase: Phase,
    rec: Option<&StepRecord>,
    op_finished: bool,
) -> StepView {
    let mut v = StepView::planned(id, &clean(label), phase);
    v.set_mark(mark_of(rec, op_finished), op_finished);
    v.attempt = rec.map(|r| r.attempt).unwrap_or(0);
    v.started_at = rec.map(|r| r.started_at);
    v.finished_at = rec.and_then(|r| r.finished_at);
    v.duration_ms = rec.and_then(|r| r.duration_ms);
    v.error = rec.and_then(|r| r.error.as_deref()).map(clean);
    v.undo_error = rec.and_then(|r| r.mark_error.as_deref()).map(clean);
    v
}

/// What the step made (while its effect stands, was undone, or is left behind: the report lists
/// each) and what it removed.
fn fill_resources(v: &mut StepView, spec: &StepSpec, rec: Option<&StepRecord>) {
    let output = rec.and_then(|r| r.output.as_ref());
    if v.mark == StepMark::LeftBehind {
        v.left_behind = spec.kind.resources(output);
    }
    let Some(output) = output else {
        return;
    };
    v.created = spec.kind.resources(Some(output));
    v.removed = removed_by(&spec.kind, output);
}
