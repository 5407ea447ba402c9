//! The operation view: phase gauges, steps with status and duration, a Gantt timeline of the steps,
//! the current step (or the failure and what to do next), and the log tail. Follows events live.

use super::{duration, pane_block, status_bar};
use crate::domain::{OperationRecord, OperationStatus, Phase};
use crate::sanitize::clean;
use crate::tui::app::{App, OpView, window};
use crate::tui::backend::{OperationDetail, StepStatus, StepView};
use crate::tui::command::command_for;
use crate::tui::symbols;
use crate::tui::theme::{Role, Theme};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Width of the step names in the timeline.
const GANTT_LABEL_W: usize = 14;

pub fn draw(frame: &mut Frame, app: &App, v: &OpView, area: Rect) {
    let log_h = (area.height / 6).clamp(3, 12);
    let [header, gauges, middle, detail, log, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Min(4),
        Constraint::Length(6),
        Constraint::Length(log_h),
        Constraint::Length(1),
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
    frame.render_widget(title_line(app, &d.record), header);
    draw_gauges(frame, t, &d.record, gauges);
    let [steps_area, gantt_area] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(middle);
    let h = usize::from(steps_area.height.saturating_sub(2));
    let offset = window(v.cursor.selected, v.cursor.offset, h, d.steps.len());
    draw_steps(frame, app, d, v.cursor.selected, offset, steps_area);
    draw_gantt(frame, app, d, offset, gantt_area);
    draw_detail(frame, app, d, detail);
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

fn title_line<'a>(app: &App, r: &OperationRecord) -> Line<'a> {
    let t = &app.theme;
    let (sym, role) = symbols::operation_status(r.status);
    let mut spans = vec![
        Span::styled(format!(" {} ", r.operation_type), t.style(Role::Title)),
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
    if let Some(s) = r.started_at {
        let end = r.completed_at.unwrap_or(app.now);
        let secs = (end - s).num_milliseconds().max(0) as f64 / 1000.0;
        spans.push(Span::styled(
            format!(
                " · started {} · elapsed {}",
                s.format("%H:%M:%S"),
                duration(secs)
            ),
            t.style(Role::Dim),
        ));
    }
    spans.push(Span::styled(
        format!(" · by {}", r.actor),
        t.style(Role::Dim),
    ));
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

fn step_secs(s: &StepView, now: DateTime<Utc>) -> Option<f64> {
    let start = s.started_at?;
    let end = s.finished_at.unwrap_or(now);
    Some((end - start).num_milliseconds().max(0) as f64 / 1000.0)
}

fn draw_steps(
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
    let done = d
        .steps
        .iter()
        .filter(|s| s.status == StepStatus::Succeeded)
        .count();
    let lines: Vec<Line> = d
        .steps
        .iter()
        .enumerate()
        .skip(offset)
        .take(h)
        .map(|(i, s)| {
            let (mut sym, role) = symbols::step_status(s.status);
            if s.status == StepStatus::Running {
                sym = symbols::SPINNER[app.spinner % symbols::SPINNER.len()];
            }
            let progress = s
                .progress
                .map(|(a, b)| format!("{a}/{b} "))
                .unwrap_or_default();
            let dur = step_secs(s, app.now).map(duration).unwrap_or_default();
            let dur = format!("{progress}{dur}");
            let room = inner_w.saturating_sub(3 + dur.chars().count() + 1);
            let label: String = clean(&s.label)
                .chars()
                .take(room.saturating_sub(1))
                .collect();
            let style = if i == selected {
                t.selection()
            } else {
                ratatui::style::Style::default()
            };
            Line::from(vec![
                Span::styled(format!(" {sym} "), t.style(role)),
                Span::raw(format!("{label:<room$}")),
                Span::styled(format!("{dur} "), t.style(Role::Dim)),
            ])
            .patch_style(style)
        })
        .collect();
    let title = format!("Steps {done}/{}", d.steps.len());
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(title, true, t)),
        area,
    );
}

fn draw_gantt(frame: &mut Frame, app: &App, d: &OperationDetail, offset: usize, area: Rect) {
    let t = &app.theme;
    let inner_w = usize::from(area.width.saturating_sub(2));
    let h = usize::from(area.height.saturating_sub(2));
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
    let t1 = d.record.completed_at.unwrap_or(app.now).max(
        d.steps
            .iter()
            .filter_map(|s| s.finished_at)
            .max()
            .unwrap_or(t0),
    );
    let span_ms = (t1 - t0).num_milliseconds().max(1) as f64;
    let bar_w = inner_w.saturating_sub(GANTT_LABEL_W + 1).max(1);
    let col = |at: DateTime<Utc>| {
        let ms = (at - t0).num_milliseconds().max(0) as f64;
        ((ms / span_ms) * bar_w as f64).floor() as usize
    };
    let lines: Vec<Line> = d
        .steps
        .iter()
        .skip(offset)
        .take(h)
        .map(|s| {
            let name: String =
                s.id.split(':')
                    .next()
                    .unwrap_or(&s.id)
                    .chars()
                    .take(GANTT_LABEL_W - 1)
                    .collect();
            let mut spans = vec![Span::styled(
                format!("{name:<GANTT_LABEL_W$}"),
                t.style(Role::Dim),
            )];
            if let Some(a) = s.started_at {
                let x0 = col(a).min(bar_w - 1);
                let x1 = col(s.finished_at.unwrap_or(t1)).clamp(x0 + 1, bar_w);
                let (_, role) = symbols::step_status(s.status);
                spans.push(Span::raw(" ".repeat(x0)));
                spans.push(Span::styled("▇".repeat(x1 - x0), t.style(role)));
            }
            Line::from(spans)
        })
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

fn draw_detail(frame: &mut Frame, app: &App, d: &OperationDetail, area: Rect) {
    let t = &app.theme;
    let failed = d.steps.iter().find(|s| s.status == StepStatus::Failed);
    let (title, lines) = match (d.record.status, failed) {
        (OperationStatus::Failed | OperationStatus::RollingBack, _) => {
            ("What failed".to_string(), failure_lines(t, d, failed))
        }
        _ => match d
            .steps
            .iter()
            .rev()
            .find(|s| s.status == StepStatus::Running)
        {
            Some(s) => ("Current step".to_string(), step_lines(app, s)),
            None if d.record.status == OperationStatus::Completed => (
                "Result".to_string(),
                vec![Line::from(Span::styled(
                    format!(
                        " {} completed: {} instances created, {} volumes managed",
                        symbols::OK,
                        d.record.result_data.instances_created,
                        d.record.result_data.volumes_managed
                    ),
                    t.style(Role::Ok),
                ))],
            ),
            None => ("Current step".to_string(), vec![Line::from(" waiting…")]),
        },
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(pane_block(title, false, t)),
        area,
    );
}

fn step_lines<'a>(app: &App, s: &StepView) -> Vec<Line<'a>> {
    let t = &app.theme;
    let mut lines = vec![Line::from(vec![
        Span::styled(format!(" {} ", symbols::RUNNING), t.style(Role::Progress)),
        Span::styled(clean(&s.label), t.style(Role::Title)),
        Span::styled(format!("  ({})", s.phase.label()), t.style(Role::Dim)),
    ])];
    let mut facts = Vec::new();
    if let Some(a) = s.started_at {
        facts.push(format!("started {}", a.format("%H:%M:%S")));
    }
    if let Some(secs) = step_secs(s, app.now) {
        facts.push(format!("running for {}", duration(secs)));
    }
    if let Some((a, b)) = s.progress {
        facts.push(format!("{a} of {b} done"));
    }
    lines.push(Line::from(format!("   {}", facts.join(" · "))));
    if let Some(e) = &s.error {
        lines.push(Line::from(Span::styled(
            format!("   last attempt failed, retrying: {}", clean(e)),
            t.style(Role::Attention),
        )));
    }
    lines
}

fn failure_lines<'a>(t: &Theme, d: &OperationDetail, failed: Option<&StepView>) -> Vec<Line<'a>> {
    let r = &d.record;
    let error = failed
        .and_then(|s| s.error.clone())
        .or_else(|| r.error_message.clone())
        .unwrap_or_else(|| "no error was recorded".into());
    let step = failed
        .map(|s| clean(&s.label))
        .unwrap_or_else(|| "the operation".into());
    let log = d
        .log_path
        .clone()
        .unwrap_or_else(|| format!("drconsole ops show {}", r.id));
    vec![
        Line::from(Span::styled(
            format!(" {} {step} failed: {}", symbols::FAILED, clean(&error)),
            t.style(Role::Failed),
        )),
        Line::from(format!(
            " What to do next: check {} and {} in the Sites pane (r refreshes); fix the cause,",
            clean(&r.source_site_id),
            clean(&r.target_site_id)
        )),
        Line::from(format!(
            " then run :{} {} again (finished steps are not repeated). Full log: {log}",
            command_for(r.operation_type),
            clean(&r.protection_group)
        )),
    ]
}
