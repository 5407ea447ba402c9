//! The `:` command line and the `/` filter line, drawn over the status bar.

use crate::tui::app::{App, CommandState};
use crate::tui::theme::Role;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use tui_input::Input;

fn bottom(area: Rect) -> Rect {
    Rect::new(area.x, area.bottom().saturating_sub(1), area.width, 1)
}

fn prompt(frame: &mut Frame, app: &App, area: Rect, sigil: &str, input: &Input) {
    let line_area = bottom(area);
    let t = &app.theme;
    let room = usize::from(area.width.saturating_sub(2));
    let scroll = input.visual_scroll(room);
    let shown: String = input.value().chars().skip(scroll).collect();
    frame.render_widget(Clear, line_area);
    frame.render_widget(
        Line::from(vec![
            Span::styled(sigil.to_string(), t.style(Role::Accent)),
            Span::raw(shown),
        ]),
        line_area,
    );
    let x = (input.visual_cursor().saturating_sub(scroll)) as u16;
    frame.set_cursor_position(Position::new(line_area.x + 1 + x, line_area.y));
}

pub fn draw_command(frame: &mut Frame, app: &App, c: &CommandState, area: Rect) {
    prompt(frame, app, area, ":", &c.input);
    if c.candidates.is_empty() {
        return;
    }
    let h = (c.candidates.len() as u16 + 2).min(area.height / 2);
    let w = c
        .candidates
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(0) as u16
        + 4;
    let r = Rect::new(
        area.x,
        area.bottom().saturating_sub(1 + h),
        w.min(area.width),
        h,
    );
    let lines: Vec<Line> = c
        .candidates
        .iter()
        .map(|s| Line::from(format!(" {s}")))
        .collect();
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(app.theme.style(Role::Accent)),
        ),
        r,
    );
}

pub fn draw_filter(frame: &mut Frame, app: &App, input: &Input, area: Rect) {
    prompt(frame, app, area, "/", input);
}
