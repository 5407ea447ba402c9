//! `update`: the only place state changes. It takes one `Msg`, changes the `App`, and answers with
//! the `Action`s the runtime should carry out. Pure: no IO, no clock, no async.

use super::app::{App, ListCursor, OpView, Overlay, Pane, Screen, window};
use super::follow;
use super::keymap::KeyAction;
use super::msg::{Action, Msg};
use super::overlays;
use super::view::layout::{MainLayout, item_at, page};
use crate::sanitize::clean;
use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use tui_input::Input;

/// Rows moved by one mouse wheel notch.
const WHEEL_ROWS: isize = 3;

/// What the console asks for first.
pub fn start(app: &mut App) -> Vec<Action> {
    app.refreshing = true;
    vec![Action::Refresh, Action::LoadOperations]
}

pub fn update(app: &mut App, msg: Msg) -> Vec<Action> {
    match msg {
        Msg::Key(ev) if ev.kind == KeyEventKind::Release => Vec::new(),
        Msg::Key(ev) => key(app, ev),
        Msg::Mouse(m) => mouse(app, m),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            for pane in [Pane::Sites, Pane::Groups, Pane::Instances, Pane::Operations] {
                fix_offset(app, pane);
            }
            Vec::new()
        }
        Msg::RefreshDue => refresh(app),
        Msg::Estate(r) => on_estate(app, r),
        Msg::Instances { group, result } => {
            if app.instances_group.as_deref() == Some(group.as_str()) {
                match result {
                    Ok(list) => {
                        app.instances = list;
                        app.instances_error = None;
                    }
                    Err(e) => app.instances_error = Some(clean(&e.to_string())),
                }
                clamp(app, Pane::Instances);
            }
            Vec::new()
        }
        Msg::Operations(r) => {
            match r {
                Ok(ops) => app.operations = ops,
                Err(e) => app.error(format!("cannot list operations: {}", clean(&e.to_string()))),
            }
            clamp(app, Pane::Operations);
            Vec::new()
        }
        Msg::Detail { id, result } => {
            if let Screen::Operation(view) = &mut app.screen
                && view.id == id
            {
                match result {
                    Ok(d) => {
                        let mut d = *d;
                        for e in view.pending.drain(..) {
                            follow::replay(&mut d, &e);
                        }
                        view.detail = Some(d);
                        view.error = None;
                    }
                    Err(e) => view.error = Some(clean(&e.to_string())),
                }
            }
            Vec::new()
        }
        Msg::Mappings { group, result } => overlays::on_mappings(app, &group, result),
        Msg::Event(e) => follow::on_event(app, e),
        Msg::EventsLagged(_) => {
            let mut out = vec![Action::LoadOperations];
            if let Screen::Operation(v) = &app.screen {
                out.push(Action::LoadDetail(v.id.clone()));
            }
            out
        }
        Msg::Checks { request, result } => overlays::on_checks(app, request, result),
        Msg::Started { request, result } => match result {
            Ok(id) => {
                app.own_ops.insert(id.clone());
                app.info(format!(
                    "{} of {} started ({id})",
                    request.operation, request.group
                ));
                open_operation(app, id.clone());
                vec![
                    Action::LoadDetail(id),
                    Action::LoadOperations,
                    Action::Refresh,
                ]
            }
            Err(e) => {
                app.error(format!(
                    "{} of {} was not started: {}",
                    request.operation,
                    request.group,
                    clean(&e.to_string())
                ));
                Vec::new()
            }
        },
        Msg::Cancelled { id, result } => {
            match result {
                Ok(()) => app.info(format!("cancel of {id} requested")),
                Err(e) => app.error(format!("cannot cancel {id}: {}", clean(&e.to_string()))),
            }
            Vec::new()
        }
        Msg::Fault(r) => {
            match r {
                Ok(m) => app.info(m),
                Err(e) => app.error(clean(&e.to_string())),
            }
            vec![Action::Refresh]
        }
        Msg::Theme(r) => {
            match r {
                Ok(t) => {
                    app.info(format!("theme {}", t.name));
                    app.theme = t;
                }
                Err(e) => app.error(e.to_string()),
            }
            Vec::new()
        }
        Msg::Tick(now) => {
            app.now = now;
            app.spinner = app.spinner.wrapping_add(1);
            Vec::new()
        }
    }
}

