//! Answers of background jobs and of the engine: each is applied only if it is the newest of its
//! job (and still about what is shown), and says whether the screen changed.

use super::{follow, nav};
use crate::domain::{EstateView, GroupState, GroupStatus, InstanceView, OperationRecord};
use crate::sanitize::clean;
use crate::tui::app::{App, Pane, Screen};
use crate::tui::backend::{BackendError, OperationDetail, OperationRequest, SiteFaults};
use crate::tui::jobs::{Gen, Job};
use crate::tui::msg::{Action, Effect};
use crate::tui::theme::{Theme, ThemeError};

pub fn estate(app: &mut App, generation: Gen, result: Result<EstateView, BackendError>) -> Effect {
    if !app.jobs.accept(Job::Estate, generation) {
        return Effect::none();
    }
    let mut history = false;
    match result {
        Ok(e) => {
            app.estate = Some(e);
            app.estate_error = None;
            app.apply_journal_groups();
            history = true;
        }
        Err(e) => app.estate_error = Some(clean(&e.to_string())),
    }
    nav::clamp(app, Pane::Sites);
    nav::clamp(app, Pane::Groups);
    let mut out = nav::group_changed(app);
    if history {
        out.push(Action::LoadRpoHistory);
    }
    Effect::run(out)
}

/// The journal's RPO history: the lag sparklines.
pub fn rpo_history(
    app: &mut App,
    result: Result<std::collections::HashMap<String, Vec<i64>>, BackendError>,
) -> Effect {
    let Ok(h) = result else {
        return Effect::none();
    };
    let h: std::collections::HashMap<String, Vec<u64>> = h
        .into_iter()
        .map(|(g, v)| (g, v.into_iter().map(|s| s.max(0) as u64).collect()))
        .collect();
    let changed = h != app.rpo_history;
    app.rpo_history = h;
    Effect::changed(changed)
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
    let mut out = Vec::new();
    let changed = match result {
        Ok(ops) if ops == app.operations => false,
        Ok(ops) => {
            let before = std::mem::replace(&mut app.operations, ops);
            out.extend(super::reports::ended_since(app, &before));
            true
        }
        Err(e) => {
            app.error(format!("cannot list operations: {e}"));
            true
        }
    };
    nav::clamp(app, Pane::Operations);
    if app.jobs.take_again(Job::Operations) {
        out.push(nav::load_operations(app));
    }
    Effect {
        actions: out,
        redraw: changed,
    }
}

/// The journal's group states: laid over the estate at once, so a group's status and where it
/// runs change the moment an operation changes them. A group whose status changed has its
/// instances re-read (an operation made or removed servers).
pub fn group_states(
    app: &mut App,
    generation: Gen,
    result: Result<Vec<GroupState>, BackendError>,
) -> Effect {
    if !app.jobs.accept(Job::GroupStates, generation) {
        return Effect::none();
    }
    let mut out = Vec::new();
    if app.jobs.take_again(Job::GroupStates) {
        out.extend(nav::load_group_states_once(app));
    }
    let states = match result {
        Ok(s) => s,
        // The estate's refresh says what is wrong with the journal; this read adds nothing.
        Err(_) => return Effect::quiet(out),
    };
    let before: Vec<(String, GroupStatus)> = app
        .groups()
        .iter()
        .map(|g| (g.name.clone(), g.status))
        .collect();
    app.journal_groups = states.into_iter().map(|s| (s.name.clone(), s)).collect();
    let changed = app.apply_journal_groups();
    let shown = app.instances_group.clone();
    let moved = app.groups().iter().any(|g| {
        shown.as_deref() == Some(g.name.as_str())
            && before.iter().any(|(n, st)| *n == g.name && *st != g.status)
    });
    if let (true, Some(g)) = (moved, shown) {
        out.push(nav::load_instances(app, g));
        out.extend(nav::load_estate(app));
    }
    Effect {
        actions: out,
        redraw: changed,
    }
}

/// The journal changed: re-read what is shown from it — the operations list, the groups' states
/// and, for an operation that runs elsewhere, its detail. Each read is coalesced.
pub fn journal_changed(app: &mut App) -> Effect {
    let mut out: Vec<Action> = nav::load_operations_once(app).into_iter().collect();
    out.extend(nav::load_group_states_once(app));
    let foreign = match &app.screen {
        Screen::Operation(v) if !v.settled && !v.live => Some(v.id.clone()),
        _ => None,
    };
    if let Some(id) = foreign {
        out.extend(nav::load_detail_once(app, id));
    }
    Effect::quiet(out)
}

pub fn journal_unfollowed(app: &mut App, e: BackendError) -> Effect {
    let text =
        format!("cannot follow the journal ({e}): other consoles' operations show at each refresh");
    app.journal_unfollowed = Some(clean(&text));
    app.error(text);
    Effect::redraw()
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
            // The engine journals the final status with the result, after the group's state.
            view.settled = d.record.status.is_finished();
            for e in view.pending.drain(..) {
                follow::replay(&mut d, &e);
            }
            if let Some(old) = &view.detail {
                keep_live_progress(&mut d, old);
            }
            view.detail = Some(d);
            view.error = None;
        }
        Err(e) => view.error = Some(clean(&e.to_string())),
    }
    let again = app.jobs.take_again(Job::Detail);
    let reread = match &app.screen {
        Screen::Operation(v) if again && !v.settled => Some(v.id.clone()),
        _ => None,
    };
    Effect::run(
        reread
            .map(|id| nav::load_detail(app, id))
            .into_iter()
            .collect(),
    )
}

/// A step's `3 of 5` is known from live events only: a re-read keeps it while the step runs.
fn keep_live_progress(new: &mut OperationDetail, old: &OperationDetail) {
    for s in new.steps.iter_mut().filter(|s| s.progress.is_none()) {
        if s.status == crate::domain::StepState::Running {
            s.progress = old
                .steps
                .iter()
                .find(|o| o.id == s.id)
                .and_then(|o| o.progress);
        }
    }
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
    let mut out: Vec<Action> = nav::load_estate(app).into_iter().collect();
    out.push(Action::LoadLabFaults);
    Effect::run(out)
}

/// The lab sites' faults: marked on their site and in the Faults menu.
pub fn lab_faults(app: &mut App, result: Result<Vec<SiteFaults>, BackendError>) -> Effect {
    let listed = match result {
        Ok(l) => l,
        Err(e) => {
            app.error(format!("cannot list the lab's faults: {e}"));
            return Effect::redraw();
        }
    };
    let changed = listed != app.lab_faults;
    app.lab_faults = listed;
    Effect::changed(changed)
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
