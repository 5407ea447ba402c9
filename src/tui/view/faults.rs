//! The lab's fault menu (`F`): inject an outage, errors, latency, stalled replication or failing
//! boots at one site, or clear them all.

use super::dialog_block;
use super::layout::centered;
use crate::sanitize::clean;
use crate::tui::app::{App, FaultMenu};
use crate::tui::choices::{FAULTS, fault_label};
use crate::tui::symbols;
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
    let site = sites.get(f.site).cloned().unwrap_or_default();
    let active = app.faults_at(&site);
    let now = if active.is_empty() {
        Span::styled(format!(" {site} has no fault now"), t.style(Role::Dim))
    } else {
        let names: Vec<String> = active.iter().map(|f| f.describe()).collect();
        Span::styled(
            format!(" {} at {site} now: {}", symbols::FAULT, names.join(", ")),
            t.style(Role::Attention),
        )
    };
    lines.push(Line::from(now));
    lines.push(Line::from(""));
    lines.extend(entries(app, f, active));
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " ←/→ site · ↑/↓ fault · Enter inject · Esc close",
        t.style(Role::Dim),
    )));
    let r = centered(area, 64, lines.len() as u16 + 2);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(dialog_block("Lab faults", t)),
        r,
    );
}

/// The menu's entries, the selected one marked, each fault the site holds now marked on.
fn entries<'a>(app: &App, f: &FaultMenu, active: &[crate::tui::backend::Fault]) -> Vec<Line<'a>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    for (i, (_, kind)) in FAULTS.iter().enumerate() {
        let style = if i == f.selected {
            t.selection()
        } else {
            t.style(Role::Text)
        };
        let marker = if i == f.selected { "▸ " } else { "  " };
        let label = fault_label(app, i);
        let on = kind.is_some_and(|k| active.iter().any(|a| a.kind == k));
        let mark = if on {
            format!(" ({} on)", symbols::FAULT)
        } else {
            String::new()
        };
        lines.push(Line::from(Span::styled(
            format!(" {marker}{label}{mark}"),
            style,
        )));
    }
    lines
}
