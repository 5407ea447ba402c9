//! The operation view: phase gauges, steps with status and duration, a Gantt timeline of the steps,
//! the current step (or the failure and what to do next), and the log tail. Follows events live.

mod card;
mod steps;

use super::{duration, pane_block, status_bar};
use crate::domain::{OperationRecord, OperationStatus, Phase};
use crate::sanitize::clean;
use crate::tui::app::{App, OpView, window};
use crate::tui::symbols;
use crate::tui::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, app: &App, v: &OpView, area: Rect) {
    let log_h = (area.height / 6).clamp(3, 12);
    let [header, gauges, middle, detail, log, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Min(4),
        Constraint::Length(6),
        Constraint::Length(log_h),
        Constraint::Length(status_bar::height(app, area.width)),
    ])
    .areas(area);
    status_bar::draw(frame, app, status);
    let Some(d) = &v.detail else {
        let text = match &v.error {
            Some(e) => format!(" {} cannot load operation {}: {e}", symbols::FAILED, v.id),
            None => format!(" loading operation {}…", v.id),
        };
        frame.render_widget(Paragraph::new(text), header);
        return;
    };
    let t = &app.theme;
    frame.render_widget(title_line(app, &d.record, header.width), header);
    draw_gauges(frame, t, &d.record, gauges);
    let [steps_area, gantt_area] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(middle);
    let h = usize::from(steps_area.height.saturating_sub(2));
    let offset = window(v.cursor.selected, v.cursor.offset, h, d.steps.len());
    steps::draw_steps(frame, app, d, v.cursor.selected, offset, steps_area);
    steps::draw_gantt(frame, app, d, offset, gantt_area);
    card::draw(frame, app, d, v.settled, detail);
    let lines: Vec<Line> = d
        .log
        .iter()
        .rev()
        .take(usize::from(log_h.saturating_sub(2)))
        .rev()
        .map(|l| Line::from(clean(l)))
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(pane_block("Log".into(), false, t)),
        log,
    );
}

/// `Unplanned Failover · db-cluster · site-a ⇢ site-b · ⟳ running · started … · elapsed … · by …`:
/// on a narrow line the trailing facts are left out whole, the elapsed time kept longest.
fn title_line<'a>(app: &App, r: &OperationRecord, width: u16) -> Line<'a> {
    let t = &app.theme;
    let (sym, role) = symbols::operation_status(r.status);
    let mut spans = vec![
        Span::styled(
            format!(" {} ", r.operation_type.label()),
            t.style(Role::Title),
        ),
        Span::raw(format!(
            "· {} · {} · ",
            clean(&r.protection_group),
            match r.operation_type {
                // A fence moves nothing: it names the side it stops.
                crate::domain::OperationType::Fence => clean(&r.direction()),
                _ => format!(
                    "{} ⇢ {}",
                    clean(&r.source_site_id),
                    clean(&r.target_site_id)
                ),
            }
        )),
        Span::styled(format!("{sym} {}", r.status), t.style(role)),
    ];
    // (priority, text) in the order shown.
    let mut facts = Vec::new();
    if let Some(s) = r.started_at {
        let end = r.completed_at.unwrap_or(app.now);
        let secs = (end - s).num_milliseconds().max(0) as f64 / 1000.0;
        facts.push((1, format!(" · started {}", s.format("%H:%M:%S"))));
        facts.push((0, format!(" · elapsed {}", duration(secs))));
    }
    facts.push((2, format!(" · by {}", r.actor)));
    let mut room = usize::from(width).saturating_sub(spans.iter().map(Span::width).sum());
    let mut keep = [false; 3];
    for (priority, kept) in keep.iter_mut().enumerate() {
        if let Some((_, text)) = facts.iter().find(|(p, _)| *p == priority)
            && text.chars().count() <= room
        {
            room -= text.chars().count();
            *kept = true;
        }
    }
    for (priority, text) in facts {
        if keep[priority] {
            spans.push(Span::styled(text, t.style(Role::Dim)));
        }
    }
    Line::from(spans)
}

/// How far one phase is, from the operation's overall progress and the phase's range.
pub fn phase_percent(r: &OperationRecord, phase: Phase) -> u8 {
    if r.status == OperationStatus::Completed {
        return 100;
    }
    let (lo, hi) = phase.range();
    let p = r.progress.clamp(lo, hi);
    ((u32::from(p - lo) * 100) / u32::from(hi - lo)) as u8
}

fn draw_gauges(frame: &mut Frame, t: &Theme, r: &OperationRecord, area: Rect) {
    let half = area.width / 2;
    for (i, phase) in Phase::ALL.into_iter().enumerate() {
        let x = area.x + if i % 2 == 0 { 0 } else { half };
        let y = area.y + (i / 2) as u16;
        let pct = phase_percent(r, phase);
        let role = match (pct, r.status) {
            (100, _) => Role::Ok,
            (p, OperationStatus::Failed | OperationStatus::RollingBack) if p > 0 => Role::Failed,
            (0, _) => Role::Dim,
            _ => Role::Progress,
        };
        let bar_w = usize::from(half).saturating_sub(14 + 6).max(4);
        let line = Line::from(vec![
            Span::styled(format!(" {:<13}", phase.label()), t.style(Role::Title)),
            Span::styled(symbols::bar(pct, bar_w), t.style(role)),
            Span::styled(format!(" {pct:>3}%"), t.style(role)),
        ]);
        frame.render_widget(line, Rect::new(x, y, half, 1));
    }
}
