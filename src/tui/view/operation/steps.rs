//! The steps of the operation view: the list with each step's mark (symbol, and its word when it is
//! not plain success), progress and duration, and beside it the timeline, a Gantt of the same
//! steps on one time axis. Long names are shortened with `…`; the card shows them whole.

use crate::domain::{StepMark, StepState};
use crate::sanitize::clean;
use crate::tui::app::App;
use crate::tui::backend::{OperationDetail, StepView};
use crate::tui::symbols;
use crate::tui::theme::{Role, Theme};
use crate::tui::view::text::{fit, pad, width};
use crate::tui::view::{duration, pane_block};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Width of the step names in the timeline, at least; wider screens give them up to 2/5.
const GANTT_LABEL_W: usize = 14;
/// Room kept after a label for the mark's word (` · nothing to undo`).
pub const MARK_WORD_W: usize = 18;

pub fn step_secs(s: &StepView, now: DateTime<Utc>) -> Option<f64> {
    let start = s.started_at?;
    let end = s.finished_at.unwrap_or(now);
    Some((end - start).num_milliseconds().max(0) as f64 / 1000.0)
}

pub fn draw_steps(
    frame: &mut Frame,
    app: &App,
    d: &OperationDetail,
    selected: usize,
    offset: usize,
    area: Rect,
) {
    let t = &app.theme;
    let inner_w = usize::from(area.width.saturating_sub(2));
    let h = usize::from(area.height.saturating_sub(2));
    let done = d.steps.iter().filter(|s| s.mark.stands()).count();
    let lines: Vec<Line> = d
        .steps
        .iter()
        .enumerate()
        .skip(offset)
        .take(h)
        .map(|(i, s)| {
            let style = if i == selected {
                t.selection()
            } else {
                Style::default()
            };
            step_line(app, s, inner_w).patch_style(style)
        })
        .collect();
    let title = format!("Steps {done}/{} done", d.steps.len());
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(title, true, t)),
        area,
    );
}

/// The word a mark adds after the label: none for plain success, pending or running.
fn mark_word(s: &StepView) -> Option<&'static str> {
    match s.mark {
        StepMark::Running | StepMark::Succeeded => None,
        _ if s.pending() => None,
        _ => Some(s.words()),
    }
}

/// `✓ final_sync            18.0 s`, `↺ manage_volumes · undone  10.0 s`: symbol (spinning
/// while it runs), label, the mark's word, progress, duration.
fn step_line<'a>(app: &App, s: &StepView, w: usize) -> Line<'a> {
    let t = &app.theme;
    let (mut sym, role) = symbols::step_status(s);
    if s.status == StepState::Running {
        sym = symbols::SPINNER[app.spinner % symbols::SPINNER.len()];
    }
    let progress = s
        .progress
        .map(|(a, b)| format!("{a}/{b} "))
        .unwrap_or_default();
    let dur = step_secs(s, app.now).map(duration).unwrap_or_default();
    let dur = format!("{progress}{dur}");
    let word = mark_word(s).map(|w| format!(" · {w}")).unwrap_or_default();
    let room = w.saturating_sub(3 + width(&dur) + 1);
    let label_room = room.saturating_sub(width(&word)).max(room.min(8));
    let label = fit(&clean(&s.label), label_room.saturating_sub(1));
    let word = fit(&word, room.saturating_sub(width(&label)));
    let fill = room.saturating_sub(width(&label) + width(&word));
    Line::from(vec![
        Span::styled(format!(" {sym} "), t.style(role)),
        Span::raw(label),
        Span::styled(word, t.style(role)),
        Span::raw(" ".repeat(fill)),
        Span::styled(format!("{dur} "), t.style(Role::Dim)),
    ])
}

pub fn draw_gantt(frame: &mut Frame, app: &App, d: &OperationDetail, offset: usize, area: Rect) {
    if area.width < 20 {
        return;
    }
    let t = &app.theme;
    let start = d
        .record
        .started_at
        .or_else(|| d.steps.iter().filter_map(|s| s.started_at).min());
    let Some(t0) = start else {
        frame.render_widget(
            Paragraph::new("").block(pane_block("Timeline".into(), false, t)),
            area,
        );
        return;
    };
    let last_finish = d.steps.iter().filter_map(|s| s.finished_at).max();
    let t1 = d
        .record
        .completed_at
        .unwrap_or(app.now)
        .max(last_finish.unwrap_or(t0));
    let inner_w = usize::from(area.width.saturating_sub(2));
    let longest = d.steps.iter().map(|s| width(&s.kind)).max().unwrap_or(0);
    let label_w = (longest + 1)
        .min(inner_w * 2 / 5)
        .max(GANTT_LABEL_W.min(inner_w / 2));
    let axis = Axis::new(t0, t1, inner_w, label_w);
    let h = usize::from(area.height.saturating_sub(2));
    let lines: Vec<Line> = d
        .steps
        .iter()
        .skip(offset)
        .take(h)
        .map(|s| gantt_line(t, s, &axis))
        .collect();
    let title = format!(
        "Timeline {} → {}",
        t0.format("%H:%M:%S"),
        t1.format("%H:%M:%S")
    );
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(title, false, t)),
        area,
    );
}

/// The timeline's time axis: `t0..t1` over `bar_w` columns after labels `label_w` wide.
struct Axis {
    t0: DateTime<Utc>,
    t1: DateTime<Utc>,
    span_ms: f64,
    label_w: usize,
    bar_w: usize,
}

impl Axis {
    fn new(t0: DateTime<Utc>, t1: DateTime<Utc>, inner_w: usize, label_w: usize) -> Self {
        Axis {
            t0,
            t1,
            span_ms: (t1 - t0).num_milliseconds().max(1) as f64,
            label_w,
            bar_w: inner_w.saturating_sub(label_w + 1).max(1),
        }
    }

    fn col(&self, at: DateTime<Utc>) -> usize {
        let ms = (at - self.t0).num_milliseconds().max(0) as f64;
        ((ms / self.span_ms) * self.bar_w as f64).floor() as usize
    }
}

/// `final_sync    ▇▇▇▇`: the step's kind and its bar on the axis.
fn gantt_line<'a>(t: &Theme, s: &StepView, axis: &Axis) -> Line<'a> {
    let w = axis.label_w;
    let name = pad(&fit(&s.kind, w.saturating_sub(1)), w);
    let mut spans = vec![Span::styled(name, t.style(Role::Dim))];
    if let Some(a) = s.started_at {
        let x0 = axis.col(a).min(axis.bar_w - 1);
        let x1 = axis
            .col(s.finished_at.unwrap_or(axis.t1))
            .clamp(x0 + 1, axis.bar_w);
        let (_, role) = symbols::step_status(s);
        spans.push(Span::raw(" ".repeat(x0)));
        spans.push(Span::styled("▇".repeat(x1 - x0), t.style(role)));
    }
    Line::from(spans)
}
