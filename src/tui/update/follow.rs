//! Following the engine's event stream: the operations list and the open operation view are
//! updated in place, so progress shows without re-reading the journal.

use super::nav;
use crate::domain::{OperationStatus, Phase, StepMark};
use crate::orchestrator::{EventKind, OperationEvent};
use crate::sanitize::clean;
use crate::tui::app::{App, Screen};
use crate::tui::backend::{OperationDetail, StepState, StepView};
use crate::tui::msg::Effect;
use chrono::{DateTime, Utc};

/// Log lines kept per operation in the view.
const LOG_TAIL_LEN: usize = 500;
/// Events kept for an operation view whose detail has not arrived yet.
const PENDING_LEN: usize = 1000;

pub fn on_event(app: &mut App, e: OperationEvent) -> Effect {
    let mut effect = on_list(app, &e);
    let ended = matches!(&e.kind, EventKind::Status { status } if status.is_finished());
    let Screen::Operation(view) = &mut app.screen else {
        return effect;
    };
    if view.id != e.operation_id {
        return effect;
    }
    view.live = true;
    let id = view.id.clone();
    match &mut view.detail {
        Some(d) => {
            apply_event(d, &e);
            effect.redraw = true;
        }
        None if view.pending.len() < PENDING_LEN => view.pending.push(e),
        None => {}
    }
    if ended {
        // Published once its record is saved: the result is in the journal now.
        effect.actions.extend(nav::load_detail_once(app, id));
    }
    effect
}

/// The operations list: progress and status in place; an operation it does not list yet (or one
/// that ended, which changes the groups) is re-read.
fn on_list(app: &mut App, e: &OperationEvent) -> Effect {
    let Some(op) = app.operations.iter_mut().find(|o| o.id == e.operation_id) else {
        return Effect::quiet(nav::load_operations_once(app).into_iter().collect());
    };
    match &e.kind {
        EventKind::Progress { percent } => op.progress = *percent,
        EventKind::Status { status } => {
            op.status = *status;
            if status.is_finished() {
                op.completed_at = Some(e.at);
                // The group moved on (saved before this event): its state shows at once.
                let mut out: Vec<_> = nav::load_group_states_once(app).into_iter().collect();
                out.extend(nav::load_estate(app));
                out.extend(nav::load_operations_once(app));
                out.extend(super::reports::at_end(app, e.operation_id.clone()));
                return Effect::run(out);
            }
        }
        _ => return Effect::none(),
    }
    Effect::redraw()
}

/// Follow one event in the operation view's copy of the operation.
pub fn apply_event(d: &mut OperationDetail, e: &OperationEvent) {
    match &e.kind {
        EventKind::StepStarted {
            step: id, label, ..
        } => step_started(d, id, label, e.at),
        EventKind::StepProgress {
            step: id,
            done,
            total,
        } => {
            if let Some(s) = step(d, id) {
                s.progress = Some((*done, *total));
            }
        }
        EventKind::StepSucceeded { step: id, .. } => {
            if let Some(s) = step(d, id) {
                s.status = StepState::Succeeded;
                s.mark = StepMark::Succeeded;
                s.finished_at = Some(e.at);
            }
        }
        EventKind::StepFailed {
            step: id,
            error,
            will_retry,
        } => step_failed(d, id, error, *will_retry, e.at),
        EventKind::StepCompensated { step: id, undo } => {
            if let Some(s) = step(d, id) {
                s.set_mark(StepMark::from(*undo), true);
            }
        }
        EventKind::Phase { .. } => {}
        EventKind::CancelRequested { by } => log(
            d,
            e.at,
            &format!("cancel asked by {}: rolling back", clean(by)),
        ),
        EventKind::Progress { percent } => d.record.progress = *percent,
        EventKind::Status { status } => {
            d.record.status = *status;
            if status.is_finished() {
                d.record.completed_at = Some(e.at);
            }
        }
        EventKind::Log { line } => log(d, e.at, &clean(line)),
        kind => recovery_event(d, kind, e.at),
    }
}

/// The events of a rollback that rides out an outage or leaves steps behind, and of a retry.
fn recovery_event(d: &mut OperationDetail, kind: &EventKind, at: DateTime<Utc>) {
    match kind {
        EventKind::StepLeftBehind {
            step: id,
            error,
            resources,
        } => {
            if let Some(s) = step(d, id) {
                s.status = StepState::Failed;
                s.mark = StepMark::LeftBehind;
                s.undo_error = Some(clean(error));
                s.left_behind = resources.clone();
            }
        }
        EventKind::StepVerified { step: id } => {
            if let Some(s) = step(d, id) {
                s.status = StepState::Succeeded;
                s.mark = StepMark::Verified;
            }
        }
        EventKind::RollbackWaiting {
            site,
            attempt,
            next_in_ms,
            ..
        } => log(
            d,
            at,
            &format!(
                "waiting for {} (attempt {attempt}, next in {} s)",
                clean(site.as_deref().unwrap_or("the sites")),
                next_in_ms.div_ceil(1000)
            ),
        ),
        EventKind::Retried { by } => log(
            d,
            at,
            &format!("retried by {}: continuing from where it stopped", clean(by)),
        ),
        _ => {}
    }
}

fn step<'a>(d: &'a mut OperationDetail, id: &str) -> Option<&'a mut StepView> {
    d.steps.iter_mut().find(|s| s.id == id)
}

/// A step starts (or starts again): running, its first start kept, its last error cleared. A
/// step the plan did not list (a plan read back without it) is added after the last.
fn step_started(d: &mut OperationDetail, id: &str, label: &str, at: DateTime<Utc>) {
    if d.record.status == OperationStatus::Pending {
        d.record.status = OperationStatus::Running;
    }
    if step(d, id).is_none() {
        let phase = d
            .steps
            .last()
            .map(|s| s.phase)
            .unwrap_or(Phase::Preparation);
        d.steps.push(StepView::planned(id, &clean(label), phase));
    }
    if let Some(s) = step(d, id) {
        s.status = StepState::Running;
        s.mark = StepMark::Running;
        s.started_at.get_or_insert(at);
        s.error = None;
    }
}

/// A failed attempt shows its error; the step fails only when it will not be retried.
fn step_failed(
    d: &mut OperationDetail,
    id: &str,
    error: &str,
    will_retry: bool,
    at: DateTime<Utc>,
) {
    if let Some(s) = step(d, id) {
        s.error = Some(clean(error));
        if !will_retry {
            s.status = StepState::Failed;
            s.mark = StepMark::Failed;
            s.finished_at = Some(at);
        }
    }
}

fn log(d: &mut OperationDetail, at: DateTime<Utc>, line: &str) {
    d.log.push(format!("{} {line}", at.format("%H:%M:%S")));
    if d.log.len() > LOG_TAIL_LEN {
        d.log.remove(0);
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
