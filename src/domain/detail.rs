//! One operation as every screen and report tells it: its record, every step of its plan with the
//! mark the journal gives it, the checklist it started with, its recovery point, the retries seen,
//! and the figures derived from them (achieved RTO, data loss, the verdict against the targets).
//! Built by the engine from the journal; pure here.

use super::{
    Check, OperationRecord, OperationStatus, OperationType, Phase, Resource, StepMark, UsedPoint,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a step of an operation's plan stands, coarsely: its `mark` (`StepMark`, the one set of
/// marks the journal keeps) says exactly; this tells a step not started yet from one that never
/// ran, and groups the marks for the counts and gauges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

    /// A step's coarse state from its mark. A step that never ran in an operation that has
    /// ended was skipped; one left behind counts as failed (its undo did).
    pub fn of(mark: StepMark, op_finished: bool) -> StepState {
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
}

/// One step of an operation's plan, with what the journal knows of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    #[serde(rename = "step_id")]
    pub id: String,
    pub label: String,
    /// Its kind (`create_server`): what the timeline and reports group by.
    #[serde(default)]
    pub kind: String,
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
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// How many attempts it may take (the plan's retry policy; unknown without the plan).
    #[serde(default)]
    pub attempt_limit: Option<u32>,
    /// The steps it waits for: its upstream steps in the plan's DAG.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
    /// Never undone: once it has run, a rollback stops here (a point of no return).
    #[serde(default)]
    pub point_of_no_return: bool,
    /// `done/total` of a step that reports progress (e.g. 3 of 5 volumes); live events only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<(u32, u32)>,
    pub error: Option<String>,
    /// Why its undo could not run (left behind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo_error: Option<String>,
    /// What it left behind (left behind only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_behind: Vec<Resource>,
    /// What its output says it made at a site.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub created: Vec<Resource>,
    /// What its output says it deleted (retired copies, a drill's resources).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<Resource>,
}

impl StepView {
    /// A step of the plan that has not started (tests, events of a step the plan did not list).
    pub fn planned(id: &str, label: &str, phase: Phase) -> StepView {
        StepView {
            id: id.to_string(),
            label: label.to_string(),
            kind: id.split(':').next().unwrap_or(id).to_string(),
            phase,
            status: StepState::Pending,
            mark: StepMark::NeverRun,
            attempt: 0,
            started_at: None,
            finished_at: None,
            duration_ms: None,
            timeout_ms: None,
            attempt_limit: None,
            upstream: Vec::new(),
            point_of_no_return: false,
            progress: None,
            error: None,
            undo_error: None,
            left_behind: Vec::new(),
            created: Vec::new(),
            removed: Vec::new(),
        }
    }

    /// Set its mark, and its coarse state with it.
    pub fn set_mark(&mut self, mark: StepMark, op_finished: bool) {
        self.mark = mark;
        self.status = StepState::of(mark, op_finished);
    }

    /// Not started yet while its operation runs (a mark of `never_run` in one that ended).
    pub fn pending(&self) -> bool {
        self.status == StepState::Pending
    }

    /// How the operator reads where it stands: `pending` while it may still run, else its mark.
    pub fn words(&self) -> &'static str {
        if self.pending() {
            "pending"
        } else {
            self.mark.words()
        }
    }
}

/// The group's targets when the operation was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Targets {
    pub rpo_target_seconds: u64,
    pub rto_target_seconds: Option<u64>,
}

/// A failed attempt that was retried, or a fault a step met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retry {
    pub at: DateTime<Utc>,
    pub step: String,
    pub error: String,
}

/// A drill's cleanup, when one ran after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanupRef {
    pub id: String,
    pub status: OperationStatus,
    pub completed_at: Option<DateTime<Utc>>,
}

/// One operation with its steps and log, as the operation view, `ops show` and reports show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationDetail {
    pub record: OperationRecord,
    pub steps: Vec<StepView>,
    /// `HH:MM:SS line`, oldest first, control characters stripped.
    pub log: Vec<String>,
    /// Where the full log lives, for the "what to do next" hint (set by whoever knows it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_path: Option<String>,
    /// The precondition checklist as it stood when the operation started.
    #[serde(default)]
    pub checks: Vec<Check>,
    #[serde(default)]
    /// The snapshot it recovered from (its record's, else what its snapshot step chose).
    pub recovery_point: Option<UsedPoint>,
    #[serde(default)]
    pub targets: Targets,
    /// Failed attempts that were retried (faults the run rode out).
    #[serde(default)]
    pub retries: Vec<Retry>,
    #[serde(default)]
    pub cleanup: Option<CleanupRef>,
}

/// How the executor's failure reason starts when the operator cancelled.
pub const CANCELLED_BY_OPERATOR: &str = "cancelled by the operator";

/// Met, missed, or not measurable (no target, or the operation did not get there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    Missed,
    NotMeasured,
}

