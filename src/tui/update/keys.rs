//! Keys of the screen below any overlay: the keymap resolves a key in the view's table, and the
//! action runs on the main screen or in the operation view.

use super::{menus, nav, overlays};
use crate::domain::OperationType;
use crate::tui::app::{App, DetailKind, DetailState, Overlay, Pane, Screen};
use crate::tui::keymap::KeyAction;
use crate::tui::msg::{Action, Effect};
use crate::tui::view::layout::{MainLayout, page};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;

/// Steps moved by PgUp/PgDn in the operation view.
const STEP_PAGE: usize = 10;

pub fn key(app: &mut App, ev: KeyEvent) -> Effect {
    // Ctrl-C works everywhere, whatever the keymap: close what is open, then quit — or ask,
    // however often it is pressed, while an operation runs here (only `y` quits then).
    if ev.code == KeyCode::Char('c') && ev.modifiers.contains(KeyModifiers::CONTROL) {
        app.overlay = None;
        return Effect::run(nav::quit(app));
    }
    if app.overlay.is_some() {
        return Effect::run(overlays::key(app, ev));
    }
    let Some(action) = app.keymap.action(app.view(), &ev) else {
        return Effect::none();
    };
    app.message = None;
    Effect::run(match action {
        KeyAction::Help => open(app, Overlay::Help(0)),
        KeyAction::Command => open(app, Overlay::Command(Default::default())),
        KeyAction::Refresh => nav::refresh(app),
        KeyAction::Quit => nav::quit(app),
        KeyAction::Report => super::reports::report_key(app),
        KeyAction::Faults => faults(app),
        _ if matches!(app.screen, Screen::Operation(_)) => operation_key(app, action),
        _ => main_key(app, action),
    })
}

/// `F`, from every view: the lab's fault menu, or why there is none.
fn faults(app: &mut App) -> Vec<Action> {
    if app.lab {
        open(app, Overlay::Faults(Default::default()))
    } else {
        app.info("lab faults exist only in the lab: start the console with drconsole --lab");
        Vec::new()
    }
}

fn open(app: &mut App, overlay: Overlay) -> Vec<Action> {
    app.overlay = Some(overlay);
    Vec::new()
}

fn main_key(app: &mut App, action: KeyAction) -> Vec<Action> {
    let pane = app.focus;
    let page_rows = page(pane, MainLayout::of(app).rect(pane)).max(1) as isize;
    match action {
        KeyAction::Filter => {
            let current = app.cursor(pane).filter.clone();
            open(app, Overlay::Filter(Input::new(current)))
        }
        KeyAction::Open => open_selected(app),
        KeyAction::Back => {
            app.cursor_mut(pane).filter.clear();
            nav::clamp(app, pane);
            Vec::new()
        }
        KeyAction::Menu => menus::open_menu(app),
        KeyAction::Failover => menus::open_for_selected(app, OperationType::Failover),
        KeyAction::Drill => menus::open_for_selected(app, OperationType::TestFailover),
        KeyAction::NextPane => {
            app.focus = pane.next();
            Vec::new()
        }
        KeyAction::PrevPane => {
            app.focus = pane.prev();
            Vec::new()
        }
        KeyAction::Down => nav::move_by(app, pane, 1),
        KeyAction::Up => nav::move_by(app, pane, -1),
        KeyAction::PageDown => nav::move_by(app, pane, page_rows),
        KeyAction::PageUp => nav::move_by(app, pane, -page_rows),
        KeyAction::Top => nav::select(app, pane, 0),
        KeyAction::Bottom => nav::select(app, pane, usize::MAX),
        _ => Vec::new(),
    }
}

/// Enter on a group shows its instances; on an operation, opens it; on an instance or a site,
/// shows its detail.
fn open_selected(app: &mut App) -> Vec<Action> {
    let detail = |kind| Overlay::Detail(DetailState { kind, scroll: 0 });
    match app.focus {
        Pane::Groups => {
            app.focus = Pane::Instances;
            nav::group_changed(app)
        }
        Pane::Operations => match app.selected_operation().map(|o| o.id.clone()) {
            Some(id) => nav::open_operation(app, id),
            None => Vec::new(),
        },
        Pane::Instances => {
            let name = app
                .selected_index(Pane::Instances)
                .and_then(|i| app.instances.get(i))
                .map(|i| i.name.clone());
            if let Some(n) = name {
                app.overlay = Some(detail(DetailKind::Instance(n)));
            }
            Vec::new()
        }
        Pane::Sites => {
            let name = app
                .selected_index(Pane::Sites)
                .and_then(|i| app.estate.as_ref()?.sites.get(i))
                .map(|s| s.name.clone());
            if let Some(n) = name {
                app.overlay = Some(detail(DetailKind::Site(n)));
            }
            Vec::new()
        }
    }
}

pub fn operation_key(app: &mut App, action: KeyAction) -> Vec<Action> {
    let Screen::Operation(view) = &mut app.screen else {
        return Vec::new();
    };
    let last = view
        .detail
        .as_ref()
        .map(|d| d.steps.len())
        .unwrap_or(0)
        .saturating_sub(1);
    let c = &mut view.cursor;
    match action {
        KeyAction::Back => app.screen = Screen::Main,
        KeyAction::Down => c.selected = (c.selected + 1).min(last),
        KeyAction::Up => c.selected = c.selected.saturating_sub(1),
        KeyAction::PageDown => c.selected = (c.selected + STEP_PAGE).min(last),
        KeyAction::PageUp => c.selected = c.selected.saturating_sub(STEP_PAGE),
        KeyAction::Top => c.selected = 0,
        KeyAction::Bottom => c.selected = last,
        KeyAction::ScrollDown => view.card_scroll = view.card_scroll.saturating_add(1),
        KeyAction::ScrollUp => view.card_scroll = view.card_scroll.saturating_sub(1),
        KeyAction::ToggleLog => view.log_large = !view.log_large,
        KeyAction::Open => {
            let step = view.detail.as_ref().and_then(|d| d.steps.get(c.selected));
            if let Some(s) = step {
                app.overlay = Some(Overlay::Detail(DetailState {
                    kind: DetailKind::Step(s.id.clone()),
                    scroll: 0,
                }));
            }
        }
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
