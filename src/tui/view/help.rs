//! The `?` overlay: every key of the current view, generated from the keymap.

use super::dialog_block;
use super::layout::centered;
use crate::tui::app::App;
use crate::tui::theme::Role;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let rows = app.keymap.help(app.view());
    let mut lines: Vec<Line> = rows
        .iter()
        .map(|r| {
            Line::from(vec![
                Span::styled(format!(" {:<14}", r.keys), t.style(Role::Accent)),
                Span::raw(r.desc),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " commands: :failover :drill :cleanup :failback :reprotect :sync GROUP",
        t.style(Role::Dim),
    )));
    lines.push(Line::from(Span::styled(
        "           :ops  :theme NAME  :q      (Tab completes)",
        t.style(Role::Dim),
    )));
    lines.push(Line::from(Span::styled(
        " mouse: click selects a row, the wheel scrolls.  Any key closes.",
        t.style(Role::Dim),
    )));
    let r = centered(area, 76, lines.len() as u16 + 2);
    frame.render_widget(Clear, r);
    frame.render_widget(Paragraph::new(lines).block(dialog_block("Keys", t)), r);
}
