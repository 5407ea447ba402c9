//! Keys of the topmost layer (help, menu, dialog, confirmation, command line, filter, faults,
//! quit/cancel questions): nothing below it sees them.

use super::{menus, nav};
use crate::tui::app::{App, CommandState, DetailState, FaultMenu, Overlay, Pane, Screen};
use crate::tui::choices::{FAULTS, fault_action};
use crate::tui::command::{self, Command};
use crate::tui::msg::Action;
use crate::tui::theme::Theme;
use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

pub fn key(app: &mut App, ev: KeyEvent) -> Vec<Action> {
    let Some(overlay) = app.overlay.take() else {
        return Vec::new();
    };
    let yes = matches!(ev.code, KeyCode::Char('y') | KeyCode::Char('Y'));
    match overlay {
        Overlay::Help(scroll) => {
            let scroll = match ev.code {
                KeyCode::Down | KeyCode::Char('j') => scroll.saturating_add(1),
                KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
                KeyCode::PageDown => scroll.saturating_add(10),
                KeyCode::PageUp => scroll.saturating_sub(10),
                _ => return Vec::new(),
            };
            app.overlay = Some(Overlay::Help(scroll));
            Vec::new()
        }
        Overlay::Card(c) => super::reports::card_key(app, c, ev),
        Overlay::Detail(d) => detail_key(app, d, ev),
        Overlay::Menu(m) => menus::menu_key(app, m, ev),
        Overlay::Dialog(d) => menus::dialog_key(app, d, ev),
        Overlay::Confirm(c) => menus::confirm_key(app, c, ev),
        Overlay::Command(c) => command_key(app, c, ev),
        Overlay::Filter(input) => filter_key(app, input, ev),
        Overlay::Faults(f) => faults_key(app, f, ev),
        Overlay::QuitConfirm if yes => {
            app.quit = true;
            vec![Action::Quit]
        }
        Overlay::CancelConfirm(id) if yes => vec![Action::Cancel(id)],
        Overlay::QuitConfirm | Overlay::CancelConfirm(_) => Vec::new(),
    }
}

fn command_key(app: &mut App, mut c: CommandState, ev: KeyEvent) -> Vec<Action> {
    match ev.code {
        KeyCode::Esc => Vec::new(),
        KeyCode::Tab => {
            let groups = group_names(app);
            let themes: Vec<String> = Theme::names().iter().map(|s| s.to_string()).collect();
            let done = command::complete(c.input.value(), &groups, &themes);
            c.input = Input::new(done.line);
            c.candidates = if done.candidates.len() > 1 {
                done.candidates
            } else {
                Vec::new()
            };
            app.overlay = Some(Overlay::Command(c));
            Vec::new()
        }
        KeyCode::Enter => run_command(app, c.input.value()),
        _ => {
            c.input.handle_event(&Event::Key(ev));
            c.candidates.clear();
            app.overlay = Some(Overlay::Command(c));
            Vec::new()
        }
    }
}

fn group_names(app: &App) -> Vec<String> {
    app.groups().iter().map(|g| g.name.clone()).collect()
}

fn run_command(app: &mut App, line: &str) -> Vec<Action> {
    match command::parse(line, &group_names(app)) {
        Ok(Command::Operation(op, g)) => menus::open_dialog(app, &g, op, true),
        Ok(Command::Ops) => {
            app.screen = Screen::Main;
            app.focus = Pane::Operations;
            Vec::new()
        }
        Ok(Command::Theme(name)) => vec![Action::LoadTheme(name)],
        Ok(Command::Quit) => nav::quit(app),
        Err(e) => {
            app.error(e.to_string());
            Vec::new()
        }
    }
}

/// Typing narrows the focused list at once; Enter keeps the filter, Esc drops it.
fn filter_key(app: &mut App, mut input: Input, ev: KeyEvent) -> Vec<Action> {
    let pane = app.focus;
    let filter = match ev.code {
        KeyCode::Esc => String::new(),
        KeyCode::Enter => input.value().to_string(),
        _ => {
            input.handle_event(&Event::Key(ev));
            let value = input.value().to_string();
            app.overlay = Some(Overlay::Filter(input));
            value
        }
    };
    let c = app.cursor_mut(pane);
    c.filter = filter;
    c.selected = 0;
    c.offset = 0;
    if pane == Pane::Groups {
        nav::group_changed(app)
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
            return match fault_action(app, site, kind) {
                Some(a) => vec![a],
                None => {
                    app.error(
                        "boots fail needs a server: select an instance in the Protected \
                         instances pane, then F",
                    );
                    Vec::new()
                }
            };
        }
        _ => {}
    }
    app.overlay = Some(Overlay::Faults(f));
    Vec::new()
}

/// A row's detail: j/k scroll, Esc (or q, or Enter) closes.
fn detail_key(app: &mut App, mut d: DetailState, ev: KeyEvent) -> Vec<Action> {
    match ev.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Enter => return Vec::new(),
        KeyCode::Down | KeyCode::Char('j') => d.scroll = d.scroll.saturating_add(1),
        KeyCode::Up | KeyCode::Char('k') => d.scroll = d.scroll.saturating_sub(1),
        KeyCode::PageDown => d.scroll = d.scroll.saturating_add(10),
        KeyCode::PageUp => d.scroll = d.scroll.saturating_sub(10),
        _ => {}
    }
    app.overlay = Some(Overlay::Detail(d));
    Vec::new()
}
