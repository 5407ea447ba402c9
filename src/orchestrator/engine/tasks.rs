//! The task view of an operation (`ops show`): every step of its plan from the start, with what
//! the plan says of it — the steps it waits for, its attempt limit, its timeout, whether it is a
//! point of no return — beside what the journal says of it. Built on the operation's detail, so
//! both tell the same story.

use super::detail::{OperationDetail, StepState, StepView};
use super::{Engine, EngineError};
use crate::domain::{OperationRecord, Phase, Resource, StepMark};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One step of the plan as the task view shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskView {
    pub step_id: String,
    pub label: String,
    pub phase: Phase,
    /// The steps it waits for (its upstream steps in the plan's DAG).
    pub upstream: Vec<String>,
    /// pending (never run), running, succeeded, failed or compensated.
    pub status: StepState,
    /// Exactly how it stands (never_run, verified, undone, left_behind, …).
    pub mark: StepMark,
    /// The attempt of the latest start (0: never started) and how many it may take.
    pub attempt: u32,
    pub attempt_limit: Option<u32>,
    pub timeout_ms: Option<u64>,
    /// Never undone, and nothing before it is either once it has run.
    pub point_of_no_return: bool,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<u64>,
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undo_error: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_behind: Vec<Resource>,
}

/// An operation with its task view and log tail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskDetail {
    pub record: OperationRecord,
    pub tasks: Vec<TaskView>,
    pub log: Vec<String>,
}

fn task(s: StepView) -> TaskView {
    TaskView {
        // A step that never ran is pending, whether or not the operation has ended (its mark
        // says never_run).
        status: match s.status {
            StepState::Skipped => StepState::Pending,
            other => other,
        },
        upstream: s.upstream,
        attempt_limit: s.attempt_limit,
        point_of_no_return: s.point_of_no_return,
        step_id: s.id,
        label: s.label,
        phase: s.phase,
        mark: s.mark,
        attempt: s.attempt,
        timeout_ms: s.timeout_ms,
        started_at: s.started_at,
        finished_at: s.finished_at,
        duration_ms: s.duration_ms,
        error: s.error,
        undo_error: s.undo_error,
        left_behind: s.left_behind,
    }
}

impl Engine {
    /// The task view of an operation by id (or an unambiguous prefix), with its last
    /// `log_lines` log lines: the operation's detail, whose steps carry what the plan says of
    /// each (the console's step detail reads the same fields).
    pub async fn task_view(&self, id: &str, log_lines: usize) -> Result<TaskDetail, EngineError> {
        let detail: OperationDetail = self.operation_detail(id, log_lines).await?;
        Ok(TaskDetail {
            record: detail.record,
            tasks: detail.steps.into_iter().map(task).collect(),
            log: detail.log,
        })
    }
}
