//! What the console's operation view and `ops show` read about operations: the recent list, and
//! one operation's detail (its record, every step of its plan with its mark, times and error, and
//! the tail of its log), built once here from the journal so both screens tell the same story —
//! a step undone, with nothing to undo, left behind or never run never shows as a plain ✓.

use super::{Engine, EngineError};
use crate::domain::{EventKind, OperationRecord, Phase, Resource, StepMark};
use crate::orchestrator::Plan;
use crate::sanitize::clean;
use crate::store::{StepRecord, StoredOperation, mark_of};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// Where a step of an operation's plan stands, coarsely (its `mark` says exactly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Pending,
    Running,
    Succeeded,
    Failed,
    Compensated,
    Skipped,
}

impl StepState {
    pub fn as_str(self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::Running => "running",
            StepState::Succeeded => "succeeded",
            StepState::Failed => "failed",
            StepState::Compensated => "compensated",
            StepState::Skipped => "skipped",
        }
    }
}

/// One step of an operation's plan, with what the journal knows of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepView {
    #[serde(rename = "step_id")]
    pub id: String,
    pub label: String,
    pub phase: Phase,
    pub status: StepState,
    /// Exactly how it stands: never_run, running, succeeded, verified, failed, undone,
    /// nothing_to_undo, irreversible or left_behind.
    pub mark: StepMark,
    /// The attempt of the latest start; 0 for a step that never started.
    pub attempt: u32,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<u64>,
    /// How long one attempt may take before it fails (the plan's; unknown when the plan is not
    /// readable).
    pub timeout_ms: Option<u64>,
    /// `done/total` of a step that reports progress (e.g. 3 of 5 volumes); live events only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<(u32, u32)>,
    pub error: Option<String>,
    /// Why its undo could not run (left behind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo_error: Option<String>,
    /// What it left behind (left behind only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_behind: Vec<Resource>,
}

/// One operation with its steps and log, as the operation view and `ops show` show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationDetail {
    pub record: OperationRecord,
    pub steps: Vec<StepView>,
    /// `HH:MM:SS line`, oldest first, control characters stripped.
    pub log: Vec<String>,
    /// Where the full log lives, for the "what to do next" hint (set by whoever knows it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_path: Option<String>,
}

impl Engine {
    /// Recent operations, newest first.
    pub async fn recent_operations(
        &self,
        limit: usize,
    ) -> Result<Vec<OperationRecord>, EngineError> {
        Ok(self.store.list_operations(limit, None).await?)
    }

    /// An operation's detail by id (or an unambiguous prefix of it), with its last `log_lines`
    /// log lines: only the tail is read from the journal, not every event of a long operation.
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
        let log = self
            .store
            .log_tail(&op.record.id, log_lines)
            .await?
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Log { line } => {
                    Some(format!("{} {}", e.at.format("%H:%M:%S"), clean(line)))
                }
                _ => None,
            })
            .collect();
        let steps = step_views(&op, &journaled);
        Ok(OperationDetail {
            record: op.record,
            steps,
            log,
            log_path: None,
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
                let id = spec.id.to_string();
                let rec = by_id.get(id.as_str()).copied();
                let mut v = view(id, spec.label(), spec.phase, rec, finished);
                v.timeout_ms = Some(spec.timeout_ms);
                if v.mark == StepMark::LeftBehind {
                    v.left_behind = spec.kind.resources(rec.and_then(|r| r.output.as_ref()));
                }
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
                        r.step_id.clone(),
                        r.step_id.clone(),
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
    id: String,
    label: String,
    phase: Phase,
    rec: Option<&StepRecord>,
    op_finished: bool,
) -> StepView {
    let mark = mark_of(rec, op_finished);
    StepView {
        id,
        label: clean(&label),
        phase,
        status: state(mark, op_finished),
        mark,
        attempt: rec.map(|r| r.attempt).unwrap_or(0),
        started_at: rec.map(|r| r.started_at),
        finished_at: rec.and_then(|r| r.finished_at),
        duration_ms: rec.and_then(|r| r.duration_ms),
        timeout_ms: None,
        progress: None,
        error: rec.and_then(|r| r.error.as_deref()).map(clean),
        undo_error: rec.and_then(|r| r.mark_error.as_deref()).map(clean),
        left_behind: Vec::new(),
    }
}

/// A step's coarse state from its mark. A step that never ran in an operation that has ended
/// was skipped; one left behind counts as failed (its undo did).
pub fn state(mark: StepMark, op_finished: bool) -> StepState {
    match mark {
        StepMark::NeverRun if op_finished => StepState::Skipped,
        StepMark::NeverRun => StepState::Pending,
        StepMark::Running => StepState::Running,
        StepMark::Succeeded | StepMark::Verified => StepState::Succeeded,
        StepMark::Failed | StepMark::LeftBehind => StepState::Failed,
        StepMark::Undone | StepMark::NothingToUndo | StepMark::Irreversible => {
            StepState::Compensated
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mark_has_its_state() {
        assert_eq!(state(StepMark::NeverRun, false), StepState::Pending);
        assert_eq!(state(StepMark::NeverRun, true), StepState::Skipped);
        assert_eq!(state(StepMark::Running, false), StepState::Running);
        assert_eq!(state(StepMark::Verified, true), StepState::Succeeded);
        assert_eq!(state(StepMark::LeftBehind, true), StepState::Failed);
        assert_eq!(state(StepMark::NothingToUndo, true), StepState::Compensated);
    }
}
