//! From a group to a started operation: the More menu, the operation's dialog with its live
//! checklist, and the confirmation. The checklist answer of an older request is dropped.

use super::nav;
use crate::domain::preconditions::CheckReport;
use crate::domain::{Confirmation, OperationType, check_transition};
use crate::sanitize::clean;
use crate::tui::app::{App, MenuState, Overlay, group_state};
use crate::tui::backend::{BackendError, Mappings, OperationRequest};
use crate::tui::choices::menu_items;
use crate::tui::dialog::{
    Checks, ConfirmOutcome, ConfirmState, DialogOutcome, DialogState, is_failover,
};
use crate::tui::jobs::{Gen, Job};
use crate::tui::msg::{Action, Effect};
use crossterm::event::{KeyCode, KeyEvent};

pub fn open_menu(app: &mut App) -> Vec<Action> {
    match app.selected_group() {
        Some(g) => {
            let group = g.name.clone();
            let first = menu_items(app, &group)
                .iter()
                .position(|(_, why)| why.is_none())
                .unwrap_or(0);
            app.overlay = Some(Overlay::Menu(MenuState {
                group,
                selected: first,
            }));
        }
        None => app.info("select a protection group first"),
    }
    Vec::new()
}

pub fn open_for_selected(app: &mut App, op: OperationType) -> Vec<Action> {
    match app.selected_group().map(|g| g.name.clone()) {
        Some(g) => open_dialog(app, &g, op, true),
        None => {
            app.info("select a protection group first");
            Vec::new()
        }
    }
}

/// Open an operation's dialog; `preselect` lets a failover start as planned while both sites answer.
pub fn open_dialog(app: &mut App, group: &str, op: OperationType, preselect: bool) -> Vec<Action> {
    let Some(g) = app.group(group).cloned() else {
        app.error(format!("no protection group {group}"));
        return Vec::new();
    };
    let both = preselect && app.both_sites_reachable(&g);
    let mut dialog = DialogState::new(&g, op, both);
    if check_transition(dialog.operation, &group_state(&g)).is_err() {
        dialog = DialogState::new(&g, op, false);
    }
    if let Err(why) = check_transition(dialog.operation, &group_state(&g)) {
        app.error(why.to_string());
        return Vec::new();
    }
    if is_failover(dialog.operation) {
        let other = if dialog.operation == OperationType::Failover {
            OperationType::PlannedFailover
        } else {
            OperationType::Failover
        };
        let why = check_transition(other, &group_state(&g)).err();
        dialog = dialog.with_mode_blocked(why.map(|r| r.to_string()));
    }
    let mut out = Vec::new();
    if let Ok(req) = dialog.request() {
        out.push(nav::check(app, req));
    }
    out.push(Action::LoadMappings(g.name.clone()));
    app.overlay = Some(Overlay::Dialog(Box::new(dialog)));
    out
}

/// The checklist answer, if it is the newest and still about the dialog's request.
pub fn on_checks(
    app: &mut App,
    request: OperationRequest,
    generation: Gen,
    result: Result<CheckReport, BackendError>,
) -> Effect {
    let Some(Overlay::Dialog(d)) = &mut app.overlay else {
        return Effect::none();
    };
    if d.request().ok().as_ref() != Some(&request) || !app.jobs.accept(Job::Checks, generation) {
        return Effect::none();
    }
    d.checks = match result {
        Ok(report) => {
            d.points = report.recovery_points;
            Checks::Ready(report.checks)
        }
        Err(e) => Checks::Failed(clean(&e.to_string())),
    };
    d.checked = Some(request);
    Effect::redraw()
}

/// The group's configured mappings fill the dialog's fields unless the operator edited them.
pub fn on_mappings(app: &mut App, group: &str, result: Result<Mappings, BackendError>) -> Effect {
    let Some(Overlay::Dialog(d)) = &mut app.overlay else {
        return Effect::none();
    };
    let Ok(m) = result else {
        return Effect::none();
    };
    if d.group != group {
        return Effect::none();
    }
    let before = d.request().ok();
    d.set_mappings(&m);
    let after = d.request().ok();
    match after {
        Some(req) if Some(&req) != before.as_ref() => {
            d.checks = Checks::Pending;
            Effect::run(vec![nav::check(app, req)])
        }
        _ => Effect::redraw(),
    }
}

pub fn menu_key(app: &mut App, mut m: MenuState, ev: KeyEvent) -> Vec<Action> {
    let items = menu_items(app, &m.group);
    let last = items.len().saturating_sub(1);
    match ev.code {
        KeyCode::Esc | KeyCode::Char('q') => return Vec::new(),
        KeyCode::Down | KeyCode::Char('j') => m.selected = (m.selected + 1).min(last),
        KeyCode::Up | KeyCode::Char('k') => m.selected = m.selected.saturating_sub(1),
        KeyCode::Enter => match items.get(m.selected.min(last)) {
            Some((op, None)) => return open_dialog(app, &m.group.clone(), *op, false),
            Some((_, Some(why))) => app.error(why),
            None => {}
        },
        _ => {}
    }
    app.overlay = Some(Overlay::Menu(m));
    Vec::new()
}

pub fn dialog_key(app: &mut App, mut d: Box<DialogState>, ev: KeyEvent) -> Vec<Action> {
    match d.key(&ev) {
        DialogOutcome::Close => Vec::new(),
        DialogOutcome::Nothing => {
            app.overlay = Some(Overlay::Dialog(d));
            Vec::new()
        }
        DialogOutcome::Recheck => {
            let out = match d.request() {
                Ok(req) => {
                    d.checks = Checks::Pending;
                    vec![nav::check(app, req)]
                }
                Err(e) => {
                    d.error = Some(e.to_string());
                    Vec::new()
                }
            };
            app.overlay = Some(Overlay::Dialog(d));
            out
        }
        DialogOutcome::Confirm(req) if req.operation.confirmation() == Confirmation::None => {
            start(app, req)
        }
        DialogOutcome::Confirm(req) => {
            let point = d.takes_point().then(|| d.chosen_point().cloned()).flatten();
            let c = ConfirmState::new(req, &d.source, &d.target).with_point(point);
            app.overlay = Some(Overlay::Confirm(Box::new(c)));
            Vec::new()
        }
    }
}

pub fn confirm_key(app: &mut App, mut c: Box<ConfirmState>, ev: KeyEvent) -> Vec<Action> {
    match c.key(&ev) {
        ConfirmOutcome::Stay => {
            app.overlay = Some(Overlay::Confirm(c));
            Vec::new()
        }
        ConfirmOutcome::Cancel => {
            app.info("cancelled: nothing was changed");
            Vec::new()
        }
        ConfirmOutcome::Confirm(req) => start(app, req),
    }
}

fn start(app: &mut App, req: OperationRequest) -> Vec<Action> {
    app.info(format!(
        "starting {} of {}…",
        req.operation.label(),
        req.group
    ));
    vec![Action::Start(req)]
}
