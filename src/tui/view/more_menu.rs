//! The More menu of a group: every operation, the ones its status does not allow dimmed with why.

use super::dialog_block;
use super::layout::centered;
use crate::tui::app::{App, MenuState};
use crate::tui::choices::menu_items;
use crate::tui::theme::Role;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, app: &App, m: &MenuState, area: Rect) {
    let t = &app.theme;
    let items = menu_items(app, &m.group);
    let mut lines = Vec::new();
    for (i, (op, why)) in items.iter().enumerate() {
        let selected = i == m.selected;
        let marker = if selected { "▸ " } else { "  " };
        let style = match (why, selected) {
            (None, true) => t.selection(),
            (None, false) => t.style(Role::Text),
            (Some(_), true) => t.style(Role::Dim).patch(t.selection()),
            (Some(_), false) => t.style(Role::Dim),
        };
        let suffix = if why.is_some() { "  (not now)" } else { "" };
        lines.push(Line::from(Span::styled(
            format!("{marker}{}{suffix}", op.label()),
            style,
        )));
    }
    lines.push(Line::from(""));
    let why = items
        .get(m.selected)
        .and_then(|(_, w)| w.clone())
        .unwrap_or_else(|| "Enter opens the dialog · Esc closes".into());
    let why_style = if items.get(m.selected).is_some_and(|(_, w)| w.is_some()) {
        t.style(Role::Attention)
    } else {
        t.style(Role::Dim)
    };
    lines.push(Line::from(Span::styled(why, why_style)));
    let r = centered(area, 64, 14);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(dialog_block(&format!("More · {}", m.group), t)),
        r,
    );
}
