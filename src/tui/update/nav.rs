//! Moving around and asking for data: selection and scroll of the lists, opening an operation,
//! quitting, and the requests of background jobs (each with its generation; a refresh never
//! starts while one is in flight).

use crate::tui::app::{App, ListCursor, OpView, Overlay, Pane, Screen, window};
use crate::tui::backend::OperationRequest;
use crate::tui::jobs::Job;
use crate::tui::msg::Action;
use crate::tui::view::layout::{MainLayout, page};

/// A request for the estate, unless one is in flight.
pub fn load_estate(app: &mut App) -> Option<Action> {
    (!app.jobs.in_flight(Job::Estate)).then(|| Action::Refresh(app.jobs.issue(Job::Estate)))
}

pub fn load_operations(app: &mut App) -> Action {
    Action::LoadOperations(app.jobs.issue(Job::Operations))
}

/// A request for the operations list, unless one is in flight (for bursts of events and
/// journal changes): then it is asked again when that one answers.
pub fn load_operations_once(app: &mut App) -> Option<Action> {
    app.jobs
        .issue_once(Job::Operations)
        .map(Action::LoadOperations)
}

/// Every group's state from the journal, coalesced like the operations list.
pub fn load_group_states_once(app: &mut App) -> Option<Action> {
    app.jobs
        .issue_once(Job::GroupStates)
        .map(Action::LoadGroupStates)
}

/// The open operation's detail, coalesced like the operations list.
pub fn load_detail_once(app: &mut App, id: String) -> Option<Action> {
    app.jobs
        .issue_once(Job::Detail)
        .map(|generation| Action::LoadDetail { id, generation })
}

pub fn load_instances(app: &mut App, group: String) -> Action {
    let generation = app.jobs.issue(Job::Instances);
    Action::LoadInstances { group, generation }
}

pub fn load_detail(app: &mut App, id: String) -> Action {
    let generation = app.jobs.issue(Job::Detail);
    Action::LoadDetail { id, generation }
}

pub fn check(app: &mut App, request: OperationRequest) -> Action {
    let generation = app.jobs.issue(Job::Checks);
    Action::Check {
        request,
        generation,
    }
}

/// What the console asks for first.
pub fn start(app: &mut App) -> Vec<Action> {
    refresh(app)
}

/// Re-read everything shown (the timer and `r`); nothing while a refresh is in flight.
pub fn refresh(app: &mut App) -> Vec<Action> {
    let Some(estate) = load_estate(app) else {
        return Vec::new();
    };
    let mut out = vec![estate, load_operations(app)];
    if app.lab {
        out.push(Action::LoadLabFaults);
    }
    if let Some(g) = app.instances_group.clone() {
        out.push(load_instances(app, g));
    }
    // The event stream says an operation ended before its result is journaled: its detail is
    // re-read until the journal says it ended too.
    let open = match &app.screen {
        Screen::Operation(v) if !v.settled => Some(v.id.clone()),
        _ => None,
    };
    if let Some(id) = open {
        out.push(load_detail(app, id));
    }
    out
}

/// The selected group changed (or appeared): load its instances.
pub fn group_changed(app: &mut App) -> Vec<Action> {
    let Some(name) = app.selected_group().map(|g| g.name.clone()) else {
        return Vec::new();
    };
    if app.instances_group.as_deref() == Some(name.as_str()) {
        return Vec::new();
    }
    app.instances_group = Some(name.clone());
    app.instances.clear();
    app.instances_error = None;
    *app.cursor_mut(Pane::Instances) = ListCursor {
        filter: app.cursor(Pane::Instances).filter.clone(),
        ..ListCursor::default()
    };
    vec![load_instances(app, name)]
}

pub fn clamp(app: &mut App, pane: Pane) {
    let n = app.rows(pane).len();
    let c = app.cursor_mut(pane);
    c.selected = c.selected.min(n.saturating_sub(1));
    fix_offset(app, pane);
}

pub fn fix_offset(app: &mut App, pane: Pane) {
    let n = app.rows(pane).len();
    let h = page(pane, MainLayout::of(app).rect(pane));
    let c = app.cursor_mut(pane);
    c.offset = window(c.selected, c.offset, h, n);
}

pub fn select(app: &mut App, pane: Pane, index: usize) -> Vec<Action> {
    app.cursor_mut(pane).selected = index;
    clamp(app, pane);
    if pane == Pane::Groups {
        group_changed(app)
    } else {
        Vec::new()
    }
}

pub fn move_by(app: &mut App, pane: Pane, delta: isize) -> Vec<Action> {
    let cur = app.cursor(pane).selected as isize;
    select(app, pane, (cur + delta).max(0) as usize)
}

pub fn open_operation(app: &mut App, id: String) -> Vec<Action> {
    app.screen = Screen::Operation(Box::new(OpView::new(id.clone())));
    vec![load_detail(app, id)]
}

/// The engine resumed these operations at the start: they run here now, and quitting asks.
/// `elsewhere`: unfinished ones another live console runs (`id (who)`), said too.
pub fn resumed(app: &mut App, ids: Vec<String>, elsewhere: &[String]) {
    let mut said = Vec::new();
    if !ids.is_empty() {
        said.push(format!(
            "resumed {} from the journal: paused when a console stopped, it runs here again",
            ids.join(", ")
        ));
    }
    if !elsewhere.is_empty() {
        said.push(format!(
            "unfinished, run by another console: {}",
            elsewhere.join(", ")
        ));
    }
    if !said.is_empty() {
        app.info(said.join("; "));
    }
    app.own_ops.extend(ids);
}

/// Quit, or ask first while an operation started here runs.
pub fn quit(app: &mut App) -> Vec<Action> {
    if app.own_operation_running() {
        app.overlay = Some(Overlay::QuitConfirm);
        Vec::new()
    } else {
        app.quit = true;
        vec![Action::Quit]
    }
}
