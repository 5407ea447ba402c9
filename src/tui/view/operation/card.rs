//! The card under the steps: the step running now, the result of a completed operation, or what
//! failed and what to do next.

use super::steps::step_secs;
use crate::domain::OperationStatus;
use crate::sanitize::clean;
use crate::tui::app::App;
use crate::tui::backend::{OperationDetail, StepState, StepView};
use crate::tui::command::command_for;
use crate::tui::symbols;
use crate::tui::theme::{Role, Theme};
use crate::tui::view::{duration, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// `settled`: the journal, not only the event stream, says the operation ended.
pub fn draw(frame: &mut Frame, app: &App, d: &OperationDetail, settled: bool, area: Rect) {
    let t = &app.theme;
    let failed = d.steps.iter().find(|s| s.status == StepState::Failed);
    let running = d
        .steps
        .iter()
        .rev()
        .find(|s| s.status == StepState::Running);
    let (title, lines) = match (d.record.status, running) {
        (OperationStatus::Failed | OperationStatus::RollingBack, _) => {
            ("What failed", failure_lines(t, d, failed))
        }
        (_, Some(s)) => ("Current step", step_lines(app, s)),
        (OperationStatus::Completed, None) => ("Result", result_lines(t, d, settled)),
        (_, None) => ("Current step", vec![Line::from(" waiting…")]),
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(pane_block(title.to_string(), false, t)),
        area,
    );
}

/// What a completed operation made; until the journal has it, that it is being read.
fn result_lines<'a>(t: &Theme, d: &OperationDetail, settled: bool) -> Vec<Line<'a>> {
    let text = if settled {
        format!(
            " {} completed: {} instances created, {} volumes managed",
            symbols::OK,
            d.record.result_data.instances_created,
            d.record.result_data.volumes_managed
        )
    } else {
        format!(
            " {} completed; reading its result from the journal…",
            symbols::OK
        )
    };
    vec![Line::from(Span::styled(text, t.style(Role::Ok)))]
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
