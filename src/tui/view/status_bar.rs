//! The bottom line: the last message, or the keys of the current view (from the keymap table).

use crate::tui::app::App;
use crate::tui::theme::Role;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    if let Some(m) = &app.message {
        let line = Line::from(Span::styled(format!(" {}", m.text), t.style(m.role)));
        frame.render_widget(line, area);
        return;
    }
    let mut spans = Vec::new();
    let mut used = 0usize;
    for h in app.keymap.hints(app.view()) {
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
