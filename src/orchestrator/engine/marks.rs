//! Every step of an operation's plan with its mark (succeeded, verified, failed, undone, nothing
//! to undo, irreversible, left behind, never run, running), from the journal: what `ops show`,
//! `ops watch` and the console read, so a step undone or never run never shows as a plain ✓.

use super::{Engine, EngineError};
use crate::domain::{OperationRecord, Phase, Resource, StepMark};
use crate::orchestrator::Plan;
use crate::sanitize::clean;
use crate::store::{StepRecord, StoredOperation, mark_of};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// One step of an operation's plan as it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepLine {
    pub step_id: String,
    pub label: String,
    pub phase: Phase,
    pub mark: StepMark,
    /// The attempt of the latest start; 0 for a step that never started.
    pub attempt: u32,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<u64>,
    /// Why it failed.
    pub error: Option<String>,
    /// Why its undo could not run (left behind).
    pub undo_error: Option<String>,
    /// What it left behind (left behind only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_behind: Vec<Resource>,
}

impl Engine {
    /// An operation (by id or unique prefix) and every step of its plan with its mark.
    pub async fn operation_steps(
        &self,
        id: &str,
    ) -> Result<(OperationRecord, Vec<StepLine>), EngineError> {
        let op = self.find(id).await?;
        let journaled = self.store.steps(&op.record.id).await?;
        let lines = step_lines(&op, &journaled);
        Ok((op.record, lines))
    }
}

/// Every plan step in plan order; a plan that cannot be read back still shows the steps the
/// journal has.
pub fn step_lines(op: &StoredOperation, journaled: &[StepRecord]) -> Vec<StepLine> {
    let finished = op.record.status.is_finished();
    let by_id: HashMap<&str, &StepRecord> =
        journaled.iter().map(|s| (s.step_id.as_str(), s)).collect();
    match serde_json::from_value::<Plan>(op.plan.clone()) {
        Ok(plan) => plan
            .steps
            .iter()
            .map(|spec| {
                let rec = by_id.get(spec.id.as_str()).copied();
                let mark = mark_of(rec, finished);
                let left = if mark == StepMark::LeftBehind {
                    spec.kind.resources(rec.and_then(|r| r.output.as_ref()))
                } else {
                    Vec::new()
                };
                line(
                    spec.id.to_string(),
                    spec.label(),
                    spec.phase,
                    rec,
                    mark,
                    left,
                )
            })
            .collect(),
        Err(e) => {
            tracing::warn!("operation {}: its plan is unreadable: {e}", op.record.id);
            journaled
                .iter()
                .map(|r| {
                    let mark = r.mark_in(finished);
                    let id = r.step_id.clone();
                    line(
                        id.clone(),
                        id,
                        Phase::Preparation,
                        Some(r),
                        mark,
                        Vec::new(),
                    )
                })
                .collect()
        }
    }
}

fn line(
    step_id: String,
    label: String,
    phase: Phase,
    rec: Option<&StepRecord>,
    mark: StepMark,
    left_behind: Vec<Resource>,
) -> StepLine {
    StepLine {
        step_id,
        label: clean(&label),
        phase,
        mark,
        attempt: rec.map(|r| r.attempt).unwrap_or(0),
        started_at: rec.map(|r| r.started_at),
        finished_at: rec.and_then(|r| r.finished_at),
        duration_ms: rec.and_then(|r| r.duration_ms),
        error: rec.and_then(|r| r.error.as_deref()).map(clean),
        undo_error: rec.and_then(|r| r.mark_error.as_deref()).map(clean),
        left_behind,
    }
}
