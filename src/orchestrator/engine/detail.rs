//! What the console's operation view, `ops show` and reports read about operations: the recent
//! list, and one operation's detail (its record, every step of its plan with its mark, times,
//! error and what it made or removed, the checklist it started with, its recovery point, the
//! retries seen, and the tail of its log), built once here from the journal so every screen and
//! report tells the same story.

use super::detail_facts::{Facts, checks_at_start, recovery_point, removed_by};
use super::{Engine, EngineError};
use crate::domain::{EventKind, OperationRecord, Phase, Targets};
use crate::orchestrator::{Plan, StepSpec};
use crate::sanitize::clean;
use crate::store::{StepRecord, StepStatus as Journaled, StoredOperation};
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
        let steps = step_views(&op, &journaled, &facts);
        let mut op = op;
        // The journal of an older run never said `running`: a started step says it.
        if op.record.status == crate::domain::OperationStatus::Pending
            && steps.iter().any(|s| s.started_at.is_some())
        {
            op.record.status = crate::domain::OperationStatus::Running;
        }
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
            recovery_point: recovery_point(&journaled),
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
fn step_views(op: &StoredOperation, journaled: &[StepRecord], facts: &Facts) -> Vec<StepView> {
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
                fill_resources(&mut v, spec, rec);
                refine(&mut v, facts);
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
                    let mut v = view(
                        &r.step_id,
                        &r.step_id,
                        Phase::Preparation,
                        Some(r),
                        finished,
                    );
                    refine(&mut v, facts);
                    v
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
    v.status = state(rec.map(|r| r.status), op_finished);
    v.attempt = rec.map(|r| r.attempt).unwrap_or(0);
    v.started_at = rec.map(|r| r.started_at);
    v.finished_at = rec.and_then(|r| r.finished_at);
    v.duration_ms = rec.and_then(|r| r.duration_ms);
    v.error = rec.and_then(|r| r.error.as_deref()).map(clean);
    v
}

/// What the step made (while its effect stands or was undone: the report lists both) and what
/// it removed.
fn fill_resources(v: &mut StepView, spec: &StepSpec, rec: Option<&StepRecord>) {
    let Some(output) = rec.and_then(|r| r.output.as_ref()) else {
        return;
    };
    v.created = spec.kind.resources(Some(output));
    v.removed = removed_by(&spec.kind, output);
}

/// What rollback did, as the events say (the step's row says only "compensated").
fn refine(v: &mut StepView, facts: &Facts) {
    if let Some(undo) = facts.undo.get(&v.id) {
        v.status = StepState::of_undo(*undo);
    }
}

/// A step journaled as started in an operation that has ended was cut short: it failed. A step
/// that never started in an ended operation never ran.
fn state(journaled: Option<Journaled>, op_finished: bool) -> StepState {
    match journaled {
        None if op_finished => StepState::NeverRun,
        None => StepState::Pending,
        Some(Journaled::Started) if op_finished => StepState::Failed,
        Some(Journaled::Started) => StepState::Running,
        Some(Journaled::Succeeded) => StepState::Succeeded,
        Some(Journaled::Failed) => StepState::Failed,
        Some(Journaled::Compensated) => StepState::Undone,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_cut_short_by_the_end_of_its_operation_shows_as_failed() {
        assert_eq!(state(None, true), StepState::NeverRun);
        assert_eq!(state(None, false), StepState::Pending);
        assert_eq!(state(Some(Journaled::Started), false), StepState::Running);
        assert_eq!(state(Some(Journaled::Started), true), StepState::Failed);
        assert_eq!(state(Some(Journaled::Compensated), true), StepState::Undone);
    }
}
