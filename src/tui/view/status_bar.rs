//! The bottom line: the last message, wrapped whole over up to three rows (never cut mid-word),
//! or the keys of the current view (from the keymap table).

use super::text::{fit, wrap};
use crate::tui::app::{App, Screen};
use crate::tui::keymap::KeyAction;
use crate::tui::theme::Role;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Rows a long message may take from the screen.
const MAX_ROWS: usize = 3;

/// The message's rows at `width`, or none without a message.
fn message_rows(app: &App, width: u16) -> Vec<String> {
    let Some(m) = &app.message else {
        return Vec::new();
    };
    let mut rows = wrap(&m.text, usize::from(width).saturating_sub(2));
    if rows.len() > MAX_ROWS {
        rows.truncate(MAX_ROWS);
        if let Some(last) = rows.last_mut() {
            *last = fit(&format!("{last} …"), usize::from(width).saturating_sub(2));
        }
    }
    rows
}

/// How many rows the status bar needs at `width`.
pub fn height(app: &App, width: u16) -> u16 {
    message_rows(app, width).len().max(1) as u16
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    if let Some(m) = &app.message {
        let lines: Vec<Line> = message_rows(app, area.width)
            .into_iter()
            .map(|r| Line::from(Span::styled(format!(" {r}"), t.style(m.role))))
            .collect();
        frame.render_widget(ratatui::widgets::Paragraph::new(lines), area);
        return;
    }
    let mut spans = Vec::new();
    let mut used = 0usize;
    // Cancel is offered only while the operation on screen runs.
    let finished = match &app.screen {
        Screen::Operation(v) => v
            .detail
            .as_ref()
            .is_some_and(|d| d.record.status.is_finished()),
        Screen::Main => false,
    };
    let hints = app.keymap.hints(app.view());
    let shown = hints
        .iter()
        .filter(|h| !(finished && h.action == KeyAction::CancelOperation));
    for h in shown {
        let key = format!(" {} ", h.keys);
        let word = format!("{} ", h.short);
        used += key.chars().count() + word.chars().count();
        if used > usize::from(area.width) {
            break;
        }
        spans.push(Span::styled(key, t.style(Role::Accent)));
        spans.push(Span::styled(word, t.style(Role::Dim)));
    }
    frame.render_widget(Line::from(spans), area);
}
