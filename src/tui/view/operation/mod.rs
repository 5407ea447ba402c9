//! The operation view: phase gauges, steps with their marks and durations, a Gantt timeline of the
//! steps, the card (the step running now, or the result, or what failed and what to do next,
//! wrapped and scrollable, never cut), and the log tail, which `L` enlarges. Follows events live.

pub mod card;
mod header;
pub mod steps;

pub use card::card_lines;
pub use header::phase_percent;

use super::{pane_block, status_bar};
use crate::sanitize::clean;
use crate::tui::app::{App, OpView, window};
use crate::tui::symbols;
use crate::tui::view::text::wrap;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// Rows the steps list keeps at least, so a long card never hides them.
const MIN_STEPS_ROWS: u16 = 5;
/// Rows of a normal log pane (inside its border): more on a tall screen.
const LOG_ROWS: u16 = 3;

/// Where each part of the view goes at this size, given how many rows the card wants.
struct Areas {
    header: Rect,
    gauges: Rect,
    middle: Rect,
    card: Rect,
    log: Rect,
    status: Rect,
}

impl Areas {
    /// `log_rows`: the rows the log holds (a short log leaves its room to the rest).
    fn new(
        area: Rect,
        status_rows: u16,
        (card_rows, log_rows): (u16, u16),
        log_large: bool,
    ) -> Areas {
        let body = area.height.saturating_sub(3 + status_rows);
        let log_h = if log_large {
            body.saturating_sub(MIN_STEPS_ROWS)
        } else {
            (LOG_ROWS + area.height / 16).min(12).min(log_rows.max(1)) + 2
        };
        // The card gets what it needs, but the steps list keeps its minimum.
        let room = body.saturating_sub(log_h + MIN_STEPS_ROWS);
        let card_h = (card_rows + 2).min(room);
        let [header, gauges, middle, card, log, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(2),
            Constraint::Min(0),
            Constraint::Length(card_h),
            Constraint::Length(log_h),
            Constraint::Length(status_rows),
        ])
        .areas(area);
        Areas {
            header,
            gauges,
            middle,
            card,
            log,
            status,
        }
    }
}

pub fn draw(frame: &mut Frame, app: &App, v: &OpView, area: Rect) {
    let status_rows = status_bar::height(app, area.width);
    let Some(d) = &v.detail else {
        let [header, _, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(status_rows),
        ])
        .areas(area);
        let text = match &v.error {
            Some(e) => format!(" {} cannot load operation {}: {e}", symbols::FAILED, v.id),
            None => format!(" loading operation {}…", v.id),
        };
        frame.render_widget(Paragraph::new(text), header);
        status_bar::draw(frame, app, status);
        return;
    };
    let inner_w = usize::from(area.width.saturating_sub(2));
    let (title, card) = card_lines(app, d, v.settled, inner_w);
    let log_rows = d.log.len().min(usize::from(u16::MAX)) as u16;
    let a = Areas::new(
        area,
        status_rows,
        (card.len() as u16, log_rows),
        v.log_large,
    );
    status_bar::draw(frame, app, a.status);
    frame.render_widget(header::title_line(app, &d.record, a.header.width), a.header);
    header::draw_gauges(frame, &app.theme, d, a.gauges);
    let [steps_area, gantt_area] = split_middle(d, a.middle);
    let h = usize::from(steps_area.height.saturating_sub(2));
    let offset = window(v.cursor.selected, v.cursor.offset, h, d.steps.len());
    steps::draw_steps(frame, app, d, v.cursor.selected, offset, steps_area);
    steps::draw_gantt(frame, app, d, offset, gantt_area);
    card::draw(frame, app, (title, card), v.card_scroll, a.card);
    draw_log(frame, app, &d.log, v.log_large, a.log);
}

/// The steps list gets room for its longest label; the timeline the rest (none if too narrow).
fn split_middle(d: &crate::tui::backend::OperationDetail, area: Rect) -> [Rect; 2] {
    let longest = d
        .steps
        .iter()
        .map(|s| super::text::width(&s.label) + steps::MARK_WORD_W)
        .max()
        .unwrap_or(20) as u16;
    let want = (longest + 4 + 9 + 2).max(area.width * 11 / 20);
    let mut steps_w = want.min(area.width * 7 / 10);
    // A timeline narrower than this tells nothing: the steps take the whole width.
    if area.width.saturating_sub(steps_w) < 34 {
        steps_w = area.width;
    }
    Layout::horizontal([Constraint::Length(steps_w), Constraint::Min(0)]).areas(area)
}

fn draw_log(frame: &mut Frame, app: &App, log: &[String], large: bool, area: Rect) {
    let width = usize::from(area.width.saturating_sub(2)).max(1);
    let rows = usize::from(area.height.saturating_sub(2));
    // Each line wrapped whole; the newest rows shown.
    let wrapped: Vec<String> = log.iter().flat_map(|l| wrap(&clean(l), width)).collect();
    let lines: Vec<Line> = wrapped[wrapped.len().saturating_sub(rows)..]
        .iter()
        .map(|l| Line::from(l.clone()))
        .collect();
    let key = app.keymap.keys_of(
        crate::tui::keymap::View::Operation,
        crate::tui::keymap::KeyAction::ToggleLog,
    );
    let title = if large {
        format!("Log ({key} shrinks)")
    } else {
        format!("Log ({key} enlarges)")
    };
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(title, false, &app.theme)),
        area,
    );
}
