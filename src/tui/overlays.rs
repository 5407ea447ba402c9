//! Keys of the topmost layer (help, menu, dialog, confirmation, command line, filter, faults,
//! quit/cancel questions): nothing below it sees them.

use super::app::{App, CommandState, FaultMenu, MenuState, Overlay, Pane, group_state};
use super::backend::{BackendError, Fault, FaultKind, Mappings, OperationRequest};
use super::command::{self, Command};
use super::dialog::{
    Checks, ConfirmOutcome, ConfirmState, DialogOutcome, DialogState, is_failover,
};
use super::msg::Action;
use super::theme::Theme;
use super::update::quit;
use crate::domain::preconditions::Check;
use crate::domain::{Confirmation, OperationType, check_transition};
use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::backend::crossterm::EventHandler;

/// The fault menu's entries: label and fault (`None` clears every fault of the site).
pub const FAULTS: [(&str, Option<FaultKind>); 6] = [
    ("site down", Some(FaultKind::SiteDown)),
    ("compute errors 50 %", Some(FaultKind::ErrorRate)),
    ("latency 2 s", Some(FaultKind::Latency)),
    ("replication stalled", Some(FaultKind::ReplicationStalled)),
    ("boots fail", Some(FaultKind::BootFailure)),
    ("clear all faults", None),
];

/// The More menu: every operation, with why it is not allowed now (`None` = allowed).
pub fn menu_items(app: &App, group: &str) -> Vec<(OperationType, Option<String>)> {
    let g = app.group(group);
    OperationType::ALL
        .into_iter()
        .map(|op| {
            let why = match g {
                Some(g) => check_transition(op, &group_state(g))
                    .err()
                    .map(|r| r.to_string()),
                None => Some(format!("protection group {group} is not known")),
            };
            (op, why)
        })
        .collect()
}

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
    let mut out = vec![Action::LoadMappings(g.name.clone())];
    if let Ok(req) = dialog.request() {
        out.insert(0, Action::Check(req));
    }
    app.overlay = Some(Overlay::Dialog(Box::new(dialog)));
    out
}

pub fn on_checks(
    app: &mut App,
    request: OperationRequest,
    result: Result<Vec<Check>, BackendError>,
) -> Vec<Action> {
    if let Some(Overlay::Dialog(d)) = &mut app.overlay
        && d.request().ok().as_ref() == Some(&request)
    {
        d.checks = match result {
            Ok(c) => Checks::Ready(c),
            Err(e) => Checks::Failed(crate::sanitize::clean(&e.to_string())),
        };
        d.checked = Some(request);
    }
    Vec::new()
}

pub fn on_mappings(
    app: &mut App,
    group: &str,
    result: Result<Mappings, BackendError>,
) -> Vec<Action> {
    if let Some(Overlay::Dialog(d)) = &mut app.overlay
        && d.group == group
        && let Ok(m) = result
    {
        let before = d.request().ok();
        d.set_mappings(&m);
        let after = d.request().ok();
        if after != before
            && let Some(req) = after
        {
            d.checks = Checks::Pending;
            return vec![Action::Check(req)];
        }
    }
    Vec::new()
}

pub fn key(app: &mut App, ev: KeyEvent) -> Vec<Action> {
    let Some(overlay) = app.overlay.take() else {
        return Vec::new();
    };
    match overlay {
        Overlay::Help => Vec::new(),
        Overlay::Menu(m) => menu_key(app, m, ev),
        Overlay::Dialog(d) => dialog_key(app, d, ev),
        Overlay::Confirm(c) => confirm_key(app, c, ev),
        Overlay::Command(c) => command_key(app, c, ev),
        Overlay::Filter(input) => filter_key(app, input, ev),
        Overlay::Faults(f) => faults_key(app, f, ev),
        Overlay::QuitConfirm => {
            if matches!(ev.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                app.quit = true;
                vec![Action::Quit]
            } else {
                Vec::new()
            }
        }
        Overlay::CancelConfirm(id) => {
            if matches!(ev.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                vec![Action::Cancel(id)]
            } else {
                Vec::new()
            }
        }
    }
}

fn menu_key(app: &mut App, mut m: MenuState, ev: KeyEvent) -> Vec<Action> {
    let items = menu_items(app, &m.group);
    match ev.code {
        KeyCode::Esc | KeyCode::Char('q') => return Vec::new(),
        KeyCode::Down | KeyCode::Char('j') => m.selected = (m.selected + 1).min(items.len() - 1),
        KeyCode::Up | KeyCode::Char('k') => m.selected = m.selected.saturating_sub(1),
        KeyCode::Enter => match &items[m.selected.min(items.len() - 1)] {
            (op, None) => return open_dialog(app, &m.group.clone(), *op, false),
            (_, Some(why)) => app.error(why.clone()),
        },
        _ => {}
    }
    app.overlay = Some(Overlay::Menu(m));
    Vec::new()
}

