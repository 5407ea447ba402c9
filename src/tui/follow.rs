//! Following the engine's event stream: the operations list and the open operation view are
//! updated in place, so progress shows without re-reading the journal.

use super::app::{App, Screen};
use super::backend::{OperationDetail, StepState, StepView};
use super::msg::Action;
use crate::domain::{OperationStatus, Phase};
use crate::orchestrator::{EventKind, OperationEvent};
use crate::sanitize::clean;

/// Log lines kept per operation in the view.
const LOG_TAIL_LEN: usize = 500;
/// Events kept for an operation view whose detail has not arrived yet.
const PENDING_LEN: usize = 1000;

pub fn on_event(app: &mut App, e: OperationEvent) -> Vec<Action> {
    let mut out = Vec::new();
    match app.operations.iter_mut().find(|o| o.id == e.operation_id) {
        Some(op) => match &e.kind {
            EventKind::Progress { percent } => op.progress = *percent,
            EventKind::Status { status } => {
                op.status = *status;
                if status.is_finished() {
                    op.completed_at = Some(e.at);
                    out.push(Action::Refresh);
                    out.push(Action::LoadOperations);
                }
            }
            _ => {}
        },
        None => out.push(Action::LoadOperations),
    }
    if let Screen::Operation(view) = &mut app.screen
        && view.id == e.operation_id
    {
        match &mut view.detail {
            Some(d) => apply_event(d, &e),
            None if view.pending.len() < PENDING_LEN => view.pending.push(e),
            None => {}
        }
    }
    if out.contains(&Action::Refresh) {
        app.refreshing = true;
    }
    out
}

/// Follow one event in the operation view's copy of the operation.
pub fn apply_event(d: &mut OperationDetail, e: &OperationEvent) {
    let step = |d: &mut OperationDetail, id: &str| d.steps.iter().position(|s| s.id == id);
    match &e.kind {
        EventKind::StepStarted {
            step: id, label, ..
        } => {
            let i = match step(d, id) {
                Some(i) => i,
                None => {
                    let phase = d
                        .steps
                        .last()
                        .map(|s| s.phase)
                        .unwrap_or(Phase::Preparation);
                    d.steps.push(StepView {
                        id: id.clone(),
                        label: clean(label),
                        phase,
                        status: StepState::Pending,
                        attempt: 0,
                        started_at: None,
                        finished_at: None,
                        duration_ms: None,
                        progress: None,
                        error: None,
                    });
                    d.steps.len() - 1
                }
            };
            if d.record.status == OperationStatus::Pending {
                d.record.status = OperationStatus::Running;
            }
            let s = &mut d.steps[i];
            s.status = StepState::Running;
            s.started_at.get_or_insert(e.at);
            s.error = None;
        }
        EventKind::StepProgress {
            step: id,
            done,
            total,
        } => {
            if let Some(i) = step(d, id) {
                d.steps[i].progress = Some((*done, *total));
            }
        }
        EventKind::StepSucceeded { step: id, .. } => {
            if let Some(i) = step(d, id) {
                d.steps[i].status = StepState::Succeeded;
                d.steps[i].finished_at = Some(e.at);
            }
        }
        EventKind::StepFailed {
            step: id,
            error,
            will_retry,
        } => {
            if let Some(i) = step(d, id) {
                d.steps[i].error = Some(clean(error));
                if !will_retry {
                    d.steps[i].status = StepState::Failed;
                    d.steps[i].finished_at = Some(e.at);
                }
            }
        }
        EventKind::StepCompensated { step: id } => {
            if let Some(i) = step(d, id) {
                d.steps[i].status = StepState::Compensated;
            }
        }
        EventKind::Phase { .. } => {}
        EventKind::CancelRequested { by } => {
            d.log.push(format!(
                "{} cancel asked by {}: rolling back",
                e.at.format("%H:%M:%S"),
                clean(by)
            ));
        }
        EventKind::Progress { percent } => d.record.progress = *percent,
        EventKind::Status { status } => {
            d.record.status = *status;
            if status.is_finished() {
                d.record.completed_at = Some(e.at);
            }
        }
        EventKind::Log { line } => {
            d.log
                .push(format!("{} {}", e.at.format("%H:%M:%S"), clean(line)));
            if d.log.len() > LOG_TAIL_LEN {
                d.log.remove(0);
            }
        }
    }
}

/// Apply an event that arrived before the detail did; log lines the detail already has are skipped.
pub fn replay(d: &mut OperationDetail, e: &OperationEvent) {
    if let EventKind::Log { line } = &e.kind {
        let clean_line = clean(line);
        if d.log.iter().any(|l| l.ends_with(&clean_line)) {
            return;
        }
    }
    apply_event(d, e);
}