impl Verdict {
    pub fn of(achieved: Option<i64>, target: Option<u64>) -> Verdict {
        match (achieved, target) {
            (Some(a), Some(t)) if a <= t as i64 => Verdict::Met,
            (Some(_), Some(_)) => Verdict::Missed,
            _ => Verdict::NotMeasured,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Missed => "missed",
            Verdict::NotMeasured => "not measured",
        }
    }
}

impl OperationDetail {
    /// Seconds from `started_at` to `end` (the operation's end, or `now` while it runs).
    pub fn elapsed_seconds(&self, now: DateTime<Utc>) -> Option<f64> {
        let start = self.record.started_at?;
        let end = self.record.completed_at.unwrap_or(now);
        Some((end - start).num_milliseconds().max(0) as f64 / 1000.0)
    }

    /// The achieved RTO: from the start to the last server ACTIVE (the last `wait_active` that
    /// stands), in seconds; `None` for an operation that brought no server up.
    pub fn rto_seconds(&self) -> Option<i64> {
        let start = self.record.started_at?;
        let last = self
            .steps
            .iter()
            .filter(|s| s.kind == "wait_active" && s.mark.stands())
            .filter_map(|s| s.finished_at)
            .max()?;
        Some((last - start).num_seconds().max(0))
    }

    /// A drill's whole span: from its start to the end of its cleanup.
    pub fn to_cleanup_seconds(&self) -> Option<i64> {
        let start = self.record.started_at?;
        let end = self.cleanup.as_ref()?.completed_at?;
        Some((end - start).num_seconds().max(0))
    }

    /// The writes the recovered copy misses, in seconds.
    pub fn data_loss_seconds(&self) -> Option<i64> {
        self.record.result_data.data_loss_seconds.or_else(|| {
            let p = self.recovery_point.as_ref()?;
            Some(super::data_loss_seconds(p.created?, p.chosen_at?))
        })
    }

    pub fn rpo_verdict(&self) -> Verdict {
        Verdict::of(
            self.data_loss_seconds(),
            Some(self.targets.rpo_target_seconds).filter(|t| *t > 0),
        )
    }

    pub fn rto_verdict(&self) -> Verdict {
        Verdict::of(self.rto_seconds(), self.targets.rto_target_seconds)
    }

    /// A drill or a failover that moved or copied the workload: these end with a card and a report.
    pub fn is_recovery(&self) -> bool {
        matches!(
            self.record.operation_type,
            OperationType::TestFailover
                | OperationType::PlannedFailover
                | OperationType::Failover
                | OperationType::Failback
        )
    }

    /// An operator's cancel ended it (what it did was rolled back), as opposed to a failure.
    /// (Journals from before the `cancelled` status said so in the error.)
    pub fn was_cancelled(&self) -> bool {
        self.record.status == OperationStatus::Cancelled
            || (self.record.status == OperationStatus::Failed
                && self
                    .record
                    .error_message
                    .as_deref()
                    .is_some_and(|e| e.starts_with(CANCELLED_BY_OPERATOR)))
    }

    /// How many steps rollback reached, by mark: (undone, nothing to undo, left behind).
    pub fn rollback_counts(&self) -> (usize, usize, usize) {
        let n = |m: StepMark| self.steps.iter().filter(|s| s.mark == m).count();
        (
            n(StepMark::Undone),
            n(StepMark::NothingToUndo),
            n(StepMark::LeftBehind),
        )
    }

    /// The site the workload runs at after the operation, as its record says.
    pub fn new_primary(&self) -> Option<&str> {
        self.record.result_data.current_primary_site.as_deref()
    }

    /// Every resource the operation made and every one it removed, by step, in plan order.
    pub fn resources(&self) -> impl Iterator<Item = (&StepView, &Resource, bool)> {
        self.steps.iter().flat_map(|s| {
            s.created
                .iter()
                .map(move |r| (s, r, true))
                .chain(s.removed.iter().map(move |r| (s, r, false)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_compare_achieved_with_target() {
        assert_eq!(Verdict::of(Some(30), Some(60)), Verdict::Met);
        assert_eq!(Verdict::of(Some(60), Some(60)), Verdict::Met);
        assert_eq!(Verdict::of(Some(61), Some(60)), Verdict::Missed);
        assert_eq!(Verdict::of(None, Some(60)), Verdict::NotMeasured);
        assert_eq!(Verdict::of(Some(1), None), Verdict::NotMeasured);
    }

    #[test]
    fn a_marks_coarse_state_tells_pending_from_never_run() {
        assert_eq!(StepState::of(StepMark::NeverRun, false), StepState::Pending);
        assert_eq!(StepState::of(StepMark::NeverRun, true), StepState::Skipped);
        assert_eq!(
            StepState::of(StepMark::Verified, true),
            StepState::Succeeded
        );
        assert_eq!(StepState::of(StepMark::LeftBehind, true), StepState::Failed);
        assert_eq!(
            StepState::of(StepMark::NothingToUndo, true),
            StepState::Compensated
        );
        let mut s = StepView::planned("a", "a", Phase::Preparation);
        assert_eq!(s.words(), "pending");
        s.set_mark(StepMark::NeverRun, true);
        assert_eq!(s.words(), "never run");
    }
}