fn dialog_key(app: &mut App, mut d: Box<DialogState>, ev: KeyEvent) -> Vec<Action> {
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
                    vec![Action::Check(req)]
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
            app.info(format!(
                "starting {} of {}…",
                req.operation.label(),
                req.group
            ));
            vec![Action::Start(req)]
        }
        DialogOutcome::Confirm(req) => {
            let c = ConfirmState::new(req, &d.source, &d.target);
            app.overlay = Some(Overlay::Confirm(Box::new(c)));
            Vec::new()
        }
    }
}

fn confirm_key(app: &mut App, mut c: Box<ConfirmState>, ev: KeyEvent) -> Vec<Action> {
    match c.key(&ev) {
        ConfirmOutcome::Stay => {
            app.overlay = Some(Overlay::Confirm(c));
            Vec::new()
        }
        ConfirmOutcome::Cancel => {
            app.info("cancelled: nothing was changed");
            Vec::new()
        }
        ConfirmOutcome::Confirm(req) => {
            app.info(format!(
                "starting {} of {}…",
                req.operation.label(),
                req.group
            ));
            vec![Action::Start(req)]
        }
    }
}

fn command_key(app: &mut App, mut c: CommandState, ev: KeyEvent) -> Vec<Action> {
    let groups: Vec<String> = app.groups().iter().map(|g| g.name.clone()).collect();
    match ev.code {
        KeyCode::Esc => Vec::new(),
        KeyCode::Tab => {
            let themes: Vec<String> = Theme::names().iter().map(|s| s.to_string()).collect();
            let done = command::complete(c.input.value(), &groups, &themes);
            c.input = tui_input::Input::new(done.line);
            c.candidates = if done.candidates.len() > 1 {
                done.candidates
            } else {
                Vec::new()
            };
            app.overlay = Some(Overlay::Command(c));
            Vec::new()
        }
        KeyCode::Enter => match command::parse(c.input.value(), &groups) {
            Ok(Command::Operation(op, g)) => open_dialog(app, &g, op, true),
            Ok(Command::Ops) => {
                app.screen = super::app::Screen::Main;
                app.focus = Pane::Operations;
                Vec::new()
            }
            Ok(Command::Theme(name)) => vec![Action::LoadTheme(name)],
            Ok(Command::Quit) => quit(app),
            Err(e) => {
                app.error(e.to_string());
                Vec::new()
            }
        },
        _ => {
            c.input.handle_event(&Event::Key(ev));
            c.candidates.clear();
            app.overlay = Some(Overlay::Command(c));
            Vec::new()
        }
    }
}

fn filter_key(app: &mut App, mut input: tui_input::Input, ev: KeyEvent) -> Vec<Action> {
    let pane = app.focus;
    match ev.code {
        KeyCode::Esc => {
            app.cursor_mut(pane).filter.clear();
        }
        KeyCode::Enter => {}
        _ => {
            input.handle_event(&Event::Key(ev));
            app.overlay = Some(Overlay::Filter(input.clone()));
        }
    }
    let c = app.cursor_mut(pane);
    if ev.code != KeyCode::Esc {
        c.filter = input.value().to_string();
    }
    c.selected = 0;
    c.offset = 0;
    if pane == Pane::Groups {
        super::update::group_changed(app)
    } else {
        Vec::new()
    }
}

fn faults_key(app: &mut App, mut f: FaultMenu, ev: KeyEvent) -> Vec<Action> {
    let sites: Vec<String> = app
        .estate
        .as_ref()
        .map(|e| e.sites.iter().map(|s| s.name.clone()).collect())
        .unwrap_or_default();
    match ev.code {
        KeyCode::Esc | KeyCode::Char('q') => return Vec::new(),
        KeyCode::Left | KeyCode::Right | KeyCode::Tab | KeyCode::Char('h') | KeyCode::Char('l') => {
            f.site = (f.site + 1) % sites.len().max(1);
        }
        KeyCode::Down | KeyCode::Char('j') => f.selected = (f.selected + 1).min(FAULTS.len() - 1),
        KeyCode::Up | KeyCode::Char('k') => f.selected = f.selected.saturating_sub(1),
        KeyCode::Enter => {
            let Some(site) = sites.get(f.site).cloned() else {
                return Vec::new();
            };
            let (_, kind) = FAULTS[f.selected];
            return vec![fault_action(site, kind)];
        }
        _ => {}
    }
    app.overlay = Some(Overlay::Faults(f));
    Vec::new()
}

fn fault_action(site: String, kind: Option<FaultKind>) -> Action {
    let Some(kind) = kind else {
        return Action::ClearFaults(site);
    };
    let mut fault = Fault::new(kind);
    match kind {
        FaultKind::ErrorRate => {
            fault.service = Some("compute".into());
            fault.rate = Some(0.5);
        }
        FaultKind::Latency => fault.latency_ms = Some(2000),
        _ => {}
    }
    Action::InjectFault { site, fault }
}