fn refresh(app: &mut App) -> Vec<Action> {
    if app.refreshing {
        return Vec::new();
    }
    app.refreshing = true;
    let mut out = vec![Action::Refresh, Action::LoadOperations];
    if let Some(g) = &app.instances_group {
        out.push(Action::LoadInstances(g.clone()));
    }
    if let Screen::Operation(v) = &app.screen {
        let done = v
            .detail
            .as_ref()
            .is_some_and(|d| d.record.status.is_finished());
        if !done {
            out.push(Action::LoadDetail(v.id.clone()));
        }
    }
    out
}

fn on_estate(
    app: &mut App,
    r: Result<crate::domain::EstateView, super::backend::BackendError>,
) -> Vec<Action> {
    app.refreshing = false;
    match r {
        Ok(e) => {
            app.estate = Some(e);
            app.estate_error = None;
            app.push_rpo_samples();
        }
        Err(e) => app.estate_error = Some(clean(&e.to_string())),
    }
    clamp(app, Pane::Sites);
    clamp(app, Pane::Groups);
    group_changed(app)
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
    vec![Action::LoadInstances(name)]
}

fn clamp(app: &mut App, pane: Pane) {
    let n = app.rows(pane).len();
    let c = app.cursor_mut(pane);
    c.selected = c.selected.min(n.saturating_sub(1));
    fix_offset(app, pane);
}

fn fix_offset(app: &mut App, pane: Pane) {
    let n = app.rows(pane).len();
    let h = page(pane, MainLayout::of(app).rect(pane));
    let c = app.cursor_mut(pane);
    c.offset = window(c.selected, c.offset, h, n);
}

fn select(app: &mut App, pane: Pane, index: usize) -> Vec<Action> {
    app.cursor_mut(pane).selected = index;
    clamp(app, pane);
    if pane == Pane::Groups {
        group_changed(app)
    } else {
        Vec::new()
    }
}

fn move_by(app: &mut App, pane: Pane, delta: isize) -> Vec<Action> {
    let cur = app.cursor(pane).selected as isize;
    select(app, pane, (cur + delta).max(0) as usize)
}

fn key(app: &mut App, ev: KeyEvent) -> Vec<Action> {
    // Ctrl-C works everywhere, whatever the keymap: close what is open, then quit (or ask).
    if ev.code == KeyCode::Char('c') && ev.modifiers.contains(KeyModifiers::CONTROL) {
        if matches!(app.overlay, Some(Overlay::QuitConfirm)) {
            app.quit = true;
            return vec![Action::Quit];
        }
        app.overlay = None;
        return quit(app);
    }
    if app.overlay.is_some() {
        return overlays::key(app, ev);
    }
    let Some(action) = app.keymap.action(app.view(), &ev) else {
        return Vec::new();
    };
    app.message = None;
    match action {
        KeyAction::Help => {
            app.overlay = Some(Overlay::Help);
            Vec::new()
        }
        KeyAction::Command => {
            app.overlay = Some(Overlay::Command(Default::default()));
            Vec::new()
        }
        KeyAction::Refresh => {
            app.refreshing = false;
            refresh(app)
        }
        KeyAction::Quit => quit(app),
        _ if matches!(app.screen, Screen::Operation(_)) => operation_key(app, action),
        _ => main_key(app, action),
    }
}

pub fn quit(app: &mut App) -> Vec<Action> {
    if app.own_operation_running() {
        app.overlay = Some(Overlay::QuitConfirm);
        Vec::new()
    } else {
        app.quit = true;
        vec![Action::Quit]
    }
}

