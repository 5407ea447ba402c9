//! Answers of background jobs and of the engine: each is applied only if it is the newest of its
//! job (and still about what is shown), and says whether the screen changed.

use super::{follow, nav};
use crate::domain::{EstateView, InstanceView, OperationRecord};
use crate::sanitize::clean;
use crate::tui::app::{App, Pane, Screen};
use crate::tui::backend::{BackendError, OperationDetail, OperationRequest};
use crate::tui::jobs::{Gen, Job};
use crate::tui::msg::Effect;
use crate::tui::theme::{Theme, ThemeError};

pub fn estate(app: &mut App, generation: Gen, result: Result<EstateView, BackendError>) -> Effect {
    if !app.jobs.accept(Job::Estate, generation) {
        return Effect::none();
    }
    match result {
        Ok(e) => {
            app.estate = Some(e);
            app.estate_error = None;
            app.push_rpo_samples();
        }
        Err(e) => app.estate_error = Some(clean(&e.to_string())),
    }
    nav::clamp(app, Pane::Sites);
    nav::clamp(app, Pane::Groups);
    Effect::run(nav::group_changed(app))
}

pub fn instances(
    app: &mut App,
    group: &str,
    generation: Gen,
    result: Result<Vec<InstanceView>, BackendError>,
) -> Effect {
    if !app.jobs.accept(Job::Instances, generation) || app.instances_group.as_deref() != Some(group)
    {
        return Effect::none();
    }
    let changed = match result {
        Ok(list) if list == app.instances && app.instances_error.is_none() => false,
        Ok(list) => {
            app.instances = list;
            app.instances_error = None;
            true
        }
        Err(e) => {
            app.instances_error = Some(clean(&e.to_string()));
            true
        }
    };
    nav::clamp(app, Pane::Instances);
    Effect::changed(changed)
}

pub fn operations(
    app: &mut App,
    generation: Gen,
    result: Result<Vec<OperationRecord>, BackendError>,
) -> Effect {
    if !app.jobs.accept(Job::Operations, generation) {
        return Effect::none();
    }
    let changed = match result {
        Ok(ops) if ops == app.operations => false,
        Ok(ops) => {
            app.operations = ops;
            true
        }
        Err(e) => {
            app.error(format!("cannot list operations: {e}"));
            true
        }
    };
    nav::clamp(app, Pane::Operations);
    Effect::changed(changed)
}

pub fn detail(
    app: &mut App,
    id: &str,
    generation: Gen,
    result: Result<Box<OperationDetail>, BackendError>,
) -> Effect {
    let Screen::Operation(view) = &mut app.screen else {
        return Effect::none();
    };
    if view.id != id || !app.jobs.accept(Job::Detail, generation) {
        return Effect::none();
    }
    match result {
        Ok(d) => {
            let mut d = *d;
            view.settled = d.record.status.is_finished();
            for e in view.pending.drain(..) {
                follow::replay(&mut d, &e);
            }
            view.detail = Some(d);
            view.error = None;
        }
        Err(e) => view.error = Some(clean(&e.to_string())),
    }
    Effect::redraw()
}

pub fn started(
    app: &mut App,
    request: OperationRequest,
    result: Result<String, BackendError>,
) -> Effect {
    match result {
        Ok(id) => {
            app.own_ops.insert(id.clone());
            app.info(format!(
                "{} of {} started ({id})",
                request.operation.label(),
                request.group
            ));
            let mut out = nav::open_operation(app, id);
            out.push(nav::load_operations(app));
            out.extend(nav::load_estate(app));
            Effect::run(out)
        }
        Err(e) => {
            app.error(format!(
                "{} of {} was not started: {e}",
                request.operation.label(),
                request.group
            ));
            Effect::redraw()
        }
    }
}

pub fn cancelled(app: &mut App, id: &str, result: Result<(), BackendError>) -> Effect {
    match result {
        Ok(()) => app.info(format!("cancel of {id} requested")),
        Err(e) => app.error(format!("cannot cancel {id}: {e}")),
    }
    Effect::redraw()
}

pub fn fault(app: &mut App, result: Result<String, BackendError>) -> Effect {
    match result {
        Ok(m) => app.info(m),
        Err(e) => app.error(e.to_string()),
    }
    Effect::run(nav::load_estate(app).into_iter().collect())
}

pub fn theme(app: &mut App, result: Result<Theme, ThemeError>) -> Effect {
    match result {
        Ok(t) => {
            app.info(format!("theme {}", t.name));
            app.theme = t;
        }
        Err(e) => app.error(e.to_string()),
    }
    Effect::redraw()
}

/// The event stream dropped events: re-read what is shown.
pub fn lagged(app: &mut App) -> Effect {
    let mut out = vec![nav::load_operations(app)];
    if let Screen::Operation(v) = &app.screen {
        let id = v.id.clone();
        out.push(nav::load_detail(app, id));
    }
    Effect::quiet(out)
}

pub fn resize(app: &mut App, w: u16, h: u16) -> Effect {
    app.size = (w, h);
    for pane in [Pane::Sites, Pane::Groups, Pane::Instances, Pane::Operations] {
        nav::fix_offset(app, pane);
    }
    Effect::redraw()
}

/// A spinner frame: a redraw only while something spins.
pub fn tick(app: &mut App, now: chrono::DateTime<chrono::Utc>) -> Effect {
    app.now = now;
    app.spinner = app.spinner.wrapping_add(1);
    Effect::changed(app.animating())
}
