//! The lab's fault menu (`F`): inject an outage, errors, latency, stalled replication or failing
//! boots at one site, or clear them all.

use super::dialog_block;
use super::layout::centered;
use crate::sanitize::clean;
use crate::tui::app::{App, FaultMenu};
use crate::tui::choices::FAULTS;
use crate::tui::theme::Role;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

pub fn draw(frame: &mut Frame, app: &App, f: &FaultMenu, area: Rect) {
    let t = &app.theme;
    let sites: Vec<String> = app
        .estate
        .as_ref()
        .map(|e| e.sites.iter().map(|s| clean(&s.name)).collect())
        .unwrap_or_default();
    let mut tabs = vec![Span::styled(" site: ", t.style(Role::Dim))];
    for (i, s) in sites.iter().enumerate() {
        let style = if i == f.site {
            t.selection()
        } else {
            t.style(Role::Text)
        };
        tabs.push(Span::styled(format!(" {s} "), style));
        tabs.push(Span::raw(" "));
    }
    let mut lines = vec![Line::from(tabs), Line::from("")];
    for (i, (label, _)) in FAULTS.iter().enumerate() {
        let style = if i == f.selected {
            t.selection()
        } else {
            t.style(Role::Text)
        };
        let marker = if i == f.selected { "▸ " } else { "  " };
        lines.push(Line::from(Span::styled(format!(" {marker}{label}"), style)));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " ←/→ site · ↑/↓ fault · Enter inject · Esc close",
        t.style(Role::Dim),
    )));
    let r = centered(area, 56, lines.len() as u16 + 2);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(dialog_block("Lab faults", t)),
        r,
    );
}