fn main_key(app: &mut App, action: KeyAction) -> Vec<Action> {
    let pane = app.focus;
    let page_rows = page(pane, MainLayout::of(app).rect(pane)).max(1) as isize;
    match action {
        KeyAction::Filter => {
            let current = app.cursor(pane).filter.clone();
            app.overlay = Some(Overlay::Filter(Input::new(current)));
            Vec::new()
        }
        KeyAction::Open => open(app),
        KeyAction::Back => {
            app.cursor_mut(pane).filter.clear();
            clamp(app, pane);
            Vec::new()
        }
        KeyAction::Menu => overlays::open_menu(app),
        KeyAction::Failover => {
            overlays::open_for_selected(app, crate::domain::OperationType::Failover)
        }
        KeyAction::Drill => {
            overlays::open_for_selected(app, crate::domain::OperationType::TestFailover)
        }
        KeyAction::Faults if app.lab => {
            app.overlay = Some(Overlay::Faults(Default::default()));
            Vec::new()
        }
        KeyAction::NextPane => {
            app.focus = pane.next();
            Vec::new()
        }
        KeyAction::PrevPane => {
            app.focus = pane.prev();
            Vec::new()
        }
        KeyAction::Down => move_by(app, pane, 1),
        KeyAction::Up => move_by(app, pane, -1),
        KeyAction::PageDown => move_by(app, pane, page_rows),
        KeyAction::PageUp => move_by(app, pane, -page_rows),
        KeyAction::Top => select(app, pane, 0),
        KeyAction::Bottom => select(app, pane, usize::MAX),
        _ => Vec::new(),
    }
}

fn open(app: &mut App) -> Vec<Action> {
    match app.focus {
        Pane::Groups => {
            app.focus = Pane::Instances;
            group_changed(app)
        }
        Pane::Operations => match app.selected_operation().map(|o| o.id.clone()) {
            Some(id) => {
                open_operation(app, id.clone());
                vec![Action::LoadDetail(id)]
            }
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

pub fn open_operation(app: &mut App, id: String) {
    app.screen = Screen::Operation(Box::new(OpView {
        id,
        detail: None,
        error: None,
        cursor: ListCursor::default(),
        pending: Vec::new(),
    }));
}

fn operation_key(app: &mut App, action: KeyAction) -> Vec<Action> {
    let Screen::Operation(view) = &mut app.screen else {
        return Vec::new();
    };
    let n = view.detail.as_ref().map(|d| d.steps.len()).unwrap_or(0);
    let c = &mut view.cursor;
    match action {
        KeyAction::Back => app.screen = Screen::Main,
        KeyAction::Down => c.selected = (c.selected + 1).min(n.saturating_sub(1)),
        KeyAction::Up => c.selected = c.selected.saturating_sub(1),
        KeyAction::PageDown => c.selected = (c.selected + 10).min(n.saturating_sub(1)),
        KeyAction::PageUp => c.selected = c.selected.saturating_sub(10),
        KeyAction::Top => c.selected = 0,
        KeyAction::Bottom => c.selected = n.saturating_sub(1),
        KeyAction::CancelOperation => {
            let running = view
                .detail
                .as_ref()
                .is_some_and(|d| !d.record.status.is_finished());
            if running {
                app.overlay = Some(Overlay::CancelConfirm(view.id.clone()));
            } else {
                app.info("the operation is not running");
            }
        }
        _ => {}
    }
    Vec::new()
}

fn mouse(app: &mut App, m: MouseEvent) -> Vec<Action> {
    if app.overlay.is_some() {
        return Vec::new();
    }
    if let Screen::Operation(_) = app.screen {
        let action = match m.kind {
            MouseEventKind::ScrollDown => KeyAction::Down,
            MouseEventKind::ScrollUp => KeyAction::Up,
            _ => return Vec::new(),
        };
        return operation_key(app, action);
    }
    let layout = MainLayout::of(app);
    let Some(pane) = layout.pane_at(m.column, m.row) else {
        return Vec::new();
    };
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            app.focus = pane;
            let rect = layout.rect(pane);
            match item_at(pane, rect, m.row) {
                Some(i) => {
                    let offset = app.cursor(pane).offset;
                    if offset + i < app.rows(pane).len() {
                        select(app, pane, offset + i)
                    } else {
                        Vec::new()
                    }
                }
                None => Vec::new(),
            }
        }
        MouseEventKind::ScrollDown => move_by(app, pane, WHEEL_ROWS),
        MouseEventKind::ScrollUp => move_by(app, pane, -WHEEL_ROWS),
        _ => Vec::new(),
    }
}
