//! The mouse: a click selects the row under it (and focuses its pane), the wheel scrolls the list
//! under it or the operation view's steps. Overlays ignore the mouse.

use super::keys::operation_key;
use super::nav;
use crate::tui::app::{App, Screen};
use crate::tui::keymap::KeyAction;
use crate::tui::msg::Effect;
use crate::tui::view::layout::{MainLayout, item_at};
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

/// Rows moved by one mouse wheel notch.
const WHEEL_ROWS: isize = 3;

pub fn mouse(app: &mut App, m: MouseEvent) -> Effect {
    if app.overlay.is_some() {
        return Effect::none();
    }
    if let Screen::Operation(_) = app.screen {
        let action = match m.kind {
            MouseEventKind::ScrollDown => KeyAction::Down,
            MouseEventKind::ScrollUp => KeyAction::Up,
            _ => return Effect::none(),
        };
        return Effect::run(operation_key(app, action));
    }
    let layout = MainLayout::of(app);
    let Some(pane) = layout.pane_at(m.column, m.row) else {
        return Effect::none();
    };
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            app.focus = pane;
            let first = app.cursor(pane).offset;
            let row = item_at(pane, layout.rect(pane), m.row)
                .map(|i| first + i)
                .filter(|&i| i < app.rows(pane).len());
            Effect::run(match row {
                Some(i) => nav::select(app, pane, i),
                None => Vec::new(),
            })
        }
        MouseEventKind::ScrollDown => Effect::run(nav::move_by(app, pane, WHEEL_ROWS)),
        MouseEventKind::ScrollUp => Effect::run(nav::move_by(app, pane, -WHEEL_ROWS)),
        _ => Effect::none(),
    }
}
